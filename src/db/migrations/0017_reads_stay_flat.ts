/**
 * Reads whose cost does not grow with the history (issue 16): every official's list, count and overview read a
 * bounded number of rows, whatever the number of claims.
 *
 *  - Queue indexes: the reviewer queue filters on the caller's scope (area, measures or none) and the queue's
 *    states and sorts by when the claim came in (coalesce(submitted_at, created_at), id). Each index below starts
 *    with exactly those columns, so a page is a seek into it (claims.ts listClaims). claims_area_state_idx is a
 *    prefix of the area index and goes.
 *  - claim_state_counts: the queue badges (claims per state), per area and per measure, kept by a trigger on
 *    claims in the transaction that changes a state. `slot` spreads concurrent writers over a few rows
 *    (pg_backend_pid() % 4), so two decisions of one area never wait for each other's commit on one counter row;
 *    a read sums the slots.
 *  - overview_sums: the leadership overview (src/stats/overview.ts) per policy, year, measure, area and month,
 *    kept by triggers on claims (submitted, decided), ledger_entries (net award) and payments (paid) in the
 *    transaction of the decision, correction or payment it summarises. Same slots.
 *  - publicity_batch_totals: items and amount per 公示 batch, kept by a trigger on publicity_items, so the batch
 *    list pages over batches without aggregating every item.
 *  - enterprise_search_grams: every two-character piece (bigram) of an enterprise's name and USCC, lower-cased,
 *    beside the name, so a directory search seeks to one bigram and reads the matches in name order, stopping
 *    at the page (trigram indexes cannot take the two-character Chinese terms officials type: 光电, 科技).
 *  - audit_verified: the chain positions `kaifang audit verify` found intact, so the next verify walks on from
 *    there (src/audit/audit-log.ts). Append-only like the log.
 *  - audit_log's autovacuum: the sealer updates every record once (seq, prev_hash, hash), leaving one dead row
 *    version per record. Vacuumed after a fixed number of dead rows instead of a fifth of the table, the space is
 *    reused by the next records instead of doubling the table.
 *
 * The hot path (a decision) pays for two triggers: the claim's state change (two counter rows, one summary row,
 * one indexed look-up of its award) and the ledger entry (one claim look-up by primary key, one summary row).
 */
import { sql, type Kysely } from 'kysely';

const DECIDED = `('publicity', 'approved', 'paid')`;
/** The month of an instant in Asia/Shanghai (the overview's months; the same as to_char in a session of that zone). */
const MONTH = (ts: string) => `to_char(${ts} at time zone 'Asia/Shanghai', 'YYYY-MM')`;

