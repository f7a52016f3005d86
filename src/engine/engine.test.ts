// The engine's mechanics on a small fixture policy (fixtures/mini-policy): thresholds, rates by category,
// caps of every scope, one-time awards, maximum years, 就高不重复, the policy period, rounding and bad facts.
// The real policy's worked examples live in policies/wujiang-2020-open/examples/ (examples.test.ts).
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { Engine } from './index.ts';
import { ValidationError } from '../errors.ts';

const engine = Engine.load(fileURLToPath(new URL('./fixtures/mini-policy', import.meta.url)));
const asOf = '2020-12-31';
const run = (input: Record<string, unknown>) => engine.evaluate({ year: 2020, ...input }, { asOf });
const one = (input: Record<string, unknown>, incentive: string) => {
  const found = run(input).entitlements.filter((e) => e.incentive === incentive);
  expect(found).toHaveLength(1);
  return found[0];
};
const equipment = (amount: string | number, industryClass = 'other') =>
  one({ facts: { industryClass }, claims: [{ incentive: 'equipment', item: 'P1', facts: { equipmentInvestment: amount } }] }, 'equipment');

describe('thresholds (以上 includes the number itself)', () => {
  it('pays at exactly the threshold', () => {
    const e = equipment('1000万元');
    expect(e.status).toBe('eligible');
    expect(e.amountFen).toBe(50_000_000); // 5% of 1000万元
  });
  it('refuses one fen below and says what would qualify', () => {
    const e = equipment(999_999_999);
    expect(e.status).toBe('notEligible');
    expect(e.amountFen).toBe(0);
    expect(e.explanation!.reasons[0].code).toBe('condition_failed');
    expect(e.explanation!.whatWouldQualify!.zh).toContain('还差0.01元');
  });
  it('chooses the rate and the cap by industry class', () => {
    expect(equipment('1500万元', 'leading').amountFen).toBe(150_000_000);
    expect(equipment('2500万元', 'leading').amountFen).toBe(200_000_000); // 250万 cut to 200万
    expect(equipment('2500万元', 'other').amountFen).toBe(100_000_000); // 125万 cut to 100万
    const capped = equipment('2500万元', 'leading');
    expect(capped.explanation!.caps[0]).toMatchObject({ applied: true, limitFen: 200_000_000 });
    expect(capped.explanation!.formula!.rawFen).toBe(250_000_000);
  });
  it('just below the cap is not cut', () => {
    const e = equipment('1999.9999万元', 'other'); // 5% = 99.999995万元 → rounds to 99.9999950万? exact fen
    expect(e.amountFen).toBe(Math.round(1_999_999_900 * 0.05));
    expect(e.explanation!.caps[0].applied).toBe(false);
  });
});

describe('rounding to the fen, half up, once at the end', () => {
  it('rounds .5 fen up and .49 down', () => {
    // 5% of 1000万元 + 10 fen = 50,000,000.5 fen → 50,000,001
    expect(equipment(1_000_000_010).amountFen).toBe(50_000_001);
    // 5% of 1000万元 + 9 fen = 50,000,000.45 → 50,000,000
    expect(equipment(1_000_000_009).amountFen).toBe(50_000_000);
  });
  it('is exact where floating point would not be (6% of 20万元 + 25 fen → .5 fen rounds up)', () => {
    const e = one({ facts: { rdExpense: 20_000_025, rdExpensePriorYear: 0, rdSuperDeductionYears: [2019, 2020] } }, 'rd-growth');
    expect(e.amountFen).toBe(1_200_002); // 1,200,001.5 fen
  });
  it('tests a condition on an expression: growth of exactly 20万 qualifies, one fen less does not', () => {
    const growth = (fen: number) => one({ facts: { rdExpense: 100_000_000 + fen, rdExpensePriorYear: 100_000_000, rdSuperDeductionYears: [2019, 2020] } }, 'rd-growth');
    expect(growth(20_000_000).amountFen).toBe(1_200_000);
    const below = growth(19_999_999);
    expect(below.status).toBe('notEligible');
    expect(below.explanation!.whatWouldQualify!.zh).toContain('还差0.01元');
  });
});

