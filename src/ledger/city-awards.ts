/**
 * Same-kind awards an enterprise received from the city (市级), recorded by the lead department of the
 * measure so that 就高不重复 can be applied: at the next decision the engine sets the city award off against
 * the district entitlement (the enterprise gets the higher, never both). A city award is a ledger entry of
 * kind `cityAward`; it is not district money and counts against no district budget.
 *
 * Recorded one by one or imported from Excel (all rows or none), each under the cap lock of its enterprise and
 * incentive, as decisions about it take it: a decision sees the city award or runs before it.
 *
 * The ledger is append-only, so a city award is corrected or ended by a NEGATIVE `cityAward` entry naming the entry
 * it corrects (migration 0018 allows exactly that and never below zero). A district decision that already set the
 * city award off stays as decided — its explanation records the offset, and kaifang_prior_awards keeps counting that
 * offset — while later decisions see the reduced city award.
 */
import { sql } from 'kysely';
import { appendAudit } from '../audit/audit-log.ts';
import { KaifangError, ValidationError } from '../errors.ts';
import { authorize, can, listScope } from '../identity/access.ts';
import type { Principal } from '../identity/users.ts';
import { parseUscc } from '../enterprises/uscc.ts';
import { findArea } from '../enterprises/areas.ts';
import { cellMoneyFen, clean, readTableSheet, rowProblem, cappedErrors, tableWorkbook, type TableColumn } from '../enterprises/sheet-table.ts';
import type { ImportReadOptions } from '../excel/read-workbook.ts';
import type { Db } from '../db/transaction.ts';
import type { ResolvedIncentive } from '../policy/model.ts';
import { actorOf, measureIdOf, type PlatformContext } from '../claims/context.ts';
import { appendLedgerEntry, lockCap, priorAwards } from './ledger.ts';

export interface CityAwardInput {
  uscc: unknown;
  incentive: unknown;
  item?: unknown;
  year: unknown;
  amountFen: unknown;
  reference: unknown;
}

export interface CityAward {
  id: number;
  uscc: string;
  incentive: string;
  measureId: string;
  item: string;
  year: number;
  amountFen: number;
  reference: string;
}

interface ValidCityAward {
  uscc: string;
  inc: ResolvedIncentive;
  measureId: string;
  item: string;
  year: number;
  amountFen: number;
  reference: string;
}

const forbiddenIncentive = (inc: ResolvedIncentive) =>
  new KaifangError({ code: 'not_lead_department', path: 'incentive', zh: `“${inc.title}”不属于本部门牵头的措施，由其牵头部门登记`, en: `"${inc.titleEn}" is under a measure your department does not lead; its lead department records it` });

/** Every field checked, every problem at once (paths uscc, incentive, item, year, amountFen, reference). */
function validateCityAward(ctx: PlatformContext, input: CityAwardInput): ValidCityAward {
  const errors: KaifangError[] = [];
  const policy = ctx.engine.policy;
  let uscc = '';
  try {
    uscc = parseUscc(input.uscc, 'uscc');
  } catch (e) {
    errors.push(e as KaifangError);
  }
  const inc = typeof input.incentive === 'string' ? policy.incentivesById.get(input.incentive) : undefined;
  if (!inc) {
    errors.push(new KaifangError({ code: 'unknown_incentive', path: 'incentive', zh: '请选择政策中的奖励项目', en: "incentive must be one of the policy's incentives" }));
  } else if (!inc.highestNotBoth) {
    errors.push(new KaifangError({ code: 'not_highest_not_both', path: 'incentive', zh: `“${inc.title}”不适用就高不重复，无需登记市级奖励`, en: 'this incentive is not subject to highest-not-both; a city award has no effect on it' }));
  }
  const item = input.item === undefined || input.item === null ? '' : input.item;
  if (typeof item !== 'string' || item.length > 200) errors.push(new KaifangError({ code: 'wrong_type', path: 'item', zh: '申报对象名称应为200字以内的文字', en: 'item must be text of at most 200 characters' }));
  const year = input.year;
  if (typeof year !== 'number' || !Number.isInteger(year) || year < 2000 || year > 2100) errors.push(new KaifangError({ code: 'bad_year', path: 'year', zh: '年度应为四位数年份，如2020', en: 'year must be a four-digit year' }));
  const amountFen = input.amountFen;
  if (typeof amountFen !== 'number' || !Number.isSafeInteger(amountFen) || amountFen <= 0) errors.push(new KaifangError({ code: 'bad_amount', path: 'amountFen', zh: '市级奖励金额应为正整数（分）', en: 'amountFen must be a positive integer (fen)' }));
  const reference = typeof input.reference === 'string' ? input.reference.trim() : '';
  if (!reference || reference.length > 200) errors.push(new KaifangError({ code: 'required', path: 'reference', zh: '请填写市级奖励的文件号或凭据（200字以内）', en: 'reference (the city document or record, at most 200 characters) is required' }));
  if (errors.length) throw new ValidationError(errors);
  return { uscc, inc: inc!, measureId: measureIdOf(inc!.measure), item: (item as string).trim(), year: year as number, amountFen: amountFen as number, reference };
}

