/**
 * Turn a compact ClaimRecord into what a person reads: the clause, the facts used, the conditions with what
 * would satisfy a failed one, the formula with its intermediate values, the caps that cut the amount, and the
 * policy version. Built only when asked, so that batch runs without explanations pay nothing for them.
 */
import type { OnceScope, ResolvedCondition, ResolvedIncentive } from '../policy/model.ts';
import type { FactDecl } from '../policy/schema.ts';
import { formatFen, formatFraction, groupThousands } from '../policy/quantities.ts';
import { baseDetails, conditionSubject, valueFor, type CompiledIncentive, type CompiledPolicy } from './compile.ts';
import { renderExpression } from './expr.ts';
import { conditionHolds } from './operators.ts';
import type { FactValue } from './facts.ts';
import type { ClaimRecord, ReasonCode, Status } from './evaluate.ts';

export interface Reason {
  code: ReasonCode;
  zh: string;
  en: string;
  /** the fact the reason is about (missing_fact, unknown_category, a failed condition on one fact), for forms */
  fact?: string;
}

export interface Explanation {
  policy: { id: string; version: string; title: string };
  measure: number | null;
  clause: string;
  leadUnit: string | null;
  factsUsed: Array<{ name: string; label: string; labelEn: string; value: FactValue; display: string; displayEn: string }>;
  /** `fact`: the fact a condition tests (not set for an expression), so a reader can show its value in its own words */
  conditions: Array<{ label: string; labelEn: string; fact?: string; satisfied: boolean | null; actual?: string; actualEn?: string }>;
  formula?: { text: string; textEn: string; expression: string; baseValue?: number; baseDisplay?: string; baseDisplayEn?: string; rate?: string; rateEn?: string; rawFen: number };
  fixedFen?: number;
  proposedFen?: number;
  caps: Array<{ label: string; labelEn: string; scope: string; limitFen: number; usedBeforeFen: number; roomFen: number; applied: boolean }>;
  /** 就高不重复: the city award of the year (and item), the part set off against this claim, and the rule */
  cityAward?: { amountFen: number; offsetFen: number; rule: string };
  priorAwardsFen: number;
  /** one award per event (schema.ts `once`): what the event is, and what was already awarded for it (deducted) */
  event?: { scope: OnceScope; priorFen: number; zh: string; en: string };
  reasons: Reason[];
  /** the fact whose absence stopped the evaluation (missing_fact): what a form asks for, by its label */
  missingFact?: { name: string; label: string; labelEn: string };
  whatWouldQualify?: { zh: string; en: string };
  summary: { zh: string; en: string };
}

export interface Entitlement {
  measure: number | null;
  incentive: string;
  title: string;
  titleEn: string;
  item?: string;
  claim: string;
  /** found from the enterprise's facts rather than claimed (免申即享) */
  implicit: boolean;
  status: Status;
  /** integer fen; null where the text sets no amount (一事一议, 一定奖励) */
  amountFen: number | null;
  explanation?: Explanation;
}

export function displayFact(decl: FactDecl | undefined, v: FactValue | undefined): string {
  if (v === undefined) return '（未提供）';
  if (!decl) return String(v);
  switch (decl.type) {
    case 'money':
      return formatFen(v as number);
    case 'area':
      return `${(v as number).toLocaleString('en-US')}平方米`;
    case 'enum':
      return decl.valueLabels?.[v as string] ?? String(v);
    case 'boolean':
      return v ? '是' : '否';
    case 'yearList':
      return (v as number[]).join('、') || '（无）';
    default:
      return `${String(v)}${decl.unit ?? ''}`;
  }
}

