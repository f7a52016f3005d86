import { describe, expect, it } from 'vitest';
import { KaifangError } from '../errors.ts';
import { generateUscc, isValidUscc, parseUscc, seededRandom, usccCheckCharacter } from './uscc.ts';

function errorOf(input: unknown): KaifangError {
  try {
    parseUscc(input);
  } catch (e) {
    if (e instanceof KaifangError) return e;
    throw e;
  }
  throw new Error(`expected ${String(input)} to be rejected`);
}

describe('统一社会信用代码 (GB 32100-2015)', () => {
  // Published codes of well-known companies: the check algorithm must agree with the issuing authority.
  it.each(['91440300708461136T', '9144030071526726XG', '91330100799655058B', '91110000802100433B'])('accepts the real code %s', (code) => {
    expect(parseUscc(code)).toBe(code);
  });

  it('normalises case and surrounding spaces', () => {
    expect(parseUscc(' 91440300708461136t ')).toBe('91440300708461136T');
  });

  it('rejects a wrong check character and says what it should be', () => {
    const e = errorOf('91440300708461136U');
    expect(e.code).toBe('invalid_uscc');
    expect(e.path).toBe('uscc');
    expect(e.messageZh).toContain('第18位校验码“U”不正确');
    expect(e.messageZh).toContain('应为“T”');
    expect(e.messageEn).toContain('should be "T"');
    expect(e.details).toEqual({ position: 18, character: 'U', expected: 'T' });
  });

  it('catches a single mistyped character elsewhere through the check character', () => {
    expect(isValidUscc('91440300708461137T')).toBe(false);
    expect(isValidUscc('91440300708461136T')).toBe(true);
  });

  it('names a forbidden letter and its position', () => {
    const e = errorOf('9144030070846113IT');
    expect(e.messageZh).toContain('第17位“I”无效');
    expect(e.messageEn).toContain('character 17 "I"');
    expect(e.messageEn).toContain('never uses the letters I, O, Z, S, V');
    for (const letter of 'OZSV') expect(isValidUscc(`9144030070846113${letter}T`)).toBe(false);
  });

  it('requires digits in the division code (characters 3–8)', () => {
    const e = errorOf('91A40300708461136T');
    expect(e.messageZh).toContain('第3位“A”无效');
  });

  it('names the length when it is not 18', () => {
    expect(errorOf('9144030070846113').messageZh).toContain('应为18位，实际为16位');
    expect(errorOf('91440300708461136TT').messageEn).toContain('has 19');
    expect(errorOf(12345).messageEn).toContain('must be a string');
  });

  it('computes check characters over the whole alphabet range (31 → 0)', () => {
    // Σ = 0 gives 31 − 0 = 31, which the standard maps to 0.
    expect(usccCheckCharacter('00000000000000000')).toBe('0');
    expect(usccCheckCharacter('91440300708461136')).toBe('T');
  });

  it('generates valid, reproducible codes in 吴江区', () => {
    const a = Array.from({ length: 200 }, (_, i) => generateUscc({ random: seededRandom(i) }));
    for (const code of a) {
      expect(parseUscc(code)).toBe(code);
      expect(code.slice(2, 8)).toBe('320509');
    }
    expect(generateUscc({ random: seededRandom(7) })).toBe(generateUscc({ random: seededRandom(7) }));
    expect(new Set(a).size).toBe(200);
  });
});
