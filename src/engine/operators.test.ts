// Each condition operator is written once (operators.ts): the compiled incentive function and the explanation
// must agree for every operator, every value and every subject — including a missing one and an expression.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fileURLToPath } from 'node:url';
import { Engine } from './index.ts';
import { CODE_CONDITION, CODE_MISSING, compileIncentive, type CompiledPolicy } from './compile.ts';
import { explain } from './explain.ts';
import { parseExpression } from './expr.ts';
import type { ResolvedCondition, ResolvedIncentive } from '../policy/model.ts';
import type { FactValue } from './facts.ts';
import type { ClaimRecord } from './evaluate.ts';
import { CONDITION_OPS } from '../policy/schema.ts';

const engine = Engine.load(fileURLToPath(new URL('./fixtures/mini-policy', import.meta.url)));
const YEAR = 2020;

function incentiveWith(c: ResolvedCondition): ResolvedIncentive {
  return {
    id: 'probe', measure: 1, title: '探针', titleEn: 'probe', clause: '', summary: '', kind: 'fixed', beneficiary: 'enterprise',
    conditions: [c], fixed: { kind: 'const', value: 100 }, fixedFen: 100, params: {}, caps: [], period: 'event', highestNotBoth: false, interpretations: [], leadUnit: null,
  };
}

/** What the compiled path says of the condition (passes, fails, or its subject is missing) and what the explanation says. */
function bothPaths(c: ResolvedCondition, facts: Record<string, FactValue>) {
  const inc = incentiveWith(c);
  const ci = compileIncentive(inc);
  const raw = ci.fn(facts, undefined, YEAR);
  const compiled = raw >= 0 ? true : raw === CODE_CONDITION ? false : raw <= CODE_MISSING ? null : 'other';
  const cp = { ...engine.compiled, incentives: [ci] } as CompiledPolicy;
  const rec: ClaimRecord = {
    claim: { key: 'probe', incentive: 'probe', incentiveIndex: 0, implicit: false, facts, path: 'facts' },
    status: 'eligible', code: undefined, detail: -1, rawFen: 0, amountFen: 0, capsApplied: [], cityAwardFen: 0, cityOffsetFen: 0, priorFen: 0, eventPriorFen: 0,
  };
  return { compiled, explained: explain(cp, rec, YEAR).conditions[0].satisfied };
}

const cond = (op: ResolvedCondition['op'], value: ResolvedCondition['value'], fact = 'x'): ResolvedCondition => ({ fact, op, value, label: op, labelEn: op });
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined, freq: 8 });
const small = fc.integer({ min: -3, max: 3 });
const word = fc.constantFrom('a', 'b', 'c');

const byOp: Record<ResolvedCondition['op'], fc.Arbitrary<{ c: ResolvedCondition; x: FactValue | undefined }>> = {
  '>=': fc.record({ c: small.map((v) => cond('>=', v)), x: maybe(small) }),
  '>': fc.record({ c: small.map((v) => cond('>', v)), x: maybe(small) }),
  '<=': fc.record({ c: small.map((v) => cond('<=', v)), x: maybe(small) }),
  '<': fc.record({ c: small.map((v) => cond('<', v)), x: maybe(small) }),
  '==': fc.oneof(fc.record({ c: word.map((v) => cond('==', v)), x: maybe(word) }), fc.record({ c: fc.boolean().map((v) => cond('==', v)), x: maybe(fc.boolean()) })),
  '!=': fc.record({ c: word.map((v) => cond('!=', v)), x: maybe(word) }),
  in: fc.record({ c: fc.uniqueArray(word, { maxLength: 3 }).map((v) => cond('in', v)), x: maybe(word) }),
  isTrue: fc.record({ c: fc.constant(cond('isTrue', undefined)), x: maybe(fc.boolean()) }),
  includesYears: fc.record({
    c: fc.uniqueArray(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 3 }).map((v) => cond('includesYears', v)),
    x: maybe(fc.uniqueArray(fc.integer({ min: YEAR - 4, max: YEAR }), { maxLength: 5 })),
  }),
};

describe('each condition operator is implemented once', () => {
  it('has a generator for every operator the schema allows', () => {
    expect(Object.keys(byOp).sort()).toEqual([...CONDITION_OPS].sort());
  });

  for (const op of CONDITION_OPS) {
    it(`${op}: the explanation says what the compiled rule did`, () => {
      fc.assert(
        fc.property(byOp[op], ({ c, x }) => {
          const { compiled, explained } = bothPaths(c, x === undefined ? {} : { x });
          expect(compiled).not.toBe('other');
          expect(explained).toBe(compiled);
        }),
        { numRuns: 200 },
      );
    });
  }

  it('an expression condition (measure 10: rdExpense - rdExpensePriorYear ≥ 20万元) agrees too', () => {
    fc.assert(
      fc.property(maybe(fc.integer({ min: 0, max: 100 })), maybe(fc.integer({ min: 0, max: 100 })), fc.integer({ min: -50, max: 50 }), (a, b, v) => {
        const c: ResolvedCondition = { ...cond('>=', v, 'a - b'), expr: parseExpression('a - b'), unitFact: 'a' };
        const facts: Record<string, FactValue> = {};
        if (a !== undefined) facts.a = a;
        if (b !== undefined) facts.b = b;
        const { compiled, explained } = bothPaths(c, facts);
        expect(explained).toBe(compiled);
      }),
      { numRuns: 300 },
    );
  });
});
