/**
 * 企业信息直报 (issue 12, measure 21): reports officials define as data — fields with types and units, monthly or
 * quarterly, which enterprises (by area, industry class or list) — and the enterprises' answers (src/service-desk/
 * direct-reports.ts).
 *
 *   direct_reports          one report: its owner department, period kind, the day of the next month its answers
 *                           are due, its fields (jsonb: key, label, type, unit, required, the policy fact it states)
 *                           and its audience (jsonb: areas, industry classes, USCCs), the first period asked
 *   direct_report_answers   one enterprise's answer for one period: the values, portal or Excel, when, whether late;
 *                           a later answer for the same period replaces it (the row keeps the latest)
 */
import { sql, type Kysely } from 'kysely';

const statements = [
  `create table direct_reports (
      id bigint generated always as identity primary key,
      title text not null check (length(btrim(title)) > 0),
      owner_department text not null,
      period_kind text not null check (period_kind in ('month', 'quarter')),
      due_day integer not null check (due_day between 1 and 28),
      first_period text not null,
      fields jsonb not null,
      audience jsonb not null,
      created_by bigint references users (id),
      created_at timestamptz not null default now(),
      closed_at timestamptz
    )`,
  `create table direct_report_answers (
      id bigint generated always as identity primary key,
      report_id bigint not null references direct_reports (id),
      period text not null,
      enterprise_uscc text not null references enterprises (uscc),
      "values" jsonb not null,
      via text not null check (via in ('portal', 'excel')),
      submitted_by bigint references users (id),
      submitted_at timestamptz not null default now(),
      submitted_on date not null,
      late boolean not null,
      unique (report_id, period, enterprise_uscc)
    )`,
  `create index direct_report_answers_by_enterprise on direct_report_answers (enterprise_uscc, report_id)`,
];

export async function up(db: Kysely<any>): Promise<void> {
  // One statement per call: PGlite's extended protocol rejects multi-statement strings.
  for (const statement of statements) await sql.raw(statement).execute(db);
}