describe('several claims against one yearly cap', () => {
  it('two vouchers of 30万 pay 50万 in all, whatever their order', () => {
    const claims = [
      { id: 'a', incentive: 'voucher', amount: '30万元' },
      { id: 'b', incentive: 'voucher', amount: '30万元' },
    ];
    const r1 = run({ claims });
    const r2 = run({ claims: [...claims].reverse() });
    expect(r1.totalFen).toBe(50_000_000);
    expect(r1.entitlements.map((e) => [e.claim, e.amountFen])).toEqual([['a', 30_000_000], ['b', 20_000_000]]);
    expect(r2.entitlements.map((e) => [e.claim, e.amountFen])).toEqual([['a', 30_000_000], ['b', 20_000_000]]);
  });
  it('counts earlier awards of the same year, not of other years', () => {
    const e = one({ claims: [{ incentive: 'voucher', amount: '30万元' }], priorAwards: [{ incentive: 'voucher', year: 2020, amount: '40万元' }, { incentive: 'voucher', year: 2019, amount: '50万元' }] }, 'voucher');
    expect(e.amountFen).toBe(10_000_000);
  });
  it('an exhausted cap pays nothing and says so', () => {
    const e = one({ claims: [{ incentive: 'voucher', amount: '1元' }], priorAwards: [{ incentive: 'voucher', year: 2020, amount: '50万元' }] }, 'voucher');
    expect(e).toMatchObject({ status: 'notEligible', amountFen: 0 });
    expect(e.explanation!.reasons[0].code).toBe('cap_exhausted');
  });
  it('a capped claim needs its amount', () => {
    const e = one({ claims: [{ incentive: 'voucher' }] }, 'voucher');
    expect(e.explanation!.reasons[0].code).toBe('amount_required');
  });
});

describe('one-time awards and multi-year limits', () => {
  it('pays a one-time award once per enterprise', () => {
    expect(one({ facts: { listed: true } }, 'listing').amountFen).toBe(500_000_000);
    const again = one({ facts: { listed: true }, priorAwards: [{ incentive: 'listing', year: 2020, amount: '500万元' }] }, 'listing');
    expect(again.explanation!.reasons[0].code).toBe('already_awarded');
  });
  it('pays a one-time award once per item: another trademark still pays', () => {
    const r = run({
      claims: [
        { incentive: 'trademark', item: 'TM-1' },
        { incentive: 'trademark', item: 'TM-2' },
      ],
      priorAwards: [{ incentive: 'trademark', year: 2020, item: 'TM-1', amount: '100万元' }],
    });
    expect(r.entitlements.map((e) => [e.item, e.amountFen])).toEqual([['TM-1', 0], ['TM-2', 100_000_000]]);
  });
  it('stops after the maximum number of years', () => {
    const facts = { rdExpense: '1200万元', rdExpensePriorYear: '1000万元', rdSuperDeductionYears: [2019, 2020] };
    const prior = (years: number[]) => years.map((year) => ({ incentive: 'rd-growth', year, amount: '1万元' }));
    expect(one({ facts, priorAwards: prior([2017, 2018]) }, 'rd-growth').amountFen).toBe(12_000_000);
    const e = one({ facts, priorAwards: prior([2016, 2017, 2018]) }, 'rd-growth');
    expect(e.explanation!.reasons[0].code).toBe('max_years_reached');
  });
  it('a total cap chosen by an interpretation counts every earlier year', () => {
    const facts = { rdExpense: '5000万元', rdExpensePriorYear: '1000万元', rdSuperDeductionYears: [2019, 2020] };
    const e = one({ facts, priorAwards: [{ incentive: 'rd-growth', year: 2019, amount: '150万元' }] }, 'rd-growth');
    expect(e.amountFen).toBe(50_000_000); // 240万 computed, 200万 total cap, 150万 already paid
  });
  it('needs both consecutive years and says which is missing', () => {
    const e = one({ facts: { rdExpense: '1200万元', rdExpensePriorYear: '1000万元', rdSuperDeductionYears: [2020] } }, 'rd-growth');
    expect(e.status).toBe('notEligible');
    expect(e.explanation!.whatWouldQualify!.zh).toContain('2019');
  });
});

