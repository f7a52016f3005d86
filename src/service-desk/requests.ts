/**
 * 诉求 (requests) to the service desk, measure 21 (“诉求办得到”). An enterprise files a request in a category; the
 * routing table (service-desk.yaml) sends it to a department or to the enterprise's own area. The unit acknowledges
 * (签收) and answers (答复) within limits counted in official working days (the platform's calendar, provisional past
 * its coverage); it may transfer the request to another unit — the due dates and the history go with it — or ask the
 * enterprise for more (the clock stops until the enterprise answers, and the days left run on from then). A request
 * not answered by its due date is escalated to the enterprise's liaison leader and shows red in the queue. The
 * enterprise rates the answer (closing the request) or reopens it, a set number of times, with a reason.
 *
 * Who sees a request: its enterprise; the officials of the unit it is with now (a department reviewer of that
 * department, an area reviewer of that area); the enterprise's liaison leader and officers; the auditor. Anyone else
 * is told it does not exist (404).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'kysely';
import { appendAudit } from '../audit/audit-log.ts';
import { actorOf, type PlatformContext } from '../claims/context.ts';
import { checkEvidenceFile, evidencePath } from '../claims/evidence.ts';
import type { Db } from '../db/transaction.ts';
import type { ServiceRequestState } from '../db/schema.ts';
import { findArea } from '../enterprises/areas.ts';
import { KaifangError, ValidationError } from '../errors.ts';
import { authorize } from '../identity/access.ts';
import type { Principal } from '../identity/users.ts';
import { AREA_UNIT, answerLimitOf, categoryOf, serviceDeskRules, type ServiceDeskRules } from './rules.ts';

export type UnitKind = 'department' | 'area';
export interface Unit {
  kind: UnitKind;
  id: string;
}

export const STATE_ZH: Record<ServiceRequestState, string> = {
  submitted: '待签收',
  acknowledged: '办理中',
  awaitingInfo: '待企业补充',
  answered: '已答复',
  closed: '已办结',
};

const OPEN_STATES: ServiceRequestState[] = ['submitted', 'acknowledged'];

export function notFound(): KaifangError {
  return new KaifangError({ code: 'not_found', zh: '找不到该诉求，或您无权查看', en: 'request not found, or not yours to see' });
}

function invalidState(state: ServiceRequestState, zh: string, en: string): KaifangError {
  return new KaifangError({ code: 'invalid_state', zh: `${zh}（当前状态：${STATE_ZH[state]}）`, en: `${en} (state: ${state})`, details: { state } });
}

function fieldError(code: string, field: string, zh: string, en: string): ValidationError {
  return new ValidationError([new KaifangError({ code, path: field, zh, en })]);
}

/** The unit an official works for: a department reviewer's department, an area reviewer's area. */
export function unitOfUser(user: Principal): Unit | null {
  if (user.role === 'departmentReviewer' && user.departmentId) return { kind: 'department', id: user.departmentId };
  if (user.role === 'areaReviewer' && user.areaId) return { kind: 'area', id: user.areaId };
  return null;
}

/** The inbox's audience token of a unit, an enterprise or a user (src/inbox/inbox.ts reads `details.audience`). */
export const audienceOfUnit = (u: Unit) => `unit:${u.kind}:${u.id}`;
export const audienceOfEnterprise = (uscc: string) => `enterprise:${uscc}`;
export const audienceOfUser = (id: number) => `user:${id}`;

/** A unit's name as people read it: the agency's name, or the area's short name. */
export function unitName(ctx: PlatformContext, u: Unit): { zh: string; en: string } {
  if (u.kind === 'area') {
    const a = findArea(u.id);
    return { zh: a?.shortZh ?? a?.nameZh ?? u.id, en: a?.nameEn ?? u.id };
  }
  const a = ctx.engine.policy.agencies.get(u.id);
  return { zh: a?.name ?? u.id, en: a?.nameEn ?? a?.name ?? u.id };
}

/** Parses `department:<id>` / `area:<id>`, checking the unit exists. */
export function parseUnit(ctx: PlatformContext, text: unknown, field = 'toUnit'): Unit {
  const m = typeof text === 'string' ? /^(department|area):([a-z0-9-]{1,80})$/.exec(text) : null;
  const bad = () => fieldError('invalid_value', field, '请选择接收单位（部门或区镇）', 'choose the receiving unit (department:<id> or area:<id>)');
  if (!m) throw bad();
  const unit = { kind: m[1] as UnitKind, id: m[2] };
  if (unit.kind === 'area' ? !findArea(unit.id) : !ctx.engine.policy.agencies.has(unit.id)) throw bad();
  return unit;
}

/** The unit a new request of this category goes to (routing table; `area`: the enterprise's own). */
export function routeOf(rules: ServiceDeskRules, categoryId: string, enterpriseArea: string): Unit {
  const c = categoryOf(rules, categoryId)!;
  return c.unit === AREA_UNIT ? { kind: 'area', id: enterpriseArea } : { kind: 'department', id: c.unit };
}

