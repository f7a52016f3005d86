/**
 * 企业信息直报 (direct reporting, measure 21): a department defines a report as data — its fields (type, unit, whether
 * required, and the policy fact a field states), monthly or quarterly, due on a day of the month after each period, and
 * which enterprises answer it (by area, industry class or a list) — without code. Enterprises answer each period in the
 * portal or by Excel (one row per period, their own USCC); an answer after the due date is kept and marked late; a
 * second answer for a period replaces the first. A field that names a policy fact states the year's figure so far
 * (累计): it lands in the enterprise's facts on file of the period's year, with its source (the report, the period, who
 * and when). The owner department sees completion per area and period, chases those who have not answered (their
 * inbox) and downloads every answer.
 *
 * Who: the owner department (a department reviewer of it) defines, reads, chases and downloads; the auditor reads; an
 * enterprise reads and answers the reports addressed to it. Anyone else: 404.
 */
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { appendAudit } from '../audit/audit-log.ts';
import { actorOf, type PlatformContext } from '../claims/context.ts';
import { addMonths } from '../civil-date.ts';
import { toJsonb, type JsonObject, type JsonValue } from '../db/schema.ts';
import type { Db } from '../db/transaction.ts';
import { findArea } from '../enterprises/areas.ts';
import { KaifangError, ValidationError } from '../errors.ts';
import { readSheet, tooManyRows, type ImportReadOptions } from '../excel/read-workbook.ts';
import type { Principal } from '../identity/users.ts';
import { badCharacter, badCharacterError } from '../refused-characters.ts';
import { audienceOfEnterprise } from './requests.ts';

export const FIELD_TYPES = ['integer', 'decimal', 'money', 'text', 'boolean'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];
export const INDUSTRY_CLASSES = ['leading', 'highTech', 'other'] as const;

export interface ReportField {
  key: string;
  label: string;
  type: FieldType;
  /** the unit the value is given in: for money 元 or 万元 (stored in fen); for numbers any (人, 吨, 千瓦时) */
  unit?: string;
  required: boolean;
  /** the policy fact (facts.yaml) this field states, as the year's figure so far */
  fact?: string;
}

export interface ReportAudience {
  areas: string[];
  industryClasses: string[];
  usccs: string[];
}

export interface ReportDefinition {
  title: string;
  periodKind: 'month' | 'quarter';
  dueDay: number;
  firstPeriod: string;
  fields: ReportField[];
  audience: ReportAudience;
}

const MONEY_UNITS: Record<string, number> = { 元: 100, 万元: 1_000_000 };
const MAX_FIELDS = 40;
const MAX_ROWS = 200;

const problem = (code: string, path: string, zh: string, en: string) => new KaifangError({ code, path, zh, en });
export const notFound = () => new KaifangError({ code: 'not_found', zh: '找不到该报表，或您无权查看', en: 'report not found, or not yours to see' });

// ── Periods ─────────────────────────────────────────────────────────────────────────────────────────────────────

/** `2020-06` (month) or `2020-Q2` (quarter). */
export function parsePeriod(kind: 'month' | 'quarter', text: unknown): { year: number; index: number } | null {
  if (typeof text !== 'string') return null;
  const m = kind === 'month' ? /^(\d{4})-(0[1-9]|1[0-2])$/.exec(text) : /^(\d{4})-Q([1-4])$/.exec(text);
  return m ? { year: Number(m[1]), index: Number(m[2]) } : null;
}

const periodId = (kind: 'month' | 'quarter', year: number, index: number) => (kind === 'month' ? `${year}-${String(index).padStart(2, '0')}` : `${year}-Q${index}`);

/** The last month of the period, `YYYY-MM-01`. */
function lastMonthOf(kind: 'month' | 'quarter', p: { year: number; index: number }): string {
  const month = kind === 'month' ? p.index : p.index * 3;
  return `${p.year}-${String(month).padStart(2, '0')}-01`;
}

/** Answers for a period are due on `dueDay` of the month after it ends. */
export function dueDateOf(kind: 'month' | 'quarter', period: string, dueDay: number): string {
  const p = parsePeriod(kind, period)!;
  return addMonths(lastMonthOf(kind, p), 1).slice(0, 8) + String(dueDay).padStart(2, '0');
}