describe('one award per event (once): earlier awards for the same event are deducted, never paid again', () => {
  const eq = (id: string, item: string, amount: string) => ({ id, incentive: 'equipment', item, facts: { equipmentInvestment: amount } });
  it('a project-year claimed twice: the second claim pays only what the larger whole year adds', () => {
    const r = run({ facts: { industryClass: 'other' }, claims: [eq('a', 'P1', '1000万元'), eq('b', 'P1', '1600万元')] });
    expect(r.entitlements.map((e) => [e.claim, e.amountFen])).toEqual([['a', 50_000_000], ['b', 30_000_000]]);
    expect(r.entitlements[1].explanation!.summary.zh).toContain('已就同一项目“P1”获2020年度奖励50万元（每个项目每年一次），本次只补足差额30万元');
    expect(r.entitlements[1].explanation!.event).toMatchObject({ scope: 'itemYear', priorFen: 50_000_000 });
  });
  it('the same whole year claimed again pays nothing and says why', () => {
    const e = one({ facts: { industryClass: 'other' }, claims: [eq('a', 'P1', '1000万元')], priorAwards: [{ incentive: 'equipment', year: 2020, item: 'P1', amount: '50万元' }] }, 'equipment');
    expect(e).toMatchObject({ status: 'notEligible', amountFen: 0 });
    expect(e.explanation!.reasons[0]).toMatchObject({ code: 'already_awarded', zh: '已就同一项目“P1”获2020年度奖励50万元（每个项目每年一次），不再重复奖励' });
  });
  it('one fen less than the entitlement already awarded leaves one fen to pay', () => {
    const e = one({ facts: { industryClass: 'other' }, claims: [eq('a', 'P1', '1000万元')], priorAwards: [{ incentive: 'equipment', year: 2020, item: 'P1', amount: 49_999_999 }] }, 'equipment');
    expect(e).toMatchObject({ status: 'eligible', amountFen: 1 });
  });
  it('counts an earlier award before its city set-off (gross)', () => {
    const e = one({ facts: { industryClass: 'other' }, claims: [eq('a', 'P1', '1000万元')], priorAwards: [{ incentive: 'equipment', year: 2020, item: 'P1', amount: '30万元', cityOffset: '20万元' }] }, 'equipment');
    expect(e.explanation!.reasons[0].code).toBe('already_awarded');
  });
  it('another project, or the same project in another year, is another event', () => {
    const r = run({ facts: { industryClass: 'other' }, claims: [eq('a', 'P1', '1000万元'), eq('b', 'P2', '1000万元')], priorAwards: [{ incentive: 'equipment', year: 2019, item: 'P1', amount: '50万元' }] });
    expect(r.entitlements.map((e) => [e.claim, e.amountFen])).toEqual([['a', 50_000_000], ['b', 50_000_000]]);
  });
  it('once per enterprise and year: an earlier award of the year stops a second one; another year does not', () => {
    const facts = { rdExpense: '1200万元', rdExpensePriorYear: '1000万元', rdSuperDeductionYears: [2019, 2020] };
    const same = one({ facts, priorAwards: [{ incentive: 'rd-growth', year: 2020, amount: '12万元' }] }, 'rd-growth');
    expect(same).toMatchObject({ status: 'notEligible', amountFen: 0 });
    expect(same.explanation!.reasons[0].zh).toBe('已就同一奖项获2020年度奖励12万元（每家企业每年一次），不再重复奖励');
    expect(one({ facts, priorAwards: [{ incentive: 'rd-growth', year: 2019, amount: '12万元' }] }, 'rd-growth').amountFen).toBe(12_000_000);
  });
});

describe('derived facts: the plot ratio is floor area ÷ land area, never a typed figure', () => {
  const ratio = (facts: Record<string, unknown>) => engine.parse({ year: 2020, facts }).facts.plotRatio;
  it('is derived when its facts are known; a stated value that agrees to two places is replaced by the exact one', () => {
    expect(ratio({ floorArea: 15040, landArea: 10000 })).toBeCloseTo(1.504, 12);
    expect(ratio({ plotRatio: 1.5, floorArea: 15040, landArea: 10000 })).toBeCloseTo(1.504, 12);
    expect(ratio({ plotRatio: 1.51, floorArea: 15050, landArea: 10000 })).toBeCloseTo(1.505, 12); // 1.505 → 1.51 agrees
  });
  it('refuses a stated value that disagrees, and a land area of zero', () => {
    const codes = (facts: Record<string, unknown>, claims: unknown[] = []) => {
      try {
        engine.parse({ year: 2020, facts, claims });
      } catch (e) {
        return (e as ValidationError).errors.map((x) => [x.path, x.code]);
      }
      return [];
    };
    expect(codes({ plotRatio: 1.51, floorArea: 15040, landArea: 10000 })).toEqual([['facts.plotRatio', 'inconsistent_fact']]);
    expect(codes({ plotRatio: 1.49, floorArea: 15040, landArea: 10000 })).toEqual([['facts.plotRatio', 'inconsistent_fact']]);
    expect(codes({ floorArea: 15040, landArea: 0 })).toEqual([['facts.plotRatio', 'not_derivable']]);
    // a claim's own areas are its own plot: derived again, and checked against the ratio the claim states
    expect(codes({ plotRatio: 1.8, floorArea: 18000, landArea: 10000 }, [{ incentive: 'voucher', amount: '1万元', facts: { floorArea: 15040 } }])).toEqual([]);
    expect(codes({ floorArea: 18000, landArea: 10000 }, [{ incentive: 'voucher', amount: '1万元', facts: { plotRatio: 1.8, floorArea: 15040 } }])).toEqual([['claims[0].facts.plotRatio', 'inconsistent_fact']]);
  });
  it('a stated value stands where its facts are not both known', () => {
    expect(ratio({ plotRatio: 1.8, floorArea: 18000 })).toBe(1.8);
  });
});