/** The English counterpart of displayFact (enum values by their name: the policy gives Chinese labels only). */
export function displayFactEn(decl: FactDecl | undefined, v: FactValue | undefined): string {
  if (v === undefined) return '(not given)';
  if (!decl) return String(v);
  switch (decl.type) {
    case 'money':
      return formatYuan(v as number);
    case 'area':
      return `${(v as number).toLocaleString('en-US')} m²`;
    case 'boolean':
      return v ? 'yes' : 'no';
    case 'yearList':
      return (v as number[]).join(', ') || '(none)';
    default:
      return `${String(v)}${decl.unit ? ` ${decl.unit}` : ''}`;
  }
}

function displayValue(decl: FactDecl | undefined, v: unknown): string {
  if (Array.isArray(v)) return v.map((x) => displayFact(decl, x as FactValue)).join('、');
  return displayFact(decl, v as FactValue);
}

function whatWouldSatisfy(c: ResolvedCondition, decl: FactDecl | undefined, x: FactValue | undefined, year: number, facts: Map<string, FactDecl>): { zh: string; en: string } {
  // An expression condition is named by its expression in labels: "(研发费用 - 上年研发费用)还差…"
  if (c.expr && decl) {
    decl = { ...decl, label: renderExpression(c.expr, (n) => facts.get(n)?.label ?? n), labelEn: renderExpression(c.expr, (n) => facts.get(n)?.labelEn ?? n) };
  }
  const req = c.op === 'includesYears' || c.op === 'isTrue' ? '' : displayValue(decl, c.value);
  if (x === undefined) return { zh: `请提供“${decl?.label ?? c.fact}”`, en: `provide "${decl?.labelEn ?? c.fact}"` };
  if (typeof x === 'number' && typeof c.value === 'number' && (c.op === '>=' || c.op === '>')) {
    const short = c.value - x;
    const shortText = decl?.type === 'money' ? formatFen(short) : String(+short.toFixed(4));
    const shortEn = decl?.type === 'money' ? formatYuan(short) : String(+short.toFixed(4));
    const reqEn = displayFactEn(decl, c.value as FactValue);
    return c.op === '>='
      ? { zh: `${decl?.label ?? c.fact}还差${shortText}即达到${req}（现为${displayFact(decl, x)}）`, en: `${shortEn} short: ${decl?.labelEn ?? c.fact} must reach ${reqEn} (now ${displayFactEn(decl, x)})` }
      : { zh: `${decl?.label ?? c.fact}须超过${req}（现为${displayFact(decl, x)}，至少还差${shortText}以上）`, en: `${decl?.labelEn ?? c.fact} must exceed ${reqEn} (now ${displayFactEn(decl, x)}, at least ${shortEn} short)` };
  }
  if (c.op === 'includesYears') {
    const missing = (c.value as number[]).map((k) => year - k).filter((y) => !(x as number[]).includes(y));
    return { zh: `还需在${missing.join('、')}年度满足：${c.label}`, en: `also needed in ${missing.join(', ')}: ${c.labelEn}` };
  }
  if (c.op === '<=' || c.op === '<') return { zh: `${decl?.label ?? c.fact}须不超过${req}（现为${displayFact(decl, x)}）`, en: `${decl?.labelEn ?? c.fact} must not exceed ${displayFactEn(decl, c.value as FactValue)}` };
  // an enum value has no English label in the policy: the English names the condition only
  return { zh: `须满足：${c.label}（现为${displayFact(decl, x)}）`, en: decl?.type === 'enum' ? `must meet: ${c.labelEn}` : `must meet: ${c.labelEn} (now ${displayFactEn(decl, x)})` };
}

/** What every step of an explanation reads: the claim's record, its incentive, the facts and the year. */
interface Ctx {
  cp: CompiledPolicy;
  ci: CompiledIncentive;
  def: ResolvedIncentive;
  rec: ClaimRecord;
  facts: Record<string, FactValue>;
  year: number;
  decl: (n: string) => FactDecl | undefined;
}