/** The period that ended last before `today` (the one being asked for now). */
export function currentPeriod(kind: 'month' | 'quarter', today: string): string {
  const total = Number(today.slice(0, 4)) * 12 + Number(today.slice(5, 7)) - 2; // the month before, counted from year 0
  if (kind === 'month') return periodId(kind, Math.floor(total / 12), (total % 12) + 1);
  // the quarter that ended last: the one before the quarter `today` is in
  const q = Math.floor((Number(today.slice(5, 7)) - 1) / 3) + 1;
  return q === 1 ? periodId(kind, Number(today.slice(0, 4)) - 1, 4) : periodId(kind, Number(today.slice(0, 4)), q - 1);
}

/** Every period from `first` to `last`, in order. */
export function periodsBetween(kind: 'month' | 'quarter', first: string, last: string): string[] {
  const a = parsePeriod(kind, first)!;
  const b = parsePeriod(kind, last)!;
  const per = kind === 'month' ? 12 : 4;
  const out: string[] = [];
  for (let n = a.year * per + a.index - 1; n <= b.year * per + b.index - 1 && out.length < 1000; n++) out.push(periodId(kind, Math.floor(n / per), (n % per) + 1));
  return out;
}

// ── Definitions ─────────────────────────────────────────────────────────────────────────────────────────────────

const keyRe = /^[a-zA-Z][a-zA-Z0-9_]{0,39}$/;

/** Checks a definition and returns it clean; every problem at once, each with its path. */
export function checkDefinition(ctx: PlatformContext, input: Record<string, unknown>, today: string): ReportDefinition {
  const problems: KaifangError[] = [];
  const text = (v: unknown, path: string, zh: string, en: string, max: number) => {
    const s = typeof v === 'string' ? v.trim() : '';
    if (!s) problems.push(problem('required', path, `请填写${zh}`, `${en} is required`));
    else if (s.length > max) problems.push(problem('too_long', path, `${zh}不能超过${max}字`, `${en} is at most ${max} characters`));
    return s;
  };
  const title = text(input.title, 'title', '报表名称', 'title', 100);
  const periodKind = input.periodKind === 'month' || input.periodKind === 'quarter' ? input.periodKind : null;
  if (!periodKind) problems.push(problem('invalid_value', 'periodKind', '报送周期为按月或按季', 'periodKind is month or quarter'));
  const dueDay = Number.isInteger(input.dueDay) && (input.dueDay as number) >= 1 && (input.dueDay as number) <= 28 ? (input.dueDay as number) : 0;
  if (!dueDay) problems.push(problem('invalid_value', 'dueDay', '报送截止日为次月1至28日', 'dueDay is a day 1–28 of the month after the period'));
  let firstPeriod = typeof input.firstPeriod === 'string' ? input.firstPeriod : '';
  if (periodKind) {
    if (!firstPeriod) firstPeriod = currentPeriod(periodKind, today);
    if (!parsePeriod(periodKind, firstPeriod)) problems.push(problem('invalid_value', 'firstPeriod', periodKind === 'month' ? '首个报告期格式为 2020-06' : '首个报告期格式为 2020-Q2', periodKind === 'month' ? 'firstPeriod is like 2020-06' : 'firstPeriod is like 2020-Q2'));
  }
  const fields: ReportField[] = [];
  const rawFields = Array.isArray(input.fields) ? input.fields : [];
  if (!rawFields.length) problems.push(problem('required', 'fields', '至少设一个填报项', 'at least one field'));
  if (rawFields.length > MAX_FIELDS) problems.push(problem('too_many', 'fields', `填报项不超过${MAX_FIELDS}个`, `at most ${MAX_FIELDS} fields`));
  const keys = new Set<string>();
  rawFields.slice(0, MAX_FIELDS).forEach((f: unknown, i) => {
    const at = (k: string) => `fields[${i}].${k}`;
    const o = (f && typeof f === 'object' ? f : {}) as Record<string, unknown>;
    const key = typeof o.key === 'string' ? o.key : '';
    if (!keyRe.test(key)) problems.push(problem('invalid_value', at('key'), '字段标识须以字母开头，仅含字母、数字、下划线', 'key starts with a letter: letters, digits, _'));
    else if (keys.has(key)) problems.push(problem('duplicate', at('key'), `字段标识 ${key} 重复`, `key ${key} is used twice`));
    keys.add(key);
    const label = text(o.label, at('label'), '填报项名称', 'label', 60);
    const type = FIELD_TYPES.includes(o.type as FieldType) ? (o.type as FieldType) : null;
    if (!type) problems.push(problem('invalid_value', at('type'), '类型为整数、小数、金额、文字或是否', `type is one of ${FIELD_TYPES.join(', ')}`));
    const unit = typeof o.unit === 'string' && o.unit.trim() ? o.unit.trim().slice(0, 20) : undefined;
    if (type === 'money' && !(unit && unit in MONEY_UNITS)) problems.push(problem('invalid_value', at('unit'), '金额单位为元或万元', 'a money field is in 元 or 万元'));
    const fact = typeof o.fact === 'string' && o.fact ? o.fact : undefined;
    if (fact) {
      const decl = ctx.engine.policy.facts.get(fact);
      const fits = decl && ((decl.type === 'money' && type === 'money') || (decl.type === 'boolean' && type === 'boolean') || ((decl.type === 'number' || decl.type === 'area') && (type === 'integer' || type === 'decimal')));
      if (!decl) problems.push(problem('invalid_value', at('fact'), `${fact} 不是政策事实（facts.yaml）`, `${fact} is not a fact of the policy`));
      else if (!fits) problems.push(problem('invalid_value', at('fact'), `政策事实“${decl.label}”的类型与填报项类型不符`, `the fact ${fact} is a ${decl.type}, not a ${type}`));
    }
    if (key && label && type) fields.push({ key, label, type, ...(unit ? { unit } : {}), required: o.required !== false, ...(fact ? { fact } : {}) });
  });
  const a = (input.audience && typeof input.audience === 'object' ? input.audience : {}) as Record<string, unknown>;
  const list = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  const audience: ReportAudience = { areas: list(a.areas), industryClasses: list(a.industryClasses), usccs: list(a.usccs) };
  audience.areas.forEach((id, i) => !findArea(id) && problems.push(problem('invalid_value', `audience.areas[${i}]`, `${id} 不是区镇`, `${id} is not an area`)));
  audience.industryClasses.forEach((c, i) => !(INDUSTRY_CLASSES as readonly string[]).includes(c) && problems.push(problem('invalid_value', `audience.industryClasses[${i}]`, '产业类别为先导、高新或其他', 'industry class is leading, highTech or other')));
  if (!audience.areas.length && !audience.industryClasses.length && !audience.usccs.length) {
    problems.push(problem('required', 'audience', '请指定报送企业（按区镇、产业类别或名单）', 'say which enterprises answer (areas, industry classes or a list)'));
  }
  if (problems.length) throw new ValidationError(problems);
  return { title, periodKind: periodKind!, dueDay, firstPeriod, fields, audience };
}

