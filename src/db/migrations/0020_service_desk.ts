/**
 * 政企服务 (issue 12, measure 21): enterprises' requests (诉求) with their time limits, and the liaison leaders and
 * officers assigned to enterprises (src/service-desk/).
 *
 *   service_requests        one request: who filed it, its category, the unit it is with now (a department or the
 *                           enterprise's area), its state, the due dates of acknowledging and answering (moved on by
 *                           the working days the clock stood while the enterprise was asked for more), the answer,
 *                           whether any answer was late, the escalation, the rating and how often it was reopened
 *   service_request_events  append-only history: filed, acknowledged, transferred (from → to), info asked and
 *                           supplied, answered, escalated, rated, reopened — a transfer keeps it all
 *   service_request_files   attachments, content-addressed like claim evidence (the blob store is shared)
 *   service_liaisons        the leader (挂钩领导) and liaison officers (联络专员) of an enterprise: officials' accounts
 */
import { sql, type Kysely } from 'kysely';

const statements = [
  `create table service_requests (
      id bigint generated always as identity primary key,
      enterprise_uscc text not null references enterprises (uscc),
      area_id text not null,
      category text not null,
      title text not null check (length(btrim(title)) > 0),
      description text not null check (length(btrim(description)) > 0),
      unit_kind text not null check (unit_kind in ('department', 'area')),
      unit_id text not null,
      state text not null check (state in ('submitted', 'acknowledged', 'awaitingInfo', 'answered', 'closed')),
      filed_on date not null,
      filed_at timestamptz not null default now(),
      filed_by bigint references users (id),
      acknowledge_due date not null,
      acknowledged_on date,
      answer_due date not null,
      paused_on date,
      paused_working_days integer not null default 0 check (paused_working_days >= 0),
      answered_on date,
      answer text,
      answered_by bigint references users (id),
      working_days integer,
      ever_late boolean not null default false,
      escalated_at timestamptz,
      rating integer check (rating between 1 and 10),
      rating_comment text,
      rated_at timestamptz,
      reopen_count integer not null default 0 check (reopen_count >= 0),
      transfer_count integer not null default 0 check (transfer_count >= 0),
      version integer not null default 1,
      check ((state = 'awaitingInfo') = (paused_on is not null)),
      check (state not in ('answered', 'closed') or (answer is not null and answered_on is not null))
    )`,
  // the unit's queue (open ones first by due date) and an enterprise's own list
  `create index service_requests_unit_queue on service_requests (unit_kind, unit_id, state, answer_due, id)`,
  `create index service_requests_by_enterprise on service_requests (enterprise_uscc, id)`,
  `create index service_requests_open_due on service_requests (answer_due, id) where state in ('submitted', 'acknowledged') and escalated_at is null`,
  `create table service_request_events (
      id bigint generated always as identity primary key,
      request_id bigint not null references service_requests (id),
      kind text not null check (kind in ('filed', 'acknowledged', 'transferred', 'infoRequested', 'infoSupplied', 'answered', 'escalated', 'rated', 'reopened')),
      occurred_on date not null,
      occurred_at timestamptz not null default now(),
      actor_user_id bigint references users (id),
      from_unit text,
      to_unit text,
      note text
    )`,
  `create index service_request_events_by_request on service_request_events (request_id, id)`,
  `create table service_request_files (
      id bigint generated always as identity primary key,
      request_id bigint not null references service_requests (id),
      file_name text not null,
      mime_type text not null,
      size_bytes integer not null check (size_bytes > 0),
      sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
      uploaded_by bigint references users (id),
      uploaded_at timestamptz not null default now(),
      unique (request_id, sha256)
    )`,
  `create table service_liaisons (
      id bigint generated always as identity primary key,
      enterprise_uscc text not null references enterprises (uscc),
      user_id bigint not null references users (id),
      kind text not null check (kind in ('leader', 'officer')),
      assigned_by bigint references users (id),
      assigned_at timestamptz not null default now(),
      unique (enterprise_uscc, user_id, kind)
    )`,
  `create index service_liaisons_by_user on service_liaisons (user_id, enterprise_uscc)`,
];

export async function up(db: Kysely<any>): Promise<void> {
  // One statement per call: PGlite's extended protocol rejects multi-statement strings.
  for (const statement of statements) await sql.raw(statement).execute(db);
}
