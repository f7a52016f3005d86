/**
 * Keeping users, as the web app's user pages do it: the district administrator for every role and scope; an
 * enterprise's administrator (users.enterprise_admin, one per enterprise) for its colleagues — enterprise users
 * of the same USCC — only.
 *
 * - A new account and a reset get a **one-time password**, made here, shown once in the answer and never stored
 *   anywhere but as its scrypt hash; the user must change it at first sign-in (sign-in.ts). So an administrator
 *   never chooses, and never learns, the password a colleague will work with.
 * - Who may touch whom: `user.manage` (access.ts) on the target's enterprise. A user outside the manager's scope
 *   is answered as not existing (404), as claims and enterprises are.
 * - Nobody disables themselves (the last administrator would lock the district out), and an enterprise
 *   administrator neither makes another administrator nor touches the district's officials.
 * - Every change is audited in the transaction that makes it; bad input stores nothing.
 */
import { randomInt } from 'node:crypto';
import { sql } from 'kysely';
import { appendAudit, type AuditActor } from '../audit/audit-log.ts';
import { ROLES, type Role } from '../db/schema.ts';
import { inTransaction, type Db } from '../db/transaction.ts';
import { KaifangError, ValidationError } from '../errors.ts';
import { can, listScope, type ListScope } from './access.ts';
import { checkPasswordStrength, hashPassword } from './passwords.ts';
import { forgetSessionsOf } from './recent-sessions.ts';
import { securityConfig, type SecurityConfig } from './security-config.ts';
import { createUser, USERNAME_PATTERN, type NewUserInput, type Principal } from './users.ts';

/** A user as the user pages show one. Never the password hash or the second factor's secret. */
export interface UserView {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  enterpriseUscc: string | null;
  enterpriseName: string | null;
  areaId: string | null;
  departmentId: string | null;
  enterpriseAdmin: boolean;
  /** active, or disabled (since disabledAt) */
  status: 'active' | 'disabled';
  disabledAt: string | null;
  /** locked out from at least one client address until lockedUntil (the latest of them) */
  locked: boolean;
  lockedUntil: string | null;
  /** holds a one-time (or published) password still to be changed */
  mustChangePassword: boolean;
  secondFactor: boolean;
  lastLoginAt: string | null;
  createdAt: string;
}

export const USER_STATUSES = ['active', 'disabled', 'locked', 'mustChangePassword'] as const;
export type UserStatusFilter = (typeof USER_STATUSES)[number];

export interface UserFilter {
  role?: Role;
  areaId?: string;
  departmentId?: string;
  enterpriseUscc?: string;
  status?: UserStatusFilter;
  /** part of the username or the name */
  q?: string;
  page?: number;
  pageSize?: number;
}

export interface AdminOptions {
  actor: AuditActor;
  config?: SecurityConfig;
  now?: Date;
  /** whether a department id exists (the policy's agencies) */
  isDepartmentId?: (id: string) => boolean;
}

const ONE_TIME_ALPHABET = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789'; // no 0/O, 1/l/I: read aloud or copied by hand

/**
 * A one-time password: random letters and digits without the look-alikes, in groups of four for reading out,
 * long enough for the platform's rule (at least 12 characters of randomness, ~70 bits).
 */
export function generateOneTimePassword(config: SecurityConfig = securityConfig(), username?: string): string {
  const length = Math.max(12, config.minPasswordLength);
  for (;;) {
    const chars = Array.from({ length }, () => ONE_TIME_ALPHABET[randomInt(ONE_TIME_ALPHABET.length)]);
    const pw = chars.join('').replace(/(.{4})(?=.)/g, '$1-');
    try {
      checkPasswordStrength(pw, config, username);
      return pw;
    } catch {
      // vanishingly rare (fewer than 4 distinct characters, or the username inside): draw again
    }
  }
}

const notFound = () => new KaifangError({ code: 'not_found', zh: '用户不存在', en: 'no such user' });
const forbidden = (action: 'user.read' | 'user.manage', manager: Principal) =>
  new KaifangError({ code: 'forbidden', zh: `无权执行此操作（${action}）`, en: `not allowed: ${action}`, details: { action, role: manager.role } });

