/**
 * Leads (招商信息, measure 15): registered with their first reporter (首报人) and time-stamped by the audit record
 * written in the same transaction, so a dispute over who reported first is settled by the chained record; a second
 * report of the same project (same enterprise and project, compared without spaces, punctuation and company-form
 * words) is linked to the first (duplicate_of) and never counted again. Stages 接洽 → 考察 → 签约 → 落地 (the order
 * of investment-map.yaml leads.stages) with an owner per stage; on landing the first reporter's reward is proposed
 * to the commerce bureau, whose officials set the amount (the text sets none) — audited.
 */
import { sql } from 'kysely';
import { appendAudit, type AuditActor } from '../audit/audit-log.ts';
import { isCivilDate } from '../civil-date.ts';
import { inTransaction, type Db } from '../db/transaction.ts';
import { toJsonb, type JsonObject } from '../db/schema.ts';
import { FieldErrors, KaifangError } from '../errors.ts';
import { badCharacter } from '../refused-characters.ts';
import { mapAreas } from './geometry.ts';
import { investmentRules, type InvestmentRules } from './rules.ts';

export interface LeadInput {
  projectName: unknown;
  enterpriseName: unknown;
  industry: unknown;
  amountFen: unknown;
  source: unknown;
  firstReporter: unknown;
  reporterContact?: unknown;
  opportunityCode?: unknown;
  siteCode?: unknown;
  areaId?: unknown;
  /** the site-matching request it came from */
  project?: unknown;
  owner?: unknown;
}

export interface LeadView {
  id: number;
  projectName: string;
  enterpriseName: string;
  industry: string;
  amountFen: number;
  source: string;
  firstReporter: string;
  reporterContact: string | null;
  reportedAt: string;
  auditId: number | null;
  duplicateOf: number | null;
  stage: string;
  owners: Record<string, string>;
  opportunityCode: string | null;
  siteCode: string | null;
  areaId: string | null;
  landedOn: string | null;
  reward: { status: 'proposed' | 'set'; amountFen: number | null; note: string | null } | null;
  version: number;
}

/** The project's identity for duplicate detection: enterprise + project, without spaces, punctuation or 有限公司. */
export function projectKey(enterpriseName: string, projectName: string): string {
  const norm = (s: string) =>
    s
      .normalize('NFKC')
      .toLowerCase()
      .replace(/(股份)?有限(责任)?公司|集团|co\.?,?\s*ltd\.?|inc\.?|limited/g, '')
      .replace(/[\s\p{P}\p{S}]/gu, '');
  return `${norm(enterpriseName)}|${norm(projectName)}`;
}

function text(c: FieldErrors, v: unknown, path: string, max = 200, optional = false): string | undefined {
  if ((v === undefined || v === null || v === '') && optional) return undefined;
  if (typeof v !== 'string' || !v.trim()) return c.add(path, 'required', '必填', 'required');
  if (v.length > max) return c.add(path, 'too_long', `不超过${max}个字符`, `at most ${max} characters`);
  if (badCharacter(v)) return c.add(path, 'bad_characters', '含有不允许的字符', 'contains a refused character');
  return v.trim();
}

type LeadRow = {
  id: number;
  project_name: string;
  enterprise_name: string;
  industry: string;
  amount_fen: number;
  source: string;
  first_reporter: string;
  reporter_contact: string | null;
  reported_at: Date;
  audit_id: number | null;
  duplicate_of: number | null;
  stage: string;
  owners: JsonObject;
  opportunity_code: string | null;
  site_code: string | null;
  area_id: string | null;
  landed_on: string | null;
  reward_status: 'proposed' | 'set' | null;
  reward_fen: number | null;
  reward_note: string | null;
  version: number;
};

function view(r: LeadRow): LeadView {
  return {
    id: r.id,
    projectName: r.project_name,
    enterpriseName: r.enterprise_name,
    industry: r.industry,
    amountFen: r.amount_fen,
    source: r.source,
    firstReporter: r.first_reporter,
    reporterContact: r.reporter_contact,
    reportedAt: r.reported_at.toISOString(),
    auditId: r.audit_id,
    duplicateOf: r.duplicate_of,
    stage: r.stage,
    owners: r.owners as Record<string, string>,
    opportunityCode: r.opportunity_code,
    siteCode: r.site_code,
    areaId: r.area_id,
    landedOn: r.landed_on,
    reward: r.reward_status ? { status: r.reward_status, amountFen: r.reward_fen, note: r.reward_note } : null,
    version: r.version,
  };
}