/** SQL condition: the enterprise `e` is addressed by the audience (any of areas, industry classes, the list). */
function addressed(audience: ReportAudience) {
  const parts = [
    audience.areas.length ? sql<boolean>`e.area_id in (${sql.join(audience.areas)})` : null,
    audience.industryClasses.length ? sql<boolean>`e.industry_class in (${sql.join(audience.industryClasses)})` : null,
    audience.usccs.length ? sql<boolean>`e.uscc in (${sql.join(audience.usccs)})` : null,
  ].filter((x) => x !== null);
  return parts.length ? sql<boolean>`(${sql.join(parts, sql` or `)})` : sql<boolean>`false`;
}

async function addressees(db: Db, audience: ReportAudience): Promise<Array<{ uscc: string; name: string; area_id: string }>> {
  const { rows } = await sql<{ uscc: string; name: string; area_id: string }>`select e.uscc, e.name, e.area_id from enterprises e where ${addressed(audience)} order by e.area_id, e.uscc`.execute(db);
  return rows;
}

export async function defineReport(ctx: PlatformContext, user: Principal, input: Record<string, unknown>, ip?: string | null) {
  if (user.role !== 'departmentReviewer' || !user.departmentId) {
    throw new KaifangError({ code: 'forbidden', zh: '企业信息直报由部门工作人员设定', en: 'reports are defined by department officials' });
  }
  const def = checkDefinition(ctx, input, ctx.today());
  const unknownUscc = def.audience.usccs.length ? await ctx.db.selectFrom('enterprises').select('uscc').where('uscc', 'in', def.audience.usccs).execute() : [];
  const known = new Set(unknownUscc.map((r) => r.uscc));
  const missing = def.audience.usccs.map((u, i) => [u, i] as const).filter(([u]) => !known.has(u));
  if (missing.length) throw new ValidationError(missing.map(([u, i]) => problem('not_found', `audience.usccs[${i}]`, `找不到企业 ${u}`, `no enterprise ${u}`)));
  const id = await ctx.db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('direct_reports')
      .values({ title: def.title, owner_department: user.departmentId!, period_kind: def.periodKind, due_day: def.dueDay, first_period: def.firstPeriod, fields: toJsonb(def.fields), audience: toJsonb(def.audience), created_by: user.id })
      .returning('id')
      .executeTakeFirstOrThrow();
    const to = await addressees(trx, def.audience);
    await appendAudit(trx, actorOf(user, ip), {
      action: 'directReport.define',
      entity: 'directReport',
      entityId: Number(row.id),
      details: { title: def.title, periodKind: def.periodKind, fields: def.fields.length, enterprises: to.length, audience: to.map((e) => audienceOfEnterprise(e.uscc)) },
    });
    return Number(row.id);
  });
  return getReport(ctx, user, id);
}