describe('就高不重复 against city-level awards', () => {
  it('tops up to the higher amount when the city paid less', () => {
    const e = one({ facts: { industryClass: 'other' }, claims: [{ incentive: 'equipment', item: 'P1', facts: { equipmentInvestment: '1000万元' } }], priorAwards: [{ incentive: 'equipment', year: 2020, item: 'P1', amount: '20万元', level: 'city' }] }, 'equipment');
    expect(e.amountFen).toBe(30_000_000);
  });
  it('pays nothing when the city paid at least as much', () => {
    const e = one({ facts: { industryClass: 'other' }, claims: [{ incentive: 'equipment', item: 'P1', facts: { equipmentInvestment: '1000万元' } }], priorAwards: [{ incentive: 'equipment', year: 2020, item: 'P1', amount: '50万元', level: 'city' }] }, 'equipment');
    expect(e).toMatchObject({ status: 'notEligible', amountFen: 0 });
    expect(e.explanation!.reasons[0].code).toBe('city_award_higher');
  });
});

describe('the policy period', () => {
  const listing = (date: string, as = asOf) => engine.evaluate({ year: Number(date.slice(0, 4)), claims: [{ incentive: 'listing', date, facts: { listed: true } }] }, { asOf: as }).entitlements[0];
  it('includes its first and last day', () => {
    expect(listing('2020-01-01').status).toBe('eligible');
    expect(listing('2020-12-31').status).toBe('eligible');
  });
  it('excludes the day before and the day after', () => {
    expect(listing('2019-12-31').explanation!.reasons[0].code).toBe('outside_period');
    expect(listing('2021-01-01', '2021-06-30').explanation!.reasons[0].code).toBe('outside_period');
  });
  it('does not count an event after the as-of date', () => {
    expect(listing('2020-12-31', '2020-06-30').explanation!.reasons[0].code).toBe('after_as_of');
  });
  it('a year outside the period is refused for every incentive', () => {
    const r = engine.evaluate({ year: 2021, claims: [{ incentive: 'voucher', amount: '1万元' }] }, { asOf: '2021-12-31' });
    expect(r.entitlements[0].explanation!.reasons[0].code).toBe('outside_period');
  });
});

describe('statuses without a formula', () => {
  it('一事一议 and 一定奖励 carry no amount', () => {
    const r = run({ claims: [{ incentive: 'major' }, { incentive: 'some-reward' }] });
    expect(r.entitlements.map((e) => [e.status, e.amountFen])).toEqual([['caseByCase', null], ['amountNotSet', null]]);
    expect(r.totalFen).toBe(0);
  });
});

describe('facts are validated, nothing is guessed', () => {
  const errorsOf = (input: unknown) => {
    try {
      engine.parse(input);
    } catch (e) {
      expect(e).toBeInstanceOf(ValidationError);
      return (e as ValidationError).errors.map((x) => [x.path, x.code]);
    }
    throw new Error('expected a validation error');
  };
  it('names an unknown fact, a wrong type, a negative amount, a non-finite number and an impossible date', () => {
    expect(
      errorsOf({
        year: 2020,
        facts: { colour: 'red', listed: 'yes', floorArea: Infinity, listingDate: '2020-02-30' },
        claims: [{ incentive: 'equipment', item: 'P', facts: { equipmentInvestment: -5 } }],
      }),
    ).toEqual([
      ['facts.colour', 'unknown_fact'],
      ['facts.listed', 'wrong_type'],
      ['facts.floorArea', 'wrong_type'],
      ['facts.listingDate', 'bad_date'],
      ['claims[0].facts.equipmentInvestment', 'negative'],
    ]);
  });
  it('money needs integer fen or a unit', () => {
    expect(errorsOf({ year: 2020, claims: [{ incentive: 'voucher', amount: 1.5 }] })).toEqual([['claims[0].amount', 'not_integer_fen']]);
    expect(errorsOf({ year: 2020, claims: [{ incentive: 'voucher', amount: '30' }] })).toEqual([['claims[0].amount', 'bad_money']]);
    expect(errorsOf({ year: 2020, claims: [{ incentive: 'voucher', amount: '0.001元' }] })).toEqual([['claims[0].amount', 'bad_money']]);
  });
  it('an unknown incentive, a missing item, a missing year and a duplicate claim', () => {
    expect(errorsOf({ claims: [{ incentive: 'nope' }, { incentive: 'equipment' }, { incentive: 'voucher', id: 'x' }, { incentive: 'voucher', id: 'x' }] })).toEqual([
      ['year', 'required'],
      ['claims[0].incentive', 'unknown_incentive'],
      ['claims[1].item', 'required'],
      ['claims[3]', 'duplicate_claim'],
    ]);
  });
  it('a bad as-of date is refused', () => {
    expect(() => engine.evaluate({ year: 2020 }, { asOf: '2020-13-01' })).toThrow(/as-of/);
  });
});