type Row = Awaited<ReturnType<typeof loadRow>>;

async function loadRow(db: Db, id: number, lock = false) {
  let q = db.selectFrom('service_requests').selectAll().where('id', '=', id);
  if (lock) q = q.forUpdate();
  return q.executeTakeFirst();
}

async function liaisonKinds(db: Db, user: Principal, uscc: string): Promise<Array<'leader' | 'officer'>> {
  const rows = await db.selectFrom('service_liaisons').select('kind').where('user_id', '=', user.id).where('enterprise_uscc', '=', uscc).execute();
  return rows.map((r) => r.kind);
}

/** Why the user may see the request (or null): its enterprise, its unit, a liaison, the auditor. */
async function relationOf(db: Db, user: Principal, r: NonNullable<Row>): Promise<'enterprise' | 'unit' | 'liaison' | 'auditor' | null> {
  if (user.role === 'enterprise') return user.enterpriseUscc === r.enterprise_uscc ? 'enterprise' : null;
  if (user.role === 'auditor') return 'auditor';
  const unit = unitOfUser(user);
  if (unit && unit.kind === r.unit_kind && unit.id === r.unit_id) return 'unit';
  if ((await liaisonKinds(db, user, r.enterprise_uscc)).length) return 'liaison';
  return null;
}

/** A request the user may see, else 404; `need`: the relation the action requires (else 403). */
async function loadFor(db: Db, user: Principal, id: number, need?: 'enterprise' | 'unit', lock = false) {
  if (!Number.isSafeInteger(id) || id <= 0) throw notFound();
  const r = await loadRow(db, id, lock);
  if (!r) throw notFound();
  const rel = await relationOf(db, user, r);
  if (!rel) throw notFound();
  if (need && rel !== need) {
    throw new KaifangError({
      code: 'forbidden',
      zh: need === 'enterprise' ? '只有提出诉求的企业可以这样做' : '只有诉求当前所在单位的工作人员可以这样做',
      en: need === 'enterprise' ? 'only the enterprise that filed the request may do this' : 'only officials of the unit the request is with may do this',
    });
  }
  return r;
}

function requireText(value: unknown, field: string, max: number, zh: string, en: string): string {
  const s = typeof value === 'string' ? value.trim() : '';
  if (!s) throw fieldError('required', field, `请填写${zh}`, `${en} is required`);
  if (s.length > max) throw fieldError('too_long', field, `${zh}不能超过${max}字`, `${en} must be at most ${max} characters`);
  return s;
}

async function event(db: Db, requestId: number, kind: string, on: string, user: Principal | null, extra: { from?: string; to?: string; note?: string | null } = {}) {
  await db
    .insertInto('service_request_events')
    .values({ request_id: requestId, kind: kind as never, occurred_on: on, actor_user_id: user?.id ?? null, from_unit: extra.from ?? null, to_unit: extra.to ?? null, note: extra.note ?? null })
    .execute();
}

const unitKey = (u: Unit) => `${u.kind}:${u.id}`;
const unitOfRow = (r: { unit_kind: UnitKind; unit_id: string }): Unit => ({ kind: r.unit_kind, id: r.unit_id });

/** Everyone who hears of a change: the enterprise, the unit, the liaisons. */
async function audienceOf(db: Db, r: { enterprise_uscc: string; unit_kind: UnitKind; unit_id: string }, extra: string[] = []): Promise<string[]> {
  const liaisons = await db.selectFrom('service_liaisons').select('user_id').where('enterprise_uscc', '=', r.enterprise_uscc).execute();
  return [...new Set([audienceOfEnterprise(r.enterprise_uscc), audienceOfUnit(unitOfRow(r)), ...liaisons.map((l) => audienceOfUser(Number(l.user_id))), ...extra])];
}

// ── Filing ──────────────────────────────────────────────────────────────────────────────────────────────────────

export interface FileRequestInput {
  category: unknown;
  title: unknown;
  description: unknown;
}

