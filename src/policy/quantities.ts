/**
 * Exact parsing of the quantities the policy text and the facts use: money with a Chinese unit
 * ("2000万元", "1亿元", "200元", "1,234.56元"), rates ("12%", "6%") and plain decimals.
 * Money becomes integer fen and a rate becomes an integer fraction, without ever passing through a float,
 * so that "12% × 2500万元" is exact and rounding happens once, at the end of a formula.
 */

/** A non-negative rational number num/den with integer parts; used for rates and multipliers. */
export interface Fraction {
  num: number;
  den: number;
}

const MONEY_UNITS: Record<string, bigint> = { 元: 100n, 万元: 1_000_000n, 亿元: 10_000_000_000n };
const MONEY_RE = /^\s*(-?)([0-9][0-9,]*)(?:\.([0-9]+))?\s*(元|万元|亿元)\s*$/;

export class QuantityError extends Error {}

/** Parse "2000万元" → 2_000_000_000 fen. Throws QuantityError for anything without an explicit unit. */
export function parseMoneyFen(text: string): number {
  const m = MONEY_RE.exec(text);
  if (!m) throw new QuantityError(`not an amount of money with a unit (元, 万元 or 亿元): "${text}"`);
  const [, sign, intPart, fracPart = '', unit] = m;
  const unitFen = MONEY_UNITS[unit];
  const digits = BigInt(intPart.replace(/,/g, '') + fracPart);
  const scale = 10n ** BigInt(fracPart.length);
  if ((digits * unitFen) % scale !== 0n) {
    throw new QuantityError(`"${text}" is not a whole number of fen (分)`);
  }
  const fen = (digits * unitFen) / scale;
  if (fen > BigInt(Number.MAX_SAFE_INTEGER)) throw new QuantityError(`"${text}" is too large`);
  return Number(sign ? -fen : fen);
}

/** Parse "12%" → {num: 12, den: 100}, "0.5" → {num: 5, den: 10}, "1.5" → {num: 15, den: 10}. */
export function parseFraction(text: string | number): Fraction {
  const s = String(text).trim();
  const m = /^([0-9]+)(?:\.([0-9]+))?\s*(%)?$/.exec(s);
  if (!m) throw new QuantityError(`not a non-negative number or percentage: "${s}"`);
  const [, intPart, fracPart = '', pct] = m;
  let num = Number(intPart + fracPart);
  let den = 10 ** fracPart.length * (pct ? 100 : 1);
  const g = gcd(num, den);
  num /= g;
  den /= g;
  return { num, den };
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a || 1;
}

/**
 * round-half-up of (value × num / den) for a non-negative integer value, exact while value × num < 2^53.
 * Money never goes through float rates: the remainder decides the rounding.
 */
export function mulFracRound(value: number, f: Fraction): number {
  // The same arithmetic as the rules compiled in src/engine/compile.ts (which inline it for speed): the float
  // quotient is off by at most one and the exact remainder says which way; no slow float remainder.
  const p = value * f.num;
  if (Math.floor(p) !== p) return Math.floor(p / f.den + 0.5);
  let q = Math.floor(p / f.den);
  let r = p - q * f.den;
  if (r < 0) (q -= 1), (r += f.den);
  else if (r >= f.den) (q += 1), (r -= f.den);
  return r * 2 >= f.den ? q + 1 : q;
}

/** 2_000_000_000 → "2,000万元"; 123_456 → "1,234.56元": how officials read amounts. */
export function formatFen(fen: number, unit: '元' | '万元' | 'auto' = 'auto'): string {
  const neg = fen < 0;
  const abs = Math.abs(fen);
  const u = unit === 'auto' ? (abs >= 1_000_000 && abs % 10_000 === 0 ? '万元' : '元') : unit;
  const divisor = u === '万元' ? 1_000_000 : 100;
  const whole = Math.floor(abs / divisor);
  const rest = abs % divisor;
  const decimals = u === '万元' ? 4 : 2;
  let frac = rest ? (rest / divisor).toFixed(decimals).slice(2).replace(/0+$/, '') : '';
  if (u === '元' && frac.length === 1) frac += '0';
  return `${neg ? '-' : ''}${groupThousands(whole)}${frac ? '.' + frac : ''}${u}`;
}

export function formatFraction(f: Fraction): string {
  const pct = (f.num * 100) / f.den;
  return Number.isInteger(pct * 1000) ? `${+pct.toFixed(4)}%` : `${f.num}/${f.den}`;
}

/** 12345678 → "12,345,678" (Intl's toLocaleString is correct too, but far slower on the explanation path). */
export function groupThousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
