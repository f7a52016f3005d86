/**
 * Enterprises, keyed by 统一社会信用代码. Input is validated in full before anything is written: every bad
 * field is reported at once (ValidationError of KaifangErrors, each with its path), and nothing is stored.
 */
import { appendAudit, type AuditActor } from '../audit/audit-log.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { INDUSTRY_CLASSES, type Enterprise, type IndustryClass } from '../db/schema.ts';
import { inTransaction, type Db } from '../db/transaction.ts';
import { KaifangError, ValidationError } from '../errors.ts';
import { requireArea } from './areas.ts';
import { parseUscc } from './uscc.ts';

export interface EnterpriseInput {
  uscc: unknown;
  name: unknown;
  areaId: unknown;
  /** leading 先导产业 | highTech 高新技术产业 | other 其他 */
  industryClass: unknown;
}

export interface EnterpriseView {
  uscc: string;
  name: string;
  areaId: string;
  industryClass: IndustryClass;
  createdAt: Date;
}

const INDUSTRY_CLASS_ZH: Record<IndustryClass, string> = { leading: '先导产业', highTech: '高新技术产业', other: '其他' };

function toView(row: Enterprise): EnterpriseView {
  return { uscc: row.uscc, name: row.name, areaId: row.area_id, industryClass: row.industry_class, createdAt: row.created_at };
}

/** Checks and normalises input; throws ValidationError listing every bad field. */
export function validateEnterprise(input: EnterpriseInput): { uscc: string; name: string; areaId: string; industryClass: IndustryClass } {
  const errors: KaifangError[] = [];
  const check = <T>(fn: () => T): T | undefined => {
    try {
      return fn();
    } catch (e) {
      if (!(e instanceof KaifangError)) throw e;
      errors.push(e);
      return undefined;
    }
  };
  const uscc = check(() => parseUscc(input.uscc, 'uscc'));
  const name = check(() => {
    const n = typeof input.name === 'string' ? input.name.trim() : '';
    if (n.length < 1 || n.length > 200) {
      throw new KaifangError({ code: 'invalid_name', zh: '企业名称须为1至200个字符', en: 'enterprise name must have 1–200 characters', path: 'name' });
    }
    return n;
  });
  const areaId = check(() => requireArea(input.areaId, 'areaId').id);
  const industryClass = check(() => {
    if (!INDUSTRY_CLASSES.includes(input.industryClass as IndustryClass)) {
      const options = INDUSTRY_CLASSES.map((c) => `${c}（${INDUSTRY_CLASS_ZH[c]}）`).join('、');
      throw new KaifangError({
        code: 'invalid_industry_class',
        zh: `产业类别须为：${options}`,
        en: `industry class must be one of: ${INDUSTRY_CLASSES.join(', ')}`,
        path: 'industryClass',
      });
    }
    return input.industryClass as IndustryClass;
  });
  if (errors.length > 0) throw new ValidationError(errors);
  return { uscc: uscc!, name: name!, areaId: areaId!, industryClass: industryClass! };
}

/** Registers an enterprise and audits it, in `db`'s transaction or a new one. */
export async function createEnterprise(db: Db, input: EnterpriseInput, options: { actor: AuditActor }): Promise<EnterpriseView> {
  const valid = validateEnterprise(input);
  const exists = () =>
    new KaifangError({
      code: 'enterprise_exists',
      zh: `统一社会信用代码 ${valid.uscc} 的企业已登记`,
      en: `an enterprise with unified social credit code ${valid.uscc} is already registered`,
      path: 'uscc',
    });
  try {
    return await inTransaction(db, async (trx) => {
      const taken = await trx.selectFrom('enterprises').select('uscc').where('uscc', '=', valid.uscc).executeTakeFirst();
      if (taken) throw exists();
      const row = await trx
        .insertInto('enterprises')
        .values({ uscc: valid.uscc, name: valid.name, area_id: valid.areaId, industry_class: valid.industryClass })
        .returningAll()
        .executeTakeFirstOrThrow();
      await appendAudit(trx, options.actor, {
        action: 'enterprise.create',
        entity: 'enterprise',
        entityId: row.uscc,
        details: { name: row.name, areaId: row.area_id, industryClass: row.industry_class },
      });
      return toView(row);
    });
  } catch (e) {
    if (isUniqueViolation(e, 'enterprises_pkey')) throw exists();
    throw e;
  }
}

