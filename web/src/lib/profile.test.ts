// @vitest-environment node
import { describe, expect, it } from 'vitest';
import type { Entitlement, EvaluationResult, FactDecl, IncentiveView, PolicyLibrary } from '../api/types';
import { classifyProfile, profileGroups, profileInput, profileToSearch, searchToProfile } from './profile';

const decl = (name: string, type: FactDecl['type'], extra: Partial<FactDecl> = {}): FactDecl => ({ name, type, label: name + '标签', labelEn: name + ' label', ...extra });
const facts: FactDecl[] = [
  decl('industryClass', 'enum', { values: ['leading', 'highTech', 'other'] }),
  decl('equipmentInvestment', 'money'),
  decl('rdExpense', 'money'),
  decl('rdSuperDeductionYears', 'yearList'),
  decl('purchasesSciTechServices', 'boolean'),
  decl('landArea', 'area'),
  decl('listedOn', 'date'),
  decl('unusedFact', 'integer'),
];
const inc = (id: string, measure: number, f: string[], extra: Partial<IncentiveView> = {}) => ({ id, measure, kind: 'formula', title: id, facts: f, ...extra }) as IncentiveView;
const policy = {
  facts,
  sections: [
    { no: 2, title: '科技创新', measures: [7, 10] },
    { no: 5, title: '产业发展', measures: [16, 18] },
  ],
  measures: [
    { measure: 7, section: 2, incentives: [inc('innovation-voucher', 7, ['purchasesSciTechServices'], { kind: 'cappedClaim' })] },
    { measure: 10, section: 2, incentives: [inc('rd-expense-growth', 10, ['rdSuperDeductionYears', 'rdExpense'])] },
    { measure: 16, section: 5, incentives: [inc('equipment-investment', 16, ['equipmentInvestment', 'industryClass'], { item: { label: '项目', labelEn: 'project' } })] },
    { measure: 18, section: 5, incentives: [inc('plot-ratio', 18, ['landArea', 'industryClass'], { item: { label: '地块', labelEn: 'plot' } })] },
  ],
  generalIncentives: [inc('major-breakthrough', 0, ['listedOn'], { kind: 'caseByCase', measure: null })],
} as unknown as PolicyLibrary;

describe('profileGroups', () => {
  it('puts each declared fact once, under the first section whose incentives read it, and the rest under other', () => {
    const g = profileGroups(policy);
    expect(g.map((x) => [x.key, x.facts.map((f) => f.name)])).toEqual([
      ['s2', ['purchasesSciTechServices', 'rdSuperDeductionYears', 'rdExpense']],
      ['s5', ['equipmentInvestment', 'industryClass', 'landArea']],
      ['other', ['listedOn', 'unusedFact']],
    ]);
    expect(g.flatMap((x) => x.facts).length).toBe(facts.length);
  });
});

describe('profileInput', () => {
  it('claims every incentive once (item-based ones under one named item) with only the facts filled in', () => {
    const { input, problems, filled } = profileInput(policy, { area: 'songling', facts: { industryClass: 'leading', equipmentInvestment: { amount: '2500', unit: 'wan' }, rdExpense: { amount: '', unit: 'wan' } } }, 2020, '企业画像');
    expect(problems).toEqual([]);
    expect(filled).toBe(2);
    expect(input).toEqual({
      year: 2020,
      enterprise: { area: 'songling' },
      facts: { industryClass: 'leading', equipmentInvestment: 2_500_000_000 },
      claims: [
        { incentive: 'innovation-voucher' },
        { incentive: 'rd-expense-growth' },
        { incentive: 'equipment-investment', item: '企业画像' },
        { incentive: 'plot-ratio', item: '企业画像' },
        { incentive: 'major-breakthrough' },
      ],
    });
  });

  it('reports a bad value at its field', () => {
    const { problems } = profileInput(policy, { facts: { equipmentInvestment: { amount: '-1', unit: 'wan' } } }, 2020, 'x');
    expect(problems.map((p) => p.name.join('.'))).toEqual(['facts.equipmentInvestment']);
  });
});

