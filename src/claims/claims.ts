/**
 * Claims (申报): create, correct, read and list, each checked against the caller's role and scope. The
 * workflow transitions (submit, reviews, decisions) are in workflow.ts; 公示 in publicity.ts; 拨付 in payments.ts.
 */
import { sql } from 'kysely';
import type { Db } from '../db/transaction.ts';
import { CLAIM_STATES, type Claim, type ClaimState, type Enterprise, type JsonObject, type ReviewStage } from '../db/schema.ts';
import { toJsonb } from '../db/schema.ts';
import { KaifangError, ValidationError } from '../errors.ts';
import { appendAudit } from '../audit/audit-log.ts';
import { authorize, can, listScope, type Action } from '../identity/access.ts';
import type { Principal } from '../identity/users.ts';
import type { Entitlement, PriorAward } from '../engine/index.ts';
import { isCivilDate } from '../civil-date.ts';
import { priorAwards } from '../ledger/ledger.ts';
import { statementOf } from '../ledger/statement.ts';
import { creditStatus } from '../credit/credit.ts';
import { actorOf, measureIdOf, type PlatformContext } from './context.ts';

export interface ClaimInput {
  incentive: unknown;
  year: unknown;
  item?: unknown;
  date?: unknown;
  amountClaimedFen?: unknown;
  facts?: unknown;
}

export interface ClaimView {
  id: number;
  enterpriseUscc: string;
  enterpriseName?: string;
  areaId: string;
  policyId: string;
  measureId: string;
  incentive: string;
  title: string;
  kind: string;
  item: string;
  year: number;
  date: string | null;
  facts: JsonObject;
  amountClaimedFen: number | null;
  state: ClaimState;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  submittedAt: Date | null;
}

export function notFound(what = '申报') {
  return new KaifangError({ code: 'not_found', zh: `找不到该${what}，或您无权查看`, en: 'not found, or not yours to see' });
}

export function claimView(ctx: PlatformContext, c: Claim, enterpriseName?: string): ClaimView {
  const inc = ctx.engine.policy.incentivesById.get(c.incentive_id);
  return {
    id: c.id,
    enterpriseUscc: c.enterprise_uscc,
    enterpriseName,
    areaId: c.area_id,
    policyId: c.policy_id,
    measureId: c.measure_id,
    incentive: c.incentive_id,
    title: inc?.title ?? c.incentive_id,
    kind: inc?.kind ?? 'unknown',
    item: c.item,
    year: c.year,
    date: c.event_on,
    facts: c.facts,
    amountClaimedFen: c.amount_claimed_fen,
    state: c.state,
    version: c.version,
    createdAt: c.created_at,
    updatedAt: c.updated_at,
    submittedAt: c.submitted_at,
  };
}

/** The resource a claim is checked against: its enterprise, area and measure. */
export const resourceOf = (c: Pick<Claim, 'enterprise_uscc' | 'area_id' | 'measure_id' | 'policy_id'>) => ({
  enterpriseUscc: c.enterprise_uscc,
  areaId: c.area_id,
  measureId: c.measure_id,
  policyId: c.policy_id,
});

/**
 * Load a claim for an action; not-yours and not-there look the same (404), so ids cannot be probed.
 * `forUpdate` locks the row for the rest of the transaction: one transition at a time per claim.
 */
export async function loadClaim(ctx: PlatformContext, db: Db, user: Principal, id: number, action: Action, forUpdate = false): Promise<Claim> {
  if (!Number.isSafeInteger(id) || id <= 0) throw notFound();
  let q = db.selectFrom('claims').selectAll().where('id', '=', id);
  if (forUpdate) q = q.forUpdate();
  return checkClaimAccess(ctx, user, await q.executeTakeFirst(), action);
}

/** loadClaim's checks on a row the caller has already read (e.g. locked with its own `for update`). */
export function checkClaimAccess(ctx: PlatformContext, user: Principal, c: Claim | undefined, action: Action): Claim {
  if (!c || !can(user, 'claim.read', resourceOf(c), ctx.access)) throw notFound();
  authorize(user, action, resourceOf(c), ctx.access);
  return c;
}

