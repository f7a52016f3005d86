/**
 * Working-day calendar years entered in the app (src/calendar/official-calendar.ts): the State Council's holiday
 * arrangement of a year after those shipped in calendars/cn-workdays.yaml, entered by an administrator when the
 * notice is published (each November), so that a district never needs a developer to move `coveredThrough` on.
 * One row per year (a corrected entry replaces it: version + 1); every save is in the audit log with the entry.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`create table calendar_years (
      year integer primary key check (year between 2000 and 2999),
      entry jsonb not null,
      version integer not null default 1,
      entered_by bigint references users (id),
      entered_at timestamptz not null default now()
    )`.execute(db);
}