/** Writes one validated city award in `trx` (its cap lock taken first), with its audit record. */
async function writeCityAward(ctx: PlatformContext, trx: Db, user: Principal, v: ValidCityAward, ip: string | null | undefined, extra: Record<string, unknown> = {}): Promise<CityAward> {
  const policy = ctx.engine.policy;
  // Under the same lock as decisions about this enterprise's incentive: a decision sees the city award or runs before it.
  await lockCap(trx, { enterpriseUscc: v.uscc, policyId: policy.id, incentiveId: v.inc.id, measureId: v.measureId, year: v.year });
  const id = await appendLedgerEntry(trx, { enterpriseUscc: v.uscc, policyId: policy.id, measureId: v.measureId, incentiveId: v.inc.id, item: v.item, year: v.year, kind: 'cityAward', amountFen: v.amountFen, reference: v.reference, createdBy: user.id });
  await appendAudit(trx, actorOf(user, ip), { action: 'ledger.cityAward', entity: 'enterprise', entityId: v.uscc, details: { ledgerEntryId: id, incentive: v.inc.id, item: v.item, year: v.year, amountFen: v.amountFen, reference: v.reference, ...extra } });
  return { id, uscc: v.uscc, incentive: v.inc.id, measureId: v.measureId, item: v.item, year: v.year, amountFen: v.amountFen, reference: v.reference };
}

export async function recordCityAward(ctx: PlatformContext, user: Principal, input: CityAwardInput, ip?: string | null): Promise<CityAward> {
  const v = validateCityAward(ctx, input);
  authorize(user, 'ledger.recordCityAward', { measureId: v.measureId, policyId: ctx.engine.policy.id }, ctx.access);
  const enterprise = await ctx.db.selectFrom('enterprises').select('uscc').where('uscc', '=', v.uscc).executeTakeFirst();
  if (!enterprise) throw new ValidationError([new KaifangError({ code: 'unknown_enterprise', path: 'uscc', zh: `企业 ${v.uscc} 未登记`, en: `enterprise ${v.uscc} is not registered` })]);
  return ctx.db.transaction().execute((trx) => writeCityAward(ctx, trx, user, v, ip));
}

// ── Reading ──────────────────────────────────────────────────────────────────────────────────────────────────

export interface CityAwardCorrection {
  id: number;
  amountFen: number;
  reason: string | null;
  reference: string | null;
  at: Date;
  byName: string | null;
}

export interface CityAwardView extends CityAward {
  incentiveTitle: string;
  incentiveTitleEn: string;
  enterpriseName: string;
  areaId: string;
  areaName: string | null;
  createdAt: Date;
  recordedBy: string | null;
  corrections: CityAwardCorrection[];
  /** the award net of its corrections: what decisions from now on set off */
  netFen: number;
  /** ended: corrected to nothing */
  ended: boolean;
  /** what standing district decisions of the same enterprise, incentive, year and item already set off against city awards */
  setOffFen: number;
}

export interface CityAwardFilter {
  year?: number;
  incentive?: string;
  /** part of the enterprise's name or USCC */
  q?: string;
  status?: 'standing' | 'ended';
}

/** The measures whose city awards the caller reads: all, or those its department leads; enterprise users none (403). */
function measuresInScope(ctx: PlatformContext, user: Principal): string[] | 'all' {
  if (user.role === 'enterprise') throw new KaifangError({ code: 'forbidden', zh: '企业用户请在奖励台账中查看本企业的市级奖励', en: "enterprise users see their city awards in their own ledger statement" });
  const scope = listScope(user, 'ledger.read', ctx.access);
  if (scope.kind === 'all') return 'all';
  if (scope.kind === 'measures') return scope.measureIds;
  throw new KaifangError({ code: 'forbidden', zh: '无权查看市级奖励（ledger.read）', en: 'not allowed: ledger.read' });
}