export async function fileRequest(ctx: PlatformContext, user: Principal, input: FileRequestInput, ip?: string | null): Promise<RequestView> {
  authorize(user, 'serviceRequest.file', { enterpriseUscc: user.enterpriseUscc });
  const rules = serviceDeskRules();
  const problems: KaifangError[] = [];
  const category = typeof input.category === 'string' ? categoryOf(rules, input.category) : undefined;
  if (!category) problems.push(new KaifangError({ code: 'invalid_value', path: 'category', zh: '请选择诉求类别', en: 'choose a category' }));
  const take = (v: unknown, field: string, max: number, zh: string, en: string) => {
    try {
      return requireText(v, field, max, zh, en);
    } catch (e) {
      problems.push(...(e as ValidationError).errors);
      return '';
    }
  };
  const title = take(input.title, 'title', 100, '诉求标题', 'title');
  const description = take(input.description, 'description', 4000, '诉求内容', 'description');
  if (problems.length) throw new ValidationError(problems);
  const enterprise = await ctx.db.selectFrom('enterprises').select(['uscc', 'area_id']).where('uscc', '=', user.enterpriseUscc!).executeTakeFirst();
  if (!enterprise) throw notFound();
  const unit = routeOf(rules, category!.id, enterprise.area_id);
  const today = ctx.today();
  const cal = ctx.calendar.current();
  const acknowledgeDue = cal.addWorkingDays(today, rules.requests.limits.acknowledgeWorkingDays);
  const answerDue = cal.addWorkingDays(today, answerLimitOf(rules, category!));
  const id = await ctx.db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('service_requests')
      .values({
        enterprise_uscc: enterprise.uscc,
        area_id: enterprise.area_id,
        category: category!.id,
        title,
        description,
        unit_kind: unit.kind,
        unit_id: unit.id,
        state: 'submitted',
        filed_on: today,
        filed_by: user.id,
        acknowledge_due: acknowledgeDue,
        answer_due: answerDue,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const rid = Number(row.id);
    await event(trx, rid, 'filed', today, user, { to: unitKey(unit) });
    await appendAudit(trx, actorOf(user, ip), {
      action: 'serviceRequest.file',
      entity: 'serviceRequest',
      entityId: rid,
      details: { category: category!.id, unit: unitKey(unit), answerDue, audience: await audienceOf(trx, { enterprise_uscc: enterprise.uscc, unit_kind: unit.kind, unit_id: unit.id }) },
    });
    return rid;
  });
  return getRequest(ctx, user, id);
}

// ── The unit's actions ──────────────────────────────────────────────────────────────────────────────────────────

async function act(
  ctx: PlatformContext,
  user: Principal,
  id: number,
  need: 'enterprise' | 'unit',
  fn: (trx: Db, r: NonNullable<Row>, today: string) => Promise<{ action: string; details?: Record<string, unknown>; extraAudience?: string[] }>,
  ip?: string | null,
): Promise<RequestDetail | MovedAway> {
  if (need === 'unit') authorize(user, 'serviceRequest.handle');
  await ctx.db.transaction().execute(async (trx) => {
    const r = await loadFor(trx, user, id, need, true);
    const today = ctx.today();
    const { action, details, extraAudience } = await fn(trx, r, today);
    const after = (await loadRow(trx, r.id))!;
    await trx.updateTable('service_requests').set({ version: sql`version + 1` }).where('id', '=', r.id).execute();
    await appendAudit(trx, actorOf(user, ip), {
      action,
      entity: 'serviceRequest',
      entityId: r.id,
      details: { ...details, from: r.state, to: after.state, audience: await audienceOf(trx, after, [...(extraAudience ?? []), audienceOfUnit(unitOfRow(r))]) },
    });
  });
  // After a transfer the request may no longer be the caller's to see: say where it went, and nothing more.
  const now = (await loadRow(ctx.db, id))!;
  if (!(await relationOf(ctx.db, user, now))) return { id, visible: false, unit: unitKey(unitOfRow(now)), unitZh: unitName(ctx, unitOfRow(now)).zh, state: now.state };
  return getRequest(ctx, user, id);
}

/** What a unit that transferred a request away learns: where it went. */
export interface MovedAway {
  id: number;
  visible: false;
  unit: string;
  unitZh: string;
  state: ServiceRequestState;
}

export function acknowledgeRequest(ctx: PlatformContext, user: Principal, id: number, ip?: string | null) {
  return act(ctx, user, id, 'unit', async (trx, r, today) => {
    if (r.state !== 'submitted') throw invalidState(r.state, '只有待签收的诉求可以签收', 'only a request waiting to be acknowledged can be acknowledged');
    await trx.updateTable('service_requests').set({ state: 'acknowledged', acknowledged_on: r.acknowledged_on ?? today }).where('id', '=', r.id).execute();
    await event(trx, r.id, 'acknowledged', today, user);
    return { action: 'serviceRequest.acknowledge', details: { late: today > r.acknowledge_due } };
  }, ip);
}

