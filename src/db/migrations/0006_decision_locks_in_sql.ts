/**
 * The ledger's locks and the reads a decision makes under them, as SQL functions (src/ledger/ledger.ts explains
 * the locks; src/claims/decision.ts the decision):
 *
 *   kaifang_cap_lock_key / kaifang_budget_lock_key / kaifang_spend_lock_key   the advisory lock keys, defined once
 *   kaifang_prior_awards      an enterprise's earlier awards as the engine reads them
 *   kaifang_decision_position what a decision depends on in the ledger: the measure-year's budget and the
 *                             enterprise's earlier awards of the incentive, as JSON in a fixed order (comparable)
 *   kaifang_lock_for_decision takes a decision's locks (cap exclusive, budget shared), THEN reads its position
 *   kaifang_committed_fen     what a measure-year has committed (awards net of reversals and clawbacks)
 *   kaifang_lock_budget_spending  under a set budget: the spend lock, THEN what the measure-year has committed
 *
 * Why functions: a decision can then take its locks, re-read its position and write in one statement, or lock the
 * claim row, take the locks and read in one (round trips were most of a decision's cost, `npm run bench:http`;
 * src/claims/decision.ts). The order matters and is what a PL/pgSQL function guarantees: its statements run one
 * after another, and in a VOLATILE function each takes a fresh snapshot (READ COMMITTED), so the reads see every
 * decision committed by whoever held the lock before. A read in the same plain statement as the lock would use the
 * statement's older snapshot.
 */
import { sql, type Kysely } from 'kysely';

const statements = [
  `create function kaifang_cap_lock_key(p_policy text, p_uscc text, p_incentive text) returns integer
     language sql immutable parallel safe
     return hashtext('cap:' || p_policy || ':' || p_uscc || ':' || p_incentive)`,
  `create function kaifang_budget_lock_key(p_policy text, p_measure text, p_year integer) returns integer
     language sql immutable parallel safe
     return hashtext('budget:' || p_policy || ':' || p_measure || ':' || p_year)`,
  `create function kaifang_spend_lock_key(p_policy text, p_measure text, p_year integer) returns integer
     language sql immutable parallel safe
     return hashtext('budget-spend:' || p_policy || ':' || p_measure || ':' || p_year)`,

  // District money net of reversals and clawbacks per (incentive, year, item), and city-level awards separately;
  // for 就高不重复 (topUp) also the part of a city award each standing award already set off (recorded in its
  // decision's explanation), so it is never set off twice. p_incentives null: every incentive; p_exclude_claim:
  // leave out one claim's own entries (the claim being decided).
  `create function kaifang_prior_awards(p_uscc text, p_policy text, p_incentives text[], p_exclude_claim bigint)
     returns table (incentive_id text, year integer, item text, level text, amount numeric, city_offset numeric)
     language sql stable as $$
       select e.incentive_id, e.year, e.item,
              case when e.kind = 'cityAward' then 'city' else 'district' end,
              sum(e.amount_fen),
              sum(case when e.kind = 'award'
                        and not exists (select 1 from ledger_entries r where r.reverses_entry_id = e.id and r.kind = 'reversal')
                       then coalesce((select (d.explanation -> 'cityAward' ->> 'offsetFen')::bigint from decisions d where d.id = e.decision_id), 0)
                       else 0 end)
         from ledger_entries e
        where e.enterprise_uscc = p_uscc
          and e.policy_id = p_policy
          and (p_incentives is null or e.incentive_id = any (p_incentives))
          and (p_exclude_claim is null or e.claim_id is null or e.claim_id <> p_exclude_claim)
        group by e.incentive_id, e.year, e.item, case when e.kind = 'cityAward' then 'city' else 'district' end
     $$`,

  // What a decision's amount depends on: the budget and the enterprise's earlier awards of the incentive, in a
  // fixed order, so that two readings compare equal exactly when nothing changed.
  // PL/pgSQL, not SQL, here and below: PL/pgSQL keeps its statements' plans for the session, while a SQL function
  // that cannot be inlined is planned again at every call (measured: 0.28 ms a call).
  `create function kaifang_decision_position(p_policy text, p_uscc text, p_incentive text, p_measure text, p_year integer, p_claim bigint)
     returns jsonb language plpgsql stable as $$
     begin
       return jsonb_build_object(
         'budgetFen', (select b.amount_fen from budgets b where b.policy_id = p_policy and b.measure_id = p_measure and b.year = p_year),
         'prior', (select coalesce(jsonb_agg(to_jsonb(p) order by p.incentive_id, p.year, p.item, p.level), '[]'::jsonb)
                     from kaifang_prior_awards(p_uscc, p_policy, array[p_incentive], p_claim) p));
     end $$`,

  // The decision's locks, then (a fresh snapshot) its position.
  `create function kaifang_lock_for_decision(p_policy text, p_uscc text, p_incentive text, p_measure text, p_year integer, p_claim bigint)
     returns jsonb language plpgsql volatile as $$
     begin
       perform pg_advisory_xact_lock(kaifang_cap_lock_key(p_policy, p_uscc, p_incentive));
       perform pg_advisory_xact_lock_shared(kaifang_budget_lock_key(p_policy, p_measure, p_year));
       return kaifang_decision_position(p_policy, p_uscc, p_incentive, p_measure, p_year, p_claim);
     end $$`,

  // What a measure-year has committed: awards net of reversals and clawbacks (city awards are not the district's).
  `create function kaifang_committed_fen(p_policy text, p_measure text, p_year integer) returns bigint
     language plpgsql stable as $$
     begin
       return (select coalesce(sum(amount_fen), 0) from ledger_entries
                where policy_id = p_policy and measure_id = p_measure and year = p_year and kind <> 'cityAward');
     end $$`,

  `create function kaifang_lock_budget_spending(p_policy text, p_measure text, p_year integer) returns bigint
     language plpgsql volatile as $$
     begin
       perform pg_advisory_xact_lock(kaifang_spend_lock_key(p_policy, p_measure, p_year));
       -- after the lock, with a fresh snapshot
       return kaifang_committed_fen(p_policy, p_measure, p_year);
     end $$`,
];

export async function up(db: Kysely<any>): Promise<void> {
  // One statement per call: PGlite's extended protocol rejects multi-statement strings.
  for (const statement of statements) await sql.raw(statement).execute(db);
}