const statements = [
  // ── queue ───────────────────────────────────────────────────────────────────────────────────────────────
  `create index claims_queue_idx on claims (state, (coalesce(submitted_at, created_at)), id)`,
  `create index claims_queue_area_idx on claims (area_id, state, (coalesce(submitted_at, created_at)), id)`,
  `create index claims_queue_measure_idx on claims (measure_id, state, (coalesce(submitted_at, created_at)), id)`,
  `drop index claims_area_state_idx`,
  `create function kaifang_slot() returns smallint language sql volatile as $$ select (pg_backend_pid() % 4)::smallint $$`,

  // ── queue badges ────────────────────────────────────────────────────────────────────────────────────────
  `create table claim_state_counts (
     dim text not null check (dim in ('area', 'measure')),
     key text not null,
     state text not null,
     slot smallint not null,
     n bigint not null,
     primary key (dim, key, state, slot)
   )`,

  // ── overview ────────────────────────────────────────────────────────────────────────────────────────────
  `create table overview_sums (
     policy_id text not null,
     year integer not null,
     measure_id text not null,
     area_id text not null,
     -- 'YYYY-MM' (Asia/Shanghai), or '' for what has no month: the count of decided claims
     month text not null,
     slot smallint not null,
     submitted bigint not null default 0,
     decided bigint not null default 0,
     -- award entries of decided claims, by the month of the entry (the overview's approvals by month)
     approvals bigint not null default 0,
     entries bigint not null default 0,
     approved_fen bigint not null default 0,
     payments bigint not null default 0,
     paid_fen bigint not null default 0,
     primary key (policy_id, year, measure_id, area_id, month, slot)
   )`,
  `create function kaifang_overview_add(p_policy text, p_year integer, p_measure text, p_area text, p_month text,
       d_submitted bigint, d_decided bigint, d_approvals bigint, d_entries bigint, d_approved_fen bigint, d_payments bigint, d_paid_fen bigint)
     returns void language sql as $$
     insert into overview_sums (policy_id, year, measure_id, area_id, month, slot, submitted, decided, approvals, entries, approved_fen, payments, paid_fen)
     values (p_policy, p_year, p_measure, p_area, p_month, kaifang_slot(), d_submitted, d_decided, d_approvals, d_entries, d_approved_fen, d_payments, d_paid_fen)
     on conflict (policy_id, year, measure_id, area_id, month, slot) do update set
       submitted = overview_sums.submitted + excluded.submitted,
       decided = overview_sums.decided + excluded.decided,
       approvals = overview_sums.approvals + excluded.approvals,
       entries = overview_sums.entries + excluded.entries,
       approved_fen = overview_sums.approved_fen + excluded.approved_fen,
       payments = overview_sums.payments + excluded.payments,
       paid_fen = overview_sums.paid_fen + excluded.paid_fen
   $$`,
  // A claim's whole contribution, added (sign 1) or taken away (-1): on insert, delete, or when its keys change.
  `create function kaifang_overview_claim(c claims, sign integer) returns void language plpgsql as $$
   declare r record;
   begin
     if c.submitted_at is not null then
       perform kaifang_overview_add(c.policy_id, c.year, c.measure_id, c.area_id, ${MONTH('c.submitted_at')}, sign, 0, 0, 0, 0, 0, 0);
     end if;
     if c.state in ${DECIDED} then
       perform kaifang_overview_add(c.policy_id, c.year, c.measure_id, c.area_id, '', 0, sign, 0, 0, 0, 0, 0);
     end if;
     for r in select ${MONTH('e.created_at')} as m, count(*) filter (where e.kind = 'award') as awards, count(*) as n, sum(e.amount_fen) as fen
                from ledger_entries e where e.claim_id = c.id and e.kind <> 'cityAward' group by 1 loop
       perform kaifang_overview_add(c.policy_id, c.year, c.measure_id, c.area_id, r.m, 0, 0,
                                    case when c.state in ${DECIDED} then sign * r.awards else 0 end, sign * r.n, sign * r.fen, 0, 0);
     end loop;
     for r in select to_char(p.paid_on, 'YYYY-MM') as m, count(*) as n, sum(p.amount_fen) as fen from payments p where p.claim_id = c.id group by 1 loop
       perform kaifang_overview_add(c.policy_id, c.year, c.measure_id, c.area_id, r.m, 0, 0, 0, 0, 0, sign * r.n, sign * r.fen);
     end loop;
   end $$`,
  // One trigger for the badges and the overview: a claim's state change is on the decision's path, so it costs
  // one function call. The award entry a decision writes is visible here (an AFTER trigger runs at the end of
  // the statement that wrote both), so its approval is counted by the claim becoming decided, once.
  `create function kaifang_claim_summaries() returns trigger language plpgsql as $$
   declare
     r record;
     s integer;
   begin
     if tg_op = 'INSERT' or tg_op = 'DELETE'
        or (old.state, old.area_id, old.measure_id) is distinct from (new.state, new.area_id, new.measure_id) then
       insert into claim_state_counts (dim, key, state, slot, n)
       select v.dim, v.key, v.state, kaifang_slot(), sum(v.n)
         from (select 'area' as dim, old.area_id as key, old.state as state, -1 as n where tg_op <> 'INSERT'
               union all select 'measure', old.measure_id, old.state, -1 where tg_op <> 'INSERT'
               union all select 'area', new.area_id, new.state, 1 where tg_op <> 'DELETE'
               union all select 'measure', new.measure_id, new.state, 1 where tg_op <> 'DELETE') v
        group by v.dim, v.key, v.state
        order by v.dim, v.key, v.state
       on conflict (dim, key, state, slot) do update set n = claim_state_counts.n + excluded.n;
     end if;
     if tg_op = 'UPDATE' and (old.policy_id, old.year, old.measure_id, old.area_id) = (new.policy_id, new.year, new.measure_id, new.area_id) then
       if old.submitted_at is distinct from new.submitted_at then
         if old.submitted_at is not null then
           perform kaifang_overview_add(new.policy_id, new.year, new.measure_id, new.area_id, ${MONTH('old.submitted_at')}, -1, 0, 0, 0, 0, 0, 0);
         end if;
         if new.submitted_at is not null then
           perform kaifang_overview_add(new.policy_id, new.year, new.measure_id, new.area_id, ${MONTH('new.submitted_at')}, 1, 0, 0, 0, 0, 0, 0);
         end if;
       end if;
       if (old.state in ${DECIDED}) <> (new.state in ${DECIDED}) then
         s := case when new.state in ${DECIDED} then 1 else -1 end;
         perform kaifang_overview_add(new.policy_id, new.year, new.measure_id, new.area_id, '', 0, s, 0, 0, 0, 0, 0);
         for r in select ${MONTH('e.created_at')} as m, count(*) as n from ledger_entries e where e.claim_id = new.id and e.kind = 'award' group by 1 loop
           perform kaifang_overview_add(new.policy_id, new.year, new.measure_id, new.area_id, r.m, 0, 0, s * r.n, 0, 0, 0, 0);
         end loop;
       end if;
     else
       if tg_op <> 'INSERT' then perform kaifang_overview_claim(old, -1); end if;
       if tg_op <> 'DELETE' then perform kaifang_overview_claim(new, 1); end if;
     end if;
     return null;
   end $$`,
  `create trigger claims_summaries_insert_delete after insert or delete on claims
     for each row execute function kaifang_claim_summaries()`,
  `create trigger claims_summaries_update after update on claims
     for each row when ((old.state, old.area_id, old.measure_id, old.policy_id, old.year, old.submitted_at)
                        is distinct from (new.state, new.area_id, new.measure_id, new.policy_id, new.year, new.submitted_at))
     execute function kaifang_claim_summaries()`,
  `create function kaifang_ledger_summaries() returns trigger language plpgsql as $$
   declare c record;
   begin
     select policy_id, year, measure_id, area_id into c from claims where id = new.claim_id;
     perform kaifang_overview_add(c.policy_id, c.year, c.measure_id, c.area_id, ${MONTH('new.created_at')}, 0, 0, 0, 1, new.amount_fen, 0, 0);
     return null;
   end $$`,
  `create trigger ledger_entries_summaries after insert on ledger_entries
     for each row when (new.claim_id is not null and new.kind <> 'cityAward') execute function kaifang_ledger_summaries()`,
  `create function kaifang_payment_summaries() returns trigger language plpgsql as $$
   declare c record;
   begin
     select policy_id, year, measure_id, area_id into c from claims where id = new.claim_id;
     perform kaifang_overview_add(c.policy_id, c.year, c.measure_id, c.area_id, to_char(new.paid_on, 'YYYY-MM'), 0, 0, 0, 0, 0, 1, new.amount_fen);
     return null;
   end $$`,
  `create trigger payments_summaries after insert on payments for each row execute function kaifang_payment_summaries()`,

  // ── 公示 batches ────────────────────────────────────────────────────────────────────────────────────────
  `create table publicity_batch_totals (
     batch_id bigint primary key references publicity_batches (id),
     items bigint not null,
     amount_fen bigint not null
   )`,
  `create function kaifang_publicity_totals() returns trigger language plpgsql as $$
   begin
     if tg_op = 'INSERT' then
       insert into publicity_batch_totals (batch_id, items, amount_fen) values (new.batch_id, 1, new.amount_fen)
       on conflict (batch_id) do update set items = publicity_batch_totals.items + 1, amount_fen = publicity_batch_totals.amount_fen + excluded.amount_fen;
     else
       update publicity_batch_totals set items = items - 1, amount_fen = amount_fen - old.amount_fen where batch_id = old.batch_id;
     end if;
     return null;
   end $$`,
  `create trigger publicity_items_totals after insert or delete on publicity_items for each row execute function kaifang_publicity_totals()`,

  // ── directory search ────────────────────────────────────────────────────────────────────────────────────
  `create function kaifang_bigrams(t text) returns setof text language sql immutable as $$
     select distinct substr(lower(t), i, 2) from generate_series(1, char_length(t) - 1) as i
   $$`,
  `create table enterprise_search_grams (
     gram text not null,
     name text not null,
     uscc text not null,
     primary key (gram, name, uscc)
   )`,
  `create index enterprise_search_grams_uscc_idx on enterprise_search_grams (uscc)`,
  `create function kaifang_enterprise_grams() returns trigger language plpgsql as $$
   begin
     if tg_op <> 'INSERT' then delete from enterprise_search_grams where uscc = old.uscc; end if;
     if tg_op <> 'DELETE' then
       insert into enterprise_search_grams (gram, name, uscc)
       select g, new.name, new.uscc from (select kaifang_bigrams(new.name) union select kaifang_bigrams(new.uscc)) as x (g)
       on conflict do nothing;
     end if;
     return null;
   end $$`,
  `create trigger enterprises_search_grams_insert_delete after insert or delete on enterprises for each row execute function kaifang_enterprise_grams()`,
  `create trigger enterprises_search_grams_update after update on enterprises
     for each row when ((old.name, old.uscc) is distinct from (new.name, new.uscc)) execute function kaifang_enterprise_grams()`,
  `create index enterprises_name_idx on enterprises (name, uscc)`,
  `create index enterprises_area_name_idx on enterprises (area_id, name, uscc)`,

  // ── audit ───────────────────────────────────────────────────────────────────────────────────────────────
  `create table audit_verified (
     id bigint generated always as identity primary key,
     seq bigint not null check (seq > 0),
     hash text not null,
     verified_at timestamptz not null default now()
   )`,
  `create index audit_verified_seq_idx on audit_verified (seq)`,
  `create function kaifang_audit_verified_append_only() returns trigger language plpgsql as $$
   begin
     raise exception 'audit_verified is append-only: % is not allowed', tg_op using errcode = 'restrict_violation';
   end $$`,
  `create trigger audit_verified_append_only before update or delete on audit_verified
     for each row execute function kaifang_audit_verified_append_only()`,
  `alter table audit_log set (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 20000, autovacuum_vacuum_insert_scale_factor = 0, autovacuum_vacuum_insert_threshold = 20000)`,
];