export function transferRequest(ctx: PlatformContext, user: Principal, id: number, input: { toUnit: unknown; reason: unknown }, ip?: string | null) {
  const to = parseUnit(ctx, input.toUnit);
  const reason = requireText(input.reason, 'reason', 500, '转办理由', 'reason');
  return act(ctx, user, id, 'unit', async (trx, r, today) => {
    if (!OPEN_STATES.includes(r.state)) throw invalidState(r.state, '只有办理中的诉求可以转办', 'only an open request can be transferred');
    if (to.kind === r.unit_kind && to.id === r.unit_id) throw fieldError('invalid_value', 'toUnit', '诉求已在该单位', 'the request is already with that unit');
    // The due dates stay: the limits run from the filing, whoever holds the request (the clock goes with it).
    await trx.updateTable('service_requests').set({ unit_kind: to.kind, unit_id: to.id, state: 'submitted', transfer_count: sql`transfer_count + 1` }).where('id', '=', r.id).execute();
    await event(trx, r.id, 'transferred', today, user, { from: unitKey(unitOfRow(r)), to: unitKey(to), note: reason });
    return { action: 'serviceRequest.transfer', details: { fromUnit: unitKey(unitOfRow(r)), toUnit: unitKey(to), reason } };
  }, ip);
}

export function askForInformation(ctx: PlatformContext, user: Principal, id: number, input: { question: unknown }, ip?: string | null) {
  const question = requireText(input.question, 'question', 2000, '需要企业补充的内容', 'question');
  return act(ctx, user, id, 'unit', async (trx, r, today) => {
    if (!OPEN_STATES.includes(r.state)) throw invalidState(r.state, '只有办理中的诉求可以请企业补充材料', 'only an open request can ask for more information');
    await trx.updateTable('service_requests').set({ state: 'awaitingInfo', paused_on: today, acknowledged_on: r.acknowledged_on ?? today }).where('id', '=', r.id).execute();
    await event(trx, r.id, 'infoRequested', today, user, { note: question });
    return { action: 'serviceRequest.askInfo', details: { question } };
  }, ip);
}

export function answerRequest(ctx: PlatformContext, user: Principal, id: number, input: { answer: unknown }, ip?: string | null) {
  const answer = requireText(input.answer, 'answer', 4000, '答复内容', 'answer');
  return act(ctx, user, id, 'unit', async (trx, r, today) => {
    if (!OPEN_STATES.includes(r.state)) throw invalidState(r.state, '只有办理中的诉求可以答复', 'only an open request can be answered');
    const cal = ctx.calendar.current();
    const late = today > r.answer_due;
    // Working days the enterprise waited: from filing to answer, less the days the clock stood for its own reply.
    const workingDays = Math.max(0, cal.countWorkingDays(r.filed_on, today) - r.paused_working_days);
    await trx
      .updateTable('service_requests')
      .set({ state: 'answered', answer, answered_on: today, answered_by: user.id, working_days: workingDays, ever_late: r.ever_late || late, acknowledged_on: r.acknowledged_on ?? today })
      .where('id', '=', r.id)
      .execute();
    await event(trx, r.id, 'answered', today, user, { note: answer });
    return { action: 'serviceRequest.answer', details: { late, workingDays, answerDue: r.answer_due } };
  }, ip);
}

// ── The enterprise's actions ────────────────────────────────────────────────────────────────────────────────────

export function supplyInformation(ctx: PlatformContext, user: Principal, id: number, input: { reply: unknown }, ip?: string | null) {
  const reply = requireText(input.reply, 'reply', 4000, '补充内容', 'reply');
  return act(ctx, user, id, 'enterprise', async (trx, r, today) => {
    if (r.state !== 'awaitingInfo' || !r.paused_on) throw invalidState(r.state, '只有待企业补充的诉求可以补充', 'only a request waiting for the enterprise can be supplemented');
    const cal = ctx.calendar.current();
    const stood = cal.countWorkingDays(r.paused_on, today);
    // The days that were left when the clock stopped run on from today; a request already late stays late.
    const left = r.answer_due >= r.paused_on ? cal.countWorkingDays(r.paused_on, r.answer_due) : 0;
    const answerDue = r.answer_due >= r.paused_on ? cal.addWorkingDays(today, left) : r.answer_due;
    await trx
      .updateTable('service_requests')
      .set({ state: 'acknowledged', paused_on: null, paused_working_days: r.paused_working_days + stood, answer_due: answerDue })
      .where('id', '=', r.id)
      .execute();
    await event(trx, r.id, 'infoSupplied', today, user, { note: reply });
    return { action: 'serviceRequest.supplyInfo', details: { stoodWorkingDays: stood, answerDue } };
  }, ip);
}

export function rateRequest(ctx: PlatformContext, user: Principal, id: number, input: { rating: unknown; comment?: unknown }, ip?: string | null) {
  const scale = serviceDeskRules().requests.satisfaction.scale;
  if (!Number.isInteger(input.rating) || (input.rating as number) < 1 || (input.rating as number) > scale) {
    throw fieldError('invalid_value', 'rating', `评价须为 1 至 ${scale} 分`, `the rating is 1 to ${scale}`);
  }
  const comment = typeof input.comment === 'string' && input.comment.trim() ? requireText(input.comment, 'comment', 1000, '评价意见', 'comment') : null;
  return act(ctx, user, id, 'enterprise', async (trx, r, today) => {
    if (r.state !== 'answered') throw invalidState(r.state, '只有已答复的诉求可以评价', 'only an answered request can be rated');
    await trx.updateTable('service_requests').set({ state: 'closed', rating: input.rating as number, rating_comment: comment, rated_at: new Date() }).where('id', '=', r.id).execute();
    await event(trx, r.id, 'rated', today, user, { note: `${input.rating}/${scale}${comment ? ` ${comment}` : ''}` });
    return { action: 'serviceRequest.rate', details: { rating: input.rating, comment } };
  }, ip);
}

