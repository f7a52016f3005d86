/**
 * 免申即享 (issue 11): the departments' data on file, with provenance (src/proactive/).
 *
 *   fact_batches      one dated batch a department loaded (税务, 统计 …; policies/<id>/fact-sources.yaml): the source,
 *                     the department, the as-of date of the data, the content hash of what was loaded (the same file
 *                     loaded twice is one batch: unique per source), the file's name and format, who and when.
 *                     A batch that answers an enterprise's objection names the correction it answers.
 *   fact_values       every value of a batch: enterprise, year, fact, value (as the engine's input), the batch's
 *                     as-of date. Never updated or deleted: a newer batch adds values, so the value as of any date
 *                     is read back (the newest as-of on or before the date; of one as-of, the newest batch).
 *   fact_corrections  an enterprise's objection to a department's value (更正申请): the value objected to, what the
 *                     enterprise says it should be, why, its evidence (one file), the department that owns the
 *                     fact, the due date in working days, and the answer: corrected (by a batch) or refused (reason).
 */
import { sql, type Kysely } from 'kysely';

const statements = [
  `create table fact_batches (
      id bigint generated always as identity primary key,
      policy_id text not null,
      source_id text not null,
      department_id text not null,
      as_of date not null,
      content_hash text not null check (content_hash ~ '^[0-9a-f]{64}$'),
      file_name text,
      format text not null check (format in ('xlsx', 'csv', 'api')),
      row_count integer not null check (row_count > 0),
      value_count integer not null check (value_count >= 0),
      correction_id bigint,
      loaded_by bigint not null references users (id),
      loaded_at timestamptz not null default now(),
      unique (policy_id, source_id, content_hash)
    )`,
  `create index fact_batches_by_source on fact_batches (policy_id, source_id, id desc)`,
  `create table fact_values (
      id bigint generated always as identity primary key,
      batch_id bigint not null references fact_batches (id),
      enterprise_uscc text not null references enterprises (uscc),
      year integer not null check (year between 2000 and 2100),
      fact text not null,
      value jsonb not null,
      as_of date not null,
      row_no integer not null,
      unique (batch_id, enterprise_uscc, year, fact)
    )`,
  `create index fact_values_as_of on fact_values (enterprise_uscc, year, fact, as_of desc, batch_id desc)`,
  `create index fact_values_by_batch on fact_values (batch_id, enterprise_uscc)`,
  `create trigger fact_batches_append_only before update or delete on fact_batches
     for each row execute function kaifang_forbid_change()`,
  `create trigger fact_values_append_only before update or delete on fact_values
     for each row execute function kaifang_forbid_change()`,
  `create table fact_corrections (
      id bigint generated always as identity primary key,
      policy_id text not null,
      enterprise_uscc text not null references enterprises (uscc),
      year integer not null,
      fact text not null,
      source_id text not null,
      department_id text not null,
      value_id bigint not null references fact_values (id),
      requested_value jsonb,
      reason text not null check (length(btrim(reason)) > 0),
      evidence_name text,
      evidence_type text,
      evidence_sha256 text,
      evidence bytea,
      filed_by bigint not null references users (id),
      filed_at timestamptz not null default now(),
      filed_on date not null,
      due_on date not null,
      status text not null default 'open' check (status in ('open', 'corrected', 'refused')),
      answer text,
      answer_batch_id bigint references fact_batches (id),
      answered_by bigint references users (id),
      answered_at timestamptz,
      check ((status = 'open') = (answered_at is null)),
      check (status <> 'refused' or length(btrim(coalesce(answer, ''))) > 0),
      check (status <> 'corrected' or answer_batch_id is not null)
    )`,
  `create index fact_corrections_by_department on fact_corrections (department_id, status, due_on)`,
  `create index fact_corrections_by_enterprise on fact_corrections (enterprise_uscc, id desc)`,
  // one open objection per value of a fact: a second while the first waits is the same objection
  `create unique index fact_corrections_one_open on fact_corrections (enterprise_uscc, year, fact) where status = 'open'`,
];

export async function up(db: Kysely<any>): Promise<void> {
  // One statement per call: PGlite's extended protocol rejects multi-statement strings.
  for (const s of statements) await sql.raw(s).execute(db);
}
