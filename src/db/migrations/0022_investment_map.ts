/**
 * The investment map (issue 13; measures 15, 17, 18, 30): its features, the leads behind them, and 产业定制地 cases.
 *
 * investment_features keeps every version of every feature (parcel, carrier, opportunity, route): an edit closes the
 * current version (valid_to) and adds the next, so the map can be drawn as of any instant and nothing is overwritten.
 * `code` is the feature's stable key (地块编号); at most one current version per (layer, code). Geometry is GeoJSON in
 * jsonb (no PostGIS: the same on PGlite and PostgreSQL), checked before it is stored (src/investment/geometry.ts).
 *
 * investment_leads: a lead (招商信息) with its first reporter (首报人) and the audit record that time-stamps the report;
 * a duplicate points at the lead first reported for the same project (duplicate_of) and is never counted twice.
 * investment_lead_events is the lead's append-only history (stages, owners, the reward proposal).
 */
import { sql, type Kysely } from 'kysely';

const statements = [
  `create table investment_features (
     id bigint generated always as identity primary key,
     layer text not null check (layer in ('parcel', 'carrier', 'opportunity', 'route')),
     code text not null check (length(code) between 1 and 60),
     version integer not null check (version >= 1),
     name text not null,
     area_id text not null,
     geometry jsonb not null check (jsonb_typeof(geometry) = 'object'),
     props jsonb not null default '{}' check (jsonb_typeof(props) = 'object'),
     owner_unit text not null,
     retired boolean not null default false,
     valid_from timestamptz not null default now(),
     valid_to timestamptz,
     updated_by bigint references users(id),
     confirmed_at timestamptz not null default now(),
     unique (layer, code, version),
     check (valid_to is null or valid_to >= valid_from)
   )`,
  `create unique index investment_features_current on investment_features (layer, code) where valid_to is null`,
  `create index investment_features_current_layer on investment_features (layer, area_id) where valid_to is null`,
  `create table investment_leads (
     id bigint generated always as identity primary key,
     project_name text not null,
     project_key text not null,
     enterprise_name text not null,
     industry text not null,
     amount_fen bigint not null check (amount_fen >= 0),
     source text not null,
     first_reporter text not null,
     reporter_contact text,
     reported_by bigint references users(id),
     reported_at timestamptz not null default now(),
     audit_id bigint,
     duplicate_of bigint references investment_leads(id),
     stage text not null,
     owners jsonb not null default '{}' check (jsonb_typeof(owners) = 'object'),
     opportunity_code text,
     site_code text,
     area_id text,
     project jsonb,
     landed_on date,
     reward_status text check (reward_status in ('proposed', 'set')),
     reward_fen bigint check (reward_fen >= 0),
     reward_note text,
     version integer not null default 1,
     check (duplicate_of is null or duplicate_of <> id)
   )`,
  `create index investment_leads_key on investment_leads (project_key)`,
  `create index investment_leads_stage on investment_leads (stage, id)`,
  `create table investment_lead_events (
     id bigint generated always as identity primary key,
     lead_id bigint not null references investment_leads(id),
     kind text not null,
     from_stage text,
     to_stage text,
     owner text,
     amount_fen bigint,
     note text,
     by_user bigint references users(id),
     at timestamptz not null default now()
   )`,
  `create index investment_lead_events_lead on investment_lead_events (lead_id, id)`,
  `create table custom_land_cases (
     id bigint generated always as identity primary key,
     parcel_code text not null,
     lead_id bigint references investment_leads(id),
     enterprise_name text not null,
     requirements text not null,
     started_on date not null,
     steps jsonb not null check (jsonb_typeof(steps) = 'array'),
     created_by bigint references users(id),
     created_at timestamptz not null default now()
   )`,
];

export async function up(db: Kysely<any>): Promise<void> {
  // One statement per call: PGlite's extended protocol rejects multi-statement strings.
  for (const s of statements) await sql.raw(s).execute(db);
}