function scopeOf(manager: Principal, action: 'user.read' | 'user.manage'): ListScope {
  return listScope(manager, action);
}

/** A role that reads no accounts at all is refused (403); one that reads some is told nothing of the others (404). */
function mayReadSome(manager: Principal): void {
  if (scopeOf(manager, 'user.read').kind === 'none') throw forbidden('user.read', manager);
}

function baseQuery(db: Db, now: Date) {
  return db
    .selectFrom('users')
    .leftJoin('enterprises', 'enterprises.uscc', 'users.enterprise_uscc')
    .select([
      'users.id',
      'users.username',
      'users.display_name',
      'users.role',
      'users.enterprise_uscc',
      'enterprises.name as enterprise_name',
      'users.area_id',
      'users.department_id',
      'users.enterprise_admin',
      'users.disabled_at',
      'users.must_change_password',
      'users.last_login_at',
      'users.created_at',
      sql<boolean>`users.totp_secret is not null`.as('second_factor'),
      sql<Date | null>`(select max(f.locked_until) from login_failures f where f.user_id = users.id and f.locked_until > ${now})`.as('locked_until'),
    ]);
}

type Row = Awaited<ReturnType<ReturnType<typeof baseQuery>['executeTakeFirstOrThrow']>>;

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

function toView(r: Row): UserView {
  return {
    id: r.id,
    username: r.username,
    displayName: r.display_name,
    role: r.role,
    enterpriseUscc: r.enterprise_uscc,
    enterpriseName: r.enterprise_name ?? null,
    areaId: r.area_id,
    departmentId: r.department_id,
    enterpriseAdmin: r.enterprise_admin,
    status: r.disabled_at ? 'disabled' : 'active',
    disabledAt: iso(r.disabled_at),
    locked: r.locked_until !== null,
    lockedUntil: iso(r.locked_until),
    mustChangePassword: r.must_change_password,
    secondFactor: !!r.second_factor,
    lastLoginAt: iso(r.last_login_at),
    createdAt: iso(r.created_at)!,
  };
}

export async function listUserViews(db: Db, manager: Principal, filter: UserFilter = {}, options: { now?: Date } = {}) {
  const now = options.now ?? new Date();
  mayReadSome(manager);
  const scope = scopeOf(manager, 'user.read');
  let q = baseQuery(db, now);
  if (scope.kind === 'enterprise') q = q.where('users.enterprise_uscc', '=', scope.enterpriseUscc);
  else if (scope.kind !== 'all') q = q.where(sql<boolean>`false`);
  if (filter.role) q = q.where('users.role', '=', filter.role);
  if (filter.areaId) q = q.where('users.area_id', '=', filter.areaId);
  if (filter.departmentId) q = q.where('users.department_id', '=', filter.departmentId);
  if (filter.enterpriseUscc) q = q.where('users.enterprise_uscc', '=', filter.enterpriseUscc);
  if (filter.status === 'active') q = q.where('users.disabled_at', 'is', null);
  if (filter.status === 'disabled') q = q.where('users.disabled_at', 'is not', null);
  if (filter.status === 'mustChangePassword') q = q.where('users.must_change_password', '=', true);
  if (filter.status === 'locked') q = q.where(sql<boolean>`exists (select 1 from login_failures f where f.user_id = users.id and f.locked_until > ${now})`);
  if (filter.q) {
    const like = `%${filter.q.trim().replace(/[\\%_]/g, (c) => '\\' + c)}%`;
    q = q.where((eb) => eb.or([eb('users.username', 'ilike', like), eb('users.display_name', 'ilike', like), eb('enterprises.name', 'ilike', like)]));
  }
  const page = filter.page ?? 1;
  const pageSize = filter.pageSize ?? 20;
  const counted = await db
    .selectFrom(q.as('u'))
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  // newest first: the account just created is on top
  const rows = await q.orderBy('users.id', 'desc').limit(pageSize).offset((page - 1) * pageSize).execute();
  return { items: rows.map(toView), total: Number(counted.n), page, pageSize };
}