/** City awards (originals, newest first) with their corrections, in the caller's scope: lead departments their measures; finance and auditors all. */
export async function listCityAwards(ctx: PlatformContext, user: Principal, filter: CityAwardFilter, page = 1, pageSize = 20) {
  const measures = measuresInScope(ctx, user);
  const policy = ctx.engine.policy;
  if (measures !== 'all' && !measures.length) return { items: [], total: 0, page, pageSize };
  let q = ctx.db
    .selectFrom('ledger_entries as e')
    .innerJoin('enterprises as en', 'en.uscc', 'e.enterprise_uscc')
    .where('e.kind', '=', 'cityAward')
    .where('e.reverses_entry_id', 'is', null)
    .where('e.policy_id', '=', policy.id);
  if (measures !== 'all') q = q.where('e.measure_id', 'in', measures);
  if (filter.year !== undefined) q = q.where('e.year', '=', filter.year);
  if (filter.incentive) q = q.where('e.incentive_id', '=', filter.incentive);
  if (filter.q?.trim()) {
    const like = `%${filter.q.trim().replace(/[\\%_]/g, (c) => '\\' + c)}%`;
    q = q.where((eb) => eb.or([eb('en.name', 'ilike', like), eb('en.uscc', 'ilike', like)]));
  }
  const net = sql<number>`e.amount_fen + coalesce((select sum(c.amount_fen) from ledger_entries c where c.kind = 'cityAward' and c.reverses_entry_id = e.id), 0)`;
  if (filter.status === 'ended') q = q.where(net, '=', 0);
  if (filter.status === 'standing') q = q.where(net, '>', 0);
  const total = Number((await q.select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow()).n);
  const rows = await q
    .leftJoin('users as u', 'u.id', 'e.created_by')
    .select(['e.id', 'e.enterprise_uscc', 'e.incentive_id', 'e.measure_id', 'e.item', 'e.year', 'e.amount_fen', 'e.reference', 'e.created_at', 'en.name', 'en.area_id', 'u.display_name'])
    .orderBy('e.id', 'desc')
    .limit(pageSize)
    .offset((page - 1) * pageSize)
    .execute();
  const ids = rows.map((r) => r.id);
  const corrections = ids.length
    ? await ctx.db
        .selectFrom('ledger_entries as c')
        .leftJoin('users as u', 'u.id', 'c.created_by')
        .select(['c.id', 'c.reverses_entry_id', 'c.amount_fen', 'c.note', 'c.reference', 'c.created_at', 'u.display_name'])
        .where('c.kind', '=', 'cityAward')
        .where('c.reverses_entry_id', 'in', ids)
        .orderBy('c.id')
        .execute()
    : [];
  const items: CityAwardView[] = [];
  for (const r of rows) {
    const inc = policy.incentivesById.get(r.incentive_id);
    const own = corrections.filter((c) => c.reverses_entry_id === r.id).map((c) => ({ id: c.id, amountFen: Number(c.amount_fen), reason: c.note, reference: c.reference, at: c.created_at, byName: c.display_name }));
    const netFen = Number(r.amount_fen) + own.reduce((s, c) => s + c.amountFen, 0);
    items.push({
      id: r.id,
      uscc: r.enterprise_uscc,
      incentive: r.incentive_id,
      incentiveTitle: inc?.title ?? r.incentive_id,
      incentiveTitleEn: inc?.titleEn ?? r.incentive_id,
      measureId: r.measure_id,
      item: r.item,
      year: r.year,
      amountFen: Number(r.amount_fen),
      reference: r.reference ?? '',
      enterpriseName: r.name,
      areaId: r.area_id,
      areaName: findArea(r.area_id)?.nameZh ?? null,
      createdAt: r.created_at,
      recordedBy: r.display_name,
      corrections: own,
      netFen,
      ended: netFen === 0,
      setOffFen: await setOffAgainst(ctx.db, policy.id, r.enterprise_uscc, r.incentive_id, r.year, r.item),
    });
  }
  return { items, total, page, pageSize };
}

