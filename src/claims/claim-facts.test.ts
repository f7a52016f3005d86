// A claim is evaluated by the same engine, on the same reading of its facts, as `kaifang calc` (issue 9, item 6):
// measure 16's industry class is the project's — the class a claim states for its project wins, the enterprise's
// registered class stands in where it states none — and a claim's own facts go through the same validation.
import { describe, expect, it } from 'vitest';
import { Engine } from '../engine/index.ts';
import type { Claim } from '../db/schema.ts';
import { ValidationError } from '../errors.ts';
import { evaluateClaimWith, validateClaimInput } from './claims.ts';
import type { PlatformContext } from './context.ts';

const engine = Engine.load();
// Only the engine and the date are read by these functions; nothing here touches a database.
const ctx = { engine, today: () => '2021-03-01' } as unknown as PlatformContext;
const WAN = 1_000_000;

const registeredOther = { uscc: '91320509MA1XK7C3XN', name: '吴江某纺织有限公司', area_id: 'shengze', industry_class: 'other' };

function claim(facts: Record<string, unknown>, item = '光电新材料项目'): Claim {
  return { id: 1, incentive_id: 'equipment-investment', year: 2020, item, event_on: null, amount_claimed_fen: null, facts } as unknown as Claim;
}

/** What `kaifang calc` says for the same enterprise-year. */
function calc(enterpriseClass: string, facts: Record<string, unknown>, prior: unknown[] = []) {
  const r = engine.evaluate({ year: 2020, facts: { industryClass: enterpriseClass }, claims: [{ incentive: 'equipment-investment', item: '光电新材料项目', facts }], priorAwards: prior }, { asOf: '2021-03-01' });
  return r.entitlements[0].amountFen;
}

describe('a claim and the calculator read measure 16 the same way', () => {
  it('a project of the leading industry in an enterprise registered as other: 12%, as in kaifang calc', () => {
    const facts = { equipmentInvestment: '3000万元', industryClass: 'leading' };
    const ent = evaluateClaimWith(ctx, claim(facts), registeredOther, []);
    expect(ent.amountFen).toBe(360 * WAN);
    expect(calc('other', facts)).toBe(360 * WAN);
  });
  it('a claim that states no class: the enterprise registered class stands for the project, as the enterprise-level fact does in kaifang calc', () => {
    const facts = { equipmentInvestment: '3000万元' };
    expect(evaluateClaimWith(ctx, claim(facts), registeredOther, []).amountFen).toBe(180 * WAN);
    expect(calc('other', facts)).toBe(180 * WAN);
  });
  it('the project-year rule applies against the ledger: an earlier award for the project is deducted, another project is not', () => {
    const facts = { equipmentInvestment: '2500万元', industryClass: 'leading' };
    const prior = [{ incentive: 'equipment-investment', year: 2020, item: '光电新材料项目', amountFen: 240 * WAN, level: 'district' as const }];
    const same = evaluateClaimWith(ctx, claim(facts), registeredOther, prior);
    expect(same.amountFen).toBe(60 * WAN);
    expect(same.explanation!.summary.zh).toContain('已就同一项目“光电新材料项目”获2020年度奖励240万元');
    expect(calc('other', facts, [{ incentive: 'equipment-investment', year: 2020, item: '光电新材料项目', amount: '240万元' }])).toBe(60 * WAN);
    expect(evaluateClaimWith(ctx, claim(facts, '另一项目'), registeredOther, prior).amountFen).toBe(300 * WAN);
  });
  it('a class that is not one of the three is refused with the path of the claim field', () => {
    try {
      validateClaimInput(ctx, { incentive: 'equipment-investment', year: 2020, item: 'P', facts: { equipmentInvestment: '3000万元', industryClass: 'steel' } }, registeredOther);
      throw new Error('expected a validation error');
    } catch (e) {
      expect(e).toBeInstanceOf(ValidationError);
      expect((e as ValidationError).errors.map((x) => [x.path, x.code])).toEqual([['facts.industryClass', 'wrong_type']]);
    }
  });
});