type ReportRow = { id: number; title: string; owner_department: string; period_kind: 'month' | 'quarter'; due_day: number; first_period: string; fields: JsonValue; audience: JsonValue; created_at: Date; closed_at: Date | null };

async function loadReport(ctx: PlatformContext, user: Principal, id: number): Promise<ReportRow & { relation: 'owner' | 'auditor' | 'enterprise' }> {
  if (!Number.isSafeInteger(id) || id <= 0) throw notFound();
  const r = (await ctx.db.selectFrom('direct_reports').selectAll().where('id', '=', id).executeTakeFirst()) as ReportRow | undefined;
  if (!r) throw notFound();
  if (user.role === 'auditor') return { ...r, relation: 'auditor' };
  if (user.role === 'departmentReviewer' && user.departmentId === r.owner_department) return { ...r, relation: 'owner' };
  if (user.role === 'enterprise' && user.enterpriseUscc) {
    const { rows } = await sql<{ n: number }>`select 1 as n from enterprises e where e.uscc = ${user.enterpriseUscc} and ${addressed(r.audience as never)}`.execute(ctx.db);
    if (rows.length) return { ...r, relation: 'enterprise' };
  }
  throw notFound();
}

const ownerOnly = (relation: string) => {
  if (relation !== 'owner') throw new KaifangError({ code: 'forbidden', zh: '只有设定报表的部门可以这样做', en: 'only the department that owns the report may do this' });
};

function viewOf(ctx: PlatformContext, r: ReportRow) {
  const today = ctx.today();
  const period = currentPeriod(r.period_kind, today);
  const first = r.first_period;
  const asked = period >= first ? period : null;
  const owner = ctx.engine.policy.agencies.get(r.owner_department);
  return {
    id: Number(r.id),
    title: r.title,
    ownerDepartment: r.owner_department,
    ownerZh: owner?.name ?? r.owner_department,
    periodKind: r.period_kind,
    dueDay: r.due_day,
    firstPeriod: first,
    fields: r.fields as unknown as ReportField[],
    audience: r.audience as unknown as ReportAudience,
    /** the period asked for now and its due date (null before the first period has ended) */
    currentPeriod: asked,
    currentDue: asked ? dueDateOf(r.period_kind, asked, r.due_day) : null,
    createdAt: r.created_at,
  };
}

export async function getReport(ctx: PlatformContext, user: Principal, id: number) {
  const r = await loadReport(ctx, user, id);
  return viewOf(ctx, r);
}