export function reopenRequest(ctx: PlatformContext, user: Principal, id: number, input: { reason: unknown }, ip?: string | null) {
  const rules = serviceDeskRules();
  const reason = requireText(input.reason, 'reason', 1000, '重新提起的理由', 'reason');
  return act(ctx, user, id, 'enterprise', async (trx, r, today) => {
    if (r.state !== 'answered' && r.state !== 'closed') throw invalidState(r.state, '只有已答复或已办结的诉求可以重新提起', 'only an answered or closed request can be reopened');
    if (r.reopen_count >= rules.requests.reopen.times) {
      throw new KaifangError({
        code: 'reopen_limit',
        zh: `每件诉求只能重新提起${rules.requests.reopen.times}次；如仍有问题，请联系挂钩领导或联络专员`,
        en: `a request can be reopened ${rules.requests.reopen.times} time(s) only; contact your liaison leader or officer`,
        details: { times: rules.requests.reopen.times },
      });
    }
    const category = categoryOf(rules, r.category)!;
    const answerDue = ctx.calendar.current().addWorkingDays(today, answerLimitOf(rules, category));
    // Back with the unit that answered, with a fresh answer limit; the earlier answer and rating stay in the history.
    await trx
      .updateTable('service_requests')
      .set({ state: 'acknowledged', reopen_count: r.reopen_count + 1, answer: null, answered_on: null, answered_by: null, rating: null, rating_comment: null, rated_at: null, answer_due: answerDue, escalated_at: null })
      .where('id', '=', r.id)
      .execute();
    await event(trx, r.id, 'reopened', today, user, { note: reason });
    return { action: 'serviceRequest.reopen', details: { reason, answerDue } };
  }, ip);
}

// ── Escalation ──────────────────────────────────────────────────────────────────────────────────────────────────

/**
 * Escalates every open request past its answer due date (and not escalated yet) to the enterprise's liaison leader:
 * marked, written in its history and in the audit log for the leader's inbox. Run hourly by the server (src/server.ts
 * housekeeping) and before the queue and the figures are read; each request is escalated once per answer limit.
 */
export async function escalateOverdue(ctx: PlatformContext): Promise<number> {
  const today = ctx.today();
  const due = await ctx.db
    .selectFrom('service_requests')
    .select('id')
    .where('state', 'in', OPEN_STATES)
    .where('escalated_at', 'is', null)
    .where('answer_due', '<', today)
    .orderBy('id')
    .limit(500)
    .execute();
  let n = 0;
  for (const { id } of due) {
    n += await ctx.db.transaction().execute(async (trx) => {
      const r = await loadRow(trx, Number(id), true);
      if (!r || !OPEN_STATES.includes(r.state) || r.escalated_at || !(r.answer_due < today)) return 0;
      const leaders = await trx
        .selectFrom('service_liaisons as l')
        .innerJoin('users as u', 'u.id', 'l.user_id')
        .select(['u.id', 'u.display_name'])
        .where('l.enterprise_uscc', '=', r.enterprise_uscc)
        .where('l.kind', '=', 'leader')
        .execute();
      await trx.updateTable('service_requests').set({ escalated_at: new Date() }).where('id', '=', r.id).execute();
      const to = leaders.map((l) => l.display_name).join('、');
      await event(trx, r.id, 'escalated', today, null, { note: leaders.length ? `已提请挂钩领导 ${to} 督办` : '企业尚无挂钩领导，已提请所在单位督办' });
      await appendAudit(trx, { userId: null, name: 'system', ip: null }, {
        action: 'serviceRequest.escalate',
        entity: 'serviceRequest',
        entityId: r.id,
        details: { answerDue: r.answer_due, leaders: leaders.map((l) => Number(l.id)), audience: await audienceOf(trx, r, leaders.map((l) => audienceOfUser(Number(l.id)))) },
      });
      return 1;
    });
  }
  return n;
}

// ── Views ───────────────────────────────────────────────────────────────────────────────────────────────────────

