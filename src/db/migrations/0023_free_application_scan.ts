/**
 * 免申即享 (issue 11): the scan of every enterprise against every incentive that facts decide (src/proactive/scan.ts).
 *
 *   scan_runs     one scan: the policy version, the year, the facts as-of date, what it covers (every enterprise, or
 *                 the enterprises of one batch), how many enterprises it has to do and has done, and the cursor (the
 *                 last USCC done, in USCC order) — a scan killed halfway resumes after the cursor
 *   scan_results  per enterprise, incentive, policy version, year and facts as-of: eligible (amount, explanation),
 *                 maybe (the facts missing and the department that holds each) or notEligible (why, what would
 *                 qualify), and the facts it rested on. Upserted on that key, so a resumed or repeated scan never
 *                 duplicates a result; "why was I told this?" reads the row.
 */
import { sql, type Kysely } from 'kysely';

const statements = [
  `create table scan_runs (
      id bigint generated always as identity primary key,
      policy_id text not null,
      policy_version text not null,
      year integer not null,
      facts_as_of date not null,
      scope jsonb not null default '{}'::jsonb,
      total integer not null check (total >= 0),
      done integer not null default 0 check (done >= 0),
      cursor text,
      started_by bigint references users (id),
      started_at timestamptz not null default now(),
      finished_at timestamptz
    )`,
  `create table scan_results (
      enterprise_uscc text not null references enterprises (uscc),
      incentive_id text not null,
      policy_id text not null,
      policy_version text not null,
      year integer not null,
      facts_as_of date not null,
      measure_id text not null,
      area_id text not null,
      status text not null check (status in ('eligible', 'maybe', 'notEligible')),
      amount_fen bigint check (amount_fen >= 0),
      missing jsonb not null default '[]'::jsonb,
      reasons jsonb not null default '[]'::jsonb,
      facts jsonb not null default '{}'::jsonb,
      run_id bigint not null references scan_runs (id),
      scanned_at timestamptz not null default now(),
      primary key (enterprise_uscc, incentive_id, policy_id, policy_version, year, facts_as_of)
    )`,
  `create index scan_results_by_measure on scan_results (policy_id, policy_version, year, facts_as_of, measure_id, area_id, status)`,
];

export async function up(db: Kysely<any>): Promise<void> {
  // One statement per call: PGlite's extended protocol rejects multi-statement strings.
  for (const s of statements) await sql.raw(s).execute(db);
}
