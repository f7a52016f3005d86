/**
 * The award ledger (append-only): what the district has committed, reversed and clawed back, and the
 * same-kind city awards officials record for 就高不重复. Caps and budgets are sums over it, read inside the
 * transaction that writes the next entry, under advisory locks, so that concurrent approvals — in one
 * process or several, on PGlite or a PostgreSQL server — can never commit past a cap or a budget.
 */
import { sql } from 'kysely';
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

/*
 * The locks (transaction-scoped advisory locks: released at commit or rollback, and they work across processes;
 * their keys and the decision's reads under them are SQL functions, migration 0006):
 *
 *   cap     exclusive, per enterprise and incentive: decisions and city awards about it, one at a time, since each
 *           reads the caps' position from the ledger and writes the next entry.
 *   budget  per measure-year: SHARED by decisions, so decisions of one measure run side by side; EXCLUSIVE when
 *           finance sets the budget, which therefore waits for the decisions in flight and holds off new ones —
 *           a decision that found no budget cannot commit after a budget appeared.
 *   spend   exclusive, per measure-year, taken by a decision only when the measure-year has a budget: spending a
 *           budget is one decision at a time (first come, first served), unbudgeted measures never queue here.
 *
 * Always in the order cap → budget → spend, so two transactions cannot deadlock. A decision takes them before
 * the claim row — in the statement that locks the row (workflow.ts readClaimForReview) or in the one that writes
 * (decision.ts) — so nothing that holds a claim row ever waits for a cap.
 */

/** What a decision depends on in the ledger: the measure-year's budget (null: none set) and the earlier awards. */
export interface DecisionPosition {
  budgetFen: number | null;
  prior: PriorAward[];
  /** the position as the database gave it (JSON text), to compare with when writing */
  seen: string;
}

/**
 * SQL for a column of a statement about the claim `c` (alias): its decision position (kaifang_decision_position,
 * migration 0006) as JSON, read as is or — `lock` — after taking the decision's locks (kaifang_lock_for_decision).
 * `decisionPositionOf` reads it; the JSON itself is what a decision compares when it writes (decision.ts).
 */
export const decisionPositionSql = (c: string, lock: boolean) => {
  const args = sql.join(['policy_id', 'enterprise_uscc', 'incentive_id', 'measure_id', 'year', 'id'].map((col) => sql.ref(`${c}.${col}`)));
  return lock ? sql<unknown>`kaifang_lock_for_decision(${args})` : sql<unknown>`kaifang_decision_position(${args})`;
};

export function decisionPositionOf(json: unknown): DecisionPosition {
  const p = json as { budgetFen: number | string | null; prior: PriorAwardRow[] };
  return { budgetFen: p.budgetFen === null ? null : Number(p.budgetFen), prior: toPriorAwards(p.prior), seen: JSON.stringify(json) };
}

/** A city award (就高不重复): the same cap lock as decisions, so a decision sees the city award or runs before it. */
export async function lockCap(db: Db, k: LockKeys) {
  await sql`select pg_advisory_xact_lock(kaifang_cap_lock_key(${k.policyId}, ${k.enterpriseUscc}, ${k.incentiveId}))`.execute(db);
}

/** Setting a measure-year's budget: waits for every decision of it in flight, and holds off new ones. */
export async function lockBudget(db: Db, k: Pick<LockKeys, 'policyId' | 'measureId' | 'year'>) {
  await sql`select pg_advisory_xact_lock(kaifang_budget_lock_key(${k.policyId}, ${k.measureId}, ${k.year}::integer))`.execute(db);
}

interface PriorAwardRow {
  incentive_id: string;
  year: number;
  item: string;
  level: 'district' | 'city';
  amount: number | string;
  city_offset: number | string;
}

function toPriorAwards(rows: PriorAwardRow[]): PriorAward[] {
  return rows
    .filter((r) => Number(r.amount) > 0 || Number(r.city_offset) > 0)
    .map((r) => ({
      incentive: r.incentive_id,
      year: r.year,
      item: r.item || undefined,
      amountFen: Math.max(0, Number(r.amount)),
      level: r.level,
      cityOffsetFen: r.level === 'district' && Number(r.city_offset) > 0 ? Number(r.city_offset) : undefined,
    }));
}

/**
 * The enterprise's earlier awards of these incentives (all when none are named), as the engine reads them:
 * district money net of reversals and clawbacks per (incentive, year, item), city awards separately, and the part
 * of a city award each standing award already set off (kaifang_prior_awards, migration 0006).
 */
export async function priorAwards(db: Db, enterpriseUscc: string, policyId: string, incentiveIds?: string[], excludeClaimId?: number): Promise<PriorAward[]> {
  const { rows } = await sql<PriorAwardRow>`select * from kaifang_prior_awards(${enterpriseUscc}, ${policyId}, ${incentiveIds?.length ? incentiveIds : null}::text[], ${excludeClaimId ?? null}::bigint)`.execute(db);
  return toPriorAwards(rows);
}

/** Money committed under a measure in a year, and its budget if set. */
export async function budgetPosition(db: Db, policyId: string, measureId: string, year: number): Promise<{ budgetFen: number | null; committedFen: number }> {
  const budget = await db.selectFrom('budgets').select('amount_fen').where('policy_id', '=', policyId).where('measure_id', '=', measureId).where('year', '=', year).executeTakeFirst();
  const { rows } = await sql<{ committed: number | string }>`select kaifang_committed_fen(${policyId}, ${measureId}, ${year}::integer) as committed`.execute(db);
  return { budgetFen: budget ? budget.amount_fen : null, committedFen: Number(rows[0].committed) };
}

/**
 * A claim's district money still standing: its award net of the reversals and clawbacks about it (city awards are
 * not the district's money). Every correction derives from this, read under the claim's row lock, never from "the
 * latest award" — the ledger itself refuses a correction below zero (migration 0007).
 */
export async function claimOutstandingFen(db: Db, claimId: number): Promise<number> {
  const { rows } = await sql<{ net: number | string | null }>`
    select coalesce(sum(amount_fen), 0) as net from ledger_entries
     where claim_id = ${claimId} and kind in ('award', 'reversal', 'clawback')`.execute(db);
  return Number(rows[0].net ?? 0);
}

/** The claim's award entry of its current decision (the latest award), which a reversal or clawback refers to. */
export async function claimAwardEntry(db: Db, claimId: number) {
  return db.selectFrom('ledger_entries').selectAll().where('claim_id', '=', claimId).where('kind', '=', 'award').orderBy('id', 'desc').executeTakeFirst();
}