const COLUMNS = [
  'id', 'project_name', 'enterprise_name', 'industry', 'amount_fen', 'source', 'first_reporter', 'reporter_contact', 'reported_at', 'audit_id',
  'duplicate_of', 'stage', 'owners', 'opportunity_code', 'site_code', 'area_id', 'landed_on', 'reward_status', 'reward_fen', 'reward_note', 'version',
] as const;

/** Register a lead; a second report of the same project is stored, linked to the first, and says so. */
export async function registerLead(db: Db, actor: AuditActor, input: LeadInput, rules: InvestmentRules = investmentRules()): Promise<LeadView & { duplicate: boolean }> {
  const c = new FieldErrors();
  const projectName = text(c, input.projectName, 'projectName');
  const enterpriseName = text(c, input.enterpriseName, 'enterpriseName');
  const industries = rules.heatMap.industries.values.map((i) => i.id);
  const industry = typeof input.industry === 'string' && industries.includes(input.industry) ? input.industry : c.add('industry', 'unknown_industry', `未知产业（可选：${industries.join('、')}）`, `unknown industry (known: ${industries.join(', ')})`);
  const amountFen = typeof input.amountFen === 'number' && Number.isSafeInteger(input.amountFen) && input.amountFen >= 0 ? input.amountFen : c.add('amountFen', 'not_an_amount', '投资额须为不小于0的整数（分）', 'the amount is whole fen, 0 or more');
  const sources = rules.leads.sources.map((s) => s.id);
  const source = typeof input.source === 'string' && sources.includes(input.source) ? input.source : c.add('source', 'unknown_source', `来源须为 ${sources.join('、')} 之一`, `source is one of ${sources.join(', ')}`);
  const firstReporter = text(c, input.firstReporter, 'firstReporter', 100);
  const reporterContact = text(c, input.reporterContact, 'reporterContact', 100, true);
  const opportunityCode = text(c, input.opportunityCode, 'opportunityCode', 60, true);
  const siteCode = text(c, input.siteCode, 'siteCode', 60, true);
  const owner = text(c, input.owner, 'owner', 100, true);
  const areaId = input.areaId === undefined || input.areaId === null || input.areaId === '' ? undefined : mapAreas().some((a) => a.id === input.areaId) ? (input.areaId as string) : c.add('areaId', 'unknown_area', '未知区镇', 'unknown area');
  c.throwIfAny();
  const key = projectKey(enterpriseName!, projectName!);
  const firstStage = rules.leads.stages[0].id;

  return inTransaction(db, async (trx) => {
    // One registration of a project at a time: two reports of one project racing each other are put in order here,
    // the first to take the lock being the first reporter.
    await sql`select pg_advisory_xact_lock(7412633019002)`.execute(trx);
    const first = await trx.selectFrom('investment_leads').select(['id']).where('project_key', '=', key).where('duplicate_of', 'is', null).orderBy('id').executeTakeFirst();
    const row = await trx
      .insertInto('investment_leads')
      .values({
        project_name: projectName!,
        project_key: key,
        enterprise_name: enterpriseName!,
        industry: industry!,
        amount_fen: amountFen!,
        source: source!,
        first_reporter: firstReporter!,
        reporter_contact: reporterContact ?? null,
        reported_by: actor.userId,
        duplicate_of: first?.id ?? null,
        stage: firstStage,
        owners: toJsonb(owner ? { [firstStage]: owner } : {}),
        opportunity_code: opportunityCode ?? null,
        site_code: siteCode ?? null,
        area_id: areaId ?? null,
        project: input.project && typeof input.project === 'object' ? toJsonb(input.project) : null,
      })
      .returning(COLUMNS)
      .executeTakeFirstOrThrow();
    const auditId = await appendAudit(trx, actor, {
      action: 'lead.register',
      entity: 'lead',
      entityId: row.id,
      details: { firstReporter: firstReporter!, projectKey: key, source: source!, duplicateOf: first?.id ?? null, reportedAt: row.reported_at.toISOString() },
    });
    await trx.updateTable('investment_leads').set({ audit_id: auditId }).where('id', '=', row.id).execute();
    await trx.insertInto('investment_lead_events').values({ lead_id: row.id, kind: first ? 'duplicate' : 'registered', to_stage: firstStage, owner: owner ?? null, note: first ? `同一项目已于线索 #${first.id} 首报` : null, by_user: actor.userId }).execute();
    return { ...view({ ...(row as unknown as LeadRow), audit_id: auditId }), duplicate: !!first };
  });
}

