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

/**
 * Serialise every decision about one enterprise's incentive (its caps) and one measure's yearly budget.
 * Transaction-scoped advisory locks: released at commit or rollback, and they work across processes.
 * Always taken in the same order (cap, then budget) so two decisions cannot deadlock.
 */
export async function lockForDecision(db: Db, k: { enterpriseUscc: string; policyId: string; incentiveId: string; measureId: string; year: number }) {
  await sql`select pg_advisory_xact_lock(hashtext(${`cap:${k.policyId}:${k.enterpriseUscc}:${k.incentiveId}`}))`.execute(db);
  await sql`select pg_advisory_xact_lock(hashtext(${`budget:${k.policyId}:${k.measureId}:${k.year}`}))`.execute(db);
}

/**
 * The enterprise's earlier awards of these incentives, as the engine reads them: district money net of
 * reversals and clawbacks per (incentive, year, item), and city-level awards separately.
 */
export async function priorAwards(db: Db, enterpriseUscc: string, policyId: string, incentiveIds?: string[], excludeClaimId?: number): Promise<PriorAward[]> {
  // District money net of reversals and clawbacks; for 就高不重复 (topUp) also the part of a city award each
  // standing award already set off (recorded in its decision's explanation), so it is never set off twice.
  const rows = await sql<{ incentive_id: string; year: number; item: string; level: 'district' | 'city'; amount: number; offset: number }>`
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
     group by e.incentive_id, e.year, e.item, case when e.kind = 'cityAward' then 'city' else 'district' end`.execute(db);
  return rows.rows
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

/** Money committed under a measure in a year (awards net of reversals and clawbacks), and its budget if set. */
export async function budgetPosition(db: Db, policyId: string, measureId: string, year: number): Promise<{ budgetFen: number | null; committedFen: number }> {
  const budget = await db.selectFrom('budgets').select('amount_fen').where('policy_id', '=', policyId).where('measure_id', '=', measureId).where('year', '=', year).executeTakeFirst();
  const committed = await db
    .selectFrom('ledger_entries')
    .select(sql<number>`coalesce(sum(amount_fen), 0)`.as('sum'))
    .where('policy_id', '=', policyId)
    .where('measure_id', '=', measureId)
    .where('year', '=', year)
    .where('kind', '!=', 'cityAward')
    .executeTakeFirstOrThrow();
  return { budgetFen: budget ? budget.amount_fen : null, committedFen: Number(committed.sum) };
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
