/**
 * The facts form, generated from the policy's fact declarations, and its conversion to the facts the API
 * takes (README "Facts format": money in integer fen, years as numbers, dates YYYY-MM-DD). An empty field
 * means "not known" and is left out, never sent as zero: the engine then says which fact it needs.
 */
import type { CalcInput, FactDecl, FactValue, IncentiveView, Lang, PolicyLibrary } from '../api/types';
import { messages } from '../i18n/messages';
import { fenToInput, moneyFactToFen, MoneyInputError, parseMoneyToFen, type MoneyUnit } from './money';

export interface MoneyValue {
  amount?: string | number | null;
  unit: MoneyUnit;
}

export type FormFactValue = MoneyValue | number | string | boolean | number[] | null | undefined;
export type FormFacts = Record<string, FormFactValue>;

export interface FormProblem {
  /** antd Form name path of the field */
  name: (string | number)[];
  messageZh: string;
  messageEn: string;
}

export function isEmpty(v: FormFactValue): boolean {
  if (v === undefined || v === null || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return v.amount === undefined || v.amount === null || String(v.amount).trim() === '';
  return false;
}

/** One field's value to the API's fact value; throws a FormProblem-like error for what cannot be sent. */
export function toFactValue(decl: FactDecl, v: FormFactValue): FactValue | undefined {
  if (isEmpty(v)) return undefined;
  const bad = (zh: string, en: string) => {
    throw Object.assign(new Error(en), { messageZh: `${decl.label}：${zh}`, messageEn: `${decl.labelEn}: ${en}` });
  };
  switch (decl.type) {
    case 'money': {
      const m = typeof v === 'object' && v !== null && !Array.isArray(v) ? v : { amount: v as string | number, unit: 'yuan' as MoneyUnit };
      try {
        return parseMoneyToFen(m.amount as string | number, m.unit);
      } catch (e) {
        if (e instanceof MoneyInputError) return bad(e.messageZh, e.messageEn);
        throw e;
      }
    }
    case 'area':
    case 'number':
    case 'integer': {
      const n = typeof v === 'number' ? v : Number(String(v).replace(/[,，\s]/g, ''));
      if (!Number.isFinite(n)) return bad('请输入数字', 'enter a number');
      if (n < 0) return bad('不能为负数', 'cannot be negative');
      if (decl.type === 'integer' && !Number.isInteger(n)) return bad('请输入整数', 'enter a whole number');
      return n;
    }
    case 'year': {
      const n = typeof v === 'number' ? v : Number(v);
      if (!Number.isInteger(n) || n < 1949 || n > 2100) return bad('请输入四位年份，如 2020', 'enter a four-digit year such as 2020');
      return n;
    }
    case 'yearList': {
      const list = (Array.isArray(v) ? v : [v]).map(Number);
      if (list.some((y) => !Number.isInteger(y) || y < 1949 || y > 2100)) return bad('请选择四位年份', 'choose four-digit years');
      return [...new Set(list)].sort((a, b) => a - b);
    }
    case 'boolean':
      if (typeof v === 'boolean') return v;
      if (v === 'true' || v === 'false') return v === 'true';
      return bad('请选择“是”或“否”', 'choose yes or no');
    case 'date':
      if (typeof v !== 'string' || !isCivilDate(v)) return bad('请选择日期（YYYY-MM-DD）', 'choose a date (YYYY-MM-DD)');
      return v;
    case 'enum':
      if (typeof v !== 'string' || !(decl.values ?? []).includes(v)) return bad('请从列表中选择', 'choose from the list');
      return v;
    case 'string':
      return String(v).trim() || undefined;
  }
}

export function isCivilDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const [y, m, d] = s.split('-').map(Number);
  const dt = new Date(Date.UTC(y, m - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d;
}

/**
 * Form values of a set of facts → API facts. Every problem is collected (with the field's form name under
 * `namePrefix`) so the form can mark all bad fields at once.
 */
export function formToFacts(decls: FactDecl[], values: FormFacts | undefined, namePrefix: (string | number)[] = []): { facts: Record<string, FactValue>; problems: FormProblem[] } {
  const facts: Record<string, FactValue> = {};
  const problems: FormProblem[] = [];
  for (const decl of decls) {
    try {
      const fv = toFactValue(decl, values?.[decl.name]);
      if (fv !== undefined) facts[decl.name] = fv;
    } catch (e) {
      const err = e as { messageZh?: string; messageEn?: string; message: string };
      problems.push({ name: [...namePrefix, decl.name], messageZh: err.messageZh ?? err.message, messageEn: err.messageEn ?? err.message });
    }
  }
  return { facts, problems };
}

/** The unit a stored amount reads best in: 万元 when it is a whole number of 元 of at least 1万元. */
export function preferredUnit(fen: number): MoneyUnit {
  return fen >= 1_000_000 && fen % 100 === 0 ? 'wan' : 'yuan';
}

/** API facts → form values, for editing a stored claim. */
export function factsToForm(decls: FactDecl[], facts: Record<string, unknown> | undefined): FormFacts {
  const out: FormFacts = {};
  for (const decl of decls) {
    const v = facts?.[decl.name];
    if (v === undefined || v === null) continue;
    const fen = decl.type === 'money' ? moneyFactToFen(v) : null;
    if (fen !== null) {
      const unit = preferredUnit(fen);
      out[decl.name] = { amount: fenToInput(fen, unit), unit };
    } else out[decl.name] = v as FormFactValue;
  }
  return out;
}

/** Fact declarations an incentive needs, in the order the incentive lists them. */
export function factsOf(policy: Pick<PolicyLibrary, 'facts'>, incentive: Pick<IncentiveView, 'facts'>): FactDecl[] {
  const byName = new Map(policy.facts.map((f) => [f.name, f]));
  return incentive.facts.map((n) => byName.get(n)).filter((f): f is FactDecl => !!f);
}

/** All incentives of the policy, measure order, then the general (一事一议) ones. */
export function allIncentives(policy: Pick<PolicyLibrary, 'measures' | 'generalIncentives'>): IncentiveView[] {
  return [...policy.measures.flatMap((m) => m.incentives), ...policy.generalIncentives];
}

/** What the calculator form holds for one claim row. */
export interface ClaimRowForm {
  incentive: string;
  item?: string;
  date?: string;
  /** the amount proposed (capped claims: 据实申报) */
  amount?: MoneyValue;
  facts?: FormFacts;
}

/**
 * The calculator form → POST /api/calc body. Claim rows go in as `claims[i]`, so that a server error at
 * `claims[0].facts.equipmentInvestment` lands on the same form field.
 */
export function calcInputFromForm(policy: Pick<PolicyLibrary, 'facts' | 'measures' | 'generalIncentives'>, year: number, rows: ClaimRowForm[]): { input: CalcInput; problems: FormProblem[] } {
  const incentives = new Map(allIncentives(policy).map((i) => [i.id, i]));
  const problems: FormProblem[] = [];
  const claims = rows.map((row, i) => {
    const inc = incentives.get(row.incentive);
    const prefix = ['claims', i];
    if (!inc) {
      problems.push({ name: [...prefix, 'incentive'], messageZh: '请选择奖励项目', messageEn: 'choose an incentive' });
      return { incentive: row.incentive };
    }
    const decls = factsOf(policy, inc);
    const { facts, problems: p } = formToFacts(decls, row.facts, [...prefix, 'facts']);
    problems.push(...p);
    // Every fact an incentive reads is needed to decide it: a blank one is asked for here, by its label, rather
    // than sent and answered with "not eligible" and the fact's identifier.
    for (const d of decls) if (isEmpty(row.facts?.[d.name])) problems.push(requiredProblem(d, [...prefix, 'facts', d.name]));
    const claim: CalcInput['claims'][number] = { incentive: inc.id, facts };
    const item = row.item?.trim();
    if (inc.item) {
      if (item) claim.item = item;
      else problems.push({ name: [...prefix, 'item'], messageZh: `请填写${inc.item.label}名称`, messageEn: `name the ${inc.item.labelEn}` });
    }
    if (row.date) {
      if (isCivilDate(row.date)) claim.date = row.date;
      else problems.push({ name: [...prefix, 'date'], messageZh: '日期应为 YYYY-MM-DD', messageEn: 'date must be YYYY-MM-DD' });
    }
    if (inc.kind === 'cappedClaim') {
      if (row.amount && !isEmpty(row.amount)) {
        try {
          claim.amount = parseMoneyToFen(row.amount.amount as string | number, row.amount.unit);
        } catch (e) {
          if (!(e instanceof MoneyInputError)) throw e;
          problems.push({ name: [...prefix, 'amount'], messageZh: e.messageZh, messageEn: e.messageEn });
        }
      } else problems.push({ name: [...prefix, 'amount'], messageZh: '请填写申报金额（据实申报，平台按上限核算）', messageEn: 'enter the amount claimed (the platform applies the cap)' });
    }
    return claim;
  });
  return { input: { year, claims }, problems };
}

/** "请填写“当年度单个项目设备投资额”" for a blank field the calculation needs, at the field's form name. */
export function requiredProblem(decl: FactDecl, name: (string | number)[]): FormProblem {
  return { name, messageZh: `需填写“${decl.label}”`, messageEn: `"${decl.labelEn || decl.label}" is needed` };
}

/** A fact's label in the current language. */
export function fieldLabel(decl: FactDecl, lang: Lang): string {
  return lang === 'en' ? decl.labelEn || decl.label : decl.label;
}

/** A fact's unit (facts.yaml `unit:`, written in Chinese) in the reader's language. */
export function unitLabel(unit: string | undefined, lang: Lang): string | undefined {
  if (!unit) return undefined;
  const pair = (messages as Record<string, readonly [string, string]>)[`unit.${unit}`];
  return pair ? pair[lang === 'en' ? 1 : 0] : unit;
}

/**
 * An enum value of a fact for people: Chinese from the policy's own labels (facts.yaml valueLabels), English from
 * the message catalogue (`enum.<fact>.<value>`), since the policy gives Chinese labels only. A value neither
 * knows is spelled out ("fortuneGlobal500" → "fortune global500") rather than shown as an identifier.
 */
export function enumLabel(decl: FactDecl, value: string, lang: Lang): string {
  const pair = (messages as Record<string, readonly [string, string]>)[`enum.${decl.name}.${value}`];
  if (lang === 'en') return decl.valueLabelsEn?.[value] ?? pair?.[1] ?? value.replace(/([A-Z])/g, ' $1').toLowerCase();
  return decl.valueLabels?.[value] ?? pair?.[0] ?? value;
}
