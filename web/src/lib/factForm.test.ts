// @vitest-environment node
import { describe, expect, it } from 'vitest';
import type { FactDecl, PolicyLibrary } from '../api/types';
import { calcInputFromForm, factsOf, factsToForm, formToFacts, isCivilDate } from './factForm';

const decl = (name: string, type: FactDecl['type'], extra: Partial<FactDecl> = {}): FactDecl => ({ name, type, label: name + '标签', labelEn: name + ' label', ...extra });
const decls: FactDecl[] = [
  decl('equipmentInvestment', 'money'),
  decl('industryClass', 'enum', { values: ['leading', 'highTech', 'other'] }),
  decl('plotRatio', 'number'),
  decl('landArea', 'area'),
  decl('staff', 'integer'),
  decl('inPool', 'boolean'),
  decl('listedOn', 'date'),
  decl('poolYear', 'year'),
  decl('rdYears', 'yearList'),
];

describe('formToFacts', () => {
  it('converts every type, money to integer fen', () => {
    const { facts, problems } = formToFacts(decls, {
      equipmentInvestment: { amount: '2500', unit: 'wan' },
      industryClass: 'leading',
      plotRatio: 2.1,
      landArea: 10000,
      staff: 12,
      inPool: false,
      listedOn: '2020-07-22',
      poolYear: 2019,
      rdYears: [2020, 2018, 2020],
    });
    expect(problems).toEqual([]);
    expect(facts).toEqual({
      equipmentInvestment: 2_500_000_000,
      industryClass: 'leading',
      plotRatio: 2.1,
      landArea: 10000,
      staff: 12,
      inPool: false,
      listedOn: '2020-07-22',
      poolYear: 2019,
      rdYears: [2018, 2020],
    });
  });

  it('leaves empty fields out (not known), never zero; false is a value', () => {
    const { facts, problems } = formToFacts(decls, { equipmentInvestment: { amount: '', unit: 'wan' }, plotRatio: null, rdYears: [], inPool: false, industryClass: undefined });
    expect(problems).toEqual([]);
    expect(facts).toEqual({ inPool: false });
  });

  it('money in 元 as well as 万元', () => {
    expect(formToFacts(decls, { equipmentInvestment: { amount: '19999999.99', unit: 'yuan' } }).facts.equipmentInvestment).toBe(1_999_999_999);
    expect(formToFacts(decls, { equipmentInvestment: { amount: '1999', unit: 'wan' } }).facts.equipmentInvestment).toBe(1_999_000_000);
  });

  it('reports every bad field with its form name and a message in both languages', () => {
    const { facts, problems } = formToFacts(
      decls,
      { equipmentInvestment: { amount: '-3', unit: 'wan' }, staff: 1.5, listedOn: '2020-02-30', poolYear: 20, industryClass: 'nope', plotRatio: -1 },
      ['claims', 0, 'facts'],
    );
    expect(facts).toEqual({});
    expect(problems.map((p) => p.name.join('.'))).toEqual([
      'claims.0.facts.equipmentInvestment',
      'claims.0.facts.industryClass',
      'claims.0.facts.plotRatio',
      'claims.0.facts.staff',
      'claims.0.facts.listedOn',
      'claims.0.facts.poolYear',
    ]);
    expect(problems[0].messageZh).toBe('equipmentInvestment标签：金额不能为负数');
    expect(problems[0].messageEn).toContain('negative');
    expect(problems[3].messageZh).toContain('整数');
  });

  it('round-trips stored facts through the form', () => {
    const stored = { equipmentInvestment: 2_500_000_000, industryClass: 'other', inPool: true, rdYears: [2019, 2020], plotRatio: 1.8 };
    const form = factsToForm(decls, stored);
    expect(form.equipmentInvestment).toEqual({ amount: '2500', unit: 'wan' });
    expect(formToFacts(decls, form).facts).toEqual(stored);
    // stored facts keep the unit people wrote
    expect(factsToForm(decls, { equipmentInvestment: '2800万元' }).equipmentInvestment).toEqual({ amount: '2800', unit: 'wan' });
    expect(formToFacts(decls, factsToForm(decls, { equipmentInvestment: '19999999.99元' })).facts.equipmentInvestment).toBe(1_999_999_999);
    const small = factsToForm(decls, { equipmentInvestment: 123_456 });
    expect(small.equipmentInvestment).toEqual({ amount: '1234.56', unit: 'yuan' });
  });
});

