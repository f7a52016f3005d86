/**
 * Browsing the whole audit trail, and each user's inbox.
 *
 * The audit page reads the trail a page at a time, newest first, by seeking from the last id shown (never by
 * OFFSET or a count: the trail grows to millions of records). Each filter gets an index that ends in id, so that
 * "the newest 50 records of this action/actor/entity before id N" is a short walk down one index:
 *   action, actor (the username as recorded), (entity, entity_id) — replacing the index without id —, the client
 *   address (text_pattern_ops, so that a prefix such as 10.1. uses it too), and `at` for date ranges.
 * The index on actor_user_id is replaced by one ending in id for the same reason.
 * The cost: four more index entries per audit record written; a decision writes one record.
 *
 *   inbox_marks   per user, the newest audit record id their inbox has shown as seen (src/inbox/inbox.ts): what
 *                 changed since is "new". Not an audit record itself: opening one's inbox changes nothing.
 */
import { sql, type Kysely } from 'kysely';

const statements = [
  `create index audit_log_action_id_idx on audit_log (action, id)`,
  `create index audit_log_actor_name_id_idx on audit_log (actor, id)`,
  `create index audit_log_entity_id_idx on audit_log (entity, entity_id, id)`,
  `drop index audit_log_entity_idx`,
  `create index audit_log_actor_user_id_idx on audit_log (actor_user_id, id) where actor_user_id is not null`,
  `drop index audit_log_actor_idx`,
  `create index audit_log_ip_id_idx on audit_log (ip text_pattern_ops, id) where ip is not null`,
  `create index audit_log_at_idx on audit_log (at)`,
  `create table inbox_marks (
     user_id bigint primary key references users (id),
     seen_id bigint not null check (seen_id >= 0),
     seen_at timestamptz not null default now()
   )`,
];

export async function up(db: Kysely<any>): Promise<void> {
  // One statement per call: PGlite's extended protocol rejects multi-statement strings.
  for (const statement of statements) await sql.raw(statement).execute(db);
}
