/**
 * The date of a claim's qualifying event (listing, award, recognition …: the policy period is tested on it),
 * and the facts an enterprise keeps on file per year (the portal's "what may I be entitled to").
 */
import { sql, type Kysely } from 'kysely';

const statements = [
  `alter table claims add column event_on date`,
  `create table enterprise_facts (
     enterprise_uscc text not null references enterprises (uscc),
     year integer not null check (year between 2000 and 2100),
     facts jsonb not null default '{}' check (jsonb_typeof(facts) = 'object'),
     updated_by bigint references users (id),
     updated_at timestamptz not null default now(),
     primary key (enterprise_uscc, year)
   )`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const s of statements) await sql.raw(s).execute(db);
}
