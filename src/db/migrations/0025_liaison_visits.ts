/**
 * 走访记录 (issue 12, measure 21 “有求必应，无事不扰”): visits of an enterprise's liaison leader or officers — the date,
 * who went, what the enterprise asked, the follow-ups — and, for a visit above the period's number in
 * service-desk.yaml (liaison.visits), the reason it was needed (src/service-desk/visits.ts).
 */
import { sql, type Kysely } from 'kysely';

const statements = [
  `create table liaison_visits (
      id bigint generated always as identity primary key,
      enterprise_uscc text not null references enterprises (uscc),
      visited_on date not null,
      recorded_by bigint not null references users (id),
      visitors text not null check (length(btrim(visitors)) > 0),
      asked text not null check (length(btrim(asked)) > 0),
      follow_ups text,
      reason text,
      recorded_at timestamptz not null default now()
    )`,
  `create index liaison_visits_by_enterprise on liaison_visits (enterprise_uscc, visited_on, id)`,
];

export async function up(db: Kysely<any>): Promise<void> {
  // One statement per call: PGlite's extended protocol rejects multi-statement strings.
  for (const statement of statements) await sql.raw(statement).execute(db);
}
