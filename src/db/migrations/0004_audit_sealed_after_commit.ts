/**
 * The audit chain is sealed after commit instead of inside every writing transaction.
 *
 * Before: each append took one global advisory lock, read the chain's tail and inserted the record with its
 * seq and hash, so every writing transaction of the platform queued on that lock until it committed — the
 * whole platform wrote one transaction at a time (measured: ~230 decisions/s on PostgreSQL, the CPUs half idle).
 *
 * Now: a record is inserted unsealed (no seq, prev_hash, hash) in the caller's transaction, with no lock; a
 * sealer (src/audit/audit-log.ts sealAuditChain, run by the server every moment and by the CLI) takes the
 * records committed since, in insert order, and gives each its place in the chain: seq (1, 2, 3 … without
 * gaps), prev_hash and hash. The only UPDATE the table allows is that one, once, with nothing else changed;
 * an INSERT cannot bring its own chain fields, so only the sealer makes chain records.
 *
 * Columns: the old `seq` (insert order, primary key) becomes `id`; a new `seq` is the chain position.
 * Records already in the chain keep their position (seq = id) and their hashes, which do not change.
 */
import { sql, type Kysely } from 'kysely';

const statements = [
  `alter table audit_log rename column seq to id`,
  // The old appends gave seq explicitly, so the column's sequence never moved: start it after the last record,
  // or the first new insert would collide with record #1.
  `select setval(pg_get_serial_sequence('audit_log', 'id'), coalesce((select max(id) from audit_log), 0) + 1, false)`,
  `alter table audit_log add column seq bigint`,
  `alter table audit_log disable trigger audit_log_append_only`,
  `update audit_log set seq = id`,
  `alter table audit_log enable trigger audit_log_append_only`,
  // Unique where sealed only, so that an unsealed insert does not touch these indexes (one record per decision
  // is written on the platform's hot path). The hash needs no unique index of its own: prev_hash's is what
  // refuses a fork, and a repeated hash would mean a broken sha256.
  `alter table audit_log drop constraint audit_log_hash_key`,
  `alter table audit_log drop constraint audit_log_prev_hash_key`,
  `create unique index audit_log_seq_unique on audit_log (seq) where seq is not null`,
  `create unique index audit_log_prev_hash_unique on audit_log (prev_hash) where prev_hash is not null`,
  `alter table audit_log alter column prev_hash drop not null`,
  `alter table audit_log alter column hash drop not null`,
  `alter table audit_log add constraint audit_log_sealed_whole
     check ((seq is null) = (hash is null) and (hash is null) = (prev_hash is null))`,
  `create index audit_log_unsealed_idx on audit_log (id) where hash is null`,
  `create function kaifang_audit_append_only() returns trigger language plpgsql as $$
   begin
     if tg_op = 'INSERT' then
       if new.seq is not null or new.prev_hash is not null or new.hash is not null then
         raise exception 'audit_log is append-only: a record is inserted unsealed and only the sealer chains it'
           using errcode = 'restrict_violation';
       end if;
       return new;
     end if;
     if tg_op = 'UPDATE' and old.hash is null and new.hash is not null
        and (new.id, new.at, new.actor, new.actor_user_id, new.action, new.entity, new.entity_id, new.ip, new.details)
            is not distinct from
            (old.id, old.at, old.actor, old.actor_user_id, old.action, old.entity, old.entity_id, old.ip, old.details) then
       return new;
     end if;
     raise exception 'audit_log is append-only: % is not allowed (a record is only ever sealed, once)', tg_op
       using errcode = 'restrict_violation';
   end $$`,
  `drop trigger audit_log_append_only on audit_log`,
  `create trigger audit_log_append_only before insert or update or delete on audit_log
     for each row execute function kaifang_audit_append_only()`,
];

export async function up(db: Kysely<any>): Promise<void> {
  // One statement per call: PGlite's extended protocol rejects multi-statement strings.
  for (const statement of statements) await sql.raw(statement).execute(db);
}
