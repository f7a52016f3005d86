/**
 * Service cases against the time limits of measures 22–25 (policies/<id>/service-limits.yaml): the case as
 * accepted (受理), and its later events — suspended for 补正, resumed, completed — as an append-only list, so
 * the clock of every case can be recomputed from what was recorded and nothing recorded can be rewritten.
 *
 * limit_id and department_id refer to the policy's YAML (service-limits.yaml, agencies.yaml), checked by the
 * service, not by a table. Times (`_at`) are optional and matter only for half-day limits; when one is given it
 * must fall on its civil date in Asia/Shanghai, so a date and its time can never disagree.
 * Event dates are `occurred_on` / `occurred_at`: `on` is a reserved word in SQL.
 */
import { sql, type Kysely } from 'kysely';

const KEBAB = `'^[a-z0-9]+(-[a-z0-9]+)*$'`;
const onItsDate = (at: string, on: string) => `(${at} is null or (${at} at time zone 'Asia/Shanghai')::date = ${on})`;

const statements = [
  `create table service_cases (
     id bigint generated always as identity primary key,
     limit_id text not null check (limit_id ~ ${KEBAB}),
     department_id text not null check (department_id ~ ${KEBAB}),
     reference text not null check (length(btrim(reference)) between 1 and 100),
     subject text not null check (length(btrim(subject)) between 1 and 200),
     accepted_on date not null,
     accepted_at timestamptz,
     simplified boolean,
     -- tax time of one enterprise-year: whole minutes, at most the hours of a leap year
     hours numeric check (hours >= 0 and hours <= 8784 and hours * 60 = round(hours * 60)),
     created_by bigint references users (id),
     created_at timestamptz not null default now(),
     constraint service_cases_reference_unique unique (limit_id, reference),
     constraint service_cases_accepted_at_on_date check ${onItsDate('accepted_at', 'accepted_on')}
   )`,
  `create index service_cases_department_idx on service_cases (department_id, accepted_on)`,
  `create index service_cases_accepted_idx on service_cases (accepted_on)`,

  `create table service_case_events (
     id bigint generated always as identity primary key,
     case_id bigint not null references service_cases (id),
     kind text not null check (kind in ('suspended', 'resumed', 'completed')),
     occurred_on date not null,
     occurred_at timestamptz,
     note text check (note is null or length(note) <= 500),
     recorded_by bigint references users (id),
     recorded_at timestamptz not null default now(),
     constraint service_case_events_at_on_date check ${onItsDate('occurred_at', 'occurred_on')}
   )`,
  `create index service_case_events_case_idx on service_case_events (case_id, id)`,
  // A case is completed once; the service checks the order of events, this catches a race between two writers.
  `create unique index service_case_events_one_completion on service_case_events (case_id) where kind = 'completed'`,
  `create trigger service_case_events_append_only before update or delete on service_case_events
     for each row execute function kaifang_forbid_change()`,
  `create trigger service_case_events_no_truncate before truncate on service_case_events
     for each statement execute function kaifang_forbid_change()`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const s of statements) await sql.raw(s).execute(db);
}
