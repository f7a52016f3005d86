/**
 * The policy as people browse it (policy library, calculator form): sections, measures with their clause and
 * plain explanation, lead unit names, what can be claimed and how much — derived from the loaded policy, never
 * restated.
 */
import type { OnceScope, Policy, Rate, ResolvedIncentive } from './model.ts';
import { formatFen, formatFraction, groupThousands } from './quantities.ts';

export interface IncentiveView {
  id: string;
  measure: number | null;
  title: string;
  titleEn: string;
  kind: ResolvedIncentive['kind'];
  clause: string;
  summary: string;
  summaryEn?: string;
  /** e.g. "定额700万元", "最高50万元/年", "设备投资额 × 12%/10%/6%，单个项目最高1000万/800万/600万元" */
  amountText: string;
  /** the same in English: "fixed ¥7,000,000.00 (one-time)", "equipment investment × 12%/10%/6%, per item at most …" */
  amountTextEn: string;
  fixedFen?: number;
  caps: Array<{ scope: string; label: string; labelEn: string; amountFen?: number; byFact?: { fact: string; values: Record<string, number> } }>;
  conditions: Array<{ fact: string; label: string; labelEn: string }>;
  /** facts a claimant fills in for this incentive (conditions, formula, caps) */
  facts: string[];
  item?: { label: string; labelEn: string };
  /** one award per event: the enterprise, its year, the item, or the item's year (schema.ts `once`) */
  once?: OnceScope;
  maxYears?: number;
  leadUnit: string | null;
  leadUnitName: string | null;
  beneficiary: string;
  interpretations: string[];
}

export function incentiveView(policy: Policy, inc: ResolvedIncentive): IncentiveView {
  const caps = inc.caps.map((c) => ({
    scope: c.scope,
    label: c.label,
    labelEn: c.labelEn,
    amountFen: c.amountFen.kind === 'const' ? c.amountFen.value : undefined,
    byFact: c.amountFen.kind === 'byFact' ? { fact: c.amountFen.fact, values: c.amountFen.values } : undefined,
  }));
  const facts = new Set<string>();
  for (const c of inc.conditions) {
    if (c.expr) for (const m of c.fact.match(/[A-Za-z][A-Za-z0-9]*/g) ?? []) if (policy.facts.has(m)) facts.add(m);
    if (policy.facts.has(c.fact)) facts.add(c.fact);
  }
  for (const m of inc.base?.match(/[A-Za-z][A-Za-z0-9]*/g) ?? []) if (policy.facts.has(m)) facts.add(m);
  if (inc.rate?.kind === 'byFact') facts.add(inc.rate.fact);
  for (const c of inc.caps) if (c.amountFen.kind === 'byFact') facts.add(c.amountFen.fact);
  return {
    id: inc.id,
    measure: inc.measure,
    title: inc.title,
    titleEn: inc.titleEn,
    kind: inc.kind,
    clause: inc.clause,
    summary: inc.summary,
    summaryEn: inc.summaryEn,
    amountText: amountText(inc),
    amountTextEn: amountTextEn(inc),
    fixedFen: inc.fixedFen,
    caps,
    conditions: inc.conditions.map((c) => ({ fact: c.fact, label: c.label, labelEn: c.labelEn })),
    facts: [...facts],
    item: inc.item,
    once: inc.once,
    maxYears: inc.maxYears,
    leadUnit: inc.leadUnit,
    leadUnitName: inc.leadUnit ? (policy.agencies.get(inc.leadUnit)?.name ?? inc.leadUnit) : null,
    beneficiary: inc.beneficiary,
    interpretations: inc.interpretations,
  };
}

/** The distinct amounts of a fixed incentive (one, or one per value of the fact that chooses it), smallest first. */
function fixedValues(inc: ResolvedIncentive): number[] {
  const f = inc.fixed!;
  return f.kind === 'const' ? [f.value] : [...new Set(Object.values(f.values))].sort((a, b) => a - b);
}

function onceZh(inc: ResolvedIncentive): string {
  const label = inc.item?.label ?? '事项';
  return inc.once ? { enterprise: '（每家企业一次）', enterpriseYear: '（每家企业每年一次）', item: `（每个${label}一次）`, itemYear: `（每个${label}每年一次）` }[inc.once] : '';
}

function onceEn(inc: ResolvedIncentive): string {
  const label = inc.item?.labelEn ?? 'item';
  return inc.once ? { enterprise: ' (once per enterprise)', enterpriseYear: ' (once per enterprise and year)', item: ` (once per ${label})`, itemYear: ` (once per ${label} and year)` }[inc.once] : '';
}