describe('calcInputFromForm', () => {
  const policy = {
    facts: decls,
    generalIncentives: [],
    measures: [
      {
        measure: 16,
        incentives: [
          { id: 'equipment-investment', kind: 'formula', facts: ['equipmentInvestment', 'industryClass'], item: { label: '项目', labelEn: 'project' } },
          { id: 'innovation-voucher', kind: 'cappedClaim', facts: ['inPool'] },
        ],
      },
    ],
  } as unknown as PolicyLibrary;

  it('builds the calc body with claims in form order', () => {
    const { input, problems } = calcInputFromForm(policy, 2020, [
      { incentive: 'equipment-investment', item: ' 光纤预制棒扩产 ', facts: { equipmentInvestment: { amount: '2500', unit: 'wan' }, industryClass: 'leading' } },
      { incentive: 'innovation-voucher', amount: { amount: '60', unit: 'wan' }, facts: { inPool: true, equipmentInvestment: { amount: '1', unit: 'wan' } } },
    ]);
    expect(problems).toEqual([]);
    expect(input).toEqual({
      year: 2020,
      claims: [
        { incentive: 'equipment-investment', item: '光纤预制棒扩产', facts: { equipmentInvestment: 2_500_000_000, industryClass: 'leading' } },
        // only the incentive's own facts are sent
        { incentive: 'innovation-voucher', amount: 60_000_000, facts: { inPool: true } },
      ],
    });
  });

  it('asks for the item name and the amount claimed where the incentive needs them', () => {
    const { problems } = calcInputFromForm(policy, 2020, [
      { incentive: 'equipment-investment', item: 'P', facts: { equipmentInvestment: { amount: '2500', unit: 'wan' }, industryClass: 'leading' } },
      { incentive: 'equipment-investment', facts: { equipmentInvestment: { amount: '2500', unit: 'wan' }, industryClass: 'leading' } },
      { incentive: 'innovation-voucher', facts: { inPool: false } },
      { incentive: 'nope' },
    ]);
    expect(problems.map((p) => p.name.join('.'))).toEqual(['claims.1.item', 'claims.2.amount', 'claims.3.incentive']);
  });

  it('asks for every blank fact the incentive reads, by its label and never by its identifier', () => {
    const { problems } = calcInputFromForm(policy, 2020, [{ incentive: 'equipment-investment', item: 'P', facts: { industryClass: 'leading', equipmentInvestment: { amount: ' ', unit: 'wan' } } }]);
    expect(problems).toEqual([{ name: ['claims', 0, 'facts', 'equipmentInvestment'], messageZh: '需填写“equipmentInvestment标签”', messageEn: '"equipmentInvestment label" is needed' }]);
    // false is an answer, not a blank
    expect(calcInputFromForm(policy, 2020, [{ incentive: 'innovation-voucher', amount: { amount: '1', unit: 'wan' }, facts: { inPool: false } }]).problems).toEqual([]);
  });

  it('factsOf keeps the incentive order and skips unknown names', () => {
    expect(factsOf(policy, { facts: ['industryClass', 'missing', 'equipmentInvestment'] }).map((d) => d.name)).toEqual(['industryClass', 'equipmentInvestment']);
  });

  it('civil dates', () => {
    expect(isCivilDate('2020-02-29')).toBe(true);
    expect(isCivilDate('2021-02-29')).toBe(false);
    expect(isCivilDate('2020-2-9')).toBe(false);
  });
});
