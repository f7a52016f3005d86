import { describe, expect, it } from 'vitest';
import { checkPasswordStrength, hashPassword, needsRehash, verifyPassword } from './passwords.ts';
import { DEFAULT_SECURITY_CONFIG, loadSecurityConfig } from './security-config.ts';

const cheap = { N: 2 ** 10, r: 8, p: 1, keyLength: 32 };

describe('passwords', () => {
  it('hashes with a fresh salt and verifies only the right password', async () => {
    const a = await hashPassword('correct horse 电池', cheap);
    const b = await hashPassword('correct horse 电池', cheap);
    expect(a).toMatch(/^scrypt\$1024\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse 电池', a)).toBe(true);
    expect(await verifyPassword('correct horse 电池 ', a)).toBe(false);
    expect(await verifyPassword('', a)).toBe(false);
  });

  it('verifies with the default (production) parameters', async () => {
    const stored = await hashPassword('Kaifang-2020!', DEFAULT_SECURITY_CONFIG.scrypt);
    expect(stored.startsWith('scrypt$32768$8$1$')).toBe(true);
    expect(await verifyPassword('Kaifang-2020!', stored)).toBe(true);
  });

  it('never matches a malformed stored hash', async () => {
    for (const stored of ['', 'x', 'scrypt$0$8$1$AA==$AA==', 'bcrypt$1$2$3$4$5', 'scrypt$1024$8$1$AAAA$']) {
      expect(await verifyPassword('anything', stored)).toBe(false);
    }
  });

  it('asks for a re-hash when the parameters changed', async () => {
    const stored = await hashPassword('some password', cheap);
    expect(needsRehash(stored, cheap)).toBe(false);
    expect(needsRehash(stored, { ...cheap, N: 2 ** 11 })).toBe(true);
  });

  it('rejects short, repetitive and username-containing passwords', () => {
    const config = { ...DEFAULT_SECURITY_CONFIG, minPasswordLength: 10 };
    expect(() => checkPasswordStrength('abc123xyz', config)).toThrow(/at least 10 characters/);
    expect(() => checkPasswordStrength('abc123xyzw', config)).not.toThrow();
    expect(() => checkPasswordStrength('aaaaabbbbb', config)).toThrow(/too simple/);
    expect(() => checkPasswordStrength('zhangsan-2020', config, 'zhangsan')).toThrow(/username/);
    expect(() => checkPasswordStrength(undefined, config)).toThrow(/string/);
  });
});

describe('security configuration', () => {
  it('has defaults and takes overrides from the environment', () => {
    expect(loadSecurityConfig({})).toEqual({ ...DEFAULT_SECURITY_CONFIG, scrypt: { ...DEFAULT_SECURITY_CONFIG.scrypt } });
    const c = loadSecurityConfig({ KAIFANG_LOGIN_MAX_FAILURES: '3', KAIFANG_SESSION_IDLE_MINUTES: '10', KAIFANG_SCRYPT_LOG2_N: '16' });
    expect([c.maxFailedLogins, c.sessionIdleMinutes, c.scrypt.N]).toEqual([3, 10, 65536]);
    // 0 turns the session recheck window off; elsewhere 0 is refused
    expect(loadSecurityConfig({ KAIFANG_SESSION_RECHECK_MS: '0' }).sessionRecheckMs).toBe(0);
    expect(() => loadSecurityConfig({ KAIFANG_SESSION_RECHECK_MS: '-1' })).toThrow(/KAIFANG_SESSION_RECHECK_MS must be a non-negative integer/);
    expect(() => loadSecurityConfig({ KAIFANG_SESSION_TOUCH_SECONDS: '0' })).toThrow(/must be a positive integer/);
  });

  it('rejects a malformed value instead of silently using the default', () => {
    expect(() => loadSecurityConfig({ KAIFANG_LOGIN_LOCKOUT_MINUTES: 'fifteen' })).toThrow(/KAIFANG_LOGIN_LOCKOUT_MINUTES must be a positive integer/);
    expect(() => loadSecurityConfig({ KAIFANG_SCRYPT_LOG2_N: '4' })).toThrow(/from 10 to 20/);
  });
});