/** Validate a claim's input against the policy (through the engine's own fact validation); nothing stored. */
export function validateClaimInput(ctx: PlatformContext, input: ClaimInput, enterprise: { uscc: string; name: string; area_id: string; industry_class: string }) {
  const errors: KaifangError[] = [];
  const policy = ctx.engine.policy;
  const inc = typeof input.incentive === 'string' ? policy.incentivesById.get(input.incentive) : undefined;
  if (!inc) errors.push(new KaifangError({ code: 'unknown_incentive', path: 'incentive', zh: '请选择政策中的奖励项目', en: 'incentive must be one of the policy\'s incentives' }));
  const year = input.year;
  if (typeof year !== 'number' || !Number.isInteger(year) || year < 2000 || year > 2100) errors.push(new KaifangError({ code: 'bad_year', path: 'year', zh: '申报年度应为四位数年份，如2020', en: 'year must be a four-digit year' }));
  if (input.date !== undefined && input.date !== null && !isCivilDate(input.date)) errors.push(new KaifangError({ code: 'bad_date', path: 'date', zh: '事项日期不存在或格式不对，应为 YYYY-MM-DD', en: 'date must be a real date YYYY-MM-DD' }));
  if (input.item !== undefined && input.item !== null && (typeof input.item !== 'string' || input.item.length > 200)) errors.push(new KaifangError({ code: 'wrong_type', path: 'item', zh: '申报对象名称应为200字以内的文字', en: 'item must be text of at most 200 characters' }));
  if (inc?.kind === 'amountNotSet') errors.push(new KaifangError({ code: 'amount_not_set', path: 'incentive', zh: `“${inc.title}”政策原文未规定金额，待实施细则明确后方可申报`, en: 'the policy sets no amount for this incentive yet; it cannot be claimed' }));
  if (input.facts !== undefined && (typeof input.facts !== 'object' || input.facts === null || Array.isArray(input.facts))) errors.push(new KaifangError({ code: 'not_object', path: 'facts', zh: '事实应为“名称: 值”的对象', en: 'facts must be an object' }));
  if (errors.length) throw new ValidationError(errors);
  // The engine validates the facts and the amount exactly as `kaifang calc` would; its paths are re-rooted here.
  // The item as it is stored (trimmed): the engine must judge the claim that will be kept, not the text as typed.
  const doc = claimFactsDocument(ctx, { incentive: inc!.id, year: year as number, item: ((input.item as string | undefined) ?? '').trim() || undefined, date: (input.date as string) || undefined, amountFen: input.amountClaimedFen, facts: (input.facts ?? {}) as JsonObject }, enterprise, []);
  try {
    ctx.engine.parse(doc);
  } catch (e) {
    if (e instanceof ValidationError) {
      throw new ValidationError(e.errors.map((x) => new KaifangError({ code: x.code, zh: x.messageZh, en: x.messageEn, path: x.path?.replace(/^claims\[0\]\.amount$/, 'amountClaimedFen').replace(/^claims\[0\]\./, '') })));
    }
    throw e;
  }
  return { inc: inc!, year: year as number };
}

const CLAIM_KEY = 'this-claim';

/**
 * The enterprise-year the engine evaluates for one claim, in the shape `kaifang calc` reads: the enterprise's
 * registered industry class as an enterprise-level fact, the claim with its own facts, the ledger as prior awards.
 */
export function claimFactsDocument(
  ctx: PlatformContext,
  c: { incentive: string; year: number; item?: string; date?: string; amountFen?: unknown; facts: JsonObject },
  enterprise: { uscc: string; name: string; area_id: string; industry_class: string },
  prior: PriorAward[],
) {
  // Measure 16's class is the project's (interpretations.yaml#m16-industry-class-of-project), read as the calculator
  // reads it: a class the claim states for its project wins; where it states none, the enterprise's registered class
  // stands for it. So a claim and `kaifang calc` on the same facts give the same amount.
  const facts: Record<string, unknown> = ctx.engine.policy.facts.has('industryClass') ? { industryClass: enterprise.industry_class } : {};
  return {
    year: c.year,
    enterprise: { uscc: enterprise.uscc, name: enterprise.name, area: enterprise.area_id },
    facts,
    claims: [{ id: CLAIM_KEY, incentive: c.incentive, item: c.item, date: c.date, amount: c.amountFen ?? undefined, facts: c.facts }],
    priorAwards: prior.map((a) => ({ incentive: a.incentive, year: a.year, item: a.item, amount: a.amountFen, level: a.level, cityOffset: a.cityOffsetFen })),
  };
}

/**
 * What the engine says about this claim now, against the ledger (excluding the claim's own entries).
 * `enterprise`: the claim's enterprise row when the caller has already read it.
 */
export async function evaluateClaim(ctx: PlatformContext, db: Db, c: Claim, enterprise?: Enterprise): Promise<Entitlement> {
  enterprise ??= await db.selectFrom('enterprises').selectAll().where('uscc', '=', c.enterprise_uscc).executeTakeFirstOrThrow();
  return evaluateClaimWith(ctx, c, enterprise, await priorAwards(db, c.enterprise_uscc, c.policy_id, [c.incentive_id], c.id));
}

/** What the engine says about this claim given the enterprise's earlier awards (`prior`, read by the caller). */
export function evaluateClaimWith(ctx: PlatformContext, c: Claim, enterprise: { uscc: string; name: string; area_id: string; industry_class: string }, prior: PriorAward[]): Entitlement {
  const doc = claimFactsDocument(ctx, { incentive: c.incentive_id, year: c.year, item: c.item || undefined, date: c.event_on ?? undefined, amountFen: c.amount_claimed_fen ?? undefined, facts: c.facts }, enterprise, prior);
  const result = ctx.engine.evaluate(doc, { asOf: ctx.today() });
  return result.entitlements.find((e) => e.claim === CLAIM_KEY)!;
}

