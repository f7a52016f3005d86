/**
 * 免申即享 (issue 11): an enterprise objects to a department's value (更正申请) with its reason and evidence. The
 * objection goes to the department that holds the fact (fact-sources.yaml), due in the working days set there
 * (official calendar, the day of filing not counted). The department answers either with a corrected batch (a
 * batch of that one value, loaded as every batch is and naming the objection) or with a reasoned refusal. Filing and
 * answer are audited; the value objected to stays on file (history is never erased).
 */
import { createHash } from 'node:crypto';
import { appendAudit } from '../audit/audit-log.ts';
import { actorOf, type PlatformContext } from '../claims/context.ts';
import { toJsonb, type JsonValue } from '../db/schema.ts';
import { KaifangError, ValidationError } from '../errors.ts';
import type { Principal } from '../identity/users.ts';
import { badCharacter, badCharacterError } from '../refused-characters.ts';
import { loadFactBatch } from './batches.ts';
import { departmentValuesAsOf } from './on-file.ts';
import { factSources, sourceById, sourceOfFact } from './sources.ts';

export interface FactCorrection {
  id: number;
  uscc: string;
  enterpriseName?: string;
  year: number;
  fact: string;
  source: string;
  department: string;
  valueId: number;
  valueObjected: JsonValue;
  requestedValue: JsonValue | null;
  reason: string;
  evidence: { name: string; type: string | null; sha256: string } | null;
  filedOn: string;
  dueOn: string;
  /** the due date has passed and no answer was given */
  overdue: boolean;
  status: 'open' | 'corrected' | 'refused';
  answer: string | null;
  answerBatchId: number | null;
  answeredAt: Date | null;
}

const MAX_EVIDENCE_BYTES = 10 * 1024 * 1024;

function text(v: unknown, path: string, max: number, zh: string, en: string, required = true): string | undefined {
  if (v === undefined || v === null || (typeof v === 'string' && !v.trim())) {
    if (required) throw new ValidationError([new KaifangError({ code: 'required', path, zh: `请填写${zh}`, en: `${en} is required` })]);
    return undefined;
  }
  if (typeof v !== 'string') throw new ValidationError([new KaifangError({ code: 'not_text', path, zh: `${zh}应为文字`, en: `${en} must be text` })]);
  const ch = badCharacter(v, true);
  if (ch) throw new ValidationError([badCharacterError(path, ch)]);
  if (v.trim().length > max) throw new ValidationError([new KaifangError({ code: 'too_long', path, zh: `${zh}不能超过${max}字`, en: `${en} must be at most ${max} characters` })]);
  return v.trim();
}

type Row = Awaited<ReturnType<typeof baseQuery>>[number];
function baseQuery(ctx: PlatformContext) {
  return ctx.db
    .selectFrom('fact_corrections as c')
    .innerJoin('fact_values as v', 'v.id', 'c.value_id')
    .innerJoin('enterprises as e', 'e.uscc', 'c.enterprise_uscc')
    .select(['c.id', 'c.enterprise_uscc', 'e.name as enterprise_name', 'c.year', 'c.fact', 'c.source_id', 'c.department_id', 'c.value_id', 'v.value as value_objected', 'c.requested_value', 'c.reason', 'c.evidence_name', 'c.evidence_type', 'c.evidence_sha256', 'c.filed_on', 'c.due_on', 'c.status', 'c.answer', 'c.answer_batch_id', 'c.answered_at'])
    .execute();
}

function toCorrection(ctx: PlatformContext, r: Row): FactCorrection {
  return {
    id: Number(r.id),
    uscc: r.enterprise_uscc,
    enterpriseName: r.enterprise_name,
    year: r.year,
    fact: r.fact,
    source: r.source_id,
    department: r.department_id,
    valueId: Number(r.value_id),
    valueObjected: r.value_objected,
    requestedValue: r.requested_value,
    reason: r.reason,
    evidence: r.evidence_name ? { name: r.evidence_name, type: r.evidence_type, sha256: r.evidence_sha256! } : null,
    filedOn: r.filed_on,
    dueOn: r.due_on,
    overdue: r.status === 'open' && r.due_on < ctx.today(),
    status: r.status,
    answer: r.answer,
    answerBatchId: r.answer_batch_id === null ? null : Number(r.answer_batch_id),
    answeredAt: r.answered_at,
  };
}