/** Reports the caller may see: the owner department's, all for the auditor, those addressed to an enterprise (with its answers). */
export async function listReports(ctx: PlatformContext, user: Principal) {
  let rows: ReportRow[];
  if (user.role === 'auditor') rows = (await ctx.db.selectFrom('direct_reports').selectAll().orderBy('id', 'desc').execute()) as ReportRow[];
  else if (user.role === 'departmentReviewer' && user.departmentId) rows = (await ctx.db.selectFrom('direct_reports').selectAll().where('owner_department', '=', user.departmentId).orderBy('id', 'desc').execute()) as ReportRow[];
  else if (user.role === 'enterprise' && user.enterpriseUscc) {
    const all = (await ctx.db.selectFrom('direct_reports').selectAll().where('closed_at', 'is', null).orderBy('id', 'desc').execute()) as ReportRow[];
    const mine: ReportRow[] = [];
    for (const r of all) {
      const { rows: hit } = await sql`select 1 from enterprises e where e.uscc = ${user.enterpriseUscc} and ${addressed(r.audience as never)}`.execute(ctx.db);
      if (hit.length) mine.push(r);
    }
    rows = mine;
  } else {
    throw new KaifangError({ code: 'forbidden', zh: '企业信息直报仅供设定部门、审计和报送企业查看', en: 'reports are for their department, the auditor and the enterprises asked' });
  }
  const views = rows.map((r) => viewOf(ctx, r));
  if (user.role !== 'enterprise') return { items: views };
  const answers = await ctx.db.selectFrom('direct_report_answers').select(['report_id', 'period', 'submitted_on', 'late']).where('enterprise_uscc', '=', user.enterpriseUscc!).execute();
  return {
    items: views.map((v) => {
      const mine = answers.filter((a) => Number(a.report_id) === v.id);
      const current = v.currentPeriod ? mine.find((a) => a.period === v.currentPeriod) : undefined;
      return { ...v, answeredPeriods: mine.map((a) => a.period).sort(), currentAnswered: !!current, currentOverdue: !!v.currentDue && !current && ctx.today() > v.currentDue };
    }),
  };
}

// ── Answers ─────────────────────────────────────────────────────────────────────────────────────────────────────

/** One field's value, checked and in its stored form (money in fen); `undefined` when left empty. */
function checkValue(f: ReportField, raw: unknown, path: string, problems: KaifangError[]): JsonValue | undefined {
  if (raw === null || raw === undefined || (typeof raw === 'string' && raw.trim() === '')) {
    if (f.required) problems.push(problem('required', path, `请填写“${f.label}”`, `${f.label} is required`));
    return undefined;
  }
  const num = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw.trim().replace(/,/g, '')) : NaN;
  switch (f.type) {
    case 'integer':
      if (!Number.isSafeInteger(num)) problems.push(problem('invalid_value', path, `“${f.label}”须为整数`, `${f.label} is a whole number`));
      return num;
    case 'decimal':
      if (!Number.isFinite(num)) problems.push(problem('invalid_value', path, `“${f.label}”须为数字`, `${f.label} is a number`));
      return num;
    case 'money': {
      const fen = num * MONEY_UNITS[f.unit!];
      if (!Number.isFinite(num) || num < 0) problems.push(problem('invalid_value', path, `“${f.label}”须为不小于0的金额（${f.unit}）`, `${f.label} is an amount ≥ 0 in ${f.unit}`));
      else if (Math.abs(fen - Math.round(fen)) > 1e-6 || !Number.isSafeInteger(Math.round(fen))) problems.push(problem('invalid_value', path, `“${f.label}”精确到分`, `${f.label} is exact to the fen`));
      return Math.round(fen);
    }
    case 'boolean': {
      const t = typeof raw === 'boolean' ? raw : typeof raw === 'string' ? ({ 是: true, 否: false, true: true, false: false } as Record<string, boolean>)[raw.trim()] : undefined;
      if (t === undefined) problems.push(problem('invalid_value', path, `“${f.label}”填“是”或“否”`, `${f.label} is yes or no`));
      return t ?? null;
    }
    default: {
      const s = String(raw).trim();
      if (s.length > 500) problems.push(problem('too_long', path, `“${f.label}”不超过500字`, `${f.label} is at most 500 characters`));
      const bad = badCharacter(s);
      if (bad) problems.push(badCharacterError(path, bad));
      return s;
    }
  }
}

interface AnswerInput {
  period: string;
  values: Record<string, unknown>;
}

