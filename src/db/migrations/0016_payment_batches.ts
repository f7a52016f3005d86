/**
 * Finance in the web app (issue 10): payment batches paid through the bank, enterprises' bank accounts, and the
 * history of budget changes (src/claims/payment-batches.ts, src/ledger/budgets.ts).
 *
 *   enterprises.bank_*           the account a batch pays into (户名, 开户行, 账号): all three or none, the number
 *                                digits only; an enterprise without one is refused a place in a batch, by name
 *   budget_changes               every budget set: who, when, from → to, the reason; rows for budgets set before
 *                                this migration are written from the budgets table (from: none, reason: none)
 *   payment_batches              a batch finance built from approved claims, when its bank file was exported, and
 *                                when it was closed (every line returned) or cancelled (before export only)
 *   payment_batch_lines          one claim each, its amount (the claim's outstanding money when the batch was
 *                                built) and the bank account as it was then; pending until the bank's return says
 *                                paid (with the voucher and the payment row it made) or failed (with the reason)
 *   payment_batch_lines_one_open a claim is pending in at most one line at a time: the database refuses a second
 */
import { sql, type Kysely } from 'kysely';

const statements = [
  `alter table enterprises add column bank_account_name text`,
  `alter table enterprises add column bank_name text`,
  `alter table enterprises add column bank_account_no text`,
  `alter table enterprises add constraint enterprises_bank_account check (
      (bank_account_name is null and bank_name is null and bank_account_no is null)
      or (length(btrim(bank_account_name)) > 0 and length(btrim(bank_name)) > 0 and bank_account_no ~ '^[0-9]{8,32}$'))`,

  `create table budget_changes (
      id bigint generated always as identity primary key,
      policy_id text not null,
      measure_id text not null,
      year integer not null,
      from_fen bigint check (from_fen >= 0),
      to_fen bigint not null check (to_fen >= 0),
      reason text,
      changed_by bigint references users (id),
      changed_at timestamptz not null default now()
    )`,
  `create index budget_changes_by_year on budget_changes (policy_id, year, measure_id, id)`,
  `insert into budget_changes (policy_id, measure_id, year, from_fen, to_fen, reason, changed_by, changed_at)
      select policy_id, measure_id, year, null, amount_fen, null, set_by, set_at from budgets order by set_at`,

  `create table payment_batches (
      id bigint generated always as identity primary key,
      title text not null check (length(btrim(title)) > 0),
      filters jsonb not null default '{}'::jsonb,
      created_by bigint not null references users (id),
      created_at timestamptz not null default now(),
      exported_at timestamptz,
      exported_by bigint references users (id),
      closed_at timestamptz,
      cancelled_at timestamptz
    )`,
  `create table payment_batch_lines (
      id bigint generated always as identity primary key,
      batch_id bigint not null references payment_batches (id),
      line_no integer not null check (line_no > 0),
      claim_id bigint not null references claims (id),
      ledger_entry_id bigint not null references ledger_entries (id),
      amount_fen bigint not null check (amount_fen > 0),
      enterprise_uscc text not null,
      enterprise_name text not null,
      bank_account_name text not null,
      bank_name text not null,
      bank_account_no text not null,
      status text not null default 'pending' check (status in ('pending', 'paid', 'failed', 'cancelled')),
      voucher_no text,
      paid_on date,
      failure_reason text,
      payment_id bigint unique references payments (id),
      returned_at timestamptz,
      returned_by bigint references users (id),
      unique (batch_id, line_no),
      check ((status = 'paid') = (payment_id is not null)),
      check (status <> 'failed' or length(btrim(failure_reason)) > 0)
    )`,
  `create unique index payment_batch_lines_one_open on payment_batch_lines (claim_id) where status = 'pending'`,
  `create index payment_batch_lines_by_claim on payment_batch_lines (claim_id, id)`,
];

export async function up(db: Kysely<any>): Promise<void> {
  // One statement per call: PGlite's extended protocol rejects multi-statement strings.
  for (const statement of statements) await sql.raw(statement).execute(db);
}
