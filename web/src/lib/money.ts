/**
 * Money on screen and in forms. The API speaks integer fen (分); people speak 元 and 万元. All arithmetic here
 * is on integers (BigInt where a product could pass 2^53), so "2500.01万元" is exactly 25 000 100 元 and never
 * a float that rounds.
 */

export type MoneyUnit = 'yuan' | 'wan';
export type Lang = 'zh' | 'en';

const FEN_PER: Record<MoneyUnit, bigint> = { yuan: 100n, wan: 1_000_000n };
/** decimal places a unit can carry down to the fen */
const SCALE: Record<MoneyUnit, number> = { yuan: 2, wan: 6 };

/** "1234567" → "1,234,567" */
export function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function split(fen: number, unit: MoneyUnit): { neg: boolean; whole: string; frac: string } {
  if (!Number.isSafeInteger(fen)) throw new RangeError(`amount must be integer fen, got ${fen}`);
  const neg = fen < 0;
  const abs = BigInt(Math.abs(fen));
  const per = FEN_PER[unit];
  return { neg, whole: (abs / per).toString(), frac: (abs % per).toString().padStart(SCALE[unit], '0') };
}

/** 元 with two decimals and separators: 300000000 → "3,000,000.00" */
export function fenToYuanText(fen: number): string {
  const { neg, whole, frac } = split(fen, 'yuan');
  return `${neg ? '-' : ''}${groupThousands(whole)}.${frac}`;
}

/** 万元 with separators and only the decimals that carry value: 2500000000 → "2,500"; 5999400000 → "5,999.4" */
export function fenToWanText(fen: number): string {
  const { neg, whole, frac } = split(fen, 'wan');
  const f = frac.replace(/0+$/, '');
  return `${neg ? '-' : ''}${groupThousands(whole)}${f ? '.' + f : ''}`;
}

export interface FormatOptions {
  /** 'auto': 万元 from 1万元 up, else 元 */
  unit?: MoneyUnit | 'auto';
  lang?: Lang;
}

/**
 * One amount for display. zh: "300万元", "1,234.56元"; en: "3,000,000.00 yuan" ("3 million" would hide the
 * fen), or "300 × 10k yuan" where 万元 is asked for.
 */
export function formatMoney(fen: number | null | undefined, opts: FormatOptions = {}): string {
  if (fen === null || fen === undefined) return '—';
  const lang = opts.lang ?? 'zh';
  // English readers get full 元 figures unless 万元 is asked for (chart axes, overview totals)
  const auto = lang === 'en' ? 'yuan' : Math.abs(fen) >= 1_000_000 ? 'wan' : 'yuan';
  const unit = opts.unit === 'auto' || opts.unit === undefined ? auto : opts.unit;
  if (lang === 'en') {
    return unit === 'wan' ? `${fenToWanText(fen)} × 10k yuan` : `${fenToYuanText(fen)} yuan`;
  }
  return unit === 'wan' ? `${fenToWanText(fen)}万元` : `${fenToYuanText(fen)}元`;
}

/** Both forms, for tables where officials check to the fen: "300万元（3,000,000.00元）" */
export function formatMoneyFull(fen: number | null | undefined, lang: Lang = 'zh'): string {
  if (fen === null || fen === undefined) return '—';
  if (Math.abs(fen) < 1_000_000) return formatMoney(fen, { unit: 'yuan', lang });
  return lang === 'en'
    ? `${fenToYuanText(fen)} yuan (${fenToWanText(fen)}万元)`
    : `${fenToWanText(fen)}万元（${fenToYuanText(fen)}元）`;
}

export class MoneyInputError extends Error {
  constructor(
    public code: 'empty' | 'not_a_number' | 'negative' | 'too_precise' | 'too_large',
    public messageZh: string,
    public messageEn: string,
  ) {
    super(messageEn);
  }
}

