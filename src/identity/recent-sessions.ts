/**
 * Sessions this process checked against the database a moment ago.
 *
 * Every authenticated request looked its session up in the database: on the decision path, one of five round
 * trips (`npm run bench:http`). A busy user's requests within `sessionRecheckMs` (default 1 s) of a check now
 * reuse it. Everything that ends or changes a session in this process forgets it at once (logout, a new
 * password, disabling the user); the same change made through another server process takes effect there within
 * `sessionRecheckMs`. Idle timeout, maximum age and the last-seen touch are still judged on every request, and
 * fall through to the database when due. `sessionRecheckMs: 0` (KAIFANG_SESSION_RECHECK_MS=0) turns this off.
 */
import type { Principal } from './users.ts';

export interface RecentSession {
  user: Principal;
  expiresAt: Date;
  lastSeenAt: Date;
  /** when the database was asked (the caller's clock, ms) */
  checkedAt: number;
  /** the password was given, the second factor's code not yet (sign-in.ts) */
  secondFactorPending?: boolean;
}

/** Bounded: past this many sessions the memory is simply cleared (each costs one lookup again). */
const MAX_ENTRIES = 10_000;
const recent = new Map<string, RecentSession>();

/** The recent check of this session, if it is younger than `recheckMs` on the caller's clock. */
export function recentSession(tokenHash: string, now: number, recheckMs: number): RecentSession | undefined {
  if (recheckMs <= 0) return undefined;
  const entry = recent.get(tokenHash);
  if (!entry) return undefined;
  const age = now - entry.checkedAt;
  if (age >= 0 && age < recheckMs) return entry;
  recent.delete(tokenHash);
  return undefined;
}

export function rememberSession(tokenHash: string, entry: RecentSession, recheckMs: number): void {
  if (recheckMs <= 0) return;
  if (recent.size >= MAX_ENTRIES) recent.clear();
  recent.set(tokenHash, entry);
}

export function forgetSession(tokenHash: string): void {
  recent.delete(tokenHash);
}

/** A user's sessions changed (password, disabled): forget all of them. */
export function forgetSessionsOf(userId: number): void {
  for (const [hash, entry] of recent) if (entry.user.id === userId) recent.delete(hash);
}
