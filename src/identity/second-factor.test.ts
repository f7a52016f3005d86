import { describe, expect, it } from 'vitest';
import { Secret } from 'otpauth';
import { DEFAULT_SECURITY_CONFIG } from './security-config.ts';
import { acceptedStep, currentCode, parseCode } from './second-factor.ts';
import { checkPasswordStrength } from './passwords.ts';
import { generateOneTimePassword } from './user-admin.ts';

const secret = new Secret({ size: 20 }).base32;
// the start of a 30-second step, so that ±29 s stays inside the neighbouring steps
const T = new Date(Math.floor(Date.parse('2026-12-07T02:00:00Z') / 30_000) * 30_000);
const at = (seconds: number) => new Date(T.getTime() + seconds * 1000);
const step = Math.floor(T.getTime() / 30_000);

describe('TOTP codes', () => {
  it('accepts the code of this step and of one step either side (a phone clock 30 s off), and no further', () => {
    expect(acceptedStep(secret, currentCode(secret, T), null, T)).toBe(step);
    expect(acceptedStep(secret, currentCode(secret, at(-30)), null, T)).toBe(step - 1);
    expect(acceptedStep(secret, currentCode(secret, at(30)), null, T)).toBe(step + 1);
    const far = [currentCode(secret, at(-60)), currentCode(secret, at(60))].filter((c) => ![-30, 0, 30].some((d) => currentCode(secret, at(d)) === c));
    for (const c of far) expect(acceptedStep(secret, c, null, T)).toBeNull();
  });

  it('never accepts a code of a step already used, nor an earlier one', () => {
    const code = currentCode(secret, T);
    expect(acceptedStep(secret, code, step - 1, T)).toBe(step);
    expect(acceptedStep(secret, code, step, T)).toBeNull();
    expect(acceptedStep(secret, currentCode(secret, at(-30)), step - 1, T)).toBeNull();
    expect(acceptedStep(secret, currentCode(secret, at(30)), step, T)).toBe(step + 1);
  });

  it('reads a code as people type it, and names the field when it is not 6 digits', () => {
    expect(parseCode(' 123 456 ')).toBe('123456');
    for (const bad of ['12345', '1234567', 'abcdef', 123456, undefined]) {
      expect(() => parseCode(bad)).toThrow(expect.objectContaining({ code: 'invalid_code', path: 'code' }));
    }
  });
});

describe('one-time passwords', () => {
  it('pass the platform password rules, avoid look-alike characters, and differ every time', () => {
    const config = { ...DEFAULT_SECURITY_CONFIG, minPasswordLength: 16 };
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const pw = generateOneTimePassword(config, 'abcd');
      expect(() => checkPasswordStrength(pw, config, 'abcd')).not.toThrow();
      expect(pw.replace(/-/g, '')).toHaveLength(16);
      expect(pw).not.toMatch(/[01OIl]/);
      seen.add(pw);
    }
    expect(seen.size).toBe(200);
    expect(generateOneTimePassword(DEFAULT_SECURITY_CONFIG).replace(/-/g, '')).toHaveLength(12);
  });
});
