/**
 * Login lockout per account and client address (src/identity/sessions.ts). The lock was on the account: five
 * wrong passwords from anywhere shut its owner out for fifteen minutes, so anyone who knew the name `finance`
 * could keep the district's finance bureau from signing in. Failures are now counted, and locks set, per account
 * and the address they come from (an IPv6 client by its /64 network): a guesser locks only itself out.
 *
 *   login_failures  one row per account and client: wrong passwords in a row and the lock they set. Deleted on a
 *                   successful login from that client, by an administrator's unlock, a new password, and
 *                   hourly once stale.
 *
 * users.failed_logins and users.locked_until, the account-wide counter and lock, are dropped: nothing reads them.
 */
import { sql, type Kysely } from 'kysely';

const statements = [
  `create table login_failures (
     user_id bigint not null references users (id),
     client text not null,
     failures integer not null check (failures >= 0),
     last_failed_at timestamptz not null,
     locked_until timestamptz,
     primary key (user_id, client)
   )`,
  `create index login_failures_stale_idx on login_failures (last_failed_at)`,
  `alter table users drop column failed_logins`,
  `alter table users drop column locked_until`,
];

export async function up(db: Kysely<any>): Promise<void> {
  // One statement per call: PGlite's extended protocol rejects multi-statement strings.
  for (const statement of statements) await sql.raw(statement).execute(db);
}
