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
  };
}
