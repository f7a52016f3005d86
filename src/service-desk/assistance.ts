/**
 * 帮办代办 (measure 21: “全面推行帮办代办服务，建立帮办代办服务机制，公布帮办代办事项目录清单”). The catalogue (事项目录清单)
 * is service-desk.yaml's `assistance.items`, published without sign-in. An enterprise asks for help with an item; the
 * item's unit (a department, or the enterprise's own area) assigns an agent (帮办员) — one of its officials —, who
 * records the item's steps as they are done and the result; the enterprise follows each step.
 *
 * Who: the enterprise its own cases; the unit's officials its queue (assign); the agent records steps and the result;
 * the auditor reads. Anyone else: 404.
 */
import { appendAudit } from '../audit/audit-log.ts';
import { actorOf, type PlatformContext } from '../claims/context.ts';
import type { Db } from '../db/transaction.ts';
import { KaifangError, ValidationError } from '../errors.ts';
import type { Principal } from '../identity/users.ts';
import { audienceOfEnterprise, audienceOfUnit, audienceOfUser, unitName, unitOfUser, type Unit } from './requests.ts';
import { AREA_UNIT, serviceDeskRules, type AssistanceItem } from './rules.ts';

const problem = (code: string, path: string, zh: string, en: string) => new KaifangError({ code, path, zh, en });
const notFound = () => new KaifangError({ code: 'not_found', zh: '找不到该帮办事项，或您无权查看', en: 'assistance case not found, or not yours to see' });
const invalidState = (zh: string, en: string) => new KaifangError({ code: 'invalid_state', zh, en });

export function itemOf(id: string): AssistanceItem | undefined {
  return serviceDeskRules().assistance.items.find((i) => i.id === id);
}

/** The published catalogue, with each item's unit named. */
export function assistanceCatalogue(ctx: PlatformContext) {
  const a = serviceDeskRules().assistance;
  return {
    clause: a.clause,
    from: a.catalogue.from,
    why: a.catalogue.why,
    whyEn: a.catalogue.whyEn,
    items: a.items.map((i) => ({
      ...i,
      unitZh: i.unit === AREA_UNIT ? '企业所在区镇' : unitName(ctx, { kind: 'department', id: i.unit }).zh,
      unitEn: i.unit === AREA_UNIT ? "the enterprise's own area" : unitName(ctx, { kind: 'department', id: i.unit }).en,
    })),
  };
}

type CaseRow = NonNullable<Awaited<ReturnType<typeof loadRow>>>;
const loadRow = (db: Db, id: number, lock = false) => {
  let q = db.selectFrom('assistance_cases').selectAll().where('id', '=', id);
  if (lock) q = q.forUpdate();
  return q.executeTakeFirst();
};

function relationOf(user: Principal, c: CaseRow): 'enterprise' | 'agent' | 'unit' | 'auditor' | null {
  if (user.role === 'enterprise') return user.enterpriseUscc === c.enterprise_uscc ? 'enterprise' : null;
  if (user.role === 'auditor') return 'auditor';
  if (c.agent_user_id !== null && Number(c.agent_user_id) === user.id) return 'agent';
  const u = unitOfUser(user);
  if (u && u.kind === c.unit_kind && u.id === c.unit_id) return 'unit';
  return null;
}

async function loadFor(db: Db, user: Principal, id: number, lock = false) {
  if (!Number.isSafeInteger(id) || id <= 0) throw notFound();
  const c = await loadRow(db, id, lock);
  if (!c) throw notFound();
  const rel = relationOf(user, c);
  if (!rel) throw notFound();
  return { c, rel };
}