/**
 * What a person typed, in the unit they chose, to integer fen. Accepts separators and full-width digits
 * ("2,500", "２５００"); refuses what is not exactly representable in fen rather than rounding it.
 */
export function parseMoneyToFen(input: string | number, unit: MoneyUnit): number {
  let s = typeof input === 'number' ? numberToPlain(input) : input;
  s = s
    .replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0))
    .replace(/[，,\s]/g, '')
    .replace(/．/g, '.')
    .trim();
  if (s === '') throw new MoneyInputError('empty', '请输入金额', 'enter an amount');
  if (/^-/.test(s)) throw new MoneyInputError('negative', '金额不能为负数', 'the amount cannot be negative');
  const m = /^(\d+)(?:\.(\d*))?$/.exec(s);
  if (!m) throw new MoneyInputError('not_a_number', `“${s}”不是数字，请只输入数字，如 2500 或 2500.5`, `"${s}" is not a number; type digits only, e.g. 2500 or 2500.5`);
  const frac = (m[2] ?? '').replace(/0+$/, '');
  const scale = SCALE[unit];
  if (frac.length > scale) {
    const zh = unit === 'wan' ? '以万元填写时最多6位小数（精确到分），请改用“元”或减少小数位' : '以元填写时最多2位小数（精确到分）';
    const en = unit === 'wan' ? 'at most 6 decimals in 万元 (down to the fen); switch to 元 or drop decimals' : 'at most 2 decimals in yuan (down to the fen)';
    throw new MoneyInputError('too_precise', zh, en);
  }
  const fen = BigInt(m[1]) * FEN_PER[unit] + BigInt(frac.padEnd(scale, '0') || '0') * (FEN_PER[unit] / 10n ** BigInt(scale));
  if (fen > BigInt(Number.MAX_SAFE_INTEGER)) throw new MoneyInputError('too_large', '金额过大，请检查单位是否选错', 'amount too large; check the unit');
  return Number(fen);
}

/** integer fen back to the text a form shows in the given unit (no separators, so it can be edited) */
export function fenToInput(fen: number, unit: MoneyUnit): string {
  return (unit === 'wan' ? fenToWanText(fen) : fenToYuanText(fen).replace(/\.00$/, '')).replace(/,/g, '');
}

function numberToPlain(n: number): string {
  if (!Number.isFinite(n)) return 'NaN';
  // String() is the shortest text that reads back as the same double: 19999999.99 stays "19999999.99"
  const s = String(n);
  if (!/e/i.test(s)) return s;
  // exponent form: tiny numbers are finer than a fen, huge ones are past any budget
  if (Math.abs(n) < 1) return n.toFixed(20);
  throw new MoneyInputError('too_large', '金额过大，请检查单位是否选错', 'amount too large; check the unit');
}

/**
 * Money as the engine writes it in stored facts ("2800万元", "1,234.56元", "1.2亿元") to integer fen; null for
 * anything else. Stored facts keep the unit people wrote, so forms and summaries read them back here.
 */
export function parseMoneyText(text: string): number | null {
  const m = /^\s*([0-9][0-9,]*)(?:\.([0-9]+))?\s*(元|万元|亿元)\s*$/.exec(text);
  if (!m) return null;
  const per = m[3] === '元' ? 100n : m[3] === '万元' ? 1_000_000n : 10_000_000_000n;
  const frac = m[2] ?? '';
  const digits = BigInt(m[1].replace(/,/g, '') + frac);
  const scale = 10n ** BigInt(frac.length);
  if ((digits * per) % scale !== 0n) return null;
  const fen = (digits * per) / scale;
  return fen > BigInt(Number.MAX_SAFE_INTEGER) ? null : Number(fen);
}

/** A stored money fact (integer fen or text with its unit) to fen; null when it is neither. */
export function moneyFactToFen(v: unknown): number | null {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  if (typeof v === 'string') return parseMoneyText(v);
  return null;
}
