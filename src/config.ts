/**
 * Platform configuration: how Kaifang runs, not what the policy says (the policy's numbers live in policies/).
 * Each setting has a default and an environment variable.
 */
export interface PlatformConfig {
  /** 公示 period in calendar days; Suzhou and Wujiang publish award lists for 7 days */
  publicityDays: number;
  /** department that handles claims under the general provisions (附则: 一事一议 for major breakthroughs) */
  generalProvisionsLeadUnit: string;
  /** largest evidence file accepted, bytes */
  maxEvidenceBytes: number;
  /** where uploaded evidence is kept (content-addressed by sha256) */
  evidenceDir: string;
  /** how long an Idempotency-Key is remembered, hours */
  idempotencyHours: number;
  /** Excel imports: most data rows one import reads (reading stops at the next one) */
  importMaxRows: number;
  /** Excel imports: most bytes a workbook may hold and expand to (the XML read, checked before inflating) */
  importMaxBytes: number;
  /** Excel imports: how many one server process reads at once; more are refused 503 `import_busy` */
  importsAtOnce: number;
  /** 'MM-DD': from this day of the last covered year, officials are reminded to enter next year's holiday notice */
  calendarReminderFrom: string;
}

export function platformConfig(env: Record<string, string | undefined> = process.env): PlatformConfig {
  const int = (name: string, dflt: number) => {
    const v = env[name];
    if (v === undefined || v === '') return dflt;
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, not "${v}"`);
    return n;
  };
  const monthDay = (name: string, dflt: string) => {
    const v = env[name];
    if (v === undefined || v === '') return dflt;
    if (!/^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/.test(v)) throw new Error(`${name} must be a month and day MM-DD, not "${v}"`);
    return v;
  };
  return {
    publicityDays: int('KAIFANG_PUBLICITY_DAYS', 7),
    generalProvisionsLeadUnit: env.KAIFANG_GENERAL_LEAD_UNIT || 'development-reform-commission',
    maxEvidenceBytes: int('KAIFANG_MAX_EVIDENCE_BYTES', 10 * 1024 * 1024),
    evidenceDir: env.KAIFANG_EVIDENCE_DIR || './data/evidence',
    idempotencyHours: int('KAIFANG_IDEMPOTENCY_HOURS', 24),
    importMaxRows: int('KAIFANG_IMPORT_MAX_ROWS', 10_000),
    importMaxBytes: int('KAIFANG_IMPORT_MAX_BYTES', 64 * 1024 * 1024),
    importsAtOnce: int('KAIFANG_IMPORTS_AT_ONCE', 2),
    calendarReminderFrom: monthDay('KAIFANG_CALENDAR_REMINDER_FROM', '11-01'),
  };
}

/**
 * Which reverse proxies may say who the client is (X-Forwarded-For), for the "from where" of every audit record.
 * Unset: none — the address of the connection is the client, so nobody can write another address into the
 * audit log by sending the header. Behind a proxy, name it: `KAIFANG_TRUST_PROXY=10.0.0.5` or a comma-separated
 * list of addresses and CIDR ranges; `true` trusts every hop (only where no client can reach the server
 * directly). Fastify's `trustProxy` takes these forms.
 */
export function trustProxySetting(env: Record<string, string | undefined> = process.env): boolean | string {
  const v = (env.KAIFANG_TRUST_PROXY ?? '').trim();
  if (v === '' || v === 'false') return false;
  if (v === 'true') return true;
  const parts = v.split(',').map((x) => x.trim());
  if (parts.some((x) => !/^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(x))) {
    throw new Error(`KAIFANG_TRUST_PROXY must be true, or addresses and CIDR ranges separated by commas, not "${v}"`);
  }
  return parts.join(',');
}

/**
 * Origins besides the server's own whose browser pages may change things here (csrf.ts): comma-separated
 * `scheme://host[:port]`, e.g. `https://kaifang.wujiang.gov.cn` when a proxy gives the server another Host.
 * Unset: only the server's own origin.
 */
export function allowedOriginsSetting(env: Record<string, string | undefined> = process.env): string[] {
  const v = (env.KAIFANG_ALLOWED_ORIGINS ?? '').trim();
  if (!v) return [];
  return v.split(',').map((raw) => {
    const x = raw.trim();
    let url: URL | undefined;
    try {
      url = new URL(x);
    } catch {
      /* reported below */
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== x.replace(/\/$/, '')) {
      throw new Error(`KAIFANG_ALLOWED_ORIGINS must be origins (scheme://host[:port], no path) separated by commas, not "${x}"`);
    }
    return url.origin;
  });
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * How much the server logs (pino, JSON lines on stdout): server faults (5xx) with their stack and request id at
 * `error`, start and stop at `info`, every request at `debug`. Default `info`; `warn` under tests
 * (NODE_ENV=test), so suites stay quiet but still show a server fault; `silent` turns logging off.
 */
export function logLevelSetting(env: Record<string, string | undefined> = process.env): LogLevel {
  const v = (env.KAIFANG_LOG_LEVEL ?? '').trim();
  if (!v) return env.NODE_ENV === 'test' ? 'warn' : 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(v)) throw new Error(`KAIFANG_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, not "${v}"`);
  return v as LogLevel;
}
