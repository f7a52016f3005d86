/**
 * Platform security settings (not policy: these numbers come from the platform's operators, not the law).
 * One place, with defaults, overridable from the environment so an operator can tighten them without a
 * code change. Passwords hashed with older scrypt parameters still verify, and are re-hashed on login.
 */
export interface ScryptParams {
  /** CPU/memory cost, a power of two. Memory used is 128 · N · r bytes. */
  N: number;
  r: number;
  p: number;
  keyLength: number;
}

export interface SecurityConfig {
  /** Failed password attempts in a row that lock an account … */
  maxFailedLogins: number;
  /** … for this many minutes. */
  lockoutMinutes: number;
  /** A session unused this long ends (idle timeout). */
  sessionIdleMinutes: number;
  /** A session ends this long after login however busy it is. */
  sessionMaxHours: number;
  /** last_seen is written at most this often per session, so busy sessions do not write on every request. */
  sessionTouchSeconds: number;
  /** A session checked against the database this recently is not looked up again (recent-sessions.ts); 0: always. */
  sessionRecheckMs: number;
  /**
   * Login attempts one client address may make per minute, whatever the usernames (per server process): the
   * per-account lockout does not stop one address trying many accounts. Generous, because a town's offices
   * often reach the platform through one address.
   */
  loginAttemptsPerMinute: number;
  minPasswordLength: number;
  scrypt: ScryptParams;
}

export const DEFAULT_SECURITY_CONFIG: Readonly<SecurityConfig> = Object.freeze({
  maxFailedLogins: 5,
  lockoutMinutes: 15,
  sessionIdleMinutes: 30,
  sessionMaxHours: 12,
  sessionTouchSeconds: 60,
  sessionRecheckMs: 1000,
  loginAttemptsPerMinute: 60,
  minPasswordLength: 10,
  // 32 MiB and about 0.1 s per hash on a small server: costly to brute-force, affordable per login.
  scrypt: Object.freeze({ N: 2 ** 15, r: 8, p: 1, keyLength: 32 }),
});

const ENV: Array<[keyof Omit<SecurityConfig, 'scrypt'>, string]> = [
  ['maxFailedLogins', 'KAIFANG_LOGIN_MAX_FAILURES'],
  ['lockoutMinutes', 'KAIFANG_LOGIN_LOCKOUT_MINUTES'],
  ['sessionIdleMinutes', 'KAIFANG_SESSION_IDLE_MINUTES'],
  ['sessionMaxHours', 'KAIFANG_SESSION_MAX_HOURS'],
  ['sessionTouchSeconds', 'KAIFANG_SESSION_TOUCH_SECONDS'],
  ['minPasswordLength', 'KAIFANG_PASSWORD_MIN_LENGTH'],
  ['sessionRecheckMs', 'KAIFANG_SESSION_RECHECK_MS'],
  ['loginAttemptsPerMinute', 'KAIFANG_LOGIN_ATTEMPTS_PER_MINUTE'],
];
/** Settings where 0 means "off". */
const ZERO_ALLOWED = new Set<string>(['sessionRecheckMs']);

/** Defaults, overridden by KAIFANG_* environment variables; a malformed value is an error, not ignored. */
export function loadSecurityConfig(env: Record<string, string | undefined> = process.env): SecurityConfig {
  const config: SecurityConfig = { ...DEFAULT_SECURITY_CONFIG, scrypt: { ...DEFAULT_SECURITY_CONFIG.scrypt } };
  for (const [key, name] of ENV) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const n = Number(raw);
    const min = ZERO_ALLOWED.has(key) ? 0 : 1;
    if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be ${min ? 'a positive' : 'a non-negative'} integer, got "${raw}"`);
    config[key] = n;
  }
  const logN = env.KAIFANG_SCRYPT_LOG2_N;
  if (logN !== undefined && logN !== '') {
    const n = Number(logN);
    if (!Number.isInteger(n) || n < 10 || n > 20) throw new Error(`KAIFANG_SCRYPT_LOG2_N must be an integer from 10 to 20, got "${logN}"`);
    config.scrypt.N = 2 ** n;
  }
  return config;
}

let current: SecurityConfig | undefined;

/** The process's configuration, read from the environment once. */
export function securityConfig(): SecurityConfig {
  current ??= loadSecurityConfig();
  return current;
}