/** What standing district decisions of the enterprise already set off against city awards of this incentive, year and item. */
async function setOffAgainst(db: Db, policyId: string, uscc: string, incentive: string, year: number, item: string): Promise<number> {
  const prior = await priorAwards(db, uscc, policyId, [incentive]);
  return prior.filter((p) => p.level === 'district' && p.year === year && (p.item ?? '') === item).reduce((s, p) => s + (p.cityOffsetFen ?? 0), 0);
}

/** The incentives a caller may record city awards for: 就高不重复 applies, and its department leads the measure. */
export function cityAwardIncentives(ctx: PlatformContext, user: Principal) {
  const policy = ctx.engine.policy;
  return [...policy.incentivesById.values()]
    .filter((inc) => inc.highestNotBoth && can(user, 'ledger.recordCityAward', { measureId: measureIdOf(inc.measure), policyId: policy.id }, ctx.access))
    .map((inc) => ({ id: inc.id, title: inc.title, titleEn: inc.titleEn, measureId: measureIdOf(inc.measure), measure: inc.measure }));
}

/**
 * The enterprise picker of the city-award form: registered enterprises by part of the name or USCC (at most 20). A lead
 * department records a city award for any registered enterprise — it need not have claimed yet — so this looks at the
 * whole register, not the department's directory scope; it answers only name, USCC and area.
 */
export async function findEnterprisesForCityAward(ctx: PlatformContext, user: Principal, q: string) {
  if (!cityAwardIncentives(ctx, user).length) throw new KaifangError({ code: 'forbidden', zh: '无权登记市级奖励（ledger.recordCityAward）', en: 'not allowed: ledger.recordCityAward' });
  const text = q.trim();
  if (!text) return [];
  const like = `%${text.replace(/[\\%_]/g, (c) => '\\' + c)}%`;
  const rows = await ctx.db.selectFrom('enterprises').select(['uscc', 'name', 'area_id']).where((eb) => eb.or([eb('name', 'ilike', like), eb('uscc', 'ilike', like)])).orderBy('name').limit(20).execute();
  return rows.map((r) => ({ uscc: r.uscc, name: r.name, areaId: r.area_id, areaName: findArea(r.area_id)?.nameZh ?? null }));
}

// ── Correcting and ending ────────────────────────────────────────────────────────────────────────────────────

export interface CityAwardCorrectionInput {
  /** the city award's amount from now on; 0 ends it */
  amountFen: unknown;
  reason: unknown;
  reference?: unknown;
}

/**
 * Corrects a city award down to `amountFen` (0 ends it) by a negative cityAward entry naming it. Only downwards: a
 * further city award is recorded as one of its own. The decisions already made stay as decided; the result says how
 * much of the city award they had set off, so the page can say that they are not changed.
 */
