/**
 * Compile a policy once into plain JavaScript functions, one per incentive. Each function reads a claim's facts
 * and returns the amount before caps (integer fen, ≥ 0) or a negative code saying which condition failed or which
 * fact is missing. Caps, one-time rules and 就高不重复 need the rest of the enterprise-year and live in
 * evaluate.ts. Generating code (rather than interpreting the rule objects on every call) is what keeps the engine
 * within reach of a hand-written function: the rule's constants are inlined and nothing is looked up by name.
 * The input is trusted policy data: fact names are validated identifiers and values are numbers or JSON strings.
 */
import type { ByFact, Policy, Rate, ResolvedCondition, ResolvedIncentive } from '../policy/model.ts';
import { compileExpression, evaluateExpression, identifiersOf, parseExpression, YEAR, type Expr } from './expr.ts';
import type { FactValue } from './facts.ts';
import { conditionSource } from './operators.ts';

/** Return codes of a compiled incentive function (all negative; amounts are ≥ 0). */
export const CODE_CONDITION = -1; // -1 - i: condition i failed
export const CODE_MISSING = -1001; // -1001 - j: needed fact j is missing
export const CODE_AMOUNT_REQUIRED = -2001; // a capped claim without a proposed amount
export const CODE_BAD_CATEGORY = -3001; // -3001 - j: needed fact j has a value the rate table has no entry for

/** Why a compiled function refused (a negative result), and which condition or needed fact: the one decoder of the codes above. */
export type FailureCode = 'condition_failed' | 'missing_fact' | 'unknown_category' | 'amount_required';
export function failureCode(raw: number): FailureCode {
  return raw === CODE_AMOUNT_REQUIRED ? 'amount_required' : raw <= CODE_BAD_CATEGORY ? 'unknown_category' : raw <= CODE_MISSING ? 'missing_fact' : 'condition_failed';
}
/** The condition index (condition_failed) or needed-fact index (missing_fact, unknown_category) of a refusal; else -1. */
export function failureDetail(raw: number): number {
  return raw === CODE_AMOUNT_REQUIRED ? -1 : raw <= CODE_BAD_CATEGORY ? CODE_BAD_CATEGORY - raw : raw <= CODE_MISSING ? CODE_MISSING - raw : CODE_CONDITION - raw;
}

export type IncentiveFn = (facts: Record<string, FactValue>, amountFen: number | undefined, year: number) => number;

export interface CompiledIncentive {
  def: ResolvedIncentive;
  fn: IncentiveFn;
  /** facts the incentive reads, in the order the function checks them (indexes of CODE_MISSING) */
  neededFacts: string[];
  baseExpr?: Expr;
  /** the one-award event (schema.ts `once`) as the engine applies it: none when award-once-per-event is perClaim */
  once?: ResolvedIncentive['once'];
  /** the JavaScript source, kept for `kaifang policy show --compiled` and for debugging */
  source: string;
}

export interface CompiledPolicy {
  policy: Policy;
  incentives: CompiledIncentive[];
  effectiveFrom: string;
  effectiveTo: string;
  fromYear: number;
  toYear: number;
  /** 就高不重复 reading: topUp (district pays the difference) or higherOnly */
  overlapMode: 'topUp' | 'higherOnly';
  /** award-once-per-event: deduct earlier awards for the same event, refuse a second (firstOnly), or ignore `once` */
  onceMode: 'deduct' | 'firstOnly' | 'perClaim';
}

export function compilePolicy(policy: Policy): CompiledPolicy {
  const { from, to } = policy.meta.effective;
  return {
    policy,
    incentives: policy.incentives.map((inc) => ({ ...compileIncentive(inc), once: policy.meta.onceSettlement === 'perClaim' ? undefined : inc.once })),
    effectiveFrom: from,
    effectiveTo: to,
    fromYear: Number(from.slice(0, 4)),
    toYear: Number(to.slice(0, 4)),
    overlapMode: policy.meta.cityAwardSettlement,
    onceMode: policy.meta.onceSettlement,
  };
}

function lit(v: unknown): string {
  return JSON.stringify(v);
}

/** The function being generated: its lines, and the facts it reads in order (indexes of CODE_MISSING). */
interface Gen {
  inc: ResolvedIncentive;
  lines: string[];
  needed: string[];
  vars: Map<string, string>;
}

/** A fact read once into a variable; a missing fact returns its CODE_MISSING. */
function load(g: Gen, fact: string): string {
  let v = g.vars.get(fact);
  if (v) return v;
  v = `x${g.needed.length}`;
  g.vars.set(fact, v);
  g.lines.push(`var ${v} = f.${fact}; if (${v} === undefined) return ${CODE_MISSING - g.needed.length};`);
  g.needed.push(fact);
  return v;
}

/** A name in an expression: the year, a param (inlined) or a fact already loaded. */
function nameJs(g: Gen, name: string): string {
  return name === YEAR ? 'year' : name in g.inc.params ? lit(g.inc.params[name]) : g.vars.get(name)!;
}