export function explain(cp: CompiledPolicy, rec: ClaimRecord, year: number): Explanation {
  const ci: CompiledIncentive = cp.incentives[rec.claim.incentiveIndex];
  const def = ci.def;
  const policy = cp.policy;
  const ctx: Ctx = { cp, ci, def, rec, facts: rec.claim.facts, year, decl: (n) => policy.facts.get(n) };
  const why = reasonsOf(ctx);
  const formula = formulaOf(ctx);
  return {
    policy: { id: policy.id, version: policy.version, title: policy.meta.title },
    measure: def.measure,
    clause: def.clause,
    leadUnit: def.leadUnit,
    factsUsed: factsUsedOf(ctx),
    conditions: conditionsOf(ctx),
    formula,
    fixedFen: def.fixed ? valueFor(def.fixed, ctx.facts) : undefined,
    proposedFen: def.kind === 'cappedClaim' || def.kind === 'caseByCase' ? rec.claim.amountFen : undefined,
    caps: capsOf(ctx),
    cityAward: rec.cityAwardFen ? { amountFen: rec.cityAwardFen, offsetFen: rec.cityOffsetFen, rule: cp.overlapMode } : undefined,
    priorAwardsFen: rec.priorFen,
    event: def.once && rec.eventPriorFen ? { scope: def.once, priorFen: rec.eventPriorFen, ...eventText(def, rec, year) } : undefined,
    reasons: why.reasons,
    missingFact: why.missingFact,
    whatWouldQualify: why.whatWouldQualify,
    summary: summaryOf(ctx, formula, why),
  };
}

/** The facts the incentive reads (its conditions, formula, rate and caps) that the claim states. */
function factsUsedOf({ ci, def, facts, decl }: Ctx): Explanation['factsUsed'] {
  const used = new Set<string>([...ci.neededFacts, ...def.caps.flatMap((c) => (c.amountFen.kind === 'byFact' ? [c.amountFen.fact] : []))]);
  return [...used]
    .filter((n) => facts[n] !== undefined)
    .map((n) => ({ name: n, label: decl(n)?.label ?? n, labelEn: decl(n)?.labelEn ?? n, value: facts[n], display: displayFact(decl(n), facts[n]), displayEn: displayFactEn(decl(n), facts[n]) }));
}

/** Each condition with whether it holds, tested by the same operator source the compiled path runs (operators.ts). */
function conditionsOf({ def, rec, facts, year, decl }: Ctx): Explanation['conditions'] {
  const checked = rec.code === 'outside_period' || rec.code === 'after_as_of' ? -1 : rec.code === 'condition_failed' || rec.code === 'missing_fact' ? rec.detail : def.conditions.length;
  return def.conditions.map((c, i) => {
    const subject = conditionSubject(def, c, facts, year);
    return {
      label: c.label,
      labelEn: c.labelEn,
      fact: c.expr ? undefined : c.fact,
      // conditions after the first failing one were not reached by the engine: shown, but marked unchecked
      satisfied: i <= checked ? conditionHolds(c, subject, year) : null,
      actual: displayFact(decl(c.unitFact ?? c.fact), subject),
      actualEn: displayFactEn(decl(c.unitFact ?? c.fact), subject),
    };
  });
}

type Why = Pick<Explanation, 'reasons' | 'missingFact' | 'whatWouldQualify'>;

/** Why the claim is refused or cut, one reason per ReasonCode, in the words of the rule it comes from. */
function reasonsOf(ctx: Ctx): Why {
  const { def, rec } = ctx;
  const code = rec.code;
  if (!code) return { reasons: [] };
  if (code === 'condition_failed') {
    const c = def.conditions[rec.detail];
    const qualify = whatWouldSatisfy(c, ctx.decl(c.unitFact ?? c.fact), conditionSubject(def, c, ctx.facts, ctx.year), ctx.year, ctx.cp.policy.facts);
    return { reasons: [{ code, zh: `不满足条件：${c.label}`, en: `condition not met: ${c.labelEn}`, fact: c.expr ? undefined : c.fact }], whatWouldQualify: qualify };
  }
  if (code === 'missing_fact' || code === 'unknown_category') return factReason(ctx, code);
  if (code === 'amount_required') {
    const caps = def.caps.map((c) => `${c.label}`).join('；');
    return {
      reasons: [{ code, zh: `请填写申报金额（${caps}）`, en: 'state the amount claimed (amount)' }],
      whatWouldQualify: { zh: '在申报项中填写 amount（如“30万元”）', en: 'give the claim an amount, e.g. "30万元"' },
    };
  }
  return { reasons: [yearReason(ctx, code)] };
}