export async function correctCityAward(ctx: PlatformContext, user: Principal, entryId: number, input: CityAwardCorrectionInput, ip?: string | null) {
  const policy = ctx.engine.policy;
  const original = await ctx.db.selectFrom('ledger_entries').selectAll().where('id', '=', entryId).where('kind', '=', 'cityAward').where('reverses_entry_id', 'is', null).executeTakeFirst();
  const notFound = () => new KaifangError({ code: 'not_found', zh: '找不到该市级奖励记录，或您无权查看', en: 'city award not found, or not yours to see' });
  if (!original) throw notFound();
  // Outside the caller's measures the award does not exist for it (ids cannot be probed).
  if (!can(user, 'ledger.recordCityAward', { measureId: original.measure_id, policyId: original.policy_id }, ctx.access)) {
    if (can(user, 'ledger.read', { measureId: original.measure_id, policyId: original.policy_id, enterpriseUscc: original.enterprise_uscc }, ctx.access)) authorize(user, 'ledger.recordCityAward', { measureId: original.measure_id }, ctx.access);
    throw notFound();
  }
  const errors: KaifangError[] = [];
  const amountFen = input.amountFen;
  if (typeof amountFen !== 'number' || !Number.isSafeInteger(amountFen) || amountFen < 0) errors.push(new KaifangError({ code: 'bad_amount', path: 'amountFen', zh: '更正后的金额应为不小于0的整数（分）；填0表示终止该市级奖励', en: 'amountFen (the corrected amount) must be a whole number of fen, 0 or more; 0 ends the city award' }));
  const reason = typeof input.reason === 'string' ? input.reason.trim() : '';
  if (!reason) errors.push(new KaifangError({ code: 'required', path: 'reason', zh: '请填写更正或终止的原因', en: 'reason is required' }));
  let reference: string | null = null;
  if (input.reference !== undefined && input.reference !== null) {
    if (typeof input.reference !== 'string' || input.reference.length > 200) errors.push(new KaifangError({ code: 'wrong_type', path: 'reference', zh: '文件号应为200字以内的文字', en: 'reference must be text of at most 200 characters' }));
    else reference = input.reference.trim() || null;
  }
  if (errors.length) throw new ValidationError(errors);

  return ctx.db.transaction().execute(async (trx) => {
    await lockCap(trx, { enterpriseUscc: original.enterprise_uscc, policyId: original.policy_id, incentiveId: original.incentive_id, measureId: original.measure_id, year: original.year });
    const { rows } = await sql<{ net: string | number }>`select coalesce(sum(amount_fen), 0) as net from ledger_entries where id = ${entryId} or (kind = 'cityAward' and reverses_entry_id = ${entryId})`.execute(trx);
    const net = Number(rows[0].net);
    if (net === 0) throw new KaifangError({ code: 'invalid_state', zh: '该市级奖励已终止', en: 'this city award has already been ended' });
    if ((amountFen as number) >= net) {
      throw new ValidationError([
        new KaifangError({
          code: 'not_lower',
          path: 'amountFen',
          zh: `更正后的金额应低于现有金额（${net / 100}元）；市级另有奖励请另行登记一条`,
          en: `the corrected amount must be below the present ${net / 100} yuan; record a further city award as an award of its own`,
          details: { netFen: net },
        }),
      ]);
    }
    const delta = (amountFen as number) - net;
    const id = await appendLedgerEntry(trx, {
      enterpriseUscc: original.enterprise_uscc,
      policyId: original.policy_id,
      measureId: original.measure_id,
      incentiveId: original.incentive_id,
      item: original.item,
      year: original.year,
      kind: 'cityAward',
      amountFen: delta,
      reversesEntryId: entryId,
      reference,
      note: reason,
      createdBy: user.id,
    });
    const setOffFen = await setOffAgainst(trx, original.policy_id, original.enterprise_uscc, original.incentive_id, original.year, original.item);
    await appendAudit(trx, actorOf(user, ip), {
      action: amountFen === 0 ? 'ledger.cityAward.end' : 'ledger.cityAward.correct',
      entity: 'enterprise',
      entityId: original.enterprise_uscc,
      details: { ledgerEntryId: id, corrects: entryId, fromFen: net, toFen: amountFen as number, reason, reference, setOffByDecisionsFen: setOffFen },
    });
    return { id, correctsEntryId: entryId, amountFen: delta, netFen: amountFen as number, ended: amountFen === 0, setOffFen, policy: policy.id };
  });
}

// ── Excel ────────────────────────────────────────────────────────────────────────────────────────────────────

type CityField = 'uscc' | 'enterpriseName' | 'incentive' | 'item' | 'year' | 'amount' | 'reference';
export const CITY_AWARD_SHEET = '市级奖励';
export const CITY_AWARD_COLUMNS: ReadonlyArray<TableColumn<CityField>> = [
  { field: 'uscc', header: '统一社会信用代码', headerEn: 'unified social credit code', aliases: ['信用代码'], width: 24, text: true },
  { field: 'enterpriseName', header: '企业名称', headerEn: 'enterprise name (for reading; not checked)', optional: true, width: 34 },
  { field: 'incentive', header: '奖励项目', headerEn: 'incentive (its title or id)', aliases: ['政策项目', '区级奖励项目'], width: 30 },
  { field: 'item', header: '申报对象', headerEn: 'item (project, plot, award)', aliases: ['项目名称', '对象'], optional: true, width: 30 },
  { field: 'year', header: '年度', headerEn: 'year', width: 8 },
  { field: 'amount', header: '金额（元）', headerEn: 'amount (yuan; or text in 万元)', aliases: ['金额', '奖励金额'], width: 16 },
  { field: 'reference', header: '文件号', headerEn: 'city document or record', aliases: ['文号', '凭据'], width: 28, text: true },
];