export async function createClaim(ctx: PlatformContext, user: Principal, input: ClaimInput, ip?: string | null): Promise<ClaimView> {
  if (user.role !== 'enterprise' || !user.enterpriseUscc) throw new KaifangError({ code: 'forbidden', zh: '只有企业用户可以申报', en: 'only enterprise users can create claims' });
  const enterprise = await ctx.db.selectFrom('enterprises').selectAll().where('uscc', '=', user.enterpriseUscc).executeTakeFirst();
  if (!enterprise) throw notFound('企业');
  const { inc, year } = validateClaimInput(ctx, input, enterprise);
  authorize(user, 'claim.create', { enterpriseUscc: enterprise.uscc, areaId: enterprise.area_id }, ctx.access);
  return ctx.db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('claims')
      .values({
        enterprise_uscc: enterprise.uscc,
        area_id: enterprise.area_id,
        policy_id: ctx.engine.policy.id,
        measure_id: measureIdOf(inc.measure),
        incentive_id: inc.id,
        item: (input.item as string | undefined)?.trim() ?? '',
        year,
        event_on: (input.date as string | undefined) ?? null,
        facts: toJsonb(input.facts ?? {}),
        amount_claimed_fen: (input.amountClaimedFen as number | undefined) ?? null,
        created_by: user.id,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendAudit(trx, actorOf(user, ip), { action: 'claim.create', entity: 'claim', entityId: row.id, details: { incentive: inc.id, year } });
    return claimView(ctx, row, enterprise.name);
  });
}