/** A needed fact is missing, or has a value the rate table has no entry for. */
function factReason({ ci, rec, facts, decl }: Ctx, code: 'missing_fact' | 'unknown_category'): Why {
  const n = ci.neededFacts[rec.detail];
  const d = decl(n);
  const reason: Reason =
    code === 'missing_fact'
      ? { code, zh: `缺少“${d?.label ?? n}”（${n}），无法判断`, en: `"${d?.labelEn ?? n}" (${n}) is missing, so eligibility cannot be decided`, fact: n }
      : { code, zh: `“${d?.label ?? n}”的取值${String(facts[n])}没有对应的奖励标准`, en: `no rate for ${n} = ${String(facts[n])}`, fact: n };
  return {
    reasons: [reason],
    missingFact: code === 'missing_fact' ? { name: n, label: d?.label ?? n, labelEn: d?.labelEn ?? n } : undefined,
    whatWouldQualify: { zh: `请提供“${d?.label ?? n}”（${n}）`, en: `provide "${d?.labelEn ?? n}" (${n})` },
  };
}

/** The reasons from the rules of the whole year: period, one award per event, years, caps, 就高不重复, nothing to pay. */
function yearReason({ cp, def, rec, year }: Ctx, code: ReasonCode): Reason {
  const { from, to } = cp.policy.meta.effective;
  switch (code) {
    case 'outside_period':
      return { code, zh: `不在政策试行期内（${from}至${to}）：${rec.claim.date ? '事项日期' + rec.claim.date : year + '年度'}`, en: `outside the policy period ${from} to ${to}` };
    case 'after_as_of':
      return { code, zh: `事项日期${rec.claim.date}晚于计算基准日`, en: `the event date ${rec.claim.date} is after the as-of date` };
    case 'already_awarded': {
      const ev = eventText(def, rec, year);
      return { code, zh: `${ev.zh}，不再重复奖励`, en: `${ev.en}; it is not paid again` };
    }
    case 'max_years_reached':
      return { code, zh: `已在${def.maxYears}个年度获得该奖励，最长不超过${def.maxYears}年`, en: `already awarded in ${def.maxYears} years, the maximum` };
    case 'cap_exhausted': {
      const c = def.caps[rec.capsApplied[rec.capsApplied.length - 1]?.index ?? 0];
      return { code, zh: `已达上限：${c?.label ?? ''}`, en: `cap reached: ${c?.labelEn ?? ''}` };
    }
    case 'zero_amount':
      return { code, zh: '按公式计算的金额为0', en: 'the formula gives nothing' };
    default: // city_award_higher
      return { code, zh: `已获市级同类奖励${formatFen(rec.cityAwardFen)}，按“就高不重复”不再享受区级奖励`, en: `a same-kind city award of ${formatFen(rec.cityAwardFen)} was granted; highest-not-both leaves nothing at district level` };
  }
}