/** The import template: the columns, the caller's incentives as examples, and guidance. */
export async function cityAwardTemplate(ctx: PlatformContext, user: Principal): Promise<Buffer> {
  const incentives = cityAwardIncentives(ctx, user);
  return tableWorkbook({
    sheet: CITY_AWARD_SHEET,
    title: '市级同类奖励',
    columns: CITY_AWARD_COLUMNS,
    rows: [],
    guide: [
      '市级同类奖励导入模板 — 填写说明 / how to fill in the city-award template',
      '',
      `1. 在“${CITY_AWARD_SHEET}”工作表中从第2行起每行一条市级奖励；第1行表头请勿修改。`,
      '2. 统一社会信用代码：已在平台登记的企业，18位（校验第18位）；该列为文本格式。企业名称一栏仅供阅读，不作校验。',
      '3. 奖励项目：填写区级奖励项目名称或代码（须适用“就高不重复”，且属于本部门牵头的措施）：',
      ...incentives.map((i) => `     ${i.title}（${i.id}）`),
      '4. 申报对象：按项目、地块、所获奖项计奖的，填写与企业申报一致的名称；按企业计奖的留空。',
      '5. 金额：数字按“元”计（最多两位小数），也可写“100万元”。',
      '6. 任何一行有误，整份文件都不导入，并按“第N行「列名」”列出全部错误；同一文件号的同一奖励不能重复登记。',
    ],
  });
}

/** The incentive a cell names: its id or its title (exactly, spaces ignored). */
function incentiveOf(ctx: PlatformContext, text: string): ResolvedIncentive | undefined {
  const policy = ctx.engine.policy;
  const byId = policy.incentivesById.get(text);
  if (byId) return byId;
  const key = text.normalize('NFKC').replace(/\s+/g, '');
  const matches = [...policy.incentivesById.values()].filter((i) => i.title.normalize('NFKC').replace(/\s+/g, '') === key);
  return matches.length === 1 ? matches[0] : undefined;
}

/**
 * Imports a workbook of city awards: all rows or none. Each row is checked as `recordCityAward` checks one (and for
 * the caller's measures, a registered enterprise, the same award twice in the file or already recorded); then every
 * row is written in one transaction, each under its cap lock — taken in one fixed order, so that two imports and the
 * decisions in flight cannot deadlock.
 */