export interface RequestView {
  id: number;
  enterpriseUscc: string;
  enterpriseName: string;
  areaId: string;
  category: string;
  categoryZh: string;
  categoryEn: string;
  title: string;
  description: string;
  unit: string;
  unitZh: string;
  unitEn: string;
  state: ServiceRequestState;
  filedOn: string;
  acknowledgeDue: string;
  acknowledgedOn: string | null;
  answerDue: string;
  /** the due date lies past the calendar's coverage: counted with weekends only (暂定) */
  answerDueProvisional: boolean;
  /** open and past its answer due date */
  overdue: boolean;
  /** answered or closed with every answer on time */
  answeredOnTime: boolean | null;
  answeredOn: string | null;
  answer: string | null;
  workingDays: number | null;
  escalated: boolean;
  rating: number | null;
  ratingComment: string | null;
  reopenCount: number;
  /** how many more times the enterprise may reopen it */
  reopensLeft: number;
  transferCount: number;
  /** what the caller may do now */
  allowedActions: string[];
}

export interface RequestDetail extends RequestView {
  events: Array<{ id: number; kind: string; on: string; at: Date; actor: string | null; fromUnit: string | null; toUnit: string | null; fromUnitZh: string | null; toUnitZh: string | null; note: string | null }>;
  files: Array<{ id: number; fileName: string; mimeType: string; sizeBytes: number; uploadedAt: Date }>;
}

type ViewRow = NonNullable<Row> & { enterprise_name?: string };

function toView(ctx: PlatformContext, r: ViewRow, relation: string | null, today: string): RequestView {
  const rules = serviceDeskRules();
  const c = categoryOf(rules, r.category);
  const unit = unitOfRow(r);
  const name = unitName(ctx, unit);
  const open = OPEN_STATES.includes(r.state);
  const actions: string[] = [];
  if (relation === 'unit') {
    if (r.state === 'submitted') actions.push('acknowledge');
    if (open) actions.push('transfer', 'askInfo', 'answer');
  }
  if (relation === 'enterprise') {
    if (r.state === 'awaitingInfo') actions.push('supplyInfo');
    if (r.state === 'answered') actions.push('rate');
    if ((r.state === 'answered' || r.state === 'closed') && r.reopen_count < rules.requests.reopen.times) actions.push('reopen');
    if (r.state !== 'closed') actions.push('attach');
  }
  let provisional = false;
  try {
    provisional = ctx.calendar.current().isProvisional(r.answer_due);
  } catch {
    provisional = false;
  }
  return {
    id: Number(r.id),
    enterpriseUscc: r.enterprise_uscc,
    enterpriseName: r.enterprise_name ?? r.enterprise_uscc,
    areaId: r.area_id,
    category: r.category,
    categoryZh: c?.zh ?? r.category,
    categoryEn: c?.en ?? r.category,
    title: r.title,
    description: r.description,
    unit: unitKey(unit),
    unitZh: name.zh,
    unitEn: name.en,
    state: r.state,
    filedOn: r.filed_on,
    acknowledgeDue: r.acknowledge_due,
    acknowledgedOn: r.acknowledged_on,
    answerDue: r.answer_due,
    answerDueProvisional: provisional,
    overdue: open && today > r.answer_due,
    answeredOnTime: r.answered_on ? !r.ever_late : null,
    answeredOn: r.answered_on,
    answer: r.answer,
    workingDays: r.working_days,
    escalated: r.escalated_at !== null,
    rating: r.rating,
    ratingComment: r.rating_comment,
    reopenCount: r.reopen_count,
    reopensLeft: Math.max(0, rules.requests.reopen.times - r.reopen_count),
    transferCount: r.transfer_count,
    allowedActions: actions,
  };
}

export async function getRequest(ctx: PlatformContext, user: Principal, id: number): Promise<RequestDetail> {
  const r = await loadFor(ctx.db, user, id);
  const rel = await relationOf(ctx.db, user, r);
  const ent = await ctx.db.selectFrom('enterprises').select('name').where('uscc', '=', r.enterprise_uscc).executeTakeFirst();
  const events = await ctx.db
    .selectFrom('service_request_events as e')
    .leftJoin('users as u', 'u.id', 'e.actor_user_id')
    .select(['e.id', 'e.kind', 'e.occurred_on', 'e.occurred_at', 'e.from_unit', 'e.to_unit', 'e.note', 'u.display_name'])
    .where('e.request_id', '=', r.id)
    .orderBy('e.id')
    .execute();
  const files = await ctx.db.selectFrom('service_request_files').selectAll().where('request_id', '=', r.id).orderBy('id').execute();
  const nameOfKey = (k: string | null) => {
    if (!k) return null;
    const [kind, uid] = k.split(':');
    return unitName(ctx, { kind: kind as UnitKind, id: uid }).zh;
  };
  return {
    ...toView(ctx, { ...r, enterprise_name: ent?.name }, rel, ctx.today()),
    events: events.map((e) => ({
      id: Number(e.id),
      kind: e.kind,
      on: e.occurred_on,
      at: e.occurred_at,
      actor: e.display_name ?? null,
      fromUnit: e.from_unit,
      toUnit: e.to_unit,
      fromUnitZh: nameOfKey(e.from_unit),
      toUnitZh: nameOfKey(e.to_unit),
      note: e.note,
    })),
    files: files.map((f) => ({ id: Number(f.id), fileName: f.file_name, mimeType: f.mime_type, sizeBytes: f.size_bytes, uploadedAt: f.uploaded_at })),
  };
}

