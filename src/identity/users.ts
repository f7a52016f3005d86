/**
 * Platform users. A user has one role and, for the scoped roles, the one scope the role is bounded by:
 * an enterprise user its enterprise, an area reviewer its area (区镇), a department reviewer its department
 * (whose led measures it reviews). The database enforces that exactly the matching scope column is set.
 */
import { appendAudit, type AuditActor } from '../audit/audit-log.ts';
import { ROLES, type Role, type User } from '../db/schema.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { inTransaction, type Db } from '../db/transaction.ts';
import { isAreaId, listAreas } from '../enterprises/areas.ts';
import { parseUscc } from '../enterprises/uscc.ts';
import { KaifangError, ValidationError } from '../errors.ts';
import { checkPasswordStrength, hashPassword } from './passwords.ts';
import { forgetSessionsOf } from './recent-sessions.ts';
import { securityConfig, type SecurityConfig } from './security-config.ts';

/** A user as the rest of the platform sees one: identity, role and scope; never the password hash. */
export interface Principal {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  enterpriseUscc: string | null;
  areaId: string | null;
  departmentId: string | null;
  /** a one-time or published password: nothing but changing it is allowed until it is changed (sign-in.ts) */
  mustChangePassword?: boolean;
  /** the enterprise's administrator, who adds and disables colleagues of the same USCC (user-admin.ts) */
  enterpriseAdmin?: boolean;
  /** a TOTP second factor is on (second-factor.ts) */
  secondFactor?: boolean;
}

export interface NewUserInput {
  username: unknown;
  displayName: unknown;
  password: unknown;
  role: unknown;
  enterpriseUscc?: unknown;
  areaId?: unknown;
  departmentId?: unknown;
  /** an enterprise user only: the enterprise's one administrator */
  enterpriseAdmin?: unknown;
}

export interface UserServiceOptions {
  actor: AuditActor;
  config?: SecurityConfig;
  /** Whether a department id exists (from the policy's agencies.yaml); without it any non-empty id passes. */
  isDepartmentId?: (id: string) => boolean;
  /** the password is a one-time password (an administrator's): the user must change it at first sign-in */
  mustChangePassword?: boolean;
}

export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._-]{2,63}$/;

export function toPrincipal(row: User): Principal {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    role: row.role,
    enterpriseUscc: row.enterprise_uscc,
    areaId: row.area_id,
    departmentId: row.department_id,
    mustChangePassword: row.must_change_password,
    enterpriseAdmin: row.enterprise_admin,
    secondFactor: row.totp_secret !== null,
  };
}