/** Stores answers (all or nothing); facts of the policy land in the facts on file with their source. */
async function storeAnswers(ctx: PlatformContext, user: Principal, r: ReportRow, answers: Array<AnswerInput & { at: string }>, via: 'portal' | 'excel', ip?: string | null, found: KaifangError[] = []) {
  const fields = r.fields as unknown as ReportField[];
  const today = ctx.today();
  // problems the caller found already (an Excel row of another enterprise) are reported with these, all at once
  const problems: KaifangError[] = [...found];
  const clean = answers.map((a) => {
    const values: JsonObject = {};
    const p = parsePeriod(r.period_kind, a.period);
    if (!p || a.period < r.first_period) problems.push(problem('invalid_value', `${a.at}period`, `报告期应为 ${r.first_period} 及以后（${r.period_kind === 'month' ? '如 2020-06' : '如 2020-Q2'}）`, `the period is ${r.first_period} or later`));
    else if (a.period > currentPeriod(r.period_kind, today)) problems.push(problem('invalid_value', `${a.at}period`, `报告期 ${a.period} 尚未结束`, `the period ${a.period} has not ended`));
    for (const f of fields) {
      const v = checkValue(f, a.values[f.key], `${a.at}${f.key}`, problems);
      if (v !== undefined) values[f.key] = v;
    }
    return { period: a.period, values, year: p?.year ?? 0 };
  });
  if (problems.length) throw new ValidationError(problems);
  const uscc = user.enterpriseUscc!;
  await ctx.db.transaction().execute(async (trx) => {
    for (const a of clean) {
      const late = today > dueDateOf(r.period_kind, a.period, r.due_day);
      await trx
        .insertInto('direct_report_answers')
        .values({ report_id: Number(r.id), period: a.period, enterprise_uscc: uscc, values: toJsonb(a.values), via, submitted_by: user.id, submitted_on: today, late })
        .onConflict((oc) => oc.columns(['report_id', 'period', 'enterprise_uscc']).doUpdateSet({ values: toJsonb(a.values), via, submitted_by: user.id, submitted_at: new Date(), submitted_on: today, late }))
        .execute();
      // The policy's facts the answer states: the year's figure so far, into the facts on file, with where it came from.
      const stated = fields.filter((f) => f.fact && a.values[f.key] !== undefined);
      if (stated.length) {
        const before = await trx.selectFrom('enterprise_facts').selectAll().where('enterprise_uscc', '=', uscc).where('year', '=', a.year).forUpdate().executeTakeFirst();
        const facts: JsonObject = { ...(before?.facts ?? {}) };
        const sources: JsonObject = { ...((before?.fact_sources ?? {}) as JsonObject) };
        for (const f of stated) {
          facts[f.fact!] = a.values[f.key];
          sources[f.fact!] = { by: user.id, at: new Date().toISOString(), report: Number(r.id), period: a.period };
        }
        ctx.engine.parse({ year: a.year, facts }); // the facts on file stay valid as a whole
        await trx
          .insertInto('enterprise_facts')
          .values({ enterprise_uscc: uscc, year: a.year, facts: toJsonb(facts), fact_sources: toJsonb(sources), updated_by: user.id })
          .onConflict((oc) => oc.columns(['enterprise_uscc', 'year']).doUpdateSet({ facts: toJsonb(facts), fact_sources: toJsonb(sources), updated_by: user.id, updated_at: new Date() }))
          .execute();
      }
      await appendAudit(trx, actorOf(user, ip), {
        action: 'directReport.answer',
        entity: 'directReport',
        entityId: Number(r.id),
        details: { period: a.period, via, late, facts: stated.map((f) => f.fact), audience: [`unit:department:${r.owner_department}`] },
      });
    }
  });
  return { answered: clean.map((a) => a.period) };
}

export async function answerReport(ctx: PlatformContext, user: Principal, id: number, input: { period?: unknown; values?: unknown }, ip?: string | null) {
  const r = await loadReport(ctx, user, id);
  if (r.relation !== 'enterprise') throw new KaifangError({ code: 'forbidden', zh: '只有被要求报送的企业可以填报', en: 'only the enterprises asked may answer' });
  if (r.closed_at) throw new KaifangError({ code: 'invalid_state', zh: '该报表已停止报送', en: 'the report is closed' });
  const values = input.values && typeof input.values === 'object' && !Array.isArray(input.values) ? (input.values as Record<string, unknown>) : {};
  const period = typeof input.period === 'string' ? input.period : currentPeriod(r.period_kind, ctx.today());
  return storeAnswers(ctx, user, r, [{ period, values, at: 'values.' }], 'portal', ip);
}

const PERIOD_HEADER = '报告期';
const USCC_HEADER = '统一社会信用代码';
const headerOf = (f: ReportField) => (f.unit ? `${f.label}（${f.unit}）` : f.label);