export interface ListFilters {
  /** officials: `unit` (the queue of one's own unit, the default) or `liaison` (one's enterprises) */
  scope?: 'unit' | 'liaison';
  state?: ServiceRequestState | 'open';
  overdue?: boolean;
  category?: string;
  page?: number;
  pageSize?: number;
}

/** The caller's requests: an enterprise's own; an official's unit queue (overdue first) or liaison enterprises; all for the auditor. */
export async function listRequests(ctx: PlatformContext, user: Principal, f: ListFilters = {}): Promise<{ items: RequestView[]; total: number; page: number; pageSize: number }> {
  authorize(user, 'serviceRequest.read', { enterpriseUscc: user.enterpriseUscc });
  const today = ctx.today();
  const page = f.page ?? 1;
  const pageSize = f.pageSize ?? 20;
  let q = ctx.db.selectFrom('service_requests as r').innerJoin('enterprises as e', 'e.uscc', 'r.enterprise_uscc');
  let relation: string | null = null;
  if (user.role === 'enterprise') {
    q = q.where('r.enterprise_uscc', '=', user.enterpriseUscc!);
    relation = 'enterprise';
  } else if (user.role === 'auditor') {
    relation = 'auditor';
  } else if (f.scope === 'liaison') {
    q = q.where('r.enterprise_uscc', 'in', ctx.db.selectFrom('service_liaisons').select('enterprise_uscc').where('user_id', '=', user.id));
    relation = 'liaison';
  } else {
    const unit = unitOfUser(user);
    if (!unit) return { items: [], total: 0, page, pageSize };
    q = q.where('r.unit_kind', '=', unit.kind).where('r.unit_id', '=', unit.id);
    relation = 'unit';
  }
  if (f.state === 'open') q = q.where('r.state', 'in', [...OPEN_STATES, 'awaitingInfo']);
  else if (f.state) q = q.where('r.state', '=', f.state);
  if (f.category) q = q.where('r.category', '=', f.category);
  if (f.overdue === true) q = q.where('r.state', 'in', OPEN_STATES).where('r.answer_due', '<', today);
  const { n } = await q.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  // Overdue open requests first (the red ones), then open ones by due date, then the rest newest first.
  const rows = await q
    .selectAll('r')
    .select('e.name as enterprise_name')
    .orderBy(sql`case when r.state in ('submitted', 'acknowledged') and r.answer_due < ${today} then 0 when r.state in ('submitted', 'acknowledged', 'awaitingInfo') then 1 else 2 end`)
    .orderBy(sql`case when r.state in ('submitted', 'acknowledged', 'awaitingInfo') then r.answer_due end`)
    .orderBy('r.id', 'desc')
    .limit(pageSize)
    .offset((page - 1) * pageSize)
    .execute();
  return { items: rows.map((r) => toView(ctx, r as ViewRow, relation, today)), total: Number(n), page, pageSize };
}

// ── Attachments ─────────────────────────────────────────────────────────────────────────────────────────────────