/** Validates everything, reports every bad field at once, and stores nothing unless all is well. */
export async function createUser(db: Db, input: NewUserInput, options: UserServiceOptions): Promise<Principal> {
  const config = options.config ?? securityConfig();
  const errors: KaifangError[] = [];
  const field = <T>(fn: () => T): T | undefined => {
    try {
      return fn();
    } catch (e) {
      if (e instanceof KaifangError) errors.push(e);
      else throw e;
      return undefined;
    }
  };
  const bad = (path: string, code: string, zh: string, en: string) => new KaifangError({ code, zh, en, path });

  const username = field(() => {
    const u = typeof input.username === 'string' ? input.username.trim().toLowerCase() : '';
    if (!USERNAME_PATTERN.test(u)) {
      throw bad('username', 'invalid_username', '用户名须为3至64位小写字母、数字或 . _ -，以字母或数字开头', 'username must be 3–64 lower-case letters, digits or . _ -, starting with a letter or digit');
    }
    return u;
  });
  const displayName = field(() => {
    const d = typeof input.displayName === 'string' ? input.displayName.trim() : '';
    if (d.length < 1 || d.length > 100) throw bad('displayName', 'invalid_display_name', '姓名/显示名称须为1至100个字符', 'display name must have 1–100 characters');
    return d;
  });
  field(() => checkPasswordStrength(input.password, config, username));
  const role = field(() => {
    if (!ROLES.includes(input.role as Role)) throw bad('role', 'invalid_role', `角色须为：${ROLES.join('、')}`, `role must be one of: ${ROLES.join(', ')}`);
    return input.role as Role;
  });

  const scoped = (path: 'enterpriseUscc' | 'areaId' | 'departmentId', forRole: Role, parse: (v: unknown) => string) =>
    field(() => {
      const value = input[path];
      const given = value !== undefined && value !== null && value !== '';
      if (role === forRole) {
        if (!given) throw bad(path, 'scope_required', `角色 ${forRole} 必须指定 ${path}`, `role ${forRole} requires ${path}`);
        return parse(value);
      }
      if (given && role) throw bad(path, 'scope_not_allowed', `角色 ${role} 不应指定 ${path}`, `role ${role} takes no ${path}`);
      return null;
    });
  const enterpriseUscc = scoped('enterpriseUscc', 'enterprise', (v) => parseUscc(v, 'enterpriseUscc'));
  const areaId = scoped('areaId', 'areaReviewer', (v) => {
    if (!isAreaId(v)) {
      const ids = listAreas().map((a) => a.id).join(', ');
      throw bad('areaId', 'unknown_area', `区镇“${String(v)}”不存在；可选：${ids}`, `unknown area "${String(v)}"; valid ids: ${ids}`);
    }
    return v;
  });
  const departmentId = scoped('departmentId', 'departmentReviewer', (v) => {
    const id = typeof v === 'string' ? v.trim() : '';
    if (!id || (options.isDepartmentId && !options.isDepartmentId(id))) {
      throw bad('departmentId', 'unknown_department', `部门“${String(v)}”不存在`, `unknown department "${String(v)}"`);
    }
    return id;
  });
  const enterpriseAdmin = field(() => {
    const v = input.enterpriseAdmin ?? false;
    if (typeof v !== 'boolean') throw bad('enterpriseAdmin', 'invalid_enterprise_admin', '企业管理员须为是或否', 'enterpriseAdmin must be true or false');
    if (v && role && role !== 'enterprise') throw bad('enterpriseAdmin', 'scope_not_allowed', '只有企业用户可以是企业管理员', 'only an enterprise user can be the enterprise administrator');
    return v;
  });

  if (errors.length > 0) throw new ValidationError(errors);
  const passwordHash = await hashPassword(input.password as string, config.scrypt);

  const enterpriseAdminTaken = () =>
    bad('enterpriseAdmin', 'enterprise_admin_exists', `企业 ${enterpriseUscc} 已有企业管理员；一个企业只能有一位`, `enterprise ${enterpriseUscc} already has its administrator; an enterprise has one`);
  const usernameTaken = () => bad('username', 'username_taken', `用户名“${username}”已被使用`, `username "${username}" is taken`);
  try {
    return await inTransaction(db, (trx) => insertUser(trx));
  } catch (e) {
    // Two requests for one new username at once: the unique index catches the second.
    if (isUniqueViolation(e, 'users_username_key')) throw usernameTaken();
    if (isUniqueViolation(e, 'users_one_enterprise_admin')) throw enterpriseAdminTaken();
    throw e;
  }

  async function insertUser(trx: Db): Promise<Principal> {
    if (enterpriseUscc) {
      const exists = await trx.selectFrom('enterprises').select('uscc').where('uscc', '=', enterpriseUscc).executeTakeFirst();
      if (!exists) throw bad('enterpriseUscc', 'unknown_enterprise', `企业 ${enterpriseUscc} 未登记`, `enterprise ${enterpriseUscc} is not registered`);
    }
    const taken = await trx.selectFrom('users').select('id').where('username', '=', username!).executeTakeFirst();
    if (taken) throw usernameTaken();
    if (enterpriseAdmin) {
      const admin = await trx.selectFrom('users').select('id').where('enterprise_uscc', '=', enterpriseUscc!).where('enterprise_admin', '=', true).executeTakeFirst();
      if (admin) throw enterpriseAdminTaken();
    }
    const row = await trx
      .insertInto('users')
      .values({
        username: username!,
        display_name: displayName!,
        password_hash: passwordHash,
        role: role!,
        enterprise_uscc: enterpriseUscc ?? null,
        area_id: areaId ?? null,
        department_id: departmentId ?? null,
        enterprise_admin: enterpriseAdmin ?? false,
        must_change_password: options.mustChangePassword ?? false,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const principal = toPrincipal(row);
    await appendAudit(trx, options.actor, {
      action: 'user.create',
      entity: 'user',
      entityId: row.id,
      details: {
        username: row.username,
        role: row.role,
        enterpriseUscc: row.enterprise_uscc,
        areaId: row.area_id,
        departmentId: row.department_id,
        ...(row.enterprise_admin ? { enterpriseAdmin: true } : {}),
        ...(row.must_change_password ? { oneTimePassword: true } : {}),
      },
    });
    return principal;
  }
}

export async function getUser(db: Db, id: number): Promise<Principal | undefined> {
  const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toPrincipal(row);
}

export async function findUserByUsername(db: Db, username: string): Promise<Principal | undefined> {
  const row = await db.selectFrom('users').selectAll().where('username', '=', username.trim().toLowerCase()).executeTakeFirst();
  return row && toPrincipal(row);
}

export async function listUsers(db: Db, filter: { role?: Role } = {}): Promise<Principal[]> {
  let q = db.selectFrom('users').selectAll().orderBy('id');
  if (filter.role) q = q.where('role', '=', filter.role);
  return (await q.execute()).map(toPrincipal);
}

/** Sets a new password and ends the user's sessions (whoever held the old one is logged out). */
export async function setPassword(db: Db, userId: number, password: unknown, options: UserServiceOptions): Promise<void> {
  const config = options.config ?? securityConfig();
  const user = await getUser(db, userId);
  if (!user) throw new KaifangError({ code: 'unknown_user', zh: `用户 ${userId} 不存在`, en: `no user ${userId}`, path: 'userId' });
  checkPasswordStrength(password, config, user.username);
  const hash = await hashPassword(password as string, config.scrypt);
  await inTransaction(db, async (trx) => {
    await trx.updateTable('users').set({ password_hash: hash }).where('id', '=', userId).execute();
    // A new password starts every client's count afresh.
    await trx.deleteFrom('login_failures').where('user_id', '=', userId).execute();
    await trx.deleteFrom('sessions').where('user_id', '=', userId).execute();
    await appendAudit(trx, options.actor, { action: 'user.setPassword', entity: 'user', entityId: userId });
  });
  forgetSessionsOf(userId); // after the commit: a request meanwhile may have remembered the session
}

/** Lifts the account's lockouts, from every client address, before they run out (an administrator's decision, audited). */
export async function unlockUser(db: Db, userId: number, options: { actor: AuditActor }): Promise<void> {
  await inTransaction(db, async (trx) => {
    await trx.deleteFrom('login_failures').where('user_id', '=', userId).execute();
    await appendAudit(trx, options.actor, { action: 'user.unlock', entity: 'user', entityId: userId });
  });
}

/** Disables (or re-enables) an account; disabling ends its sessions at once. Users are never deleted: the audit log names them. */
export async function setUserDisabled(db: Db, userId: number, disabled: boolean, options: { actor: AuditActor; now?: Date }): Promise<void> {
  await inTransaction(db, async (trx) => {
    await trx.updateTable('users').set({ disabled_at: disabled ? (options.now ?? new Date()) : null }).where('id', '=', userId).execute();
    if (disabled) await trx.deleteFrom('sessions').where('user_id', '=', userId).execute();
    await appendAudit(trx, options.actor, { action: disabled ? 'user.disable' : 'user.enable', entity: 'user', entityId: userId });
  });
  forgetSessionsOf(userId); // after the commit: a request meanwhile may have remembered the session
}