const SCOPE_ZH: Record<string, string> = { claim: '每项', item: '每项累计', enterpriseYear: '每年', enterprise: '累计' };

export function amountText(inc: ResolvedIncentive): string {
  const caps = inc.caps
    .map((c) => `${SCOPE_ZH[c.scope] ?? ''}最高${c.amountFen.kind === 'const' ? formatFen(c.amountFen.value) : Object.values(c.amountFen.values).map((v) => formatFen(v)).join('/')}`)
    .join('，');
  switch (inc.kind) {
    case 'fixed':
      return `定额${fixedValues(inc).map((v) => formatFen(v)).join('/')}${onceZh(inc)}`;
    case 'formula': {
      const rate = inc.rate!;
      const r = (x: Rate) => (x.kind === 'fraction' ? formatFraction(x.value) : `${x.text}/单位`);
      const rates = rate.kind === 'const' ? r(rate.value) : Object.values(rate.values).map(r).join('/');
      return `${inc.formula ?? inc.base} · ${rates}${caps ? '，' + caps : ''}${onceZh(inc)}`;
    }
    case 'cappedClaim':
      return `据实申报，${caps}`;
    case 'caseByCase':
      return '一事一议';
    case 'amountNotSet':
      return '原文未定金额（待实施细则）';
  }
}

const SCOPE_EN: Record<string, string> = { claim: 'per claim', item: 'per item in total', enterpriseYear: 'per year', enterprise: 'in total' };

/** 300000000 → "¥3,000,000.00", as the engine's English explanations write amounts. */
function yuanEn(fen: number): string {
  return `¥${groupThousands(Math.floor(fen / 100))}.${String(fen % 100).padStart(2, '0')}`;
}

export function amountTextEn(inc: ResolvedIncentive): string {
  const caps = inc.caps
    .map((c) => `at most ${c.amountFen.kind === 'const' ? yuanEn(c.amountFen.value) : Object.values(c.amountFen.values).map(yuanEn).join('/')} ${SCOPE_EN[c.scope] ?? ''}`.trim())
    .join(', ');
  switch (inc.kind) {
    case 'fixed':
      return `fixed ${fixedValues(inc).map(yuanEn).join('/')}${onceEn(inc)}`;
    case 'formula': {
      const rate = inc.rate!;
      const r = (x: Rate) => (x.kind === 'fraction' ? formatFraction(x.value) : `${yuanEn(x.fenPerUnit)}/unit`);
      const rates = rate.kind === 'const' ? r(rate.value) : Object.values(rate.values).map(r).join('/');
      return `${inc.formulaEn ?? inc.base} · ${rates}${caps ? ', ' + caps : ''}${onceEn(inc)}`;
    }
    case 'cappedClaim':
      return `actual amount claimed, ${caps}`;
    case 'caseByCase':
      return 'case by case';
    case 'amountNotSet':
      return 'no amount in the text (awaiting implementing rules)';
  }
}

export function policyCatalog(policy: Policy) {
  const incentives = policy.incentives.map((i) => incentiveView(policy, i));
  return {
    id: policy.id,
    version: policy.version,
    title: policy.meta.title,
    titleEn: policy.meta.titleEn,
    issued: policy.meta.issued,
    effective: policy.meta.effective,
    issuers: policy.meta.issuers.map((id) => policy.agencies.get(id)?.name ?? id),
    sections: policy.meta.sections,
    generalProvisions: policy.meta.generalProvisions,
    measures: policy.measures.map((m) => ({
      measure: m.measure,
      section: m.section,
      title: m.title,
      titleEn: m.titleEn,
      clause: m.clause,
      summary: m.summary,
      summaryEn: m.summaryEn,
      leadUnit: m.leadUnit,
      leadUnitName: m.leadUnit ? (policy.agencies.get(m.leadUnit)?.name ?? m.leadUnit) : null,
      responsibleUnits: m.responsibleUnits.map((u) => ({ id: u, name: policy.agencies.get(u)?.name ?? u })),
      incentives: incentives.filter((i) => i.measure === m.measure),
    })),
    generalIncentives: incentives.filter((i) => i.measure === null),
    facts: [...policy.facts.values()],
    interpretations: [...policy.interpretations.values()],
    targets: policy.targets,
    agencies: [...policy.agencies.values()],
  };
}
