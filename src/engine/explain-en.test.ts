// The explanation's English forms and its form-facing fields (missingFact, reason.fact), which the web app shows
// in English mode and in its forms instead of the Chinese text or a raw fact name.
import { describe, expect, it } from 'vitest';
import { Engine } from './index.ts';
import { policyCatalog } from '../policy/catalog.ts';

const engine = Engine.load();
const asOf = '2020-12-31';
const equipment = (facts: Record<string, unknown>) => {
  const r = engine.evaluate({ year: 2020, claims: [{ incentive: 'equipment-investment', item: 'P1', facts }] }, { asOf });
  return r.entitlements.find((e) => e.incentive === 'equipment-investment')!;
};

describe('explanations in English', () => {
  it('gives the formula, its base, rate, facts and conditions in English beside the Chinese', () => {
    const e = equipment({ industryClass: 'leading', equipmentInvestment: '2500万元' });
    const x = e.explanation!;
    expect(e.status).toBe('eligible');
    expect(x.formula).toMatchObject({ baseDisplay: '2,500万元', baseDisplayEn: '¥25,000,000.00', rate: '12%', rateEn: '12%', rawFen: 300_000_000 });
    expect(x.factsUsed.find((f) => f.name === 'equipmentInvestment')).toMatchObject({ display: '2,500万元', displayEn: '¥25,000,000.00' });
    expect(x.conditions[0]).toMatchObject({ satisfied: true, actual: '2,500万元', actualEn: '¥25,000,000.00' });
    expect(x.caps[0].labelEn).toMatch(/cap/);
    expect(x.summary.en).not.toMatch(/[万元]/);
  });

  it('one fen below the threshold says in both languages how much is missing', () => {
    const x = equipment({ industryClass: 'other', equipmentInvestment: '1850万元' }).explanation!;
    expect(x.reasons[0]).toMatchObject({ code: 'condition_failed', fact: 'equipmentInvestment' });
    expect(x.whatWouldQualify!.zh).toContain('还差150万元');
    expect(x.whatWouldQualify!.en).toContain('¥1,500,000.00 short');
    expect(x.whatWouldQualify!.en).not.toMatch(/[万元]/);
  });

  it('names the missing fact with its labels (for a form) and not only by its identifier', () => {
    const x = equipment({ industryClass: 'leading' }).explanation!;
    expect(x.reasons[0]).toMatchObject({ code: 'missing_fact', fact: 'equipmentInvestment' });
    expect(x.missingFact).toEqual({ name: 'equipmentInvestment', label: '当年度单个项目设备投资额', labelEn: 'equipment investment in one project in the year' });
  });

  it('the policy library gives every incentive its amount text and cap labels in English', () => {
    const lib = policyCatalog(engine.policy);
    const all = [...lib.measures.flatMap((m) => m.incentives), ...lib.generalIncentives];
    for (const inc of all) {
      expect(inc.amountTextEn, inc.id).not.toMatch(/[\u4e00-\u9fff]/);
      for (const c of inc.caps) expect(c.labelEn, inc.id).toBeTruthy();
    }
    expect(all.find((i) => i.id === 'equipment-investment')!.amountTextEn).toContain('12%/10%/6%');
  });
});