export async function getLead(db: Db, id: number): Promise<LeadView & { events: Array<{ kind: string; fromStage: string | null; toStage: string | null; owner: string | null; amountFen: number | null; note: string | null; byUser: number | null; at: string }>; duplicates: number[] }> {
  const row = await db.selectFrom('investment_leads').select(COLUMNS).where('id', '=', id).executeTakeFirst();
  if (!row) throw new KaifangError({ code: 'not_found', zh: `没有线索 #${id}`, en: `no lead #${id}`, path: 'id' });
  const events = await db.selectFrom('investment_lead_events').selectAll().where('lead_id', '=', id).orderBy('id').execute();
  const dups = await db.selectFrom('investment_leads').select('id').where('duplicate_of', '=', id).orderBy('id').execute();
  return {
    ...view(row as unknown as LeadRow),
    events: events.map((e) => ({ kind: e.kind, fromStage: e.from_stage, toStage: e.to_stage, owner: e.owner, amountFen: e.amount_fen, note: e.note, byUser: e.by_user, at: e.at.toISOString() })),
    duplicates: dups.map((d) => d.id),
  };
}

export async function listLeads(db: Db, q: { stage?: string; includeDuplicates?: boolean; search?: string; limit?: number; offset?: number } = {}): Promise<{ items: LeadView[]; counts: Record<string, number> }> {
  let qb = db.selectFrom('investment_leads').select(COLUMNS);
  if (!q.includeDuplicates) qb = qb.where('duplicate_of', 'is', null);
  if (q.stage) qb = qb.where('stage', '=', q.stage);
  if (q.search) {
    const like = `%${q.search.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
    qb = qb.where((eb) => eb.or([eb('project_name', 'like', like), eb('enterprise_name', 'like', like), eb('first_reporter', 'like', like)]));
  }
  const rows = await qb.orderBy('id', 'desc').limit(q.limit ?? 50).offset(q.offset ?? 0).execute();
  // Duplicates are never counted: a project is one lead however many reported it.
  const counts = await db.selectFrom('investment_leads').select(['stage', db.fn.countAll<number>().as('n')]).where('duplicate_of', 'is', null).groupBy('stage').execute();
  return { items: rows.map((r) => view(r as unknown as LeadRow)), counts: Object.fromEntries(counts.map((r) => [r.stage, Number(r.n)])) };
}

function conflict(zh: string, en: string, details?: Record<string, unknown>): KaifangError {
  return new KaifangError({ code: 'invalid_state', zh, en, details });
}

/**
 * Move a lead to its next stage (or name the owner of its current one). Stages go forward one at a time; a duplicate
 * does not move (its first report does). Landing records the date and proposes the first reporter's reward.
 */
export async function advanceLead(
  db: Db,
  actor: AuditActor,
  id: number,
  input: { to: unknown; owner: unknown; on?: unknown; note?: unknown; expectedVersion?: unknown },
  opts: { today: string; rules?: InvestmentRules },
): Promise<LeadView> {
  const rules = opts.rules ?? investmentRules();
  const c = new FieldErrors();
  const stages = rules.leads.stages.map((s) => s.id);
  const to = typeof input.to === 'string' && stages.includes(input.to) ? input.to : c.add('to', 'unknown_stage', `阶段须为 ${stages.join('、')} 之一`, `stage is one of ${stages.join(', ')}`);
  const owner = text(c, input.owner, 'owner', 100);
  const note = text(c, input.note, 'note', 1000, true);
  const on = input.on === undefined ? opts.today : typeof input.on === 'string' && isCivilDate(input.on) ? input.on : c.add('on', 'invalid_date', '日期须为 YYYY-MM-DD', 'date is YYYY-MM-DD');
  if (on && on > opts.today) c.add('on', 'future_date', '日期不能晚于今天', 'the date cannot be after today');
  c.throwIfAny();
  return inTransaction(db, async (trx) => {
    const row = await trx.selectFrom('investment_leads').select(COLUMNS).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!row) throw new KaifangError({ code: 'not_found', zh: `没有线索 #${id}`, en: `no lead #${id}`, path: 'id' });
    if (input.expectedVersion !== undefined && input.expectedVersion !== row.version) {
      throw new KaifangError({ code: 'conflict', zh: '线索已被他人修改，请刷新', en: 'the lead was changed meanwhile; reload it', details: { version: row.version } });
    }
    if (row.duplicate_of !== null) throw conflict(`线索 #${id} 是 #${row.duplicate_of} 的重复报告，请在首报线索上推进`, `lead #${id} duplicates #${row.duplicate_of}; move the first report`);
    const from = stages.indexOf(row.stage);
    const target = stages.indexOf(to!);
    if (target !== from && target !== from + 1) {
      throw conflict(`阶段只能逐级推进：当前为“${rules.leads.stages[from].zh}”`, `stages move one at a time: the lead is at ${rules.leads.stages[from].en}`, { from: row.stage, to });
    }
    const owners = { ...(row.owners as Record<string, string>), [to!]: owner! };
    const landing = target !== from && to === stages[stages.length - 1];
    await trx
      .updateTable('investment_leads')
      .set({
        stage: to!,
        owners: toJsonb(owners),
        version: row.version + 1,
        ...(landing ? { landed_on: on!, reward_status: 'proposed' as const } : {}),
      })
      .where('id', '=', id)
      .execute();
    await trx.insertInto('investment_lead_events').values({ lead_id: id, kind: target === from ? 'owner' : 'stage', from_stage: row.stage, to_stage: to!, owner: owner!, note: note ?? null, by_user: actor.userId }).execute();
    await appendAudit(trx, actor, { action: target === from ? 'lead.owner' : 'lead.stage', entity: 'lead', entityId: id, details: { from: row.stage, to: to!, owner: owner!, on: on! } });
    if (landing) {
      await trx.insertInto('investment_lead_events').values({ lead_id: id, kind: 'rewardProposed', owner: rules.leads.owner, note: `首报人 ${row.first_reporter}`, by_user: actor.userId }).execute();
      await appendAudit(trx, actor, { action: 'lead.rewardProposed', entity: 'lead', entityId: id, details: { firstReporter: row.first_reporter, to: rules.leads.owner, incentive: rules.leads.rewardIncentive } });
    }
    const after = await trx.selectFrom('investment_leads').select(COLUMNS).where('id', '=', id).executeTakeFirstOrThrow();
    return view(after as unknown as LeadRow);
  });
}