/** A formula with its intermediate values: the base in the unit of its facts (fen, m²), the rate, the product. */
function formulaOf({ ci, def, rec, facts, year, decl }: Ctx): Explanation['formula'] {
  if (def.kind !== 'formula' || !ci.baseExpr) return undefined;
  const b = baseDetails(ci, facts, year);
  const rate = valueFor(def.rate!, facts);
  const label = (n: string) => (n in def.params ? String(def.params[n]) : (decl(n)?.label ?? n));
  // The base is in the unit of its facts (fen, m²) when they all share one type.
  const types = new Set(b.names.filter((n) => !(n in def.params)).map((n) => decl(n)?.type));
  const baseUnit = types.size === 1 ? decl(b.names.find((n) => !(n in def.params))!) : undefined;
  return {
    text: def.formula ?? renderExpression(ci.baseExpr, label),
    textEn: def.formulaEn ?? renderExpression(ci.baseExpr, (n) => decl(n)?.labelEn ?? n),
    expression: def.base!,
    baseValue: b.value,
    baseDisplay: b.value === undefined ? undefined : displayFact(baseUnit, b.value),
    baseDisplayEn: b.value === undefined ? undefined : displayFactEn(baseUnit, b.value),
    rate: rate ? (rate.kind === 'fraction' ? formatFraction(rate.value) : `${rate.text}/${baseUnit?.type === 'area' ? '平方米' : (baseUnit?.unit ?? '单位')}`) : undefined,
    rateEn: rate ? (rate.kind === 'fraction' ? formatFraction(rate.value) : `${formatYuan(rate.fenPerUnit)}/${baseUnit?.type === 'area' ? 'm²' : (baseUnit?.unit ?? 'unit')}`) : undefined,
    rawFen: rec.rawFen,
  };
}

/** Every cap with its limit for these facts, what earlier awards used and the room left, and whether it cut. */
function capsOf({ def, rec, facts }: Ctx): Explanation['caps'] {
  return def.caps.map((c, i) => {
    const applied = rec.capsApplied.find((a) => a.index === i);
    const limit = valueFor(c.amountFen, facts) ?? 0;
    return { label: c.label, labelEn: c.labelEn, scope: c.scope, limitFen: limit, usedBeforeFen: applied?.usedBeforeFen ?? 0, roomFen: applied?.roomFen ?? limit, applied: !!applied };
  });
}

/** The one-paragraph summary in Chinese and English. */
function summaryOf(ctx: Ctx, formula: Explanation['formula'], why: Why): { zh: string; en: string } {
  const { def, rec } = ctx;
  const title = `措施${def.measure ?? '附则'}·${def.title}${rec.claim.item ? `（${rec.claim.item}）` : ''}`;
  switch (rec.status) {
    case 'eligible':
      return eligibleSummary(ctx, title, formula);
    case 'caseByCase':
      return { zh: `${title}：一事一议，由联审会议研究确定支持方式和金额。`, en: `${def.titleEn}: decided case by case by a joint meeting; the text sets no formula.` };
    case 'amountNotSet':
      return {
        zh: `${title}：政策原文未规定具体金额（“${def.clause.includes('一定奖励') ? '给予一定奖励' : '金额待定'}”），待实施细则明确后方可计算。`,
        en: `${def.titleEn}: the text sets no amount; payable once implementing rules set one.`,
      };
    default:
      return {
        zh: `${title}：不符合。${why.reasons.map((r) => r.zh).join('；')}${why.whatWouldQualify ? `。${why.whatWouldQualify.zh}` : ''}`,
        en: `${def.titleEn}: not eligible. ${why.reasons.map((r) => r.en).join('; ')}`,
      };
  }
}