describe('validation cannot be skipped by input shaped like parsed facts', () => {
  const looksParsed = (x: Record<string, unknown>) => ({ claims: [], priorAwards: [], ...x });
  it('a bad year and an unknown negative fact are refused though claims and priorAwards are lists', () => {
    try {
      engine.evaluate(looksParsed({ year: 'nonsense', facts: { colour: -1 } }), { asOf });
      throw new Error('expected a validation error');
    } catch (e) {
      expect(e).toBeInstanceOf(ValidationError);
      expect((e as ValidationError).errors.map((x) => [x.path, x.code])).toEqual([
        ['year', 'bad_year'],
        ['facts.colour', 'unknown_fact'],
      ]);
    }
  });
  it('the 免申即享 scan runs for such input: the R&D growth reward is found from the facts', () => {
    const r = engine.evaluate(looksParsed({ year: 2020, facts: { rdExpense: '1200万元', rdExpensePriorYear: '1000万元', rdSuperDeductionYears: [2019, 2020] } }), { asOf });
    expect(r.entitlements.map((e) => [e.incentive, e.implicit, e.amountFen])).toEqual([['rd-growth', true, 12_000_000]]);
  });
  it('an object copied from a parsed enterprise-year is validated again; the parsed object itself is not', () => {
    const ey = engine.parse({ year: 2020, facts: { listed: true } });
    expect(engine.evaluate(ey, { asOf }).totalFen).toBe(500_000_000);
    expect(() => engine.evaluate({ ...ey, year: 'nonsense' }, { asOf })).toThrow(ValidationError);
  });
  it('facts parsed for another policy are validated against this one', () => {
    const other = Engine.load(fileURLToPath(new URL('./fixtures/mini-policy', import.meta.url)));
    const ey = other.parse({ year: 2020, facts: { listed: true } });
    // its parsed form (claims with incentiveIndex …) is not input: it is validated, and refused
    expect(() => engine.evaluate(ey, { asOf })).toThrow(ValidationError);
    expect(other.evaluate(ey, { asOf }).totalFen).toBe(500_000_000);
  });
});

describe('explanations', () => {
  it('carry the clause, the facts used, the formula and the policy version', () => {
    const x = equipment('1500万元', 'leading').explanation!;
    expect(x.policy).toMatchObject({ id: 'mini-policy', version: 'test.1' });
    expect(x.clause).toContain('1000万元以上');
    expect(x.factsUsed.map((f) => f.name).sort()).toEqual(['equipmentInvestment', 'industryClass']);
    expect(x.formula).toMatchObject({ baseValue: 1_500_000_000, rate: '10%', rawFen: 150_000_000 });
    expect(x.summary.zh).toContain('150万元');
  });
  it('can be left out, with the same amounts', () => {
    const input = { year: 2020, facts: { industryClass: 'leading', listed: true }, claims: [{ incentive: 'equipment', item: 'P', facts: { equipmentInvestment: '3000万元' } }] };
    const a = engine.evaluate(input, { asOf, explain: false });
    const b = engine.evaluate(input, { asOf });
    expect(a.entitlements.every((e) => e.explanation === undefined)).toBe(true);
    expect(a.entitlements.map((e) => e.amountFen)).toEqual(b.entitlements.map((e) => e.amountFen));
    expect(engine.total(engine.parse(input), asOf)).toBe(b.totalFen);
  });
});