/** One user as `manager` may see it; 404 outside the manager's scope. */
export async function getUserView(db: Db, manager: Principal, id: number, options: { now?: Date } = {}): Promise<UserView> {
  mayReadSome(manager);
  const row = await baseQuery(db, options.now ?? new Date()).where('users.id', '=', id).executeTakeFirst();
  if (!row || !can(manager, 'user.read', { enterpriseUscc: row.enterprise_uscc })) throw notFound();
  return toView(row);
}

/** The target user, when `manager` may change it (404 when it may not even see it, 403 when it may only read it). */
async function managed(db: Db, manager: Principal, id: number) {
  mayReadSome(manager);
  const row = await db.selectFrom('users').select(['id', 'username', 'role', 'enterprise_uscc', 'enterprise_admin', 'disabled_at']).where('id', '=', id).executeTakeFirst();
  if (!row || !can(manager, 'user.read', { enterpriseUscc: row.enterprise_uscc })) throw notFound();
  if (!can(manager, 'user.manage', { enterpriseUscc: row.enterprise_uscc })) throw forbidden('user.manage', manager);
  return row;
}

export interface CreatedUser {
  user: UserView;
  /** shown once: give it to the user, who must change it at first sign-in */
  oneTimePassword: string;
}

/**
 * Creates a user with a one-time password. An enterprise administrator creates colleagues only: role enterprise,
 * its own USCC (filled in when left out), never another administrator.
 */
export async function createManagedUser(db: Db, manager: Principal, input: Omit<NewUserInput, 'password'>, options: AdminOptions): Promise<CreatedUser> {
  const config = options.config ?? securityConfig();
  if (!can(manager, 'user.manage', { enterpriseUscc: manager.role === 'admin' ? null : manager.enterpriseUscc })) throw forbidden('user.manage', manager);
  let fields = { ...input };
  if (manager.role !== 'admin') {
    const errors: KaifangError[] = [];
    if (fields.role !== undefined && fields.role !== 'enterprise') {
      errors.push(new KaifangError({ code: 'scope_not_allowed', zh: '企业管理员只能添加本企业的企业用户', en: 'an enterprise administrator adds enterprise users of its own enterprise only', path: 'role' }));
    }
    const given = typeof fields.enterpriseUscc === 'string' ? fields.enterpriseUscc.trim().toUpperCase() : fields.enterpriseUscc;
    if (given !== undefined && given !== null && given !== '' && given !== manager.enterpriseUscc) {
      errors.push(new KaifangError({ code: 'scope_not_allowed', zh: '只能添加本企业（同一统一社会信用代码）的用户', en: 'colleagues of the same USCC only', path: 'enterpriseUscc' }));
    }
    if (fields.enterpriseAdmin !== undefined && fields.enterpriseAdmin !== false) {
      errors.push(new KaifangError({ code: 'scope_not_allowed', zh: '企业管理员由区管理员指定', en: 'the district administrator names the enterprise administrator', path: 'enterpriseAdmin' }));
    }
    if (errors.length > 0) throw new ValidationError(errors);
    fields = { ...fields, role: 'enterprise', enterpriseUscc: manager.enterpriseUscc };
  }
  const username = typeof fields.username === 'string' ? fields.username.trim().toLowerCase() : undefined;
  const oneTimePassword = generateOneTimePassword(config, username && USERNAME_PATTERN.test(username) ? username : undefined);
  const created = await createUser(db, { ...fields, password: oneTimePassword }, { actor: options.actor, config, isDepartmentId: options.isDepartmentId, mustChangePassword: true });
  return { user: await getUserView(db, manager, created.id, options), oneTimePassword };
}

