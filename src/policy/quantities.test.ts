import { describe, expect, it } from 'vitest';
import { formatFen, mulFracRound, parseFraction, parseMoneyFen } from './quantities.ts';

describe('money and rates as the text writes them', () => {
  it('parses money with its unit exactly, into fen', () => {
    expect(parseMoneyFen('2000万元')).toBe(2_000_000_000);
    expect(parseMoneyFen('1亿元')).toBe(10_000_000_000);
    expect(parseMoneyFen('200元')).toBe(20_000);
    expect(parseMoneyFen('1,234.56元')).toBe(123_456);
    expect(parseMoneyFen('0.01元')).toBe(1);
    expect(parseMoneyFen('1999.9999万元')).toBe(1_999_999_900);
  });
  it('refuses money without a unit or below a fen', () => {
    expect(() => parseMoneyFen('2000')).toThrow(/unit/);
    expect(() => parseMoneyFen('0.001元')).toThrow(/fen/);
  });
  it('parses rates as exact fractions', () => {
    expect(parseFraction('12%')).toEqual({ num: 3, den: 25 });
    expect(parseFraction('1.5')).toEqual({ num: 3, den: 2 });
    expect(() => parseFraction('-3%')).toThrow();
  });
  it('rounds half up once, exactly', () => {
    expect(mulFracRound(25, { num: 6, den: 100 })).toBe(2); // 1.5 → 2
    expect(mulFracRound(24, { num: 6, den: 100 })).toBe(1); // 1.44 → 1
    expect(mulFracRound(2_500_000_000, { num: 12, den: 100 })).toBe(300_000_000);
  });
  it('formats for officials: 万元 when whole, 元 with two decimals otherwise', () => {
    expect(formatFen(2_000_000_000)).toBe('2,000万元');
    expect(formatFen(123_456)).toBe('1,234.56元');
    expect(formatFen(120_000_500)).toBe('1,200,005元');
    expect(formatFen(150_000_000, '元')).toBe('1,500,000元');
    expect(formatFen(1_234_500, '万元')).toBe('1.2345万元');
    expect(formatFen(-10)).toBe('-0.10元');
  });
});
