/**
 * 综合金融服务平台 (issue 12, measure 21: “高效满足中小微企业融资需求，争取到2020年底通过综合金融服务平台解决企业融资规模
 * 累计达1000亿元”): the role `bank` (one account per branch), the bank products 金融办 keeps, enterprises' financing
 * needs, and each need's matches to products with the reasons, the bank's answer and the outcome (src/service-desk/
 * financing.ts).
 */
import { sql, type Kysely } from 'kysely';

const statements = [
  `alter table users drop constraint users_role_check`,
  `alter table users add constraint users_role_check check (role in ('enterprise', 'areaReviewer', 'departmentReviewer', 'finance', 'auditor', 'admin', 'bank'))`,
  `create table financing_products (
      id bigint generated always as identity primary key,
      bank_user_id bigint not null references users (id),
      name text not null check (length(btrim(name)) > 0),
      kind text not null,
      min_fen bigint not null check (min_fen >= 0),
      max_fen bigint not null check (max_fen >= min_fen),
      max_term_months integer not null check (max_term_months between 1 and 360),
      securities jsonb not null,
      active boolean not null default true,
      created_by bigint references users (id),
      created_at timestamptz not null default now()
    )`,
  `create table financing_needs (
      id bigint generated always as identity primary key,
      enterprise_uscc text not null references enterprises (uscc),
      amount_fen bigint not null check (amount_fen > 0),
      term_months integer not null check (term_months between 1 and 360),
      purpose text not null check (length(btrim(purpose)) > 0),
      security text not null,
      urgency text not null check (urgency in ('normal', 'urgent')),
      posted_on date not null,
      posted_by bigint references users (id),
      posted_at timestamptz not null default now()
    )`,
  `create index financing_needs_by_enterprise on financing_needs (enterprise_uscc, id)`,
  `create table financing_matches (
      id bigint generated always as identity primary key,
      need_id bigint not null references financing_needs (id),
      product_id bigint not null references financing_products (id),
      bank_user_id bigint not null references users (id),
      reasons jsonb not null,
      status text not null default 'pending' check (status in ('pending', 'interested', 'declined', 'granted')),
      note text,
      granted_fen bigint check (granted_fen > 0),
      granted_on date,
      answered_at timestamptz,
      unique (need_id, product_id),
      check ((status = 'granted') = (granted_fen is not null and granted_on is not null))
    )`,
  `create index financing_matches_by_bank on financing_matches (bank_user_id, status, id)`,
];

export async function up(db: Kysely<any>): Promise<void> {
  // One statement per call: PGlite's extended protocol rejects multi-statement strings.
  for (const statement of statements) await sql.raw(statement).execute(db);
}