/** The Excel template: the USCC, the period and one column per field (with its unit); the enterprise's own row prefilled. */
export async function reportTemplate(ctx: PlatformContext, user: Principal, id: number): Promise<Buffer> {
  const r = await loadReport(ctx, user, id);
  const fields = r.fields as unknown as ReportField[];
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('填报');
  ws.addRow([USCC_HEADER, PERIOD_HEADER, ...fields.map(headerOf)]);
  if (user.enterpriseUscc) ws.addRow([user.enterpriseUscc, currentPeriod(r.period_kind, ctx.today())]);
  ws.columns.forEach((c) => (c.width = 22));
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** Answers from an uploaded workbook: one row per period, the enterprise's own USCC; all or nothing, by row number. */
export async function importAnswers(ctx: PlatformContext, user: Principal, id: number, data: Buffer, read: ImportReadOptions = {}, ip?: string | null) {
  const r = await loadReport(ctx, user, id);
  if (r.relation !== 'enterprise') throw new KaifangError({ code: 'forbidden', zh: '只有被要求报送的企业可以填报', en: 'only the enterprises asked may answer' });
  const fields = r.fields as unknown as ReportField[];
  const problems: KaifangError[] = [];
  const answers: Array<AnswerInput & { at: string }> = [];
  await readSheet(
    data,
    {
      ...read,
      headerRows: 1,
      notAWorkbook: (why) => new ValidationError([problem('not_a_workbook', 'file', `文件不是有效的 Excel 工作簿（${why}）`, `not an Excel workbook (${why})`)]),
      noSheet: () => new ValidationError([problem('no_sheet', 'file', '工作簿中没有工作表', 'the workbook has no sheet')]),
    },
    async (sheet) => {
      let header: string[] | null = null;
      for await (const row of sheet.rows) {
        const cells = (row.values as unknown[]).slice(1).map((v) => (v && typeof v === 'object' && 'result' in (v as object) ? (v as { result: unknown }).result : v && typeof v === 'object' && 'text' in (v as object) ? (v as { text: unknown }).text : v));
        if (!header) {
          header = cells.map((c) => String(c ?? '').trim());
          const missing = [USCC_HEADER, PERIOD_HEADER, ...fields.map(headerOf)].filter((h) => !header!.includes(h));
          if (missing.length) problems.push(problem('bad_header', 'file', `表头缺少：${missing.join('、')}（请使用下载的模板）`, `the header lacks: ${missing.join(', ')} (use the template)`));
          continue;
        }
        if (answers.length >= MAX_ROWS) throw tooManyRows(MAX_ROWS);
        const at = `第${row.number}行.`;
        const cell = (h: string) => cells[header!.indexOf(h)];
        const uscc = String(cell(USCC_HEADER) ?? '').trim();
        if (uscc !== user.enterpriseUscc) problems.push(problem('not_yours', `${at}${USCC_HEADER}`, '只能填报本企业（统一社会信用代码须为本企业的）', 'only your own enterprise may be reported'));
        const values: Record<string, unknown> = {};
        for (const f of fields) values[f.key] = cell(headerOf(f));
        answers.push({ period: String(cell(PERIOD_HEADER) ?? '').trim(), values, at });
      }
    },
  );
  if (!answers.length && !problems.length) problems.push(problem('empty', 'file', '文件中没有数据行', 'the file has no rows'));
  if (problems.some((x) => x.path === 'file')) throw new ValidationError(problems);
  return storeAnswers(ctx, user, r, answers, 'excel', ip, problems);
}

// ── Completion, chasing, the download ───────────────────────────────────────────────────────────────────────────

export async function reportCompletion(ctx: PlatformContext, user: Principal, id: number, period?: string) {
  const r = await loadReport(ctx, user, id);
  if (r.relation === 'enterprise') ownerOnly(r.relation);
  const last = currentPeriod(r.period_kind, ctx.today());
  const periods = last >= r.first_period ? periodsBetween(r.period_kind, r.first_period, last) : [];
  const to = await addressees(ctx.db, r.audience as never);
  const answers = await ctx.db.selectFrom('direct_report_answers').select(['period', 'enterprise_uscc', 'late']).where('report_id', '=', r.id).execute();
  const answered = new Map<string, Set<string>>();
  for (const a of answers) {
    if (!answered.has(a.period)) answered.set(a.period, new Set());
    answered.get(a.period)!.add(a.enterprise_uscc);
  }
  const byPeriod = periods.map((p) => {
    const set = answered.get(p) ?? new Set();
    const byArea = new Map<string, { expected: number; answered: number }>();
    for (const e of to) {
      const x = byArea.get(e.area_id) ?? { expected: 0, answered: 0 };
      x.expected += 1;
      if (set.has(e.uscc)) x.answered += 1;
      byArea.set(e.area_id, x);
    }
    return {
      period: p,
      dueOn: dueDateOf(r.period_kind, p, r.due_day),
      expected: to.length,
      answered: to.filter((e) => set.has(e.uscc)).length,
      late: answers.filter((a) => a.period === p && a.late).length,
      areas: [...byArea].map(([areaId, x]) => ({ areaId, areaZh: findArea(areaId)?.shortZh ?? findArea(areaId)?.nameZh ?? areaId, ...x })),
    };
  });
  const chosen = period ?? periods.at(-1);
  const missing = chosen ? to.filter((e) => !(answered.get(chosen) ?? new Set()).has(e.uscc)).map((e) => ({ uscc: e.uscc, name: e.name, areaId: e.area_id })) : [];
  return { report: viewOf(ctx, r), periods: byPeriod, period: chosen ?? null, missing };
}

/** 催报: tells every addressed enterprise that has not answered the period (their inbox). */
export async function chaseReport(ctx: PlatformContext, user: Principal, id: number, input: { period?: unknown }, ip?: string | null) {
  const r = await loadReport(ctx, user, id);
  ownerOnly(r.relation);
  const period = typeof input.period === 'string' ? input.period : currentPeriod(r.period_kind, ctx.today());
  if (!parsePeriod(r.period_kind, period)) throw new ValidationError([problem('invalid_value', 'period', '报告期格式不对', 'bad period')]);
  const { missing } = await reportCompletion(ctx, user, id, period);
  await appendAudit(ctx.db, actorOf(user, ip), {
    action: 'directReport.chase',
    entity: 'directReport',
    entityId: Number(r.id),
    details: { period, dueOn: dueDateOf(r.period_kind, period, r.due_day), enterprises: missing.length, audience: missing.map((m) => audienceOfEnterprise(m.uscc)) },
  });
  return { period, chased: missing.length };
}

/** Every answer, one row per enterprise and period, the fields in their units (money back in the field's unit). */
export async function answersWorkbook(ctx: PlatformContext, user: Principal, id: number): Promise<Buffer> {
  const r = await loadReport(ctx, user, id);
  if (r.relation === 'enterprise') ownerOnly(r.relation);
  const fields = r.fields as unknown as ReportField[];
  const rows = await ctx.db
    .selectFrom('direct_report_answers as a')
    .innerJoin('enterprises as e', 'e.uscc', 'a.enterprise_uscc')
    .select(['a.period', 'a.enterprise_uscc', 'e.name', 'e.area_id', 'a.values', 'a.via', 'a.submitted_on', 'a.late'])
    .where('a.report_id', '=', r.id)
    .orderBy('a.period')
    .orderBy('e.area_id')
    .orderBy('a.enterprise_uscc')
    .execute();
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('报送情况');
  ws.addRow([PERIOD_HEADER, USCC_HEADER, '企业名称', '区镇', ...fields.map(headerOf), '方式', '报送日期', '是否逾期']);
  for (const a of rows) {
    const v = a.values as Record<string, JsonValue>;
    ws.addRow([
      a.period,
      a.enterprise_uscc,
      a.name,
      findArea(a.area_id)?.shortZh ?? a.area_id,
      ...fields.map((f) => {
        const x = v[f.key];
        if (x === undefined || x === null) return null;
        if (f.type === 'money') return Number(x) / MONEY_UNITS[f.unit!];
        if (f.type === 'boolean') return x ? '是' : '否';
        return x as string | number;
      }),
      a.via === 'excel' ? 'Excel' : '网上填报',
      a.submitted_on,
      a.late ? '逾期' : '',
    ]);
  }
  ws.columns.forEach((c) => (c.width = 18));
  return Buffer.from(await wb.xlsx.writeBuffer());
}