export async function importCityAwards(ctx: PlatformContext, user: Principal, data: Buffer | Uint8Array | ArrayBuffer, opts: { fileName?: string; read?: ImportReadOptions; ip?: string | null; dryRun?: boolean } = {}) {
  if (!cityAwardIncentives(ctx, user).length) authorize(user, 'ledger.recordCityAward', {}, ctx.access);
  const seen = new Map<string, number>();
  const rows = await readTableSheet(data, { columns: CITY_AWARD_COLUMNS, sheet: CITY_AWARD_SHEET, what: { zh: '市级奖励', en: 'city award' }, read: opts.read }, (r) => {
    const incText = r.text('incentive');
    const inc = incText ? incentiveOf(ctx, incText) : undefined;
    const yearCell = r.cell('year');
    const yearText = r.text('year');
    const year = /^\d{4}$/.test(yearText) ? Number(yearText) : yearCell.numeric && Number.isInteger(yearCell.number) ? yearCell.number : undefined;
    const amount = r.text('amount') ? cellMoneyFen(r.cell('amount')) : undefined;
    if (r.cell('uscc').numeric) {
      r.error('uscc', 'uscc_as_number', '单元格是数字格式：18位代码会被 Excel 改写；请将该列设为“文本”后重新录入', 'the cell holds a number: Excel rewrites an 18-character code; format the column as Text and enter it again');
    }
    if (!r.text('amount')) r.error('amount', 'required', '请填写金额', 'the amount is required');
    else if (amount === undefined) r.error('amount', 'bad_amount', `“${r.text('amount')}”不是金额：填写元（最多两位小数）或“100万元”`, `"${r.text('amount')}" is not an amount: yuan with at most 2 decimals, or text such as 100万元`);
    if (!incText) r.error('incentive', 'required', '请填写奖励项目', 'the incentive is required');
    else if (!inc) r.error('incentive', 'unknown_incentive', `“${incText}”不是本政策的奖励项目名称或代码`, `"${incText}" is not the title or id of an incentive of the policy`);
    if (!yearText) r.error('year', 'required', '请填写年度', 'the year is required');
    try {
      const v = validateCityAward(ctx, { uscc: r.cell('uscc').numeric ? 'x' : r.text('uscc').normalize('NFKC').replace(/\s+/g, ''), incentive: inc?.id ?? 'equipment-investment', item: clean(r.cell('item').text), year: year ?? (yearText ? -1 : 2020), amountFen: amount ?? 1, reference: r.text('reference') });
      if (r.errorCount) return undefined;
      if (!can(user, 'ledger.recordCityAward', { measureId: v.measureId, policyId: ctx.engine.policy.id }, ctx.access)) {
        const e = forbiddenIncentive(v.inc);
        r.error('incentive', e.code, e.messageZh, e.messageEn);
        return undefined;
      }
      const key = [v.uscc, v.inc.id, v.year, v.item, v.reference].join('\u0001');
      const first = seen.get(key);
      if (first !== undefined) {
        r.error(null, 'duplicate_in_file', `与第${first}行是同一笔市级奖励（企业、项目、对象、年度、文件号相同）`, `the same city award as row ${first} (enterprise, incentive, item, year and reference alike)`);
        return undefined;
      }
      seen.set(key, r.row);
      return { v };
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      const map: Record<string, CityField> = { uscc: 'uscc', incentive: 'incentive', item: 'item', year: 'year', amountFen: 'amount', reference: 'reference' };
      for (const x of e.errors) {
        const field = map[x.path ?? ''] ?? null;
        // the generic checks above already said it for the cells they read
        if ((field === 'incentive' && (!incText || !inc)) || (field === 'amount' && amount === undefined) || (field === 'uscc' && r.cell('uscc').numeric) || (field === 'year' && !yearText)) continue;
        r.error(field, x.code, x.messageZh, x.messageEn);
      }
      return undefined;
    }
  });

  // Against the database: registered enterprises, and the same award recorded before (importing one file twice).
  const errors: KaifangError[] = [];
  const codes = [...new Set(rows.map((r) => r.v.uscc))];
  const registered = new Set<string>();
  for (let i = 0; i < codes.length; i += 1000) {
    for (const e of await ctx.db.selectFrom('enterprises').select('uscc').where('uscc', 'in', codes.slice(i, i + 1000)).execute()) registered.add(e.uscc);
  }
  for (const r of rows) {
    if (!registered.has(r.v.uscc)) {
      errors.push(rowProblem(CITY_AWARD_COLUMNS, r.row, 'uscc', 'unknown_enterprise', `企业 ${r.v.uscc} 未在平台登记（请管理员先登记企业）`, `enterprise ${r.v.uscc} is not registered (the administrator registers it first)`));
      continue;
    }
    const dup = await ctx.db
      .selectFrom('ledger_entries')
      .select('id')
      .where('enterprise_uscc', '=', r.v.uscc)
      .where('policy_id', '=', ctx.engine.policy.id)
      .where('incentive_id', '=', r.v.inc.id)
      .where('year', '=', r.v.year)
      .where('item', '=', r.v.item)
      .where('kind', '=', 'cityAward')
      .where('reverses_entry_id', 'is', null)
      .where('reference', '=', r.v.reference)
      .executeTakeFirst();
    if (dup) errors.push(rowProblem(CITY_AWARD_COLUMNS, r.row, 'reference', 'already_recorded', `该市级奖励已登记（记录 #${dup.id}，文件号相同）`, `this city award is already recorded (entry #${dup.id}, same reference)`));
  }
  if (errors.length) throw new ValidationError(cappedErrors(errors));
  if (opts.dryRun) return { dryRun: true, count: rows.length, created: [] as CityAward[] };

  return ctx.db.transaction().execute(async (trx) => {
    // Cap locks in one order (enterprise, incentive), before any entry is written.
    const lockOrder = [...new Map(rows.map((r) => [`${r.v.uscc}\u0001${r.v.inc.id}`, r.v])).entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [, v] of lockOrder) await lockCap(trx, { enterpriseUscc: v.uscc, policyId: ctx.engine.policy.id, incentiveId: v.inc.id, measureId: v.measureId, year: v.year });
    const created: CityAward[] = [];
    for (const r of rows) created.push(await writeCityAward(ctx, trx, user, r.v, opts.ip, { importRow: r.row }));
    await appendAudit(trx, actorOf(user, opts.ip), { action: 'ledger.cityAward.import', entity: 'ledgerEntry', entityId: null, details: { count: created.length, fileName: opts.fileName ?? null } });
    return { dryRun: false, count: created.length, created };
  });
}
