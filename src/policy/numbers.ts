/**
 * Every number once: the amounts, rates and thresholds of a rule are written in its values (conditions, caps, fixed
 * amounts, rates, params); labels, formula text and summaries may only repeat them. `numbersNotOfRule` finds the
 * money and percentages in a text that are not among the rule's own numbers — a label left saying 2000万元 after
 * the value became 3000万元 — and the loader refuses it with the file and line. The verbatim clause is the law and
 * is not checked here (load.ts checks it against source.txt).
 *
 * A text may also write `{name}` for a rule's number, rendered with the money formatting (formatFen): `{value}` in a
 * condition's label, `{amount}` in a cap's, a param's name anywhere in the rule (`{plotRatioThreshold}`).
 */
import type { ResolvedIncentive } from './model.ts';
import type { Fraction } from './quantities.ts';

const WAN = 1_000_000; // fen in 1万元

/** A number a text states: money in fen, or a rate (a percentage). */
type Stated = { kind: 'money'; fen: number; text: string } | { kind: 'rate'; value: number; text: string };

/** Money ("2000万元", "2000万", "1亿元", "200元", "20M yuan", "200,000 yuan", "¥7,000,000") and percentages in a text. */
export function statedNumbers(text: string): Stated[] {
  const out: Stated[] = [];
  const num = (s: string) => Number(s.replace(/,/g, ''));
  for (const m of text.matchAll(/(\d[\d,]*(?:\.\d+)?)\s*(亿元|万元|元|亿|万)(?!美元|平方米|\s*m²)/g)) {
    if (m[2] === '元' && text.slice(m.index! + m[0].length).startsWith('/')) continue; // 200元/平方米 is a rate per unit: checked below
    const unit = m[2].startsWith('亿') ? 100 * WAN * 100 : m[2].startsWith('万') ? WAN : 100;
    out.push({ kind: 'money', fen: Math.round(num(m[1]) * unit), text: m[0] });
  }
  for (const m of text.matchAll(/(\d[\d,]*(?:\.\d+)?)元\s*\/\s*(?:平方米|m²)/g)) out.push({ kind: 'money', fen: Math.round(num(m[1]) * 100), text: m[0] });
  // English: "20M yuan", "10M / 8M / 6M yuan", "200,000 yuan", "¥7,000,000.00"; not "USD" amounts
  for (const m of text.matchAll(/(\d[\d,]*(?:\.\d+)?)M\b(?!\s*(?:USD|US\$|dollars))/g)) out.push({ kind: 'money', fen: Math.round(num(m[1]) * 100 * WAN), text: m[0] });
  for (const m of text.matchAll(/(?<![\d.M])(\d[\d,]*(?:\.\d+)?)\s*yuan/g)) out.push({ kind: 'money', fen: Math.round(num(m[1]) * 100), text: m[0] });
  for (const m of text.matchAll(/¥(\d[\d,]*(?:\.\d+)?)/g)) out.push({ kind: 'money', fen: Math.round(num(m[1]) * 100), text: m[0] });
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)\s*%/g)) out.push({ kind: 'rate', value: Number(m[1]) / 100, text: m[0] });
  return out;
}

const rate = (f: Fraction) => f.num / f.den;

export interface Numbers {
  money: Set<number>;
  rates: Set<number>;
}

/** The numbers stated in some texts (a reading's option labels, a target's value and unit). */
export function numbersOf(texts: string[]): Numbers {
  const money = new Set<number>();
  const rates = new Set<number>();
  for (const n of texts.flatMap(statedNumbers)) {
    if (n.kind === 'money') money.add(n.fen);
    else rates.add(n.value);
  }
  return { money, rates };
}

/** The rule's own numbers: money in fen and rates, from every value it holds, and those `alsoStated` (option labels). */
export function ruleNumbers(inc: ResolvedIncentive, alsoStated: string[] = []): Numbers {
  const { money, rates } = numbersOf(alsoStated);
  const all = <T>(v: { kind: 'const'; value: T } | { kind: 'byFact'; values: Record<string, T> } | undefined): T[] => (!v ? [] : v.kind === 'const' ? [v.value] : Object.values(v.values));
  for (const c of inc.conditions) if (typeof c.value === 'number') money.add(c.value);
  for (const cap of inc.caps) for (const v of all(cap.amountFen)) money.add(v);
  for (const v of all(inc.fixed)) money.add(v);
  for (const r of all(inc.rate)) {
    if (r.kind === 'fraction') rates.add(rate(r.value));
    else money.add(r.fenPerUnit);
  }
  for (const v of Object.values(inc.params)) money.add(v);
  return { money, rates };
}

const close = (a: number, b: number) => Math.abs(a - b) < 1e-9;

/** The numbers of `text` that are not the rule's: what a stale label, formula or summary says. */
export function numbersNotOfRule(text: string, own: Numbers): string[] {
  return statedNumbers(text)
    .filter((n) => (n.kind === 'money' ? !own.money.has(n.fen) : ![...own.rates].some((r) => close(r, n.value))))
    .map((n) => n.text);
}