async function one(ctx: PlatformContext, id: number): Promise<FactCorrection> {
  const rows = await ctx.db
    .selectFrom('fact_corrections as c')
    .innerJoin('fact_values as v', 'v.id', 'c.value_id')
    .innerJoin('enterprises as e', 'e.uscc', 'c.enterprise_uscc')
    .select(['c.id', 'c.enterprise_uscc', 'e.name as enterprise_name', 'c.year', 'c.fact', 'c.source_id', 'c.department_id', 'c.value_id', 'v.value as value_objected', 'c.requested_value', 'c.reason', 'c.evidence_name', 'c.evidence_type', 'c.evidence_sha256', 'c.filed_on', 'c.due_on', 'c.status', 'c.answer', 'c.answer_batch_id', 'c.answered_at'])
    .where('c.id', '=', id)
    .execute();
  if (!rows[0]) throw new KaifangError({ code: 'not_found', zh: '找不到该更正申请', en: 'no such correction request' });
  return toCorrection(ctx, rows[0]);
}

/** The enterprise files an objection to the department's current value of one fact of a year. */
export async function fileCorrection(
  ctx: PlatformContext,
  user: Principal,
  input: { year: unknown; fact: unknown; requestedValue?: unknown; reason: unknown; evidence?: { name: string; type?: string | null; data: Buffer } },
  ip?: string | null,
): Promise<FactCorrection> {
  if (user.role !== 'enterprise' || !user.enterpriseUscc) throw new KaifangError({ code: 'forbidden', zh: '只有企业本身可以对其在档数据提出更正申请', en: 'only the enterprise itself objects to its data on file' });
  const uscc = user.enterpriseUscc;
  const year = input.year;
  if (typeof year !== 'number' || !Number.isInteger(year) || year < 2000 || year > 2100) throw new ValidationError([new KaifangError({ code: 'bad_year', path: 'year', zh: '年度应为四位数年份', en: 'year must be a four-digit year' })]);
  const fact = typeof input.fact === 'string' ? input.fact : '';
  const rules = factSources();
  const source = sourceOfFact(rules, fact);
  if (!source) throw new ValidationError([new KaifangError({ code: 'not_department_fact', path: 'fact', zh: `“${fact}”不是部门报送的数据`, en: `"${fact}" is not a fact a department loads` })]);
  const reason = text(input.reason, 'reason', 2000, '更正理由', 'the reason')!;
  let requested: JsonValue | null = null;
  if (input.requestedValue !== undefined && input.requestedValue !== null && input.requestedValue !== '') {
    // the value the enterprise says is right, checked as the engine checks a fact
    try {
      const ey = ctx.engine.parse({ year, facts: { [fact]: input.requestedValue } });
      requested = ey.facts[fact] as JsonValue;
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      throw new ValidationError(e.errors.map((x) => new KaifangError({ code: x.code, path: 'requestedValue', zh: x.messageZh, en: x.messageEn })));
    }
  }
  if (input.evidence && input.evidence.data.length > MAX_EVIDENCE_BYTES) throw new ValidationError([new KaifangError({ code: 'file_too_large', path: 'evidence', zh: '证明材料不能超过10MB', en: 'the evidence must be at most 10 MB' })]);
  const current = (await departmentValuesAsOf(ctx.db, [uscc], year, ctx.today())).get(uscc)?.get(year)?.get(fact);
  if (!current) throw new ValidationError([new KaifangError({ code: 'no_department_value', path: 'fact', zh: `${source.zh}部门尚未报送该企业${year}年度的此项数据，无需更正`, en: `the ${source.en} department has loaded no value of this fact for ${year}` })]);
  const today = ctx.today();
  const dueOn = ctx.calendar.current().addWorkingDays(today, rules.corrections.answerWorkingDays);
  const id = await ctx.db.transaction().execute(async (trx) => {
    const open = await trx.selectFrom('fact_corrections').select('id').where('enterprise_uscc', '=', uscc).where('year', '=', year).where('fact', '=', fact).where('status', '=', 'open').executeTakeFirst();
    if (open) throw new KaifangError({ code: 'correction_open', path: 'fact', zh: `该数据已有待答复的更正申请（第${open.id}号）`, en: `this value already has an objection waiting for an answer (no. ${open.id})` });
    const row = await trx
      .insertInto('fact_corrections')
      .values({
        policy_id: ctx.engine.policy.id,
        enterprise_uscc: uscc,
        year,
        fact,
        source_id: source.id,
        department_id: source.department,
        value_id: current.valueId,
        requested_value: requested === null ? null : toJsonb(requested),
        reason,
        evidence_name: input.evidence?.name ?? null,
        evidence_type: input.evidence?.type ?? null,
        evidence_sha256: input.evidence ? createHash('sha256').update(input.evidence.data).digest('hex') : null,
        evidence: input.evidence?.data ?? null,
        filed_by: user.id,
        filed_on: today,
        due_on: dueOn,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await appendAudit(trx, actorOf(user, ip), { action: 'facts.correction.file', entity: 'factCorrection', entityId: row.id, details: { uscc, year, fact, source: source.id, department: source.department, valueId: current.valueId, requestedValue: requested, dueOn } });
    return Number(row.id);
  });
  return one(ctx, id);
}

/** The objections a user may read: an enterprise its own, a department those it must answer, auditors all. */
export async function listCorrections(ctx: PlatformContext, user: Principal, filter: { status?: 'open' | 'corrected' | 'refused' } = {}): Promise<FactCorrection[]> {
  let q = ctx.db
    .selectFrom('fact_corrections as c')
    .innerJoin('fact_values as v', 'v.id', 'c.value_id')
    .innerJoin('enterprises as e', 'e.uscc', 'c.enterprise_uscc')
    .select(['c.id', 'c.enterprise_uscc', 'e.name as enterprise_name', 'c.year', 'c.fact', 'c.source_id', 'c.department_id', 'c.value_id', 'v.value as value_objected', 'c.requested_value', 'c.reason', 'c.evidence_name', 'c.evidence_type', 'c.evidence_sha256', 'c.filed_on', 'c.due_on', 'c.status', 'c.answer', 'c.answer_batch_id', 'c.answered_at'])
    .orderBy('c.id', 'desc')
    .limit(500);
  if (user.role === 'enterprise') q = q.where('c.enterprise_uscc', '=', user.enterpriseUscc ?? '');
  else if (user.role === 'departmentReviewer') q = q.where('c.department_id', '=', user.departmentId ?? '');
  else if (user.role !== 'auditor') throw new KaifangError({ code: 'forbidden', zh: '无权查看数据更正申请', en: 'not allowed to read objections to data' });
  if (filter.status) q = q.where('c.status', '=', filter.status);
  return (await q.execute()).map((r) => toCorrection(ctx, r));
}

/**
 * The owning department answers: `corrected` with the right value (loaded as a one-row batch of its source, dated
 * `asOf` — default today — naming this objection), or `refused` with its reason. Answered once.
 */
export async function answerCorrection(
  ctx: PlatformContext,
  user: Principal,
  id: number,
  input: { decision: unknown; value?: unknown; asOf?: unknown; reason?: unknown },
  ip?: string | null,
): Promise<FactCorrection> {
  const c = await one(ctx, id);
  if (user.role !== 'departmentReviewer' || user.departmentId !== c.department) throw new KaifangError({ code: 'forbidden', zh: '只有掌握该数据的部门可以答复', en: 'only the department that holds the value answers' });
  if (c.status !== 'open') throw new KaifangError({ code: 'already_answered', zh: '该更正申请已答复', en: 'this objection was already answered' });
  if (input.decision !== 'corrected' && input.decision !== 'refused') throw new ValidationError([new KaifangError({ code: 'bad_decision', path: 'decision', zh: '答复应为 corrected（更正）或 refused（不予更正）', en: 'decision must be corrected or refused' })]);
  const reason = text(input.reason, 'reason', 2000, '答复理由', 'the reason', input.decision === 'refused');
  let batchId: number | null = null;
  if (input.decision === 'corrected') {
    if (input.value === undefined || input.value === null || input.value === '') throw new ValidationError([new KaifangError({ code: 'required', path: 'value', zh: '请填写更正后的值', en: 'the corrected value is required' })]);
    const source = sourceById(factSources(), c.source);
    const loaded = await loadFactBatch(ctx, user, { source: source.id, asOf: input.asOf ?? ctx.today(), rows: [{ uscc: c.uscc, year: c.year, facts: { [c.fact]: input.value } }] }, { ip, correctionId: c.id });
    batchId = loaded.batch.id;
  }
  await ctx.db.transaction().execute(async (trx) => {
    const updated = await trx
      .updateTable('fact_corrections')
      .set({ status: input.decision as 'corrected' | 'refused', answer: reason ?? null, answer_batch_id: batchId, answered_by: user.id, answered_at: new Date() })
      .where('id', '=', id)
      .where('status', '=', 'open')
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1) throw new KaifangError({ code: 'already_answered', zh: '该更正申请已答复', en: 'this objection was already answered' });
    await appendAudit(trx, actorOf(user, ip), { action: 'facts.correction.answer', entity: 'factCorrection', entityId: id, details: { uscc: c.uscc, year: c.year, fact: c.fact, decision: input.decision, batchId, reason: reason ?? null, dueOn: c.dueOn, late: ctx.today() > c.dueOn } });
  });
  return one(ctx, id);
}
