/**
 * Anchors of the audit chain (src/audit/anchor.ts): the chain's head — seq and hash — signed with a key kept
 * outside the database and published where the database's owner cannot rewrite it (a file auditors keep).
 *
 * Why: a database superuser can switch the append-only trigger off, edit record M, clear the seals of M and of
 * every later record, and let the sealer chain the forged tail again; the chain then verifies. A signed head hash
 * held outside shows it (the record at the anchored seq no longer has the anchored hash).
 *
 *   platform_installation  one row: a random id naming this installation, written into every anchor so that an
 *                          anchor is never checked against another installation's log by mistake
 *   audit_anchors          every anchor made (also the seq the sealer must never seal at or below again: records
 *                          missing seals there were unsealed behind the trigger). Append-only like the log.
 */
import { sql, type Kysely } from 'kysely';

const statements = [
  `create table platform_installation (
     id text primary key default gen_random_uuid()::text,
     created_at timestamptz not null default now(),
     one_row boolean not null default true unique check (one_row)
   )`,
  `insert into platform_installation default values`,
  `create table audit_anchors (
     id bigserial primary key,
     seq bigint not null check (seq > 0),
     hash text not null,
     head_at timestamptz not null,
     created_at timestamptz not null,
     public_key text not null,
     signature text not null
   )`,
  // The sealer reads max(seq) in the statement that reads the chain's tail: an index makes that one lookup.
  `create index audit_anchors_seq_idx on audit_anchors (seq)`,
  `create function kaifang_audit_anchors_append_only() returns trigger language plpgsql as $$
   begin
     raise exception 'audit_anchors is append-only: % is not allowed', tg_op using errcode = 'restrict_violation';
   end $$`,
  `create trigger audit_anchors_append_only before update or delete on audit_anchors
     for each row execute function kaifang_audit_anchors_append_only()`,
  `create trigger audit_anchors_no_truncate before truncate on audit_anchors
     for each statement execute function kaifang_audit_anchors_append_only()`,
];

export async function up(db: Kysely<any>): Promise<void> {
  // One statement per call: PGlite's extended protocol rejects multi-statement strings.
  for (const statement of statements) await sql.raw(statement).execute(db);
}
