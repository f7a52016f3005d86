/**
 * The whole model of issue 3 in one first migration. Later changes are new numbered migrations, never
 * edits of this file once it has run anywhere.
 *
 * Guards live in the database where they are cheap, so that a bug in a service cannot store what the
 * model forbids: value CHECKs (roles, states, kinds, signs of money), scope columns that must match the
 * role, reasons required where the workflow requires them, and triggers that make the award ledger and
 * the audit log append-only.
 *
 * Naming: `_fen` columns are integer fen (bigint, read back as JS numbers); `_on` columns are civil dates
 * (Asia/Shanghai, read back as 'YYYY-MM-DD' strings); `_at` columns are instants (timestamptz).
 */
import { sql, type Kysely } from 'kysely';

const USCC_PATTERN = `'^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$'`;
const SHA256_HEX = `'^[0-9a-f]{64}$'`;

const statements: string[] = [
  // ── Append-only guard, shared by the ledger and the audit log ──────────────────────────────────────
  `create function kaifang_forbid_change() returns trigger language plpgsql as $$
   begin
     raise exception '% is append-only: % is not allowed', tg_table_name, tg_op
       using errcode = 'restrict_violation',
             hint = 'Corrections are new entries (reversal, clawback), never edits.';
   end $$`,

  // ── Enterprises ─────────────────────────────────────────────────────────────────────────────────────
  // area_id refers to reference/wujiang-areas.yaml (checked by the service, not by a table).
  `create table enterprises (
     uscc text primary key check (uscc ~ ${USCC_PATTERN}),
     name text not null check (length(btrim(name)) between 1 and 200),
     area_id text not null check (area_id <> ''),
     industry_class text not null check (industry_class in ('leading', 'highTech', 'other')),
     created_at timestamptz not null default now(),
     updated_at timestamptz not null default now()
   )`,
  `create index enterprises_area_idx on enterprises (area_id)`,

  // ── Users, roles, sessions ──────────────────────────────────────────────────────────────────────────
  // department_id refers to policies/<id>/agencies.yaml ids (text, no table).
  `create table users (
     id bigint generated always as identity primary key,
     username text not null unique check (username ~ '^[a-z0-9][a-z0-9._-]{2,63}$'),
     display_name text not null check (length(btrim(display_name)) between 1 and 100),
     password_hash text not null,
     role text not null check (role in ('enterprise', 'areaReviewer', 'departmentReviewer', 'finance', 'auditor', 'admin')),
     enterprise_uscc text references enterprises (uscc),
     area_id text,
     department_id text,
     failed_logins integer not null default 0 check (failed_logins >= 0),
     locked_until timestamptz,
     disabled_at timestamptz,
     created_at timestamptz not null default now(),
     -- A scope column is set exactly when the role is scoped by it.
     constraint users_enterprise_scope check ((role = 'enterprise') = (enterprise_uscc is not null)),
     constraint users_area_scope check ((role = 'areaReviewer') = (area_id is not null)),
     constraint users_department_scope check ((role = 'departmentReviewer') = (department_id is not null))
   )`,
  `create index users_enterprise_idx on users (enterprise_uscc) where enterprise_uscc is not null`,

  // Only a hash of the token is stored: a leaked table does not yield live sessions.
  `create table sessions (
     token_hash text primary key check (token_hash ~ ${SHA256_HEX}),
     user_id bigint not null references users (id) on delete cascade,
     created_at timestamptz not null default now(),
     last_seen_at timestamptz not null default now(),
     expires_at timestamptz not null,
     ip text,
     user_agent text
   )`,
  `create index sessions_user_idx on sessions (user_id)`,

  // ── Claims ──────────────────────────────────────────────────────────────────────────────────────────
  // area_id is copied from the enterprise when the claim is created: the area that reviews a claim does
  // not change if the enterprise later moves. item distinguishes several claims of one incentive in a year
  // where the policy counts per thing (per trademark, per carrier…); '' when the policy counts per enterprise.
  `create table claims (
     id bigint generated always as identity primary key,
     enterprise_uscc text not null references enterprises (uscc),
     area_id text not null,
     policy_id text not null,
     measure_id text not null,
     incentive_id text not null,
     item text not null default '',
     year integer not null check (year between 2000 and 2100),
     facts jsonb not null default '{}' check (jsonb_typeof(facts) = 'object'),
     amount_claimed_fen bigint check (amount_claimed_fen >= 0),
     state text not null default 'draft' check (state in (
       'draft', 'submitted', 'returned', 'departmentReview', 'jointReview', 'publicity',
       'approved', 'paid', 'rejected', 'withdrawn')),
     created_by bigint references users (id),
     created_at timestamptz not null default now(),
     updated_at timestamptz not null default now(),
     submitted_at timestamptz,
     version integer not null default 1 check (version >= 1)
   )`,
  `create index claims_enterprise_idx on claims (enterprise_uscc)`,
  `create index claims_area_state_idx on claims (area_id, state)`,
  `create index claims_measure_state_idx on claims (policy_id, measure_id, state)`,

  `create table claim_evidence (
     id bigint generated always as identity primary key,
     claim_id bigint not null references claims (id) on delete cascade,
     file_name text not null check (length(file_name) between 1 and 255),
     mime_type text not null check (mime_type ~ '^[a-z0-9.+-]+/[a-zA-Z0-9.+-]+$'),
     size_bytes bigint not null check (size_bytes >= 0),
     sha256 text not null check (sha256 ~ ${SHA256_HEX}),
     storage_key text not null unique,
     uploaded_by bigint references users (id),
     uploaded_at timestamptz not null default now()
   )`,
  `create index claim_evidence_claim_idx on claim_evidence (claim_id)`,

  // A return says what to fix and a rejection says why: the reason is required unless the review passed.
  `create table reviews (
     id bigint generated always as identity primary key,
     claim_id bigint not null references claims (id),
     stage text not null check (stage in ('firstReview', 'departmentReview', 'jointReview')),
     actor_id bigint not null references users (id),
     action text not null check (action in ('pass', 'return', 'reject')),
     reason text,
     at timestamptz not null default now(),
     constraint reviews_reason_required check (action = 'pass' or length(btrim(coalesce(reason, ''))) > 0)
   )`,
  `create index reviews_claim_idx on reviews (claim_id)`,

  // ── Decisions (with the engine's explanation and the policy version they were made on) ─────────────
  `create table decisions (
     id bigint generated always as identity primary key,
     claim_id bigint not null references claims (id),
     amount_fen bigint not null check (amount_fen >= 0),
     explanation jsonb not null,
     policy_id text not null,
     policy_version text not null check (policy_version <> ''),
     case_by_case boolean not null default false,
     meeting_ref text,
     decided_by bigint not null references users (id),
     decided_at timestamptz not null default now(),
     -- 一事一议 is decided by a joint meeting: its minutes are the basis of the amount.
     constraint decisions_meeting_ref check (not case_by_case or length(btrim(coalesce(meeting_ref, ''))) > 0)
   )`,
  `create index decisions_claim_idx on decisions (claim_id)`,

  // ── Publicity (公示) and objections (异议) ──────────────────────────────────────────────────────────
  `create table publicity_batches (
     id bigint generated always as identity primary key,
     policy_id text not null,
     title text not null check (length(btrim(title)) > 0),
     starts_on date not null,
     ends_on date not null,
     published_by bigint not null references users (id),
     published_at timestamptz not null default now(),
     closed_at timestamptz,
     constraint publicity_batches_period check (ends_on >= starts_on)
   )`,
  `create table publicity_items (
     batch_id bigint not null references publicity_batches (id),
     claim_id bigint not null references claims (id),
     decision_id bigint not null references decisions (id),
     amount_fen bigint not null check (amount_fen >= 0),
     primary key (batch_id, claim_id)
   )`,
  `create index publicity_items_claim_idx on publicity_items (claim_id)`,
  `create table objections (
     id bigint generated always as identity primary key,
     batch_id bigint not null references publicity_batches (id),
     claim_id bigint references claims (id),
     objector text not null check (length(btrim(objector)) > 0),
     contact text,
     content text not null check (length(btrim(content)) > 0),
     received_on date not null,
     recorded_by bigint not null references users (id),
     recorded_at timestamptz not null default now(),
     outcome text check (outcome in ('upheld', 'dismissed')),
     resolution text,
     resolved_by bigint references users (id),
     resolved_at timestamptz,
     -- Resolved means all of: an outcome, who, when, and the written resolution.
     constraint objections_resolution check (
       (outcome is null) = (resolved_at is null) and (outcome is null) = (resolved_by is null)
       and (outcome is null or length(btrim(coalesce(resolution, ''))) > 0))
   )`,
  `create index objections_batch_idx on objections (batch_id)`,

  // ── The award ledger: append-only; caps and budgets are sums over it ───────────────────────────────
  // Sign follows the money: awards and city-level awards are positive, reversals and clawbacks negative.
  // cityAward rows record awards an enterprise got from the city for 就高不重复; they are not district money.
  `create table ledger_entries (
     id bigint generated always as identity primary key,
     enterprise_uscc text not null references enterprises (uscc),
     policy_id text not null,
     measure_id text not null,
     incentive_id text not null,
     item text not null default '',
     year integer not null check (year between 2000 and 2100),
     kind text not null check (kind in ('award', 'reversal', 'clawback', 'cityAward')),
     amount_fen bigint not null,
     claim_id bigint references claims (id),
     decision_id bigint references decisions (id),
     reverses_entry_id bigint references ledger_entries (id),
     reference text,
     note text,
     created_by bigint references users (id),
     created_at timestamptz not null default now(),
     constraint ledger_entries_sign check (
       (kind in ('award', 'cityAward') and amount_fen > 0) or (kind in ('reversal', 'clawback') and amount_fen < 0)),
     constraint ledger_entries_award_decision check (kind <> 'award' or decision_id is not null),
     constraint ledger_entries_reversal_target check (kind <> 'reversal' or reverses_entry_id is not null)
   )`,
  `create index ledger_entries_cap_idx on ledger_entries (enterprise_uscc, policy_id, incentive_id, year)`,
  `create index ledger_entries_budget_idx on ledger_entries (policy_id, measure_id, year)`,
  `create index ledger_entries_claim_idx on ledger_entries (claim_id) where claim_id is not null`,
  `create trigger ledger_entries_append_only before update or delete on ledger_entries
     for each row execute function kaifang_forbid_change()`,
  `create trigger ledger_entries_no_truncate before truncate on ledger_entries
     for each statement execute function kaifang_forbid_change()`,

  // ── Payments (拨付): one per claim, one per ledger entry, voucher numbers unique ─────────────────────
  `create table payments (
     id bigint generated always as identity primary key,
     claim_id bigint not null unique references claims (id),
     ledger_entry_id bigint not null unique references ledger_entries (id),
     voucher_no text not null unique check (length(btrim(voucher_no)) > 0),
     amount_fen bigint not null check (amount_fen > 0),
     paid_on date not null,
     paid_by bigint not null references users (id),
     recorded_at timestamptz not null default now()
   )`,

  // ── Budgets: each measure's money for a year ───────────────────────────────────────────────────────
  `create table budgets (
     policy_id text not null,
     measure_id text not null,
     year integer not null check (year between 2000 and 2100),
     amount_fen bigint not null check (amount_fen >= 0),
     set_by bigint references users (id),
     set_at timestamptz not null default now(),
     primary key (policy_id, measure_id, year)
   )`,

  // ── Credit lists (联合惩戒 etc.) ────────────────────────────────────────────────────────────────────
  // No foreign key to enterprises: an enterprise can be listed before it ever registers here.
  `create table credit_list (
     id bigint generated always as identity primary key,
     uscc text not null check (uscc ~ ${USCC_PATTERN}),
     list_name text not null check (length(btrim(list_name)) > 0),
     reason text not null check (length(btrim(reason)) > 0),
     source text,
     listed_on date not null,
     delisted_on date,
     delisted_reason text,
     recorded_by bigint not null references users (id),
     recorded_at timestamptz not null default now(),
     delisted_by bigint references users (id),
     constraint credit_list_delisting check (
       delisted_on is null or (delisted_on >= listed_on and delisted_by is not null))
   )`,
  `create index credit_list_active_idx on credit_list (uscc) where delisted_on is null`,

  // ── Idempotency keys: a repeated POST returns the stored response and creates nothing ──────────────
  `create table idempotency_keys (
     user_id bigint not null references users (id) on delete cascade,
     key text not null check (length(key) between 1 and 200),
     request_hash text not null,
     response_status integer,
     response jsonb,
     created_at timestamptz not null default now(),
     primary key (user_id, key)
   )`,

  // ── Audit log: append-only, hash-chained (see src/audit/audit-log.ts) ──────────────────────────────
  // prev_hash is unique: two records can never follow the same predecessor, so even a writer that read a
  // stale tail cannot fork the chain; its insert fails instead.
  `create table audit_log (
     seq bigserial primary key,
     at timestamptz not null,
     actor text not null,
     actor_user_id bigint,
     action text not null check (action <> ''),
     entity text not null check (entity <> ''),
     entity_id text,
     ip text,
     details jsonb not null default '{}',
     prev_hash text not null unique check (prev_hash ~ ${SHA256_HEX}),
     hash text not null unique check (hash ~ ${SHA256_HEX})
   )`,
  `create index audit_log_entity_idx on audit_log (entity, entity_id)`,
  `create index audit_log_actor_idx on audit_log (actor_user_id) where actor_user_id is not null`,
  `create trigger audit_log_append_only before update or delete on audit_log
     for each row execute function kaifang_forbid_change()`,
  `create trigger audit_log_no_truncate before truncate on audit_log
     for each statement execute function kaifang_forbid_change()`,
];

export async function up(db: Kysely<any>): Promise<void> {
  // One statement per call: PGlite's extended protocol rejects multi-statement strings.
  for (const statement of statements) await sql.raw(statement).execute(db);
}