/** A new one-time password for the user: sessions end, lockouts lift, and the user must change it at sign-in. */
export async function resetUserPassword(db: Db, manager: Principal, id: number, options: AdminOptions): Promise<{ oneTimePassword: string }> {
  const config = options.config ?? securityConfig();
  const target = await managed(db, manager, id);
  if (target.id === manager.id) {
    throw new KaifangError({ code: 'cannot_change_self', zh: '不能重置自己的密码；请在“账户与安全”中修改', en: 'you cannot reset your own password; change it on your account page' });
  }
  const oneTimePassword = generateOneTimePassword(config, target.username);
  const hash = await hashPassword(oneTimePassword, config.scrypt);
  await inTransaction(db, async (trx) => {
    await trx.updateTable('users').set({ password_hash: hash, must_change_password: true }).where('id', '=', id).execute();
    await trx.deleteFrom('sessions').where('user_id', '=', id).execute();
    await trx.deleteFrom('login_failures').where('user_id', '=', id).execute();
    await appendAudit(trx, options.actor, { action: 'user.resetPassword', entity: 'user', entityId: id, details: { username: target.username } });
  });
  forgetSessionsOf(id);
  return { oneTimePassword };
}

/** Disables or re-enables an account (never one's own). Disabling ends its sessions at once. */
export async function setManagedUserDisabled(db: Db, manager: Principal, id: number, disabled: boolean, options: AdminOptions): Promise<UserView> {
  const target = await managed(db, manager, id);
  if (target.id === manager.id) {
    throw new KaifangError({ code: 'cannot_change_self', zh: '不能停用自己的账户', en: 'you cannot disable your own account' });
  }
  const now = options.now ?? new Date();
  if (!!target.disabled_at !== disabled) {
    await inTransaction(db, async (trx) => {
      await trx.updateTable('users').set({ disabled_at: disabled ? now : null }).where('id', '=', id).execute();
      if (disabled) await trx.deleteFrom('sessions').where('user_id', '=', id).execute();
      await appendAudit(trx, options.actor, { action: disabled ? 'user.disable' : 'user.enable', entity: 'user', entityId: id, details: { username: target.username } });
    });
    forgetSessionsOf(id);
  }
  return getUserView(db, manager, id, options);
}

/** Lifts the account's lockouts from every address (the owner phoned; the administrator checked who it was). */
export async function unlockManagedUser(db: Db, manager: Principal, id: number, options: AdminOptions): Promise<UserView> {
  const target = await managed(db, manager, id);
  await inTransaction(db, async (trx) => {
    const lifted = await trx.deleteFrom('login_failures').where('user_id', '=', id).executeTakeFirst();
    await appendAudit(trx, options.actor, { action: 'user.unlock', entity: 'user', entityId: id, details: { username: target.username, addresses: Number(lifted.numDeletedRows) } });
  });
  return getUserView(db, manager, id, options);
}

/**
 * Changes what the district administrator may change of an account: the name, and which user is the
 * enterprise's administrator (naming one takes the role from the previous one, in the same transaction).
 */
