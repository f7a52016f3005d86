/**
 * The award ledger (append-only): what the district has committed, reversed and clawed back, and the
 * same-kind city awards officials record for 就高不重复. Caps and budgets are sums over it, read inside the
 * transaction that writes the next entry, under advisory locks, so that concurrent approvals — in one
 * process or several, on PGlite or a PostgreSQL server — can never commit past a cap or a budget.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../db/transaction.ts';
import type { LedgerKind } from '../db/schema.ts';
import type { PriorAward } from '../engine/index.ts';

export interface LedgerEntryInput {
  enterpriseUscc: string;
  policyId: string;
  measureId: string;
  incentiveId: string;
  item?: string;
  year: number;
  kind: LedgerKind;
  amountFen: number;
  claimId?: number | null;
  decisionId?: number | null;
  reversesEntryId?: number | null;
  reference?: string | null;
  note?: string | null;
  createdBy?: number | null;
}

export async function appendLedgerEntry(db: Db, e: LedgerEntryInput): Promise<number> {
  const row = await db
    .insertInto('ledger_entries')
    .values({
      enterprise_uscc: e.enterpriseUscc,
      policy_id: e.policyId,
      measure_id: e.measureId,
      incentive_id: e.incentiveId,
      item: e.item ?? '',
      year: e.year,
      kind: e.kind,
      amount_fen: e.amountFen,
      claim_id: e.claimId ?? null,
      decision_id: e.decisionId ?? null,
      reverses_entry_id: e.reversesEntryId ?? null,
      reference: e.reference ?? null,
      note: e.note ?? null,
      created_by: e.createdBy ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export interface LockKeys {
  enterpriseUscc: string;
  policyId: string;
  incentiveId: string;
  measureId: string;
  year: number;
}

/** A lock key from values (parameters) or from columns (sql.ref): the same key either way. */
type KeyPart = string | number | RawBuilder<unknown>;
const part = (v: KeyPart) => (typeof v === 'object' ? v : sql`${v}::text`);
/** The lock of an enterprise's caps for one incentive. */
export const capLockKey = (policyId: KeyPart, enterpriseUscc: KeyPart, incentiveId: KeyPart) =>
  sql<number>`hashtext('cap:' || ${part(policyId)} || ':' || ${part(enterpriseUscc)} || ':' || ${part(incentiveId)})`;
/** The lock of a measure-year's budget. */
export const budgetLockKey = (policyId: KeyPart, measureId: KeyPart, year: KeyPart) =>
  sql<number>`hashtext('budget:' || ${part(policyId)} || ':' || ${part(measureId)} || ':' || ${part(year)})`;
const spendLockKey = (k: Pick<LockKeys, 'policyId' | 'measureId' | 'year'>) => sql<number>`hashtext('budget-spend:' || ${k.policyId}::text || ':' || ${k.measureId}::text || ':' || ${String(k.year)}::text)`;

/*
 * The locks (transaction-scoped advisory locks: released at commit or rollback, and they work across processes):
 *
 *   cap     exclusive, per enterprise and incentive: decisions and city awards about it, one at a time, since each
 *           reads the caps' position from the ledger and writes the next entry.
 *   budget  per measure-year: SHARED by decisions, so decisions of one measure run side by side; EXCLUSIVE when
 *           finance sets the budget, which therefore waits for the decisions in flight and holds off new ones —
 *           a decision that found no budget cannot commit after a budget appeared.
 *   spend   exclusive, per measure-year, taken by a decision only when the measure-year has a budget: spending a
 *           budget is one decision at a time (first come, first served), unbudgeted measures never queue here.
 *
 * Always in the order cap → budget → spend, so two transactions cannot deadlock. A reviewer's transaction takes
 * cap and budget in the statement that locks the claim row (workflow.ts), before that row: nothing that holds a
 * claim row ever waits for a cap.
 */

/** A decision's locks: its cap, and its measure-year's budget shared — as SQL, for the statement that takes them. */
export function decisionLocks(k: { policyId: KeyPart; enterpriseUscc: KeyPart; incentiveId: KeyPart; measureId: KeyPart; year: KeyPart }) {
  return sql`pg_advisory_xact_lock(${capLockKey(k.policyId, k.enterpriseUscc, k.incentiveId)}), pg_advisory_xact_lock_shared(${budgetLockKey(k.policyId, k.measureId, k.year)})`;
}

/** A city award (就高不重复): the same cap lock as decisions, so a decision sees the city award or runs before it. */
export async function lockCap(db: Db, k: LockKeys) {
  await sql`select pg_advisory_xact_lock(${capLockKey(k.policyId, k.enterpriseUscc, k.incentiveId)})`.execute(db);
}

/** A decision under a set budget: after its other locks, before summing what the measure-year committed. */
export async function lockBudgetSpending(db: Db, k: LockKeys) {
  await sql`select pg_advisory_xact_lock(${spendLockKey(k)})`.execute(db);
}

/** Setting a measure-year's budget: waits for every decision of it in flight, and holds off new ones. */
export async function lockBudget(db: Db, k: Pick<LockKeys, 'policyId' | 'measureId' | 'year'>) {
  await sql`select pg_advisory_xact_lock(${budgetLockKey(k.policyId, k.measureId, String(k.year))})`.execute(db);
}