export function compileIncentive(inc: ResolvedIncentive): CompiledIncentive {
  const g: Gen = { inc, lines: [], needed: [], vars: new Map() };
  inc.conditions.forEach((c, i) => conditionLines(g, c, i));
  const baseExpr = amountLines(g);
  const source = `"use strict";\nreturn function ${inc.id.replace(/-/g, '_')}(f, amt, year) {\n  ${g.lines.join('\n  ')}\n};`;
  const fn = new Function(source)() as IncentiveFn;
  return { def: inc, fn, neededFacts: g.needed, baseExpr, once: inc.once, source };
}

/** Condition i: its subject (a fact, or an expression over facts and params) and its operator (operators.ts). */
function conditionLines(g: Gen, c: ResolvedCondition, i: number): void {
  let x: string;
  if (c.expr) {
    for (const name of identifiersOf(c.expr)) if (!(name in g.inc.params)) load(g, name);
    x = `c${i}`;
    g.lines.push(`var ${x} = ${compileExpression(c.expr, (n) => nameJs(g, n))};`);
  } else x = load(g, c.fact);
  g.lines.push(`if (!${conditionSource(c, x)}) return ${CODE_CONDITION - i};`);
}

/** The amount before caps, by kind: fixed (possibly by a fact), proposed, none, or base × rate rounded once. */
function amountLines(g: Gen): Expr | undefined {
  const inc = g.inc;
  switch (inc.kind) {
    case 'fixed': {
      const fixed = inc.fixed!;
      if (fixed.kind === 'const') g.lines.push(`return ${fixed.value};`);
      else {
        // The amount chosen by a fact (measure 12: the award or the nomination); a value without one is a bad category.
        const k = load(g, fixed.fact);
        const cases = Object.entries(fixed.values).map(([key, fen]) => `case ${lit(key)}: return ${fen};`);
        g.lines.push(`switch (${k}) { ${cases.join(' ')} default: return ${CODE_BAD_CATEGORY - g.needed.indexOf(fixed.fact)}; }`);
      }
      return undefined;
    }
    case 'cappedClaim':
      g.lines.push(`return amt === undefined ? ${CODE_AMOUNT_REQUIRED} : amt;`);
      return undefined;
    case 'caseByCase':
    case 'amountNotSet':
      g.lines.push('return 0;');
      return undefined;
    case 'formula':
      return formulaLines(g);
  }
}

function formulaLines(g: Gen): Expr {
  const inc = g.inc;
  const baseExpr = parseExpression(inc.base!);
  for (const name of identifiersOf(baseExpr)) if (!(name in inc.params)) load(g, name);
  const rateJs = (r: Rate) => (r.kind === 'fraction' ? `n = ${r.value.num}; d = ${r.value.den};` : `n = ${r.fenPerUnit}; d = 1;`);
  const rate = inc.rate!;
  g.lines.push('var n, d;');
  if (rate.kind === 'const') g.lines.push(rateJs(rate.value));
  else {
    const k = load(g, rate.fact);
    const cases = Object.entries(rate.values).map(([key, r]) => `case ${lit(key)}: ${rateJs(r)} break;`);
    g.lines.push(`switch (${k}) { ${cases.join(' ')} default: return ${CODE_BAD_CATEGORY - g.needed.indexOf(rate.fact)}; }`);
  }
  const base = compileExpression(baseExpr, (name) => nameJs(g, name));
  // Round half up once, at the end; exact for integer products (money in fen × integer rate parts).
  g.lines.push(
    `var b = ${base}; if (!(b > 0)) return 0;`,
    // A non-integer product (areas in m² with decimals) is rounded half up with a tolerance far below a fen,
    // so that 1.000025 m² × 200元 (float: 20000.499999…) still rounds to 20001 fen.
    'var p = b * n; if (Math.floor(p) !== p) { var x = p / d + 0.5; var fx = Math.floor(x); return x - fx > 1 - 1e-7 ? fx + 1 : fx; }',
    // Exact integer division by the rate's denominator without the (slow) floating-point remainder:
    // the quotient of the float division is off by at most one, and r says which way.
    'var q = Math.floor(p / d); var r = p - q * d; if (r < 0) { q -= 1; r += d; } else if (r >= d) { q += 1; r -= d; }',
    'return r * 2 >= d ? q + 1 : q;',
  );
  return baseExpr;
}

/** The value of a possibly fact-dependent setting for these facts; undefined when the fact is missing or unknown. */
export function valueFor<T>(v: ByFact<T>, facts: Record<string, FactValue>): T | undefined {
  return v.kind === 'const' ? v.value : v.values[facts[v.fact] as string];
}

/** The base of a formula with the values of its names, for explanations. */
export function baseDetails(ci: CompiledIncentive, facts: Record<string, FactValue>, year: number) {
  const e = ci.baseExpr!;
  const value = evaluateExpression(e, (n) => (n === YEAR ? year : n in ci.def.params ? ci.def.params[n] : (facts[n] as number | undefined)));
  return { value, names: [...identifiersOf(e)] };
}

/** The value a condition tests: the fact, or its expression evaluated over the facts. */
export function conditionSubject(inc: ResolvedIncentive, c: ResolvedCondition, facts: Record<string, FactValue>, year: number): FactValue | undefined {
  if (!c.expr) return facts[c.fact];
  return evaluateExpression(c.expr, (n) => (n === YEAR ? year : n in inc.params ? inc.params[n] : (facts[n] as number | undefined)));
}
