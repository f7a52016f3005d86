// Properties that must hold for any facts (fast-check): no amount is negative or above its cap, more equipment
// investment never lowers the award, and neither the order of claims nor the order of facts changes a result.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fileURLToPath } from 'node:url';
import { Engine } from './index.ts';

const engine = Engine.load(fileURLToPath(new URL('./fixtures/mini-policy', import.meta.url)));
const asOf = '2020-12-31';
const WAN = 1_000_000; // fen in 1万元

const money = fc.integer({ min: 0, max: 5000 * WAN });
const claimArb = fc.oneof(
  fc.record({ incentive: fc.constant('equipment'), item: fc.constantFrom('P1', 'P2', 'P3'), facts: fc.record({ equipmentInvestment: money }) }),
  fc.record({ incentive: fc.constant('voucher'), amount: fc.integer({ min: 0, max: 80 * WAN }) }),
  fc.record({ incentive: fc.constant('trademark'), item: fc.constantFrom('TM1', 'TM2') }),
);
const priorArb = fc.record({
  incentive: fc.constantFrom('equipment', 'voucher', 'rd-growth', 'listing'),
  year: fc.constantFrom(2018, 2019, 2020),
  item: fc.constantFrom(undefined, 'P1', 'TM1'),
  amount: fc.integer({ min: 0, max: 300 * WAN }),
  level: fc.constantFrom('district', 'city'),
})
  // awards of per-item incentives name their item
  .map((a) => (a.incentive === 'equipment' && a.item === undefined ? { ...a, item: 'P1' } : a))
  .map((a) => Object.fromEntries(Object.entries(a).filter(([, v]) => v !== undefined)));
const inputArb = fc.record({
  year: fc.constant(2020),
  facts: fc.record({
    industryClass: fc.constantFrom('leading', 'other'),
    rdExpense: money,
    rdExpensePriorYear: money,
    rdSuperDeductionYears: fc.constantFrom([2019, 2020], [2020], []),
    listed: fc.boolean(),
  }),
  // unique keys: ids for vouchers, items for the others
  claims: fc.uniqueArray(claimArb, { maxLength: 6, selector: (c) => `${c.incentive}/${'item' in c ? c.item : ''}` }).map((cs) =>
    cs.map((c, i) => (c.incentive === 'voucher' ? { ...c, id: `v${i}` } : c)),
  ),
  priorAwards: fc.array(priorArb, { maxLength: 4 }),
});

describe('engine properties', () => {
  it('no amount is negative or above any cap that applies to it; totals add up', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const r = engine.evaluate(input, { asOf });
        let sum = 0;
        const perIncentive = new Map<string, number>();
        for (const e of r.entitlements) {
          const amount = e.amountFen ?? 0;
          expect(amount).toBeGreaterThanOrEqual(0);
          expect(Number.isInteger(amount)).toBe(true);
          for (const cap of e.explanation!.caps) if (cap.scope === 'claim') expect(amount).toBeLessThanOrEqual(cap.limitFen);
          perIncentive.set(e.incentive, (perIncentive.get(e.incentive) ?? 0) + amount);
          sum += amount;
        }
        expect(r.totalFen).toBe(sum);
        // The yearly voucher cap holds over all claims together with the awards already paid this year.
        const paidBefore = input.priorAwards.filter((a) => a.incentive === 'voucher' && a.year === 2020 && a.level === 'district').reduce((s, a) => s + (a.amount as number), 0);
        expect((perIncentive.get('voucher') ?? 0) + paidBefore).toBeLessThanOrEqual(Math.max(50 * WAN, paidBefore));
      }),
      { numRuns: 300 },
    );
  });

  it('more equipment investment never lowers the award', () => {
    fc.assert(
      fc.property(money, money, fc.constantFrom('leading', 'other'), (a, b, industryClass) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        const award = (x: number) => engine.evaluate({ year: 2020, facts: { industryClass }, claims: [{ incentive: 'equipment', item: 'P', facts: { equipmentInvestment: x } }] }, { asOf, explain: false }).totalFen;
        expect(award(hi)).toBeGreaterThanOrEqual(award(lo));
      }),
      { numRuns: 500 },
    );
  });

  it('results do not depend on the order of claims, prior awards or facts', () => {
    fc.assert(
      fc.property(inputArb, fc.integer(), (input, seed) => {
        const shuffle = <T>(xs: T[]) => {
          const out = [...xs];
          let s = seed;
          for (let i = out.length - 1; i > 0; i--) {
            s = (s * 1103515245 + 12345) & 0x7fffffff;
            const j = s % (i + 1);
            [out[i], out[j]] = [out[j], out[i]];
          }
          return out;
        };
        const reordered = {
          priorAwards: shuffle(input.priorAwards),
          claims: shuffle(input.claims),
          facts: Object.fromEntries(shuffle(Object.entries(input.facts))),
          year: input.year,
        };
        const a = engine.evaluate(input, { asOf });
        const b = engine.evaluate(reordered, { asOf });
        expect(b).toEqual(a);
      }),
      { numRuns: 300 },
    );
  });
});
