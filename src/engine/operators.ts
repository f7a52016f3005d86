/**
 * The condition operators (schema.ts CONDITION_OPS), each written once: as the JavaScript that compile.ts inlines
 * into an incentive's function. The explanation tests a condition with the same source, compiled on its own
 * (conditionTest), so the compiled path and the explanation cannot disagree on what an operator means.
 */
import type { ResolvedCondition } from '../policy/model.ts';
import type { FactValue } from './facts.ts';

const lit = (v: unknown) => JSON.stringify(v);

/** The JavaScript test of condition `c` on the value held in variable `x` (`year` is in scope). */
export function conditionSource(c: ResolvedCondition, x: string): string {
  switch (c.op) {
    case 'in':
      return `(${(c.value as string[]).map((v) => `${x} === ${lit(v)}`).join(' || ') || 'false'})`;
    case 'isTrue':
      return `(${x} === true)`;
    case 'includesYears':
      // the years back from the evaluated one (0 = the year): m10-rd-super-deduction-years
      return `(${(c.value as number[]).map((k) => `${x}.includes(year - ${k})`).join(' && ')})`;
    case '==':
      return `(${x} === ${lit(c.value)})`;
    case '!=':
      return `(${x} !== ${lit(c.value)})`;
    case '>=':
    case '>':
    case '<=':
    case '<':
      return `(${x} ${c.op} ${lit(c.value)})`;
  }
}

type Test = (x: FactValue, year: number) => boolean;
const TESTS = new WeakMap<ResolvedCondition, Test>();

/** The condition as a function of its subject, from the same source as the compiled path; null for a missing subject. */
export function conditionHolds(c: ResolvedCondition, x: FactValue | undefined, year: number): boolean | null {
  if (x === undefined) return null;
  let test = TESTS.get(c);
  if (!test) {
    test = new Function('x', 'year', `"use strict"; return ${conditionSource(c, 'x')};`) as Test;
    TESTS.set(c, test);
  }
  return test(x, year);
}
