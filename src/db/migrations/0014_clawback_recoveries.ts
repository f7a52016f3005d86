/**
 * Following up a clawback (追回): what the enterprise must pay back, and what it has paid back (src/claims/recoveries.ts).
 *
 *   clawback_recoveries  one per clawback ledger entry (应追回): the amount due is that entry's amount, written
 *                        in the clawback's own transaction; an optional deadline (缴回期限) set by the department.
 *                        Never changed afterwards (append-only): what is still due is derived from the receipts.
 *   recovery_receipts    each sum the enterprise paid back (追回到账): amount, the day it arrived, the document that
 *                        proves it (缴款书号 …). Append-only; partial receipts allowed.
 *
 * Recovered money is NOT a ledger entry: the clawback entry already took the amount out of the award (the caps, the
 * committed budget and the claim's net all count it from that moment). Writing the receipt into the ledger too would
 * take the same money out twice; a receipt only says that the debt the clawback created has been paid.
 *
 * The database's own guard, as migration 0007 is for the ledger: a receipt may never bring what was recovered above
 * what was due. The trigger locks the recovery row first, so two receipts recorded at once cannot both see the same
 * amount outstanding (the second waits and, in READ COMMITTED, its sum sees the first).
 */
import { sql, type Kysely } from 'kysely';

const statements = [
  `create table clawback_recoveries (
     id bigint generated always as identity primary key,
     claim_id bigint not null references claims (id),
     ledger_entry_id bigint not null unique references ledger_entries (id),
     enterprise_uscc text not null references enterprises (uscc),
     policy_id text not null,
     measure_id text not null,
     due_fen bigint not null check (due_fen > 0),
     clawed_back_on date not null,
     due_on date check (due_on is null or due_on >= clawed_back_on),
     created_by bigint references users (id),
     created_at timestamptz not null default now()
   )`,
  `create index clawback_recoveries_claim_idx on clawback_recoveries (claim_id)`,
  `create index clawback_recoveries_measure_idx on clawback_recoveries (policy_id, measure_id)`,
  `create table recovery_receipts (
     id bigint generated always as identity primary key,
     recovery_id bigint not null references clawback_recoveries (id),
     amount_fen bigint not null check (amount_fen > 0),
     received_on date not null,
     reference text not null check (length(btrim(reference)) > 0),
     note text,
     recorded_by bigint references users (id),
     recorded_at timestamptz not null default now()
   )`,
  `create index recovery_receipts_recovery_idx on recovery_receipts (recovery_id)`,
  `create trigger clawback_recoveries_append_only before update or delete on clawback_recoveries
     for each row execute function kaifang_forbid_change()`,
  `create trigger recovery_receipts_append_only before update or delete on recovery_receipts
     for each row execute function kaifang_forbid_change()`,
  `create function kaifang_recovery_receipt_guard() returns trigger language plpgsql as $$
     declare
       due bigint;
       recovered bigint;
     begin
       select due_fen into due from clawback_recoveries where id = new.recovery_id for update;
       select coalesce(sum(amount_fen), 0) into recovered from recovery_receipts where recovery_id = new.recovery_id;
       if recovered > due then
         raise exception 'recovery receipt %: recovery % would be recovered above what is due (% > % fen)', new.id, new.recovery_id, recovered, due
           using errcode = 'check_violation', constraint = 'recovery_receipts_not_above_due';
       end if;
       return null;
     end $$`,
  `create trigger recovery_receipts_not_above_due after insert on recovery_receipts
     for each row execute function kaifang_recovery_receipt_guard()`,
];

export async function up(db: Kysely<any>): Promise<void> {
  // One statement per call: PGlite's extended protocol rejects multi-statement strings.
  for (const s of statements) await sql.raw(s).execute(db);
}