/** The commerce bureau sets the first reporter's reward of a landed lead (the text sets no amount). */
export async function setLeadReward(db: Db, actor: AuditActor, id: number, input: { amountFen: unknown; note: unknown }): Promise<LeadView> {
  const c = new FieldErrors();
  const amountFen = typeof input.amountFen === 'number' && Number.isSafeInteger(input.amountFen) && input.amountFen >= 0 ? input.amountFen : c.add('amountFen', 'not_an_amount', '奖励金额须为不小于0的整数（分）', 'the reward is whole fen, 0 or more');
  const note = text(c, input.note, 'note', 1000);
  c.throwIfAny();
  return inTransaction(db, async (trx) => {
    const row = await trx.selectFrom('investment_leads').select(COLUMNS).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!row) throw new KaifangError({ code: 'not_found', zh: `没有线索 #${id}`, en: `no lead #${id}`, path: 'id' });
    if (row.reward_status !== 'proposed') {
      throw conflict(row.reward_status === 'set' ? '首报奖励已确定' : '线索落地后才提出首报奖励', row.reward_status === 'set' ? 'the reward is already set' : 'the reward is proposed when the lead lands');
    }
    await trx.updateTable('investment_leads').set({ reward_status: 'set', reward_fen: amountFen!, reward_note: note!, version: row.version + 1 }).where('id', '=', id).execute();
    await trx.insertInto('investment_lead_events').values({ lead_id: id, kind: 'rewardSet', amount_fen: amountFen!, note: note!, by_user: actor.userId }).execute();
    await appendAudit(trx, actor, { action: 'lead.rewardSet', entity: 'lead', entityId: id, details: { firstReporter: row.first_reporter, amountFen: amountFen!, note: note! } });
    const after = await trx.selectFrom('investment_leads').select(COLUMNS).where('id', '=', id).executeTakeFirstOrThrow();
    return view(after as unknown as LeadRow);
  });
}
