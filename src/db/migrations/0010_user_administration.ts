/**
 * Users administered from the web app (issue 10, "Users and sign-in"): one-time passwords the user must change,
 * the last sign-in, an enterprise's administrator, and an optional TOTP second factor (src/identity/sign-in.ts,
 * src/identity/second-factor.ts).
 *
 *   users.must_change_password   set by an administrator's create or reset (a one-time password), and on signing
 *                                in with a published password (the demo's) outside the demo; until the user
 *                                changes it the API refuses everything but the change (`password_change_required`)
 *   users.password_changed_at    when the user last chose a password themselves
 *   users.last_login_at          the last complete sign-in (password, and the code when a second factor is on)
 *   users.enterprise_admin       the one user of an enterprise who adds and disables its colleagues (same USCC);
 *                                at most one per enterprise, and only an enterprise user
 *   users.totp_secret            the confirmed TOTP secret (base32); null: no second factor
 *   users.totp_pending_secret    a secret offered for enrolment, not yet confirmed with a code
 *   users.totp_last_step         the 30-second step of the last code accepted: a code is never accepted twice
 *   sessions.second_factor_pending  signed in with the password, the code not yet given: only the code, /api/me and
 *                                sign-out are open
 *   sessions.check_failures      wrong codes or wrong current passwords given in this session; too many end it
 */
import { sql, type Kysely } from 'kysely';

const statements = [
  `alter table users add column must_change_password boolean not null default false`,
  `alter table users add column password_changed_at timestamptz`,
  `alter table users add column last_login_at timestamptz`,
  `alter table users add column enterprise_admin boolean not null default false`,
  `alter table users add constraint users_enterprise_admin_role check (not enterprise_admin or role = 'enterprise')`,
  `create unique index users_one_enterprise_admin on users (enterprise_uscc) where enterprise_admin`,
  `alter table users add column totp_secret text`,
  `alter table users add column totp_pending_secret text`,
  `alter table users add column totp_last_step bigint`,
  `alter table sessions add column second_factor_pending boolean not null default false`,
  `alter table sessions add column check_failures integer not null default 0 check (check_failures >= 0)`,
];

export async function up(db: Kysely<any>): Promise<void> {
  // One statement per call: PGlite's extended protocol rejects multi-statement strings.
  for (const statement of statements) await sql.raw(statement).execute(db);
}