interface PriorAwardRow {
  incentive_id: string;
  year: number;
  item: string;
  level: 'district' | 'city';
  amount: number | string;
  offset: number | string;
}

/**
 * District money net of reversals and clawbacks per (incentive, year, item), and city-level awards separately;
 * for 就高不重复 (topUp) also the part of a city award each standing award already set off (recorded in its
 * decision's explanation), so it is never set off twice.
 */
function priorAwardsQuery(enterpriseUscc: string, policyId: string, incentiveIds?: string[], excludeClaimId?: number) {
  return sql<PriorAwardRow>`
    select e.incentive_id, e.year, e.item,
           case when e.kind = 'cityAward' then 'city' else 'district' end as level,
           sum(e.amount_fen) as amount,
           sum(case when e.kind = 'award'
                     and not exists (select 1 from ledger_entries r where r.reverses_entry_id = e.id and r.kind = 'reversal')
                    then coalesce((select (d.explanation -> 'cityAward' ->> 'offsetFen')::bigint from decisions d where d.id = e.decision_id), 0)
                    else 0 end) as offset
      from ledger_entries e
     where e.enterprise_uscc = ${enterpriseUscc}
       and e.policy_id = ${policyId}
       ${incentiveIds?.length ? sql`and e.incentive_id in (${sql.join(incentiveIds)})` : sql``}
       ${excludeClaimId !== undefined ? sql`and (e.claim_id is null or e.claim_id <> ${excludeClaimId})` : sql``}
     group by e.incentive_id, e.year, e.item, case when e.kind = 'cityAward' then 'city' else 'district' end`;
}

function toPriorAwards(rows: PriorAwardRow[]): PriorAward[] {
  return rows
    .filter((r) => Number(r.amount) > 0 || Number(r.offset) > 0)
    .map((r) => ({
      incentive: r.incentive_id,
      year: r.year,
      item: r.item || undefined,
      amountFen: Math.max(0, Number(r.amount)),
      level: r.level,
      cityOffsetFen: r.level === 'district' && Number(r.offset) > 0 ? Number(r.offset) : undefined,
    }));
}

/** The enterprise's earlier awards of these incentives, as the engine reads them. */
export async function priorAwards(db: Db, enterpriseUscc: string, policyId: string, incentiveIds?: string[], excludeClaimId?: number): Promise<PriorAward[]> {
  return toPriorAwards((await priorAwardsQuery(enterpriseUscc, policyId, incentiveIds, excludeClaimId).execute(db)).rows);
}

/**
 * What a decision reads under its locks, in one round trip: the enterprise's earlier awards of the claim's
 * incentive (the claim's own entries excluded) and the measure-year's budget (null: none set).
 */
export async function decisionPosition(db: Db, k: LockKeys & { claimId: number }): Promise<{ prior: PriorAward[]; budgetFen: number | null }> {
  const { rows } = await sql<{ budget_fen: number | string | null; prior: PriorAwardRow[] }>`
    select (select b.amount_fen from budgets b where b.policy_id = ${k.policyId} and b.measure_id = ${k.measureId} and b.year = ${k.year}) as budget_fen,
           coalesce((select json_agg(p) from (${priorAwardsQuery(k.enterpriseUscc, k.policyId, [k.incentiveId], k.claimId)}) p), '[]'::json) as prior`.execute(db);
  const row = rows[0];
  return { prior: toPriorAwards(row.prior), budgetFen: row.budget_fen === null ? null : Number(row.budget_fen) };
}

/** Money committed under a measure in a year: awards net of reversals and clawbacks (city awards are not ours). */
export async function committedFen(db: Db, policyId: string, measureId: string, year: number): Promise<number> {
  const committed = await db
    .selectFrom('ledger_entries')
    .select(sql<number>`coalesce(sum(amount_fen), 0)`.as('sum'))
    .where('policy_id', '=', policyId)
    .where('measure_id', '=', measureId)
    .where('year', '=', year)
    .where('kind', '!=', 'cityAward')
    .executeTakeFirstOrThrow();
  return Number(committed.sum);
}

/** Money committed under a measure in a year, and its budget if set. */
export async function budgetPosition(db: Db, policyId: string, measureId: string, year: number): Promise<{ budgetFen: number | null; committedFen: number }> {
  const budget = await db.selectFrom('budgets').select('amount_fen').where('policy_id', '=', policyId).where('measure_id', '=', measureId).where('year', '=', year).executeTakeFirst();
  return { budgetFen: budget ? budget.amount_fen : null, committedFen: await committedFen(db, policyId, measureId, year) };
}

export interface LedgerRow {
  id: number;
  incentiveId: string;
  measureId: string;
  item: string;
  year: number;
  kind: LedgerKind;
  amountFen: number;
  claimId: number | null;
  reference: string | null;
  note: string | null;
  createdAt: Date;
}

export async function ledgerOf(db: Db, enterpriseUscc: string): Promise<LedgerRow[]> {
  const rows = await db.selectFrom('ledger_entries').selectAll().where('enterprise_uscc', '=', enterpriseUscc).orderBy('id').execute();
  return rows.map((r) => ({
    id: r.id,
    incentiveId: r.incentive_id,
    measureId: r.measure_id,
    item: r.item,
    year: r.year,
    kind: r.kind,
    amountFen: r.amount_fen,
    claimId: r.claim_id,
    reference: r.reference,
    note: r.note,
    createdAt: r.created_at,
  }));
}