export async function updateManagedUser(db: Db, manager: Principal, id: number, input: { displayName?: unknown; enterpriseAdmin?: unknown }, options: AdminOptions): Promise<UserView> {
  const target = await managed(db, manager, id);
  const errors: KaifangError[] = [];
  let displayName: string | undefined;
  if (input.displayName !== undefined) {
    const d = typeof input.displayName === 'string' ? input.displayName.trim() : '';
    if (d.length < 1 || d.length > 100) errors.push(new KaifangError({ code: 'invalid_display_name', zh: '姓名/显示名称须为1至100个字符', en: 'display name must have 1–100 characters', path: 'displayName' }));
    else displayName = d;
  }
  let enterpriseAdmin: boolean | undefined;
  if (input.enterpriseAdmin !== undefined) {
    if (typeof input.enterpriseAdmin !== 'boolean') errors.push(new KaifangError({ code: 'invalid_enterprise_admin', zh: '企业管理员须为是或否', en: 'enterpriseAdmin must be true or false', path: 'enterpriseAdmin' }));
    else if (manager.role !== 'admin') errors.push(new KaifangError({ code: 'scope_not_allowed', zh: '企业管理员由区管理员指定', en: 'the district administrator names the enterprise administrator', path: 'enterpriseAdmin' }));
    else if (input.enterpriseAdmin && target.role !== 'enterprise') errors.push(new KaifangError({ code: 'scope_not_allowed', zh: '只有企业用户可以是企业管理员', en: 'only an enterprise user can be the enterprise administrator', path: 'enterpriseAdmin' }));
    else enterpriseAdmin = input.enterpriseAdmin;
  }
  if (errors.length > 0) throw new ValidationError(errors);
  const changes: Record<string, unknown> = {};
  await inTransaction(db, async (trx) => {
    if (enterpriseAdmin !== undefined && enterpriseAdmin !== target.enterprise_admin) {
      if (enterpriseAdmin) {
        // One administrator per enterprise (a unique index too): the previous one steps down in this transaction.
        const previous = await trx
          .updateTable('users')
          .set({ enterprise_admin: false })
          .where('enterprise_uscc', '=', target.enterprise_uscc!)
          .where('enterprise_admin', '=', true)
          .returning('id')
          .execute();
        if (previous.length > 0) changes.previousAdmin = previous[0].id;
        for (const p of previous) forgetSessionsOf(p.id);
      }
      await trx.updateTable('users').set({ enterprise_admin: enterpriseAdmin }).where('id', '=', id).execute();
      changes.enterpriseAdmin = enterpriseAdmin;
    }
    if (displayName !== undefined) {
      await trx.updateTable('users').set({ display_name: displayName }).where('id', '=', id).execute();
      changes.displayName = displayName;
    }
    if (Object.keys(changes).length > 0) await appendAudit(trx, options.actor, { action: 'user.update', entity: 'user', entityId: id, details: { username: target.username, ...changes } });
  });
  forgetSessionsOf(id); // the role shown to its sessions changes with the flag
  return getUserView(db, manager, id, options);
}

/** Turns a user's second factor off (a lost phone): the district administrator only; the user's sessions end. */
export async function resetManagedSecondFactor(db: Db, manager: Principal, id: number, options: AdminOptions): Promise<UserView> {
  const target = await managed(db, manager, id);
  if (manager.role !== 'admin') throw new KaifangError({ code: 'forbidden', zh: '无权执行此操作（仅区管理员）', en: 'not allowed: the district administrator only' });
  await inTransaction(db, async (trx) => {
    await trx.updateTable('users').set({ totp_secret: null, totp_pending_secret: null, totp_last_step: null }).where('id', '=', id).execute();
    await trx.deleteFrom('sessions').where('user_id', '=', id).execute();
    await appendAudit(trx, options.actor, { action: 'user.secondFactor.reset', entity: 'user', entityId: id, details: { username: target.username } });
  });
  forgetSessionsOf(id);
  return getUserView(db, manager, id, options);
}

/** Parses the list filter of GET /api/users (query strings), naming the bad field. */
export function parseUserFilter(q: Record<string, string | undefined>): UserFilter {
  const errors: KaifangError[] = [];
  const filter: UserFilter = {};
  if (q.role) {
    if (ROLES.includes(q.role as Role)) filter.role = q.role as Role;
    else errors.push(new KaifangError({ code: 'invalid_role', zh: `角色须为：${ROLES.join('、')}`, en: `role must be one of: ${ROLES.join(', ')}`, path: 'querystring.role' }));
  }
  if (q.status) {
    if ((USER_STATUSES as readonly string[]).includes(q.status)) filter.status = q.status as UserStatusFilter;
    else errors.push(new KaifangError({ code: 'invalid_status', zh: `状态须为：${USER_STATUSES.join('、')}`, en: `status must be one of: ${USER_STATUSES.join(', ')}`, path: 'querystring.status' }));
  }
  for (const k of ['areaId', 'departmentId', 'enterpriseUscc', 'q'] as const) if (q[k]) filter[k] = q[k]!.trim();
  if (filter.enterpriseUscc) filter.enterpriseUscc = filter.enterpriseUscc.toUpperCase();
  if (errors.length > 0) throw new ValidationError(errors);
  return filter;
}