export async function askForAssistance(ctx: PlatformContext, user: Principal, input: { item?: unknown; note?: unknown }, ip?: string | null) {
  if (user.role !== 'enterprise' || !user.enterpriseUscc) throw new KaifangError({ code: 'forbidden', zh: '帮办代办由企业申请', en: 'enterprises ask for assistance' });
  const item = typeof input.item === 'string' ? itemOf(input.item) : undefined;
  const note = typeof input.note === 'string' && input.note.trim() ? input.note.trim() : null;
  const problems: KaifangError[] = [];
  if (!item) problems.push(problem('invalid_value', 'item', '请选择帮办代办事项', 'choose an item of the catalogue'));
  if (note && note.length > 1000) problems.push(problem('too_long', 'note', '说明不超过1000字', 'the note is at most 1000 characters'));
  if (problems.length) throw new ValidationError(problems);
  const ent = await ctx.db.selectFrom('enterprises').select(['uscc', 'area_id']).where('uscc', '=', user.enterpriseUscc).executeTakeFirstOrThrow();
  const unit: Unit = item!.unit === AREA_UNIT ? { kind: 'area', id: ent.area_id } : { kind: 'department', id: item!.unit };
  const id = await ctx.db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('assistance_cases')
      .values({ enterprise_uscc: ent.uscc, area_id: ent.area_id, item: item!.id, unit_kind: unit.kind, unit_id: unit.id, note, state: 'requested', requested_on: ctx.today(), requested_by: user.id })
      .returning('id')
      .executeTakeFirstOrThrow();
    await appendAudit(trx, actorOf(user, ip), { action: 'assistance.request', entity: 'assistance', entityId: Number(row.id), details: { item: item!.id, audience: [audienceOfUnit(unit)] } });
    return Number(row.id);
  });
  return getAssistance(ctx, user, id);
}

/** The unit assigns an agent: one of its own officials (itself by default). */
export async function assignAgent(ctx: PlatformContext, user: Principal, id: number, input: { agentUserId?: unknown }, ip?: string | null) {
  await ctx.db.transaction().execute(async (trx) => {
    const { c, rel } = await loadFor(trx, user, id, true);
    if (rel !== 'unit' && rel !== 'agent') throw new KaifangError({ code: 'forbidden', zh: '只有承办单位可以指定帮办员', en: 'only the unit assigns the agent' });
    if (c.state === 'done') throw invalidState('已办结的帮办事项不能再指定帮办员', 'the case is done');
    const agentId = input.agentUserId === undefined ? user.id : Number(input.agentUserId);
    const agent = Number.isSafeInteger(agentId) ? await trx.selectFrom('users').selectAll().where('id', '=', agentId).executeTakeFirst() : undefined;
    const ok = agent && !agent.disabled_at && ((c.unit_kind === 'department' && agent.role === 'departmentReviewer' && agent.department_id === c.unit_id) || (c.unit_kind === 'area' && agent.role === 'areaReviewer' && agent.area_id === c.unit_id));
    if (!ok) throw new ValidationError([problem('invalid_value', 'agentUserId', '帮办员须为承办单位的工作人员', "the agent is one of the unit's officials")]);
    await trx.updateTable('assistance_cases').set({ state: 'assigned', agent_user_id: agentId, assigned_on: ctx.today() }).where('id', '=', c.id).execute();
    await appendAudit(trx, actorOf(user, ip), {
      action: 'assistance.assign',
      entity: 'assistance',
      entityId: Number(c.id),
      details: { agentUserId: agentId, agent: agent!.display_name, audience: [audienceOfEnterprise(c.enterprise_uscc), audienceOfUser(agentId)] },
    });
  });
  return getAssistance(ctx, user, id);
}

/** The agent records a step of the item as done, or (`result`) finishes the case. */
export async function recordAssistance(ctx: PlatformContext, user: Principal, id: number, input: { step?: unknown; note?: unknown; result?: unknown }, ip?: string | null) {
  await ctx.db.transaction().execute(async (trx) => {
    const { c, rel } = await loadFor(trx, user, id, true);
    if (rel !== 'agent') throw new KaifangError({ code: 'forbidden', zh: '只有该事项的帮办员可以登记进展', en: 'only the agent records progress' });
    if (c.state !== 'assigned') throw invalidState('已办结的帮办事项不能再登记', 'the case is done');
    const item = itemOf(c.item)!;
    const note = typeof input.note === 'string' && input.note.trim() ? input.note.trim().slice(0, 1000) : null;
    const today = ctx.today();
    if (typeof input.result === 'string' && input.result.trim()) {
      await trx.updateTable('assistance_cases').set({ state: 'done', result: input.result.trim().slice(0, 2000), done_on: today }).where('id', '=', c.id).execute();
      await appendAudit(trx, actorOf(user, ip), { action: 'assistance.done', entity: 'assistance', entityId: Number(c.id), details: { audience: [audienceOfEnterprise(c.enterprise_uscc)] } });
      return;
    }
    const step = item.steps.find((s) => s.id === input.step);
    if (!step) throw new ValidationError([problem('invalid_value', 'step', '请选择事项的步骤，或填写办理结果', 'choose a step of the item, or give the result')]);
    const done = await trx.selectFrom('assistance_steps').select('id').where('case_id', '=', c.id).where('step', '=', step.id).executeTakeFirst();
    if (done) throw new ValidationError([problem('duplicate', 'step', `步骤“${step.zh}”已登记`, `the step ${step.id} is recorded already`)]);
    await trx.insertInto('assistance_steps').values({ case_id: Number(c.id), step: step.id, done_on: today, note, recorded_by: user.id }).execute();
    await appendAudit(trx, actorOf(user, ip), { action: 'assistance.step', entity: 'assistance', entityId: Number(c.id), details: { step: step.id, audience: [audienceOfEnterprise(c.enterprise_uscc)] } });
  });
  return getAssistance(ctx, user, id);
}

