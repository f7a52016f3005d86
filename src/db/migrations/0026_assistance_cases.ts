/**
 * 帮办代办 (issue 12, measure 21 “全面推行帮办代办服务”): an enterprise's request for help with an item of the published
 * catalogue (service-desk.yaml assistance.items), the agent (帮办员) its unit assigns, and the steps and result the
 * enterprise follows (src/service-desk/assistance.ts).
 */
import { sql, type Kysely } from 'kysely';

const statements = [
  `create table assistance_cases (
      id bigint generated always as identity primary key,
      enterprise_uscc text not null references enterprises (uscc),
      area_id text not null,
      item text not null,
      unit_kind text not null check (unit_kind in ('department', 'area')),
      unit_id text not null,
      note text,
      state text not null check (state in ('requested', 'assigned', 'done')),
      requested_on date not null,
      requested_by bigint references users (id),
      agent_user_id bigint references users (id),
      assigned_on date,
      result text,
      done_on date,
      check ((state = 'requested') = (agent_user_id is null)),
      check ((state = 'done') = (result is not null))
    )`,
  `create index assistance_cases_by_unit on assistance_cases (unit_kind, unit_id, state, id)`,
  `create index assistance_cases_by_enterprise on assistance_cases (enterprise_uscc, id)`,
  `create table assistance_steps (
      id bigint generated always as identity primary key,
      case_id bigint not null references assistance_cases (id),
      step text not null,
      done_on date not null,
      note text,
      recorded_by bigint references users (id),
      recorded_at timestamptz not null default now(),
      unique (case_id, step)
    )`,
];

export async function up(db: Kysely<any>): Promise<void> {
  // One statement per call: PGlite's extended protocol rejects multi-statement strings.
  for (const statement of statements) await sql.raw(statement).execute(db);
}
