/**
 * The ledger's own guard against paying back more than was awarded: a reversal or clawback about a claim may never
 * take that claim's district money (award + reversals + clawbacks) below zero, and a reversal reverses an award
 * of the same claim.
 *
 * The services already derive every correction from what is outstanding, under the claim's row lock and the
 * decision locks (src/claims/workflow.ts correctAward, src/claims/publicity.ts closePublicityBatch). This is the
 * last line behind them, in the database, so that a path which forgets — as closing a 公示 batch once did, reversing
 * an award a correction had already reversed — fails instead of understating the caps and the committed budget.
 *
 * The trigger runs only for negative entries (never on the decision's hot path). It locks the claim row first, so
 * that two corrections of one claim cannot both see the same outstanding amount: the second waits, and in READ
 * COMMITTED its sum (a new statement, a new snapshot) sees the first.
 */
import { sql, type Kysely } from 'kysely';

const statements = [
  `create function kaifang_ledger_claim_net_guard() returns trigger language plpgsql as $$
     declare
       net bigint;
     begin
       perform 1 from claims where id = new.claim_id for update;
       if new.kind = 'reversal' and not exists (
            select 1 from ledger_entries a where a.id = new.reverses_entry_id and a.kind = 'award' and a.claim_id = new.claim_id) then
         raise exception 'ledger entry %: a reversal must reverse an award of claim %', new.id, new.claim_id
           using errcode = 'check_violation', constraint = 'ledger_entries_reversal_of_claim_award';
       end if;
       select coalesce(sum(amount_fen), 0) into net
         from ledger_entries
        where claim_id = new.claim_id and kind in ('award', 'reversal', 'clawback');
       if net < 0 then
         raise exception 'ledger entry %: claim % would be corrected below zero (net % fen)', new.id, new.claim_id, net
           using errcode = 'check_violation', constraint = 'ledger_entries_claim_net_not_negative';
       end if;
       return null;
     end $$`,
  `create trigger ledger_entries_claim_net_guard after insert on ledger_entries
     for each row when (new.amount_fen < 0 and new.claim_id is not null)
     execute function kaifang_ledger_claim_net_guard()`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const s of statements) await sql.raw(s).execute(db);
}
