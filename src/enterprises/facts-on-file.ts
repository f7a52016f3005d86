/**
 * The facts an enterprise keeps on file per year (its size, R&D spend, recognitions …), and what the engine
 * says they entitle it to against the award ledger: the portal's "what may I be entitled to" (免申即享 scan).
 * The enterprise maintains its own facts; officials who may see the enterprise read them, and such a read is
 * audited like a read of a claim.
 */
import { appendAudit } from '../audit/audit-log.ts';
import { toJsonb, type JsonObject } from '../db/schema.ts';
import { KaifangError, ValidationError } from '../errors.ts';
import type { EvaluationResult } from '../engine/index.ts';
import type { Principal } from '../identity/users.ts';
import { priorAwards } from '../ledger/ledger.ts';
import { actorOf, type PlatformContext } from '../claims/context.ts';
import { getVisibleEnterprise } from './directory.ts';

export interface FactsOnFile {
  uscc: string;
  year: number;
  facts: JsonObject;
  updatedAt: Date | null;
}

/** The industry class of measure 16 is the enterprise's registered class: facts on file never restate it. */
const REGISTERED_FACTS = ['industryClass'];

function checkYear(year: unknown, path = 'year'): number {
  if (typeof year !== 'number' || !Number.isInteger(year) || year < 2000 || year > 2100) {
    throw new ValidationError([new KaifangError({ code: 'bad_year', path, zh: '年度应为四位数年份，如2020', en: 'year must be a four-digit year such as 2020' })]);
  }
  return year;
}

async function auditOfficialRead(ctx: PlatformContext, user: Principal, uscc: string, action: string, details: Record<string, unknown>, ip?: string | null) {
  if (user.role !== 'enterprise') await appendAudit(ctx.db, actorOf(user, ip), { action, entity: 'enterprise', entityId: uscc, details });
}

export async function getFactsOnFile(ctx: PlatformContext, user: Principal, uscc: string, year: number, ip?: string | null): Promise<FactsOnFile> {
  checkYear(year);
  const enterprise = await getVisibleEnterprise(ctx, user, uscc);
  const row = await ctx.db.selectFrom('enterprise_facts').selectAll().where('enterprise_uscc', '=', enterprise.uscc).where('year', '=', year).executeTakeFirst();
  await auditOfficialRead(ctx, user, enterprise.uscc, 'enterprise.facts.read', { year }, ip);
  return { uscc: enterprise.uscc, year, facts: row?.facts ?? {}, updatedAt: row?.updated_at ?? null };
}

/**
 * Replaces the facts on file for a year. Validated exactly as `kaifang calc` validates facts (paths `facts.x`);
 * empty values are dropped (an empty cell means "not known", never zero); nothing is stored if anything is wrong.
 */
export async function putFactsOnFile(ctx: PlatformContext, user: Principal, uscc: string, year: number, facts: unknown, ip?: string | null): Promise<FactsOnFile> {
  checkYear(year);
  const enterprise = await getVisibleEnterprise(ctx, user, uscc);
  if (user.role !== 'enterprise' || user.enterpriseUscc !== enterprise.uscc) {
    throw new KaifangError({ code: 'forbidden', zh: '只有企业本身可以维护其在档事实', en: 'only the enterprise itself maintains its facts on file' });
  }
  if (!facts || typeof facts !== 'object' || Array.isArray(facts)) {
    throw new ValidationError([new KaifangError({ code: 'not_object', path: 'facts', zh: '事实应为“名称: 值”的对象', en: 'facts must be an object of name: value' })]);
  }
  const kept: JsonObject = {};
  for (const [k, v] of Object.entries(facts as Record<string, unknown>)) {
    if (v === null || v === undefined || v === '' || REGISTERED_FACTS.includes(k)) continue;
    kept[k] = v as JsonObject[string];
  }
  ctx.engine.parse({ year, facts: kept }); // throws ValidationError with paths facts.<name>
  return ctx.db.transaction().execute(async (trx) => {
    // Each value's source: who stated it and when. A value restated unchanged keeps its first source, so the
    // administrator sees when each figure was really given, not when the form was last saved.
    const before = await trx.selectFrom('enterprise_facts').selectAll().where('enterprise_uscc', '=', enterprise.uscc).where('year', '=', year).forUpdate().executeTakeFirst();
    const now = new Date();
    const sources: JsonObject = {};
    const oldSources = (before?.fact_sources ?? {}) as Record<string, JsonObject[string]>;
    for (const k of Object.keys(kept)) {
      const unchanged = before && k in before.facts && JSON.stringify(before.facts[k]) === JSON.stringify(kept[k]);
      sources[k] = unchanged ? (oldSources[k] ?? { by: before.updated_by, at: before.updated_at.toISOString() }) : { by: user.id, at: now.toISOString() };
    }
    const row = await trx
      .insertInto('enterprise_facts')
      .values({ enterprise_uscc: enterprise.uscc, year, facts: toJsonb(kept), fact_sources: toJsonb(sources), updated_by: user.id })
      .onConflict((oc) => oc.columns(['enterprise_uscc', 'year']).doUpdateSet({ facts: toJsonb(kept), fact_sources: toJsonb(sources), updated_by: user.id, updated_at: now }))
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendAudit(trx, actorOf(user, ip), { action: 'enterprise.facts.update', entity: 'enterprise', entityId: enterprise.uscc, details: { year, facts: Object.keys(kept) } });
    return { uscc: enterprise.uscc, year, facts: row.facts, updatedAt: row.updated_at };
  });
}

/** The year the portal shows by default: the latest with facts on file, else the policy's own year. */
async function defaultYear(ctx: PlatformContext, uscc: string): Promise<number> {
  const latest = await ctx.db.selectFrom('enterprise_facts').select('year').where('enterprise_uscc', '=', uscc).orderBy('year', 'desc').limit(1).executeTakeFirst();
  return latest?.year ?? Number(ctx.engine.policy.meta.effective.from.slice(0, 4));
}

/**
 * What the facts on file entitle the enterprise to in a year, as the engine's EvaluationResult: every incentive
 * the facts name is evaluated (the engine's scan), with caps, one-time rules and 就高不重复 read from the ledger.
 */
export async function entitlementsOnFile(ctx: PlatformContext, user: Principal, uscc: string, year: number | undefined, ip?: string | null): Promise<EvaluationResult> {
  if (year !== undefined) checkYear(year);
  const enterprise = await getVisibleEnterprise(ctx, user, uscc);
  const y = year ?? (await defaultYear(ctx, enterprise.uscc));
  const row = await ctx.db.selectFrom('enterprise_facts').select('facts').where('enterprise_uscc', '=', enterprise.uscc).where('year', '=', y).executeTakeFirst();
  const facts: Record<string, unknown> = { ...(row?.facts ?? {}) };
  if (ctx.engine.policy.facts.has('industryClass')) facts.industryClass = enterprise.industry_class;
  const ey = ctx.engine.parse({ year: y, enterprise: { uscc: enterprise.uscc, name: enterprise.name, area: enterprise.area_id }, facts });
  ey.priorAwards.push(...(await priorAwards(ctx.db, enterprise.uscc, ctx.engine.policy.id)));
  await auditOfficialRead(ctx, user, enterprise.uscc, 'enterprise.entitlements.read', { year: y }, ip);
  return ctx.engine.evaluate(ey, { asOf: ctx.today() });
}
