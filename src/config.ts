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
}

export function platformConfig(env: Record<string, string | undefined> = process.env): PlatformConfig {
  const int = (name: string, dflt: number) => {
    const v = env[name];
    if (v === undefined || v === '') return dflt;
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, not "${v}"`);
    return n;
  };
  return {
    publicityDays: int('KAIFANG_PUBLICITY_DAYS', 7),
    generalProvisionsLeadUnit: env.KAIFANG_GENERAL_LEAD_UNIT || 'development-reform-commission',
    maxEvidenceBytes: int('KAIFANG_MAX_EVIDENCE_BYTES', 10 * 1024 * 1024),
    evidenceDir: env.KAIFANG_EVIDENCE_DIR || './data/evidence',
    idempotencyHours: int('KAIFANG_IDEMPOTENCY_HOURS', 24),
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