export async function updateClaim(ctx: PlatformContext, user: Principal, id: number, patch: Omit<ClaimInput, 'incentive' | 'year'> & { expectedVersion?: number }, ip?: string | null): Promise<ClaimView> {
  return ctx.db.transaction().execute(async (trx) => {
    const c = await loadClaim(ctx, trx, user, id, 'claim.edit', true);
    if (c.state !== 'draft' && c.state !== 'returned') throw invalidState(c.state, '只有草稿或被退回的申报可以修改', 'only drafts and returned claims can be changed');
    if (patch.expectedVersion !== undefined && patch.expectedVersion !== c.version) throw new KaifangError({ code: 'conflict', zh: '该申报已被修改，请刷新后重试', en: 'the claim changed meanwhile; reload and retry' });
    const enterprise = await trx.selectFrom('enterprises').selectAll().where('uscc', '=', c.enterprise_uscc).executeTakeFirstOrThrow();
    const merged: ClaimInput = {
      incentive: c.incentive_id,
      year: c.year,
      item: patch.item !== undefined ? patch.item : c.item || undefined,
      date: patch.date !== undefined ? patch.date : (c.event_on ?? undefined),
      amountClaimedFen: patch.amountClaimedFen !== undefined ? patch.amountClaimedFen : (c.amount_claimed_fen ?? undefined),
      facts: patch.facts !== undefined ? patch.facts : c.facts,
    };
    validateClaimInput(ctx, merged, enterprise);
    const row = await trx
      .updateTable('claims')
      .set({
        item: ((merged.item as string | undefined) ?? '').trim(),
        event_on: (merged.date as string | undefined) ?? null,
        amount_claimed_fen: (merged.amountClaimedFen as number | undefined) ?? null,
        facts: toJsonb(merged.facts ?? {}),
        version: c.version + 1,
        updated_at: new Date(),
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendAudit(trx, actorOf(user, ip), { action: 'claim.edit', entity: 'claim', entityId: id, details: { fields: Object.keys(patch) } });
    return claimView(ctx, row, enterprise.name);
  });
}

export function invalidState(state: ClaimState, zh: string, en: string) {
  return new KaifangError({ code: 'invalid_state', zh: `${zh}（当前状态：${STATE_ZH[state]}）`, en: `${en} (state: ${state})`, details: { state } });
}

export const STATE_ZH: Record<ClaimState, string> = {
  draft: '草稿',
  submitted: '待初审',
  returned: '退回修改',
  departmentReview: '待部门审核',
  jointReview: '待联审',
  publicity: '公示阶段',
  approved: '待拨付',
  paid: '已拨付',
  rejected: '不予支持',
  withdrawn: '已撤回',
};

export interface ClaimFilter {
  state?: ClaimState;
  measure?: string;
  incentive?: string;
  areaId?: string;
  year?: number;
  q?: string;
  enterpriseUscc?: string;
  /** only what the caller must act on */
  queue?: 'mine';
}

/** The states each role acts on: its queue. */
export function queueStatesOf(user: Principal): ClaimState[] {
  switch (user.role) {
    case 'enterprise':
      return ['draft', 'returned'];
    case 'areaReviewer':
      return ['submitted'];
    case 'departmentReviewer':
      return ['departmentReview', 'jointReview', 'publicity'];
    case 'finance':
      return ['approved'];
    default:
      return [];
  }
}

/** A badge or list total above this is given as "more than" (totalCapped) instead of counted to the end. */
export const COUNT_CAP = 1000;

/** Where the next page starts: the last row's sort instant (as PostgreSQL prints it, to the microsecond) and id. */
interface ClaimCursor {
  at: string;
  id: number;
}

export function encodeClaimCursor(c: ClaimCursor): string {
  return Buffer.from(JSON.stringify([c.at, c.id])).toString('base64url');
}

export function decodeClaimCursor(text: string): ClaimCursor {
  const bad = () => new ValidationError([new KaifangError({ code: 'bad_cursor', path: 'cursor', zh: '翻页标记无效，请从第一页重新查看', en: 'cursor is not one this list gave; start again from the first page' })]);
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (!Array.isArray(v) || v.length !== 2 || typeof v[0] !== 'string' || !/^\d{4}-\d{2}-\d{2} [\d:.]+[+-]\d{2}(:\d{2})?$/.test(v[0]) || !Number.isSafeInteger(v[1]) || v[1] <= 0) throw bad();
  return { at: v[0], id: v[1] };
}

type ClaimListRow = Claim & { enterprise_name: string; sort_at: Date; sort_key: string };

/**
 * Claims in the caller's scope, oldest first (when each came in, then id). Paged by keyset: `cursor` (the
 * nextCursor of the page before) seeks past the last row; without it `page` counts rows from the start.
 *
 * Why it is shaped so: each (scope key, state) pair is one seek into an index that starts with exactly those
 * columns (migration 0017), read in order and stopped at the page; the pairs are merged. So a page costs the
 * same at 10,000 claims as at a million. `total` is exact from claim_state_counts when the filters are the
 * scope, states, area and measure; with other filters (year, incentive, text, enterprise) it is counted up to
 * COUNT_CAP and `totalCapped` says there are more.
 */
export async function listClaims(ctx: PlatformContext, user: Principal, filter: ClaimFilter, page = 1, pageSize = 20, cursorText?: string) {
  const cursor = cursorText ? decodeClaimCursor(cursorText) : undefined;
  const scope = listScope(user, 'claim.read', ctx.access);
  const empty = { items: [], total: 0, totalCapped: false, page, pageSize, nextCursor: null };
  if (scope.kind === 'none') return empty;
  let states: readonly ClaimState[] = CLAIM_STATES;
  if (filter.queue === 'mine') states = queueStatesOf(user);
  if (filter.state) states = states.filter((x) => x === filter.state);
  // The dimension each branch seeks on: an area, measures, or none (the state index alone).
  let dim: { column: 'area_id' | 'measure_id'; keys: string[] } | undefined;
  if (scope.kind === 'area') dim = { column: 'area_id', keys: filter.areaId && filter.areaId !== scope.areaId ? [] : [scope.areaId] };
  else if (scope.kind === 'measures') dim = { column: 'measure_id', keys: filter.measure ? scope.measureIds.filter((m) => m === filter.measure) : scope.measureIds };
  else if (scope.kind === 'all' && filter.areaId) dim = { column: 'area_id', keys: [filter.areaId] };
  else if (scope.kind === 'all' && filter.measure) dim = { column: 'measure_id', keys: [filter.measure] };
  if (!states.length || (dim && !dim.keys.length)) return empty;

  const sortAt = sql<Date>`coalesce(claims.submitted_at, claims.created_at)`;
  const base = () => {
    let q = ctx.db.selectFrom('claims').innerJoin('enterprises', 'enterprises.uscc', 'claims.enterprise_uscc');
    if (scope.kind === 'enterprise') q = q.where('claims.enterprise_uscc', '=', scope.enterpriseUscc);
    if (filter.measure) q = q.where('claims.measure_id', '=', filter.measure);
    if (filter.incentive) q = q.where('claims.incentive_id', '=', filter.incentive);
    if (filter.areaId) q = q.where('claims.area_id', '=', filter.areaId);
    if (filter.year) q = q.where('claims.year', '=', filter.year);
    if (filter.enterpriseUscc) q = q.where('claims.enterprise_uscc', '=', filter.enterpriseUscc);
    if (filter.q) {
      const like = `%${filter.q.replace(/[\\%_]/g, (m) => '\\' + m)}%`;
      q = q.where((eb) => eb.or([eb('enterprises.name', 'like', like), eb('claims.item', 'like', like), eb('claims.enterprise_uscc', 'like', like)]));
    }
    if (cursor) q = q.where(sql<boolean>`(coalesce(claims.submitted_at, claims.created_at), claims.id) > (${cursor.at}::timestamptz, ${cursor.id}::bigint)`);
    return q;
  };
  // An enterprise has few claims: one query over its own. Otherwise one seek per (key, state).
  const pairs: Array<{ key?: string; state?: ClaimState }> =
    scope.kind === 'enterprise' ? [{}] : states.flatMap((state) => (dim ? dim.keys.map((key) => ({ key, state })) : [{ state }]));
  const branch = (p: { key?: string; state?: ClaimState }, limit: number, columns: 'rows' | 'ids') => {
    let q = base();
    if (p.key !== undefined) q = q.where(`claims.${dim!.column}`, '=', p.key);
    q = p.state ? q.where('claims.state', '=', p.state) : q.where('claims.state', 'in', [...states]);
    const ordered = q.orderBy(sortAt).orderBy('claims.id').limit(limit);
    return columns === 'ids'
      ? ordered.select('claims.id')
      : ordered.selectAll('claims').select(['enterprises.name as enterprise_name', sortAt.as('sort_at'), sql<string>`coalesce(claims.submitted_at, claims.created_at)::text`.as('sort_key')]);
  };
  const offset = cursor ? 0 : (page - 1) * pageSize;
  const union = sql.join(pairs.map((p) => sql`(${branch(p, offset + pageSize, 'rows')})`), sql` union all `);
  const { rows } = await sql<ClaimListRow>`select * from (${union}) u order by u.sort_at, u.id limit ${pageSize} offset ${offset}`.execute(ctx.db);

  const { total, totalCapped } = await claimListTotal(ctx, scope, filter, states, dim, () =>
    sql.join(pairs.map((p) => sql`(${branch(p, COUNT_CAP + 1, 'ids')})`), sql` union all `),
  );

  const decided = rows.length
    ? await ctx.db.selectFrom('decisions').select(['claim_id', 'amount_fen']).where('claim_id', 'in', rows.map((r) => r.id)).orderBy('id').execute()
    : [];
  const lastDecision = new Map(decided.map((d) => [d.claim_id, d.amount_fen]));
  const awaiting = rows.filter((r) => r.state === 'publicity').map((r) => r.id);
  const published = new Set(
    awaiting.length
      ? (await ctx.db.selectFrom('publicity_items').innerJoin('publicity_batches', 'publicity_batches.id', 'publicity_items.batch_id').select('claim_id').where('claim_id', 'in', awaiting).where('publicity_batches.closed_at', 'is', null).execute()).map((p) => p.claim_id)
      : [],
  );
  const last = rows.at(-1);
  return {
    items: rows.map((r) => {
      const inOpenBatch = published.has(r.id);
      const { enterprise_name, sort_at: _at, sort_key: _key, ...claim } = r;
      return { ...claimView(ctx, claim as Claim, enterprise_name), decidedAmountFen: lastDecision.get(r.id) ?? null, stateZh: stateZhOf(r.state, inOpenBatch), awaitingPublicity: r.state === 'publicity' && !inOpenBatch };
    }),
    total,
    totalCapped,
    page,
    pageSize,
    nextCursor: last && rows.length === pageSize ? encodeClaimCursor({ at: last.sort_key, id: last.id }) : null,
  };
}

/** The list's total: kept counts where the filters are theirs, else counted up to COUNT_CAP. */
async function claimListTotal(
  ctx: PlatformContext,
  scope: ReturnType<typeof listScope>,
  filter: ClaimFilter,
  states: readonly ClaimState[],
  dim: { column: 'area_id' | 'measure_id'; keys: string[] } | undefined,
  capped: () => ReturnType<typeof sql.join>,
): Promise<{ total: number; totalCapped: boolean }> {
  const kept = scope.kind !== 'enterprise' && !filter.incentive && !filter.year && !filter.enterpriseUscc && !filter.q &&
    // an area and a measure together would need counts per both: counted instead
    !(dim?.column === 'area_id' && filter.measure) && !(dim?.column === 'measure_id' && filter.areaId);
  if (kept) {
    const counts = await keptCounts(ctx, dim ? { dim: dim.column === 'area_id' ? 'area' : 'measure', keys: dim.keys } : { dim: 'area' });
    return { total: states.reduce((s, x) => s + (counts[x] ?? 0), 0), totalCapped: false };
  }
  const { rows } = await sql<{ n: number | string }>`select count(*) as n from (select 1 from (${capped()}) u limit ${COUNT_CAP + 1}) c`.execute(ctx.db);
  const n = Number(rows[0].n);
  return { total: Math.min(n, COUNT_CAP), totalCapped: n > COUNT_CAP };
}

/** Claims per state from claim_state_counts (kept by a trigger on claims, migration 0017): one area's, some measures', or all. */
async function keptCounts(ctx: PlatformContext, by: { dim: 'area' | 'measure'; keys?: string[] }): Promise<Record<string, number>> {
  if (by.keys && !by.keys.length) return {};
  const { rows } = await sql<{ state: string; n: number | string }>`
    select state, sum(n) as n from claim_state_counts
     where dim = ${by.dim} ${by.keys ? sql`and key in (${sql.join(by.keys)})` : sql``}
     group by state`.execute(ctx.db);
  return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
}

/**
 * The badges: claims per state in the caller's scope. Kept, not counted (claim_state_counts): the same few rows
 * whatever the number of claims. An enterprise's own claims are few and are counted.
 */
export async function queueCounts(ctx: PlatformContext, user: Principal) {
  const scope = listScope(user, 'claim.read', ctx.access);
  let counts: Record<string, number> = {};
  if (scope.kind === 'enterprise') {
    const rows = await ctx.db.selectFrom('claims').select(['state', sql<number>`count(*)`.as('n')]).where('enterprise_uscc', '=', scope.enterpriseUscc).groupBy('state').execute();
    counts = Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
  } else if (scope.kind === 'area') counts = await keptCounts(ctx, { dim: 'area', keys: [scope.areaId] });
  else if (scope.kind === 'measures') counts = await keptCounts(ctx, { dim: 'measure', keys: scope.measureIds });
  else if (scope.kind === 'all') counts = await keptCounts(ctx, { dim: 'area' });
  return {
    drafts: counts.draft ?? 0,
    firstReview: counts.submitted ?? 0,
    returned: counts.returned ?? 0,
    departmentReview: counts.departmentReview ?? 0,
    jointReview: counts.jointReview ?? 0,
    publicity: counts.publicity ?? 0,
    awaitingPayment: counts.approved ?? 0,
    paid: counts.paid ?? 0,
    rejected: counts.rejected ?? 0,
    withdrawn: counts.withdrawn ?? 0,
  };
}

/** Everything a case view shows; an official's read is itself audited (who looked at which enterprise's claim). */
export async function getClaimDetail(ctx: PlatformContext, user: Principal, id: number, ip?: string | null) {
  const c = await loadClaim(ctx, ctx.db, user, id, 'claim.read');
  const db = ctx.db;
  const enterprise = await db.selectFrom('enterprises').selectAll().where('uscc', '=', c.enterprise_uscc).executeTakeFirstOrThrow();
  const [evidence, reviews, decisions, publicity, payment, objections, history, credit] = await Promise.all([
    db.selectFrom('claim_evidence').select(['id', 'file_name', 'mime_type', 'size_bytes', 'sha256', 'uploaded_at']).where('claim_id', '=', id).orderBy('id').execute(),
    db.selectFrom('reviews').innerJoin('users', 'users.id', 'reviews.actor_id').select(['reviews.id', 'stage', 'action', 'reason', 'at', 'users.display_name as actor']).where('claim_id', '=', id).orderBy('reviews.id').execute(),
    db.selectFrom('decisions').selectAll().where('claim_id', '=', id).orderBy('id').execute(),
    db.selectFrom('publicity_items').innerJoin('publicity_batches', 'publicity_batches.id', 'publicity_items.batch_id').select(['publicity_batches.id', 'title', 'starts_on', 'ends_on', 'published_at', 'closed_at', 'publicity_items.amount_fen']).where('claim_id', '=', id).orderBy('publicity_batches.id').execute(),
    db.selectFrom('payments').selectAll().where('claim_id', '=', id).executeTakeFirst(),
    db.selectFrom('objections').leftJoin('users', 'users.id', 'objections.resolved_by').select(['objections.id', 'batch_id', 'content', 'received_on', 'recorded_at', 'outcome', 'resolution', 'resolved_at', 'users.display_name as resolver']).where('claim_id', '=', id).orderBy('objections.id').execute(),
    claimHistory(db, id),
    // The enterprise's own status as much as the officials': a listed enterprise is told before it submits.
    creditStatus(db, c.enterprise_uscc, ctx.today()),
  ]);
  const preview = await evaluateClaim(ctx, db, c);
  const official = user.role !== 'enterprise';
  // The enterprise's statement in the reader's scope (a lead department sees its measures' entries only). A role
  // that may not read the ledger at all (an area reviewer) is told so, rather than shown an empty ledger.
  const ledgerReadable = can(user, 'ledger.read', resourceOf(c), ctx.access);
  const ledger = ledgerReadable ? (await statementOf(ctx, user, enterprise)).items : [];
  if (official) await appendAudit(db, actorOf(user, ip), { action: 'claim.read', entity: 'claim', entityId: id, details: { enterprise: c.enterprise_uscc } });
  const decision = decisions.at(-1);
  const inOpenBatch = publicity.some((p) => p.closed_at === null);
  const refusal = c.state === 'rejected' ? refusalOf(c, reviews, objections, history) : null;
  return {
    claim: { ...claimView(ctx, c, enterprise.name), stateZh: stateZhOf(c.state, inOpenBatch), awaitingPublicity: c.state === 'publicity' && !inOpenBatch },
    enterprise: { uscc: enterprise.uscc, name: enterprise.name, areaId: enterprise.area_id, industryClass: enterprise.industry_class },
    evidence: evidence.map((e) => ({ id: e.id, fileName: e.file_name, mimeType: e.mime_type, sizeBytes: e.size_bytes, sha256: e.sha256, uploadedAt: e.uploaded_at })),
    reviews: reviews.map((r) => ({ id: r.id, stage: r.stage, action: r.action, reason: r.reason, at: r.at, actor: r.actor })),
    decision: decision ? { id: decision.id, amountFen: decision.amount_fen, explanation: decision.explanation, policyVersion: decision.policy_version, caseByCase: decision.case_by_case, meetingRef: decision.meeting_ref, decidedAt: decision.decided_at } : null,
    // A refused claim has no entitlement to show: what the rules would give now is beside the point.
    preview: refusal ? null : preview,
    refusal,
    ledger,
    ledgerReadable,
    credit,
    publicity: publicity.map((p) => ({ batchId: p.id, title: p.title, startsOn: p.starts_on, endsOn: p.ends_on, publishedAt: p.published_at, closedAt: p.closed_at, amountFen: p.amount_fen })),
    payment: payment ? { voucherNo: payment.voucher_no, amountFen: payment.amount_fen, paidOn: payment.paid_on } : null,
    timeline: timelineOf(c, { reviews, decisions, publicity, objections, payment, history }, official),
    allowedActions: allowedActions(ctx, user, c, credit.blocked),
  };
}

/** 公示阶段 only once the claim is in a running batch; decided and not yet published, it awaits its 公示. */
export function stateZhOf(state: ClaimState, inOpenBatch: boolean): string {
  return state === 'publicity' && !inOpenBatch ? '待公示' : STATE_ZH[state];
}

/** The claim's own audit records the case view needs: every submission, withdrawal, correction, and how it was refused. */
async function claimHistory(db: Db, id: number) {
  return db
    .selectFrom('audit_log')
    .leftJoin('users', 'users.id', 'audit_log.actor_user_id')
    .select(['audit_log.id', 'audit_log.at', 'audit_log.action', 'audit_log.details', 'audit_log.actor', 'users.display_name as actorName'])
    .where('entity', '=', 'claim')
    .where('entity_id', '=', String(id))
    .where('action', 'in', ['claim.submit', 'claim.withdraw', 'claim.reverse', 'claim.clawback', 'claim.firstReview.reject', 'claim.departmentReview.reject', 'claim.jointReview.reject', 'claim.publicity.upheld'])
    .orderBy('audit_log.id')
    .execute();
}

type ReviewRow = { id: number; stage: ReviewStage; action: string; reason: string | null; at: Date; actor: string };
type ObjectionRow = { id: number; batch_id: number; content: string; received_on: string; recorded_at: Date; outcome: 'upheld' | 'dismissed' | null; resolution: string | null; resolved_at: Date | null; resolver: string | null };
type HistoryRow = Awaited<ReturnType<typeof claimHistory>>[number];

export type RefusalSource = 'review' | 'correction' | 'publicity';

/**
 * Why a rejected claim is not supported, by whom and at which stage — the one transition that made it `rejected`
 * (its audit record says which): a reviewer's rejection with its reason, a reversal with its note, or the 公示
 * objection upheld with its resolution. The enterprise reads it where its entitlement would otherwise be.
 */
function refusalOf(c: Claim, reviews: ReviewRow[], objections: ObjectionRow[], history: HistoryRow[]) {
  const last = [...history].reverse().find((h) => (h.details as { to?: unknown } | null)?.to === 'rejected' || h.action === 'claim.reverse' || h.action === 'claim.publicity.upheld');
  const details = (last?.details ?? {}) as { reason?: unknown; objectionId?: unknown };
  if (last?.action === 'claim.reverse') {
    return { source: 'correction' as RefusalSource, stage: 'correction', reason: typeof details.reason === 'string' ? details.reason : null, actor: last.actorName ?? last.actor, at: last.at };
  }
  if (last?.action === 'claim.publicity.upheld') {
    const o = objections.find((x) => x.id === details.objectionId) ?? objections.filter((x) => x.outcome === 'upheld').at(-1);
    return {
      source: 'publicity' as RefusalSource,
      stage: 'publicity',
      reason: o?.resolution ? `公示异议成立：${o.resolution}` : '公示期满时该申报已无奖励余额',
      actor: o?.resolver ?? last.actorName ?? last.actor,
      at: o?.resolved_at ?? last.at,
    };
  }
  const r = reviews.filter((x) => x.action === 'reject').at(-1);
  if (r) return { source: 'review' as RefusalSource, stage: r.stage as string, reason: r.reason, actor: r.actor, at: r.at };
  return { source: 'review' as RefusalSource, stage: 'unknown', reason: typeof details.reason === 'string' ? details.reason : null, actor: last?.actorName ?? null, at: last?.at ?? c.updated_at };
}

export type TimelineKind =
  | 'created'
  | 'submitted'
  | 'resubmitted'
  | 'review'
  | 'decided'
  | 'published'
  | 'objection'
  | 'objectionResolved'
  | 'publicityClosed'
  | 'corrected'
  | 'withdrawn'
  | 'paid';

export interface TimelineEvent {
  at: Date;
  kind: TimelineKind;
  stage?: string;
  action?: string;
  actor?: string | null;
  reason?: string | null;
  amountFen?: number;
  title?: string;
  startsOn?: string;
  endsOn?: string;
  outcome?: string | null;
  reference?: string | null;
  on?: string;
}

/**
 * The claim's whole history in time order: creation, every submission (a resubmission after a return keeps the
 * first), every review, decisions, 公示 (published, objections, closed), corrections, withdrawal and payment.
 * Submissions live only in the audit log (the claim row keeps the latest); the latest is the claim's submitted_at.
 * An objection's content is shown to officials only (it may identify who objected).
 */
function timelineOf(
  c: Claim,
  h: {
    reviews: ReviewRow[];
    decisions: Array<{ amount_fen: number; decided_at: Date; meeting_ref: string | null; case_by_case: boolean }>;
    publicity: Array<{ id: number; title: string; starts_on: string; ends_on: string; published_at: Date; closed_at: Date | null }>;
    objections: ObjectionRow[];
    payment: { amount_fen: number; voucher_no: string; paid_on: string; recorded_at: Date } | undefined;
    history: HistoryRow[];
  },
  official: boolean,
): TimelineEvent[] {
  const out: TimelineEvent[] = [{ at: c.created_at, kind: 'created' }];
  const submissions = h.history.filter((x) => x.action === 'claim.submit').map((x) => x.at);
  if (c.submitted_at) submissions.splice(Math.max(0, submissions.length - 1), 1, c.submitted_at);
  submissions.forEach((at, i) => out.push({ at, kind: i === 0 ? 'submitted' : 'resubmitted' }));
  for (const r of h.reviews) out.push({ at: r.at, kind: 'review', stage: r.stage, action: r.action, reason: r.reason, actor: r.actor });
  for (const d of h.decisions) out.push({ at: d.decided_at, kind: 'decided', amountFen: d.amount_fen, reference: d.meeting_ref });
  for (const b of h.publicity) {
    out.push({ at: b.published_at, kind: 'published', title: b.title, startsOn: b.starts_on, endsOn: b.ends_on });
    for (const o of h.objections.filter((x) => x.batch_id === b.id)) {
      out.push({ at: o.recorded_at, kind: 'objection', on: o.received_on, reason: official ? o.content : null });
      if (o.outcome && o.resolved_at) out.push({ at: o.resolved_at, kind: 'objectionResolved', outcome: o.outcome, reason: o.resolution, actor: o.resolver });
    }
    if (b.closed_at) out.push({ at: b.closed_at, kind: 'publicityClosed', title: b.title, outcome: h.objections.some((o) => o.batch_id === b.id && o.outcome === 'upheld') ? 'upheld' : 'passed' });
  }
  for (const x of h.history) {
    const d = (x.details ?? {}) as { reason?: unknown; amountFen?: unknown };
    const reason = typeof d.reason === 'string' ? d.reason : null;
    if (x.action === 'claim.reverse' || x.action === 'claim.clawback') {
      out.push({ at: x.at, kind: 'corrected', action: x.action === 'claim.reverse' ? 'reversal' : 'clawback', reason, amountFen: typeof d.amountFen === 'number' ? d.amountFen : undefined, actor: x.actorName ?? x.actor });
    }
    // A withdrawal is the claim's last change: its time is the claim's (the audit record keeps the reason).
    if (x.action === 'claim.withdraw') out.push({ at: c.state === 'withdrawn' ? c.updated_at : x.at, kind: 'withdrawn', reason, actor: x.actorName ?? x.actor });
  }
  if (h.payment) out.push({ at: h.payment.recorded_at, kind: 'paid', amountFen: h.payment.amount_fen, reference: h.payment.voucher_no, on: h.payment.paid_on });
  // Stable: events of one instant keep the order they were listed in (a decision after the review that made it).
  return out.map((e, i) => ({ e, i })).sort((a, b) => a.e.at.getTime() - b.e.at.getTime() || a.i - b.i).map((x) => x.e);
}

/** What the caller may do to this claim now (the web app shows exactly these buttons). */
export function allowedActions(ctx: PlatformContext, user: Principal, c: Claim, creditBlocked = false): string[] {
  const r = resourceOf(c);
  const out: string[] = [];
  const may = (a: Action) => can(user, a, r, ctx.access);
  // An enterprise on a credit list may keep its draft up to date, but cannot submit it (measure 29).
  if ((c.state === 'draft' || c.state === 'returned') && may('claim.edit')) out.push(...(creditBlocked ? ['edit', 'uploadEvidence'] : ['edit', 'uploadEvidence', 'submit']));
  if (['draft', 'submitted', 'returned', 'departmentReview', 'jointReview'].includes(c.state) && may('claim.withdraw')) out.push('withdraw');
  if (c.state === 'submitted' && may('claim.firstReview')) out.push('pass', 'return', 'reject');
  if (c.state === 'departmentReview' && may('claim.departmentReview')) out.push('pass', 'return', 'reject');
  if (c.state === 'jointReview' && may('claim.jointDecision')) out.push('pass', 'return', 'reject');
  // Payment is suspended while the enterprise is listed (payClaim checks again).
  if (c.state === 'approved' && may('payment.record') && !creditBlocked) out.push('pay');
  return out;
}
