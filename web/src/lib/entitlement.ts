/**
 * How an entitlement reads to a person, from the engine's status and reasons. The engine says `notEligible` for
 * everything that pays nothing; a person needs to tell apart "a fact is missing" (需填写, never 不符合), "the
 * conditions are met, state the amount" (据实申报) and "not eligible, and here is what is short". It also decides
 * what of the explanation is worth showing: a formula "1,850万元 × 6% = 0.00元" below a threshold, or a cap
 * "上限 0.00元" whose amount depends on a fact not given, say nothing true and are left out.
 */
import type { Entitlement, Explanation, Lang } from '../api/types';
import { messages } from '../i18n/messages';

export type Verdict = 'eligible' | 'claimable' | 'needsInfo' | 'notEligible' | 'caseByCase' | 'amountNotSet';

export interface Reading {
  verdict: Verdict;
  /** needsInfo: the fact the engine stopped at, with its labels */
  missing?: { name: string; label: string; labelEn: string };
  /** show the formula line: only where an amount was computed (before caps, prior awards or a city award) */
  showFormula: boolean;
  /** show the caps: not while a fact is missing (their amounts may depend on it) */
  showCaps: boolean;
}

export function readEntitlement(e: Pick<Entitlement, 'status' | 'explanation'>): Reading {
  const x = e.explanation;
  const code = x?.reasons[0]?.code;
  const computed = !!x?.formula && x.formula.rawFen > 0;
  switch (e.status) {
    case 'eligible':
      return { verdict: 'eligible', showFormula: computed, showCaps: true };
    case 'caseByCase':
    case 'amountNotSet':
      return { verdict: e.status, showFormula: false, showCaps: true };
    case 'notEligible':
      if (code === 'missing_fact') return { verdict: 'needsInfo', missing: missingOf(x!), showFormula: false, showCaps: false };
      // a capped claim without its amount has passed every condition: it is claimable up to the cap
      if (code === 'amount_required') return { verdict: 'claimable', showFormula: false, showCaps: true };
      return { verdict: 'notEligible', showFormula: computed, showCaps: computed };
  }
}

function missingOf(x: Explanation): Reading['missing'] {
  if (x.missingFact) return x.missingFact;
  // an older server: the reason names the fact; its factsUsed cannot (the fact is missing), so the name stands
  const name = x.reasons[0]?.fact;
  return name ? { name, label: name, labelEn: name } : undefined;
}

/** A cap whose amount is 0 was not decided (it depends on a fact not given): its label alone is shown. */
export function capLimitKnown(c: { limitFen: number; applied: boolean }): boolean {
  return c.limitFen > 0 || c.applied;
}

/**
 * A fact value of an explanation in the reader's language: the engine's display text, except that an enum value
 * in English comes from the message catalogue (the policy labels enum values in Chinese only).
 */
export function usedFactText(f: { name: string; value: unknown; display: string; displayEn?: string }, lang: Lang): string {
  if (lang !== 'en') return f.display;
  const pair = typeof f.value === 'string' ? (messages as Record<string, readonly [string, string]>)[`enum.${f.name}.${f.value}`] : undefined;
  return pair ? pair[1] : (f.displayEn ?? f.display);
}

/** A condition's actual value in the reader's language, through the fact it tests where the explanation names it. */
export function conditionActualText(c: { fact?: string; actual?: string; actualEn?: string }, used: Explanation['factsUsed'], lang: Lang): string | undefined {
  if (lang !== 'en') return c.actual;
  const f = c.fact ? used.find((u) => u.name === c.fact) : undefined;
  return f ? usedFactText(f, lang) : (c.actualEn ?? c.actual);
}
