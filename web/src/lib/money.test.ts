// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { fenToInput, fenToWanText, fenToYuanText, formatMoney, formatMoneyFull, groupThousands, moneyFactToFen, MoneyInputError, parseMoneyText, parseMoneyToFen } from './money';

describe('display', () => {
  it('groups thousands', () => {
    expect(groupThousands('1')).toBe('1');
    expect(groupThousands('999')).toBe('999');
    expect(groupThousands('1000')).toBe('1,000');
    expect(groupThousands('1234567')).toBe('1,234,567');
  });

  it('元 always has two decimals and separators', () => {
    expect(fenToYuanText(0)).toBe('0.00');
    expect(fenToYuanText(1)).toBe('0.01');
    expect(fenToYuanText(123456)).toBe('1,234.56');
    expect(fenToYuanText(300_000_000)).toBe('3,000,000.00');
    expect(fenToYuanText(-5)).toBe('-0.05');
  });

  it('万元 keeps only the decimals that carry value, down to the fen', () => {
    expect(fenToWanText(300_000_000)).toBe('300');
    expect(fenToWanText(2_500_000_000)).toBe('2,500');
    expect(fenToWanText(599_940_000)).toBe('599.94');
    expect(fenToWanText(1_999_999_999)).toBe('1,999.999999');
    expect(fenToWanText(1)).toBe('0.000001');
  });

  it('formatMoney picks 万元 from 1万元 up, 元 below, and the unit asked for', () => {
    expect(formatMoney(300_000_000)).toBe('300万元');
    expect(formatMoney(1_000_000)).toBe('1万元');
    expect(formatMoney(999_999)).toBe('9,999.99元');
    expect(formatMoney(300_000_000, { unit: 'yuan' })).toBe('3,000,000.00元');
    expect(formatMoney(50_000, { unit: 'wan' })).toBe('0.05万元');
    expect(formatMoney(null)).toBe('—');
    expect(formatMoney(undefined)).toBe('—');
  });

  it('English says yuan', () => {
    expect(formatMoney(123456, { lang: 'en' })).toBe('1,234.56 yuan');
    expect(formatMoney(300_000_000, { lang: 'en' })).toBe('3,000,000.00 yuan');
    expect(formatMoney(300_000_000, { lang: 'en', unit: 'wan' })).toBe('300 × 10k yuan');
    expect(formatMoney(300_000_000, { lang: 'en', unit: 'yuan' })).toBe('3,000,000.00 yuan');
    expect(formatMoneyFull(300_000_000, 'en')).toBe('3,000,000.00 yuan (300万元)');
  });

  it('full form shows both for large sums', () => {
    expect(formatMoneyFull(300_000_000)).toBe('300万元（3,000,000.00元）');
    expect(formatMoneyFull(999_999)).toBe('9,999.99元');
  });

  it('refuses a non-integer fen rather than rounding', () => {
    expect(() => formatMoney(1.5)).toThrow(RangeError);
  });
});

describe('input', () => {
  it('万元 and 元 to integer fen, exactly', () => {
    expect(parseMoneyToFen('2500', 'wan')).toBe(2_500_000_000);
    expect(parseMoneyToFen(2500, 'wan')).toBe(2_500_000_000);
    expect(parseMoneyToFen('1999', 'wan')).toBe(1_999_000_000);
    expect(parseMoneyToFen('2500.01', 'wan')).toBe(2_500_010_000);
    expect(parseMoneyToFen('0.000001', 'wan')).toBe(1);
    expect(parseMoneyToFen('19999999.99', 'yuan')).toBe(1_999_999_999);
    expect(parseMoneyToFen(19999999.99, 'yuan')).toBe(1_999_999_999);
    expect(parseMoneyToFen('1,234.5', 'yuan')).toBe(123_450);
    expect(parseMoneyToFen('２５００', 'wan')).toBe(2_500_000_000);
    expect(parseMoneyToFen('0', 'yuan')).toBe(0);
    expect(parseMoneyToFen('12.', 'yuan')).toBe(1200);
  });

  it('says what is wrong', () => {
    const err = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e as MoneyInputError;
      }
      throw new Error('did not throw');
    };
    expect(err(() => parseMoneyToFen('', 'wan')).code).toBe('empty');
    expect(err(() => parseMoneyToFen('-1', 'wan')).code).toBe('negative');
    expect(err(() => parseMoneyToFen('abc', 'wan')).code).toBe('not_a_number');
    expect(err(() => parseMoneyToFen('1.001', 'yuan')).code).toBe('too_precise');
    expect(parseMoneyToFen('1.0100', 'yuan')).toBe(101); // trailing zeros are not precision
    expect(err(() => parseMoneyToFen('0.0000001', 'wan')).code).toBe('too_precise');
    expect(err(() => parseMoneyToFen(1e-7, 'wan')).code).toBe('too_precise');
    expect(err(() => parseMoneyToFen('99999999999999', 'wan')).code).toBe('too_large');
    expect(err(() => parseMoneyToFen('1.001', 'yuan')).messageZh).toContain('2位小数');
  });

  it('round-trips through the editable text', () => {
    for (const fen of [0, 1, 99, 100, 123_456, 2_500_000_000, 599_940_000]) {
      expect(parseMoneyToFen(fenToInput(fen, 'wan'), 'wan')).toBe(fen);
      if (fen % 1 === 0) expect(parseMoneyToFen(fenToInput(fen, 'yuan'), 'yuan')).toBe(fen);
    }
    expect(fenToInput(2_500_000_000, 'wan')).toBe('2500');
    expect(fenToInput(2_500_000_000, 'yuan')).toBe('25000000');
    expect(fenToInput(123_456, 'yuan')).toBe('1234.56');
  });
});

describe('stored money text', () => {
  it('reads the units the engine writes', () => {
    expect(parseMoneyText('2800万元')).toBe(2_800_000_000);
    expect(parseMoneyText('1,234.56元')).toBe(123_456);
    expect(parseMoneyText('1.2亿元')).toBe(12_000_000_000);
    expect(parseMoneyText('19999999.99元')).toBe(1_999_999_999);
    expect(parseMoneyText('0.001元')).toBeNull(); // finer than a fen
    expect(parseMoneyText('2800')).toBeNull(); // no unit, no guess
    expect(moneyFactToFen(336_000_000)).toBe(336_000_000);
    expect(moneyFactToFen('2800万元')).toBe(2_800_000_000);
    expect(moneyFactToFen(true)).toBeNull();
  });
});