describe('classifyProfile', () => {
  const e = (incentive: string, status: Entitlement['status'], amountFen: number | null, reason?: { code: string; fact?: string }, extra: Record<string, unknown> = {}): Entitlement => ({
    measure: 1,
    incentive,
    title: incentive,
    claim: incentive,
    implicit: false,
    status,
    amountFen,
    explanation: { measure: 1, clause: '', factsUsed: [], conditions: [], caps: [], reasons: reason ? [{ zh: '', en: '', ...reason }] : [], summary: { zh: '', en: '' }, ...extra },
  });
  const result = (ents: Entitlement[]): EvaluationResult => ({ policy: { id: 'p', version: '1', title: '' }, year: 2020, asOf: '2020-12-31', enterprise: {}, totalFen: ents.reduce((s, x) => s + (x.status === 'eligible' ? (x.amountFen ?? 0) : 0), 0), entitlements: ents });

  it('sorts matches (amount highest first), near misses with what is missing or short, the rest, and counts the untouched', () => {
    const r = classifyProfile(
      policy,
      result([
        e('innovation-voucher', 'notEligible', 0, { code: 'amount_required' }),
        e('rd-expense-growth', 'eligible', 12_000_000),
        e('equipment-investment', 'notEligible', 0, { code: 'condition_failed', fact: 'equipmentInvestment' }, { whatWouldQualify: { zh: '还差150万元', en: '¥1,500,000.00 short' } }),
        e('plot-ratio', 'notEligible', 0, { code: 'missing_fact', fact: 'landArea' }, { missingFact: { name: 'landArea', label: 'l', labelEn: 'l' } }),
        e('major-breakthrough', 'notEligible', 0, { code: 'missing_fact', fact: 'listedOn' }),
      ]),
      { industryClass: 'other', equipmentInvestment: 1_850_000_000, rdExpense: 1, rdSuperDeductionYears: [2019, 2020] },
    );
    expect(r.matches.map((m) => [m.ent.incentive, m.reading.verdict])).toEqual([
      ['rd-expense-growth', 'eligible'],
      ['innovation-voucher', 'claimable'],
    ]);
    expect(r.near.map((m) => [m.ent.incentive, m.missing.map((d) => d.name)])).toEqual([
      ['equipment-investment', []],
      ['plot-ratio', ['landArea']],
    ]);
    expect(r.notEligible).toEqual([]);
    expect(r.untouched).toBe(1);
    expect(r.totalFen).toBe(12_000_000);
  });

  it('a failed yes/no or category condition is not a near miss', () => {
    const r = classifyProfile(policy, result([e('innovation-voucher', 'notEligible', 0, { code: 'condition_failed', fact: 'purchasesSciTechServices' })]), { purchasesSciTechServices: false });
    expect(r.notEligible.map((m) => m.ent.incentive)).toEqual(['innovation-voucher']);
    expect(r.near).toEqual([]);
  });
});

describe('the profile in the URL', () => {
  it('round-trips every type', () => {
    const v = {
      year: 2020,
      area: 'songling',
      facts: { industryClass: 'leading', equipmentInvestment: { amount: '2500', unit: 'wan' as const }, rdExpense: { amount: '1234.56', unit: 'yuan' as const }, rdSuperDeductionYears: [2019, 2020], purchasesSciTechServices: false, landArea: 12000.5, listedOn: '2020-07-22' },
    };
    const p = profileToSearch(facts, v);
    expect(p.toString()).toBe(
      'mode=profile&year=2020&area=songling&industryClass=leading&equipmentInvestment=2500%E4%B8%87&rdExpense=1234.56%E5%85%83&rdSuperDeductionYears=2019%2C2020&purchasesSciTechServices=false&landArea=12000.5&listedOn=2020-07-22',
    );
    expect(searchToProfile(facts, p)).toEqual({ ...v, ignored: [] });
  });

  it('leaves out blank fields and names values that do not fit instead of guessing', () => {
    expect(profileToSearch(facts, { facts: { rdExpense: { amount: '', unit: 'wan' }, rdSuperDeductionYears: [] } }).toString()).toBe('mode=profile');
    const back = searchToProfile(facts, new URLSearchParams('industryClass=nope&equipmentInvestment=2500&landArea=-1&purchasesSciTechServices=yes&listedOn=2020-02-30&rdExpense=30万'));
    expect(back.facts).toEqual({ rdExpense: { amount: '30', unit: 'wan' } });
    expect(back.ignored).toEqual(['industryClass', 'equipmentInvestment', 'purchasesSciTechServices', 'landArea', 'listedOn']);
    expect(back.year).toBeUndefined();
  });
});