/** Written aside and renamed into the evidence store (same layout as claim evidence, src/claims/evidence.ts). */
async function storeBlob(ctx: PlatformContext, sha256: string, data: Buffer): Promise<void> {
  const file = evidencePath(ctx, sha256);
  try {
    if ((await stat(file)).size === data.length) return;
  } catch {
    // not stored yet
  }
  await mkdir(path.dirname(file), { recursive: true });
  const partial = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.part`;
  await writeFile(partial, data, { mode: 0o640 });
  await rename(partial, file);
}

export async function attachFile(ctx: PlatformContext, user: Principal, id: number, file: { fileName: string; data: Buffer }, ip?: string | null) {
  const checked = checkEvidenceFile(ctx, file.fileName, file.data);
  const pre = await loadFor(ctx.db, user, id, 'enterprise');
  if (pre.state === 'closed') throw invalidState(pre.state, '已办结的诉求不能再上传附件', 'a closed request takes no more attachments');
  await storeBlob(ctx, checked.sha256, file.data);
  return ctx.db.transaction().execute(async (trx) => {
    const r = await loadFor(trx, user, id, 'enterprise', true);
    const existing = await trx.selectFrom('service_request_files').selectAll().where('request_id', '=', r.id).where('sha256', '=', checked.sha256).executeTakeFirst();
    const row =
      existing ??
      (await trx
        .insertInto('service_request_files')
        .values({ request_id: r.id, file_name: checked.fileName, mime_type: checked.mimeType, size_bytes: file.data.length, sha256: checked.sha256, uploaded_by: user.id })
        .returningAll()
        .executeTakeFirstOrThrow());
    if (!existing) {
      await appendAudit(trx, actorOf(user, ip), { action: 'serviceRequest.attach', entity: 'serviceRequest', entityId: r.id, details: { fileId: Number(row.id), fileName: row.file_name, sha256: row.sha256 } });
    }
    return { id: Number(row.id), fileName: row.file_name, mimeType: row.mime_type, sizeBytes: row.size_bytes, created: !existing };
  });
}

export async function downloadFile(ctx: PlatformContext, user: Principal, id: number, fileId: number) {
  const r = await loadFor(ctx.db, user, id);
  if (!Number.isSafeInteger(fileId) || fileId <= 0) throw notFound();
  const row = await ctx.db.selectFrom('service_request_files').selectAll().where('id', '=', fileId).where('request_id', '=', r.id).executeTakeFirst();
  if (!row) throw notFound();
  const data = await readFile(evidencePath(ctx, row.sha256)).catch(() => {
    throw new KaifangError({ code: 'evidence_missing', zh: '附件文件在存储中缺失，请联系平台管理员', en: 'the stored file is missing; contact the administrator' });
  });
  if (createHash('sha256').update(data).digest('hex') !== row.sha256) {
    throw new KaifangError({ code: 'evidence_corrupt', zh: '附件与登记的校验值不符，请联系平台管理员', en: 'the stored file does not match its hash; contact the administrator' });
  }
  return { fileName: row.file_name, mimeType: row.mime_type, data };
}

// ── Liaisons ────────────────────────────────────────────────────────────────────────────────────────────────────

/** Assigns an official as the enterprise's liaison leader or officer (the administrator keeps the assignments). */
export async function assignLiaison(ctx: PlatformContext, user: Principal, input: { uscc: unknown; userId: unknown; kind: unknown }, ip?: string | null) {
  authorize(user, 'serviceLiaison.manage');
  const problems: KaifangError[] = [];
  if (input.kind !== 'leader' && input.kind !== 'officer') problems.push(new KaifangError({ code: 'invalid_value', path: 'kind', zh: '请选择挂钩领导或联络专员', en: 'kind is leader or officer' }));
  const ent = typeof input.uscc === 'string' ? await ctx.db.selectFrom('enterprises').select('uscc').where('uscc', '=', input.uscc).executeTakeFirst() : undefined;
  if (!ent) problems.push(new KaifangError({ code: 'not_found', path: 'uscc', zh: '找不到该企业', en: 'no such enterprise' }));
  const official = Number.isSafeInteger(input.userId)
    ? await ctx.db.selectFrom('users').select(['id', 'role']).where('id', '=', input.userId as number).executeTakeFirst()
    : undefined;
  if (!official || (official.role !== 'departmentReviewer' && official.role !== 'areaReviewer')) {
    problems.push(new KaifangError({ code: 'invalid_value', path: 'userId', zh: '挂钩领导和联络专员须为部门或区镇工作人员的账户', en: 'a liaison is a department or area official' }));
  }
  if (problems.length) throw new ValidationError(problems);
  await ctx.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('service_liaisons')
      .values({ enterprise_uscc: ent!.uscc, user_id: Number(official!.id), kind: input.kind as 'leader' | 'officer', assigned_by: user.id })
      .onConflict((oc) => oc.columns(['enterprise_uscc', 'user_id', 'kind']).doNothing())
      .execute();
    await appendAudit(trx, actorOf(user, ip), { action: 'serviceLiaison.assign', entity: 'enterprise', entityId: ent!.uscc, details: { userId: Number(official!.id), kind: input.kind, audience: [audienceOfUser(Number(official!.id))] } });
  });
}

export async function listLiaisons(ctx: PlatformContext, user: Principal) {
  const q = ctx.db
    .selectFrom('service_liaisons as l')
    .innerJoin('users as u', 'u.id', 'l.user_id')
    .innerJoin('enterprises as e', 'e.uscc', 'l.enterprise_uscc')
    .select(['l.enterprise_uscc', 'e.name as enterprise_name', 'l.kind', 'u.id as user_id', 'u.display_name']);
  let rows;
  if (user.role === 'admin' || user.role === 'auditor') rows = await q.orderBy('l.id').execute();
  else if (user.role === 'enterprise') rows = await q.where('l.enterprise_uscc', '=', user.enterpriseUscc!).orderBy('l.id').execute();
  else rows = await q.where('l.user_id', '=', user.id).orderBy('l.id').execute();
  return rows.map((r) => ({ enterpriseUscc: r.enterprise_uscc, enterpriseName: r.enterprise_name, kind: r.kind, userId: Number(r.user_id), displayName: r.display_name }));
}