function view(ctx: PlatformContext, c: CaseRow, names: { enterprise?: string; agent?: string | null }, rel: string | null) {
  const item = itemOf(c.item);
  const unit = unitName(ctx, { kind: c.unit_kind, id: c.unit_id });
  return {
    id: Number(c.id),
    enterpriseUscc: c.enterprise_uscc,
    enterpriseName: names.enterprise ?? c.enterprise_uscc,
    item: c.item,
    itemZh: item?.zh ?? c.item,
    itemEn: item?.en ?? c.item,
    unitZh: unit.zh,
    unitEn: unit.en,
    note: c.note,
    state: c.state,
    requestedOn: c.requested_on,
    agent: names.agent ?? null,
    assignedOn: c.assigned_on,
    result: c.result,
    doneOn: c.done_on,
    allowedActions: [...(rel === 'unit' && c.state !== 'done' ? ['assign'] : []), ...(rel === 'agent' && c.state === 'assigned' ? ['step', 'finish'] : [])],
  };
}

export async function getAssistance(ctx: PlatformContext, user: Principal, id: number) {
  const { c, rel } = await loadFor(ctx.db, user, id);
  const ent = await ctx.db.selectFrom('enterprises').select('name').where('uscc', '=', c.enterprise_uscc).executeTakeFirst();
  const agent = c.agent_user_id === null ? null : await ctx.db.selectFrom('users').select('display_name').where('id', '=', Number(c.agent_user_id)).executeTakeFirst();
  const done = await ctx.db.selectFrom('assistance_steps').selectAll().where('case_id', '=', c.id).execute();
  const item = itemOf(c.item);
  return {
    ...view(ctx, c, { enterprise: ent?.name, agent: agent?.display_name }, rel),
    steps: (item?.steps ?? []).map((s) => {
      const d = done.find((x) => x.step === s.id);
      return { id: s.id, zh: s.zh, en: s.en, doneOn: d?.done_on ?? null, note: d?.note ?? null };
    }),
  };
}

/** The enterprise's own; the unit's queue and the agent's cases for an official; all for the auditor. */
export async function listAssistance(ctx: PlatformContext, user: Principal) {
  let q = ctx.db.selectFrom('assistance_cases as c').innerJoin('enterprises as e', 'e.uscc', 'c.enterprise_uscc').leftJoin('users as u', 'u.id', 'c.agent_user_id');
  if (user.role === 'enterprise') q = q.where('c.enterprise_uscc', '=', user.enterpriseUscc ?? '');
  else if (user.role !== 'auditor') {
    const unit = unitOfUser(user);
    if (!unit) throw new KaifangError({ code: 'forbidden', zh: '帮办代办由承办单位办理', en: 'assistance is handled by its units' });
    q = q.where((eb) => eb.or([eb.and([eb('c.unit_kind', '=', unit.kind), eb('c.unit_id', '=', unit.id)]), eb('c.agent_user_id', '=', user.id)]));
  }
  const rows = await q.selectAll('c').select(['e.name as enterprise_name', 'u.display_name as agent_name']).orderBy('c.id', 'desc').limit(200).execute();
  return { items: rows.map((r) => view(ctx, r as unknown as CaseRow, { enterprise: r.enterprise_name, agent: r.agent_name }, relationOf(user, r as unknown as CaseRow))) };
}