/** Everything the triggers keep, computed again from the tables (the migration's start; bench seeding). */
export const rebuildSummaries = [
  `delete from claim_state_counts`,
  `insert into claim_state_counts (dim, key, state, slot, n)
   select 'area', area_id, state, 0, count(*) from claims group by area_id, state
   union all
   select 'measure', measure_id, state, 0, count(*) from claims group by measure_id, state`,
  `delete from overview_sums`,
  `insert into overview_sums (policy_id, year, measure_id, area_id, month, slot, submitted, decided, approvals, entries, approved_fen, payments, paid_fen)
   select policy_id, year, measure_id, area_id, month, 0, sum(submitted), sum(decided), sum(approvals), sum(entries), sum(approved_fen), sum(payments), sum(paid_fen)
     from (
       select c.policy_id, c.year, c.measure_id, c.area_id, ${MONTH('c.submitted_at')} as month,
              1 as submitted, 0 as decided, 0 as approvals, 0 as entries, 0::bigint as approved_fen, 0 as payments, 0::bigint as paid_fen
         from claims c where c.submitted_at is not null
       union all
       select c.policy_id, c.year, c.measure_id, c.area_id, '', 0, 1, 0, 0, 0, 0, 0 from claims c where c.state in ${DECIDED}
       union all
       select c.policy_id, c.year, c.measure_id, c.area_id, ${MONTH('e.created_at')}, 0, 0,
              case when e.kind = 'award' and c.state in ${DECIDED} then 1 else 0 end, 1, e.amount_fen, 0, 0
         from ledger_entries e join claims c on c.id = e.claim_id where e.kind <> 'cityAward'
       union all
       select c.policy_id, c.year, c.measure_id, c.area_id, to_char(p.paid_on, 'YYYY-MM'), 0, 0, 0, 0, 0, 1, p.amount_fen
         from payments p join claims c on c.id = p.claim_id
     ) x
    group by policy_id, year, measure_id, area_id, month`,
  `delete from publicity_batch_totals`,
  `insert into publicity_batch_totals (batch_id, items, amount_fen)
   select batch_id, count(*), sum(amount_fen) from publicity_items group by batch_id`,
  `delete from enterprise_search_grams`,
  `insert into enterprise_search_grams (gram, name, uscc)
   select distinct g.gram, e.name, e.uscc from enterprises e,
     lateral (select kaifang_bigrams(e.name) union select kaifang_bigrams(e.uscc)) as g (gram)`,
];

export async function up(db: Kysely<any>): Promise<void> {
  // One statement per call: PGlite's extended protocol rejects multi-statement strings.
  for (const statement of statements) await sql.raw(statement).execute(db);
  for (const statement of rebuildSummaries) await sql.raw(statement).execute(db);
}
