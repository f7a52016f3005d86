// @vitest-environment node
import { describe, expect, it } from 'vitest';
import type { Entitlement, Explanation } from '../api/types';
import { capLimitKnown, conditionActualText, readEntitlement, usedFactText } from './entitlement';

const exp = (x: Partial<Explanation>): Explanation => ({ measure: 16, clause: '', factsUsed: [], conditions: [], caps: [], reasons: [], summary: { zh: '', en: '' }, ...x });
const ent = (status: Entitlement['status'], x: Partial<Explanation>): Pick<Entitlement, 'status' | 'explanation'> => ({ status, explanation: exp(x) });

describe('readEntitlement', () => {
  it('a missing fact reads 需填写 with the fact, not 不符合, and shows neither formula nor caps', () => {
    const r = readEntitlement(
      ent('notEligible', {
        reasons: [{ code: 'missing_fact', zh: '', en: '', fact: 'equipmentInvestment' }],
        missingFact: { name: 'equipmentInvestment', label: '当年度单个项目设备投资额', labelEn: 'equipment investment' },
        formula: { text: '', rawFen: 0 },
        caps: [{ label: '单个项目最高奖励', scope: 'item', limitFen: 0, usedBeforeFen: 0, roomFen: 0, applied: false }],
      }),
    );
    expect(r).toEqual({ verdict: 'needsInfo', missing: { name: 'equipmentInvestment', label: '当年度单个项目设备投资额', labelEn: 'equipment investment' }, showFormula: false, showCaps: false });
  });

  it('below a threshold: not eligible, and no "× 6% = 0.00元" formula', () => {
    const r = readEntitlement(ent('notEligible', { reasons: [{ code: 'condition_failed', zh: '', en: '', fact: 'equipmentInvestment' }], formula: { text: '', baseDisplay: '1,850万元', rate: '6%', rawFen: 0 } }));
    expect(r).toMatchObject({ verdict: 'notEligible', showFormula: false, showCaps: false });
  });

  it('computed but cut to nothing by a cap or a city award: the formula is shown with the caps', () => {
    const r = readEntitlement(ent('notEligible', { reasons: [{ code: 'cap_exhausted', zh: '', en: '' }], formula: { text: '', rawFen: 300_000_000 } }));
    expect(r).toMatchObject({ verdict: 'notEligible', showFormula: true, showCaps: true });
  });

  it('eligible shows its formula; a capped claim without its amount is claimable; 一事一议 and 金额待定 stay as they are', () => {
    expect(readEntitlement(ent('eligible', { formula: { text: '', rawFen: 300_000_000 } }))).toMatchObject({ verdict: 'eligible', showFormula: true, showCaps: true });
    expect(readEntitlement(ent('eligible', {}))).toMatchObject({ verdict: 'eligible', showFormula: false });
    expect(readEntitlement(ent('notEligible', { reasons: [{ code: 'amount_required', zh: '', en: '' }] })).verdict).toBe('claimable');
    expect(readEntitlement(ent('caseByCase', {})).verdict).toBe('caseByCase');
    expect(readEntitlement(ent('amountNotSet', {})).verdict).toBe('amountNotSet');
  });

  it('falls back to the reason`s fact name when the server sends no missingFact', () => {
    expect(readEntitlement(ent('notEligible', { reasons: [{ code: 'missing_fact', zh: '', en: '', fact: 'rdExpense' }] })).missing).toEqual({ name: 'rdExpense', label: 'rdExpense', labelEn: 'rdExpense' });
  });

  it('a cap of 0 that cut nothing was not decided (its amount depends on a missing fact)', () => {
    expect(capLimitKnown({ limitFen: 0, applied: false })).toBe(false);
    expect(capLimitKnown({ limitFen: 1_000_000_000, applied: false })).toBe(true);
    expect(capLimitKnown({ limitFen: 0, applied: true })).toBe(true);
  });
});

describe('fact values of an explanation in English', () => {
  const used = [
    { name: 'industryClass', label: '产业类别', labelEn: 'industry class', value: 'highTech', display: '高新技术产业', displayEn: 'highTech' },
    { name: 'equipmentInvestment', label: '投资额', labelEn: 'investment', value: 2_500_000_000, display: '2,500万元', displayEn: '¥25,000,000.00' },
  ];
  it('an enum value through the catalogue, never its identifier; other values as the engine wrote them', () => {
    expect(usedFactText(used[0], 'en')).toBe('high-tech industry');
    expect(usedFactText(used[0], 'zh')).toBe('高新技术产业');
    expect(usedFactText(used[1], 'en')).toBe('¥25,000,000.00');
  });
  it('a condition takes its value from the fact it tests', () => {
    expect(conditionActualText({ fact: 'industryClass', actual: '高新技术产业', actualEn: 'highTech' }, used, 'en')).toBe('high-tech industry');
    expect(conditionActualText({ actual: '2,500万元', actualEn: '¥25,000,000.00' }, used, 'en')).toBe('¥25,000,000.00');
    expect(conditionActualText({ fact: 'industryClass', actual: '高新技术产业' }, used, 'zh')).toBe('高新技术产业');
  });
});