/** An amount and how it was reached: the formula or fixed amount, the event's earlier awards, the caps, the city set-off. */
function eligibleSummary({ def, rec, facts, year, decl }: Ctx, title: string, formula: Explanation['formula']): { zh: string; en: string } {
  const steps: string[] = [];
  if (formula) steps.push(`${formula.baseDisplay ?? ''} × ${formula.rate ?? ''} = ${formatFen(rec.rawFen)}`);
  else if (def.kind === 'fixed') {
    // An amount chosen by a fact says by which (定额800万元（当年实现IPO的上市板块：上交所科创板）).
    const by = def.fixed?.kind === 'byFact' ? decl(def.fixed.fact) : undefined;
    steps.push(`定额${formatFen(rec.rawFen)}${by ? `（${by.label}：${displayFact(by, facts[by.name])}）` : ''}`);
  }
  const event = rec.eventPriorFen ? eventText(def, rec, year) : undefined;
  if (event) steps.push(`${event.zh}，本次只补足差额${formatFen(rec.rawFen - rec.eventPriorFen)}`);
  else if (def.kind === 'cappedClaim') steps.push(`申报${formatFen(rec.rawFen)}`);
  for (const a of rec.capsApplied) steps.push(`受“${def.caps[a.index].label}”限制为${formatFen(a.roomFen)}`);
  if (rec.cityOffsetFen) steps.push(`扣除市级同类奖励${formatFen(rec.cityOffsetFen)}（就高不重复：市级已获${formatFen(rec.cityAwardFen)}）`);
  const en = [
    `${def.titleEn}${rec.claim.item ? ` (${rec.claim.item})` : ''}: ${formatYuan(rec.amountFen)}.`,
    formula ? ` ${formula.baseDisplayEn ?? ''} × ${formula.rateEn ?? ''} = ${formatYuan(rec.rawFen)}.` : '',
    event ? ` ${event.en}; only the difference is paid.` : '',
    ...rec.capsApplied.map((a) => ` Cut to ${formatYuan(a.roomFen)} by "${def.caps[a.index].labelEn}".`),
    rec.cityOffsetFen ? ` Less a same-kind city award of ${formatYuan(rec.cityOffsetFen)} (highest, not both).` : '',
  ];
  return { zh: `${title}：可享受${formatFen(rec.amountFen)}。${steps.join('，')}。`, en: en.join('') };
}

export function toEntitlement(cp: CompiledPolicy, rec: ClaimRecord, year: number, withExplanation: boolean): Entitlement {
  const def = cp.incentives[rec.claim.incentiveIndex].def;
  return {
    measure: def.measure,
    incentive: def.id,
    title: def.title,
    titleEn: def.titleEn,
    item: rec.claim.item,
    claim: rec.claim.key,
    implicit: rec.claim.implicit,
    status: rec.status,
    amountFen: rec.status === 'caseByCase' || rec.status === 'amountNotSet' ? null : rec.amountFen,
    explanation: withExplanation ? explain(cp, rec, year) : undefined,
  };
}

/**
 * Why an amount was cut or refused by the one-award-per-event rule: "已就同一奖项获2020年度奖励200万元（每家企业每年一次）".
 * The event is what `once` names: the enterprise, its year, the item (地块, 项目, 商标 …) or the item's year.
 */
function eventText(def: ResolvedIncentive, rec: ClaimRecord, year: number): { zh: string; en: string } {
  const paid = formatFen(rec.eventPriorFen);
  const paidEn = formatYuan(rec.eventPriorFen);
  const label = def.item?.label ?? '事项';
  const labelEn = def.item?.labelEn ?? 'item';
  const item = rec.claim.item ?? '';
  switch (def.once) {
    case 'enterpriseYear':
      return { zh: `已就同一奖项获${year}年度奖励${paid}（每家企业每年一次）`, en: `${paidEn} was already awarded to this enterprise for ${year} (once per enterprise and year)` };
    case 'item':
      return { zh: `已就同一${label}“${item}”获奖励${paid}（每个${label}一次）`, en: `${paidEn} was already awarded for the same ${labelEn} "${item}" (once per ${labelEn})` };
    case 'itemYear':
      return { zh: `已就同一${label}“${item}”获${year}年度奖励${paid}（每个${label}每年一次）`, en: `${paidEn} was already awarded for the same ${labelEn} "${item}" for ${year} (once per ${labelEn} and year)` };
    default:
      return { zh: `已就同一奖项获奖励${paid}（每家企业一次）`, en: `${paidEn} was already awarded to this enterprise for it (once per enterprise)` };
  }
}

/** 300000000 → "¥3,000,000.00" for English readers. */
function formatYuan(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}¥${groupThousands(Math.floor(abs / 100))}.${String(abs % 100).padStart(2, '0')}`;
}