/** The enterprise, or undefined. The code is normalised first, so lower case or spaces still find it. */
export async function getEnterprise(db: Db, uscc: string): Promise<EnterpriseView | undefined> {
  const row = await db.selectFrom('enterprises').selectAll().where('uscc', '=', uscc.trim().toUpperCase()).executeTakeFirst();
  return row && toView(row);
}

export interface EnterpriseQuery {
  areaId?: string;
  industryClass?: IndustryClass;
  /** Part of the name or of the code. */
  search?: string;
  limit?: number;
  offset?: number;
}

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export const MAX_PAGE_SIZE = 500;

/** Enterprises by name order, filtered and paginated; `total` counts all matches. */
export async function listEnterprises(db: Db, query: EnterpriseQuery = {}): Promise<Page<EnterpriseView>> {
  const limit = Math.min(Math.max(Math.trunc(query.limit ?? 50), 1), MAX_PAGE_SIZE);
  const offset = Math.max(Math.trunc(query.offset ?? 0), 0);
  let q = db.selectFrom('enterprises');
  if (query.areaId) q = q.where('area_id', '=', query.areaId);
  if (query.industryClass) q = q.where('industry_class', '=', query.industryClass);
  if (query.search?.trim()) {
    // LIKE wildcards typed by a user are literal characters, not patterns.
    const pattern = `%${query.search.trim().replace(/[\\%_]/g, (c) => '\\' + c)}%`;
    q = q.where((eb) => eb.or([eb('name', 'ilike', pattern), eb('uscc', 'ilike', pattern)]));
  }
  const [rows, count] = await Promise.all([
    q.selectAll().orderBy('name').orderBy('uscc').limit(limit).offset(offset).execute(),
    q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(toView), total: Number(count.n), limit, offset };
}

export interface EnterpriseUpdateInput {
  name?: unknown;
  areaId?: unknown;
  industryClass?: unknown;
  /** present only to be refused: the code is the enterprise's identity */
  uscc?: unknown;
}

/**
 * Changes an enterprise's name, area or industry class (admin), audited with what it was and what it became. The
 * USCC never changes: it is the enterprise's identity in claims, the ledger and the credit lists (a new code is a new
 * registration). Decisions already made keep the class they were made with (their explanation records it).
 */
export async function updateEnterprise(db: Db, usccInput: string, input: EnterpriseUpdateInput, options: { actor: AuditActor }): Promise<EnterpriseView> {
  const uscc = usccInput.trim().toUpperCase();
  const current = await db.selectFrom('enterprises').selectAll().where('uscc', '=', uscc).executeTakeFirst();
  if (!current) throw new KaifangError({ code: 'not_found', zh: '找不到该企业', en: 'enterprise not found' });
  if (input.uscc !== undefined && input.uscc !== current.uscc) {
    throw new ValidationError([new KaifangError({ code: 'uscc_immutable', path: 'uscc', zh: '统一社会信用代码不能修改；代码不同即为另一家企业，请另行登记', en: 'the unified social credit code never changes; a different code is another enterprise: register it' })]);
  }
  const valid = validateEnterprise({
    uscc: current.uscc,
    name: input.name === undefined ? current.name : input.name,
    areaId: input.areaId === undefined ? current.area_id : input.areaId,
    industryClass: input.industryClass === undefined ? current.industry_class : input.industryClass,
  });
  const changes: Record<string, { from: string; to: string }> = {};
  if (valid.name !== current.name) changes.name = { from: current.name, to: valid.name };
  if (valid.areaId !== current.area_id) changes.areaId = { from: current.area_id, to: valid.areaId };
  if (valid.industryClass !== current.industry_class) changes.industryClass = { from: current.industry_class, to: valid.industryClass };
  if (!Object.keys(changes).length) return toView(current);
  return inTransaction(db, async (trx) => {
    const row = await trx
      .updateTable('enterprises')
      .set({ name: valid.name, area_id: valid.areaId, industry_class: valid.industryClass, updated_at: new Date() })
      .where('uscc', '=', current.uscc)
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendAudit(trx, options.actor, { action: 'enterprise.update', entity: 'enterprise', entityId: row.uscc, details: { changes } });
    return toView(row);
  });
}
