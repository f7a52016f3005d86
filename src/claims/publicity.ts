/**
 * 公示: decided claims are published in a batch for a period (default 7 calendar days, configurable);
 * objections are recorded and resolved; when the period is over and every objection is resolved the batch
 * closes — its claims become approved for payment, and a claim whose objection was upheld has its award
 * reversed in the ledger and is not supported.
 */
import { sql } from 'kysely';
import { KaifangError, ValidationError } from '../errors.ts';
import { appendAudit } from '../audit/audit-log.ts';
import { authorize, can, listScope } from '../identity/access.ts';
import type { Principal } from '../identity/users.ts';
import { addCalendarDays, isCivilDate } from '../civil-date.ts';
import { appendLedgerEntry, claimAwardEntry, claimOutstandingFen } from '../ledger/ledger.ts';
import { readClaimForReview } from './workflow.ts';
import { actorOf, type PlatformContext } from './context.ts';
import { notFound, resourceOf } from './claims.ts';


export async function createPublicityBatch(ctx: PlatformContext, user: Principal, input: { title: unknown; claimIds: unknown; startsOn: unknown; days?: unknown }, ip?: string | null) {
  const errors: KaifangError[] = [];
  if (typeof input.title !== 'string' || !input.title.trim()) errors.push(new KaifangError({ code: 'required', path: 'title', zh: '请填写公示标题', en: 'title is required' }));
  if (!Array.isArray(input.claimIds) || !input.claimIds.length || !input.claimIds.every((x) => Number.isSafeInteger(x))) errors.push(new KaifangError({ code: 'required', path: 'claimIds', zh: '请选择要公示的申报', en: 'claimIds must list at least one claim id' }));
  if (!isCivilDate(input.startsOn)) errors.push(new KaifangError({ code: 'bad_date', path: 'startsOn', zh: '公示开始日期应为 YYYY-MM-DD', en: 'startsOn must be YYYY-MM-DD' }));
  const days = input.days === undefined ? ctx.config.publicityDays : input.days;
  if (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > 60) errors.push(new KaifangError({ code: 'bad_days', path: 'days', zh: '公示期应为1至60天', en: 'days must be 1 to 60' }));
  // A publicity period starts no earlier than its publication: a batch dated in the past would let the period be
  // over the moment it is published, and 公示 be skipped.
  if (isCivilDate(input.startsOn) && input.startsOn < ctx.today()) errors.push(new KaifangError({ code: 'starts_in_past', path: 'startsOn', zh: `公示开始日期不能早于发布当日（${ctx.today()}）`, en: `startsOn must not be before the day of publication (${ctx.today()})` }));
  if (errors.length) throw new ValidationError(errors);
  const ids = [...new Set(input.claimIds as number[])];
  return ctx.db.transaction().execute(async (trx) => {
    const claims = await trx.selectFrom('claims').selectAll().where('id', 'in', ids).forUpdate().execute();
    for (const id of ids) {
      const c = claims.find((x) => x.id === id);
      if (!c || !can(user, 'claim.read', resourceOf(c), ctx.access)) throw notFound();
      authorize(user, 'publicity.manage', resourceOf(c), ctx.access);
      if (c.state !== 'publicity') throw new KaifangError({ code: 'invalid_state', path: 'claimIds', zh: `申报${id}尚未作出决定或已公示完毕，不能列入公示`, en: `claim ${id} is not awaiting publicity` });
    }
    const already = await trx.selectFrom('publicity_items').innerJoin('publicity_batches', 'publicity_batches.id', 'publicity_items.batch_id').select('claim_id').where('claim_id', 'in', ids).where('publicity_batches.closed_at', 'is', null).execute();
    if (already.length) throw new KaifangError({ code: 'invalid_state', path: 'claimIds', zh: `申报${already.map((a) => a.claim_id).join('、')}已在公示中`, en: 'some claims are already in an open publicity batch' });
    const startsOn = input.startsOn as string;
    const batch = await trx
      .insertInto('publicity_batches')
      .values({ policy_id: ctx.engine.policy.id, title: (input.title as string).trim(), starts_on: startsOn, ends_on: addCalendarDays(startsOn, (days as number) - 1), published_by: user.id })
      .returningAll()
      .executeTakeFirstOrThrow();
    for (const c of claims) {
      const d = await trx.selectFrom('decisions').select(['id', 'amount_fen']).where('claim_id', '=', c.id).orderBy('id', 'desc').executeTakeFirstOrThrow();
      await trx.insertInto('publicity_items').values({ batch_id: batch.id, claim_id: c.id, decision_id: d.id, amount_fen: d.amount_fen }).execute();
    }
    await appendAudit(trx, actorOf(user, ip), { action: 'publicity.publish', entity: 'publicity', entityId: batch.id, details: { claimIds: ids, startsOn, endsOn: batch.ends_on } });
    return { id: batch.id, title: batch.title, startsOn: batch.starts_on, endsOn: batch.ends_on, claimIds: ids };
  });
}

/**
 * The batches, newest first, one page at a time: a seek on the batch id (`cursor`: the nextCursor of the page
 * before, or `page` counted from the newest) joined to publicity_batch_totals (items and amount per batch, kept
 * by a trigger on publicity_items, migration 0017) — the page's batches only, never every item.
 */
export async function listPublicityBatches(ctx: PlatformContext, user: Principal, page = 1, pageSize = 20, cursor?: string) {
  authorize(user, 'publicity.read');
  let before: number | undefined;
  if (cursor !== undefined) {
    before = /^[1-9][0-9]{0,15}$/.test(cursor) ? Number(cursor) : NaN;
    if (!Number.isSafeInteger(before)) throw new ValidationError([new KaifangError({ code: 'bad_cursor', path: 'cursor', zh: '翻页标记无效，请从第一页重新查看', en: 'cursor is not one this list gave; start again from the first page' })]);
  }
  let q = ctx.db
    .selectFrom('publicity_batches')
    .leftJoin('publicity_batch_totals as t', 't.batch_id', 'publicity_batches.id')
    .select(['publicity_batches.id', 'title', 'starts_on', 'ends_on', 'closed_at', 'published_at', sql<number>`coalesce(t.items, 0)`.as('claims'), sql<number>`coalesce(t.amount_fen, 0)`.as('amount')])
    .orderBy('publicity_batches.id', 'desc')
    .limit(pageSize);
  q = before !== undefined ? q.where('publicity_batches.id', '<', before) : q.offset((page - 1) * pageSize);
  const [rows, count] = await Promise.all([
    q.execute(),
    // Batches are few beside their items (up to 1,000 claims each): counting them stays cheap.
    ctx.db.selectFrom('publicity_batches').select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow(),
  ]);
  const items = rows.map((r) => ({ id: r.id, title: r.title, startsOn: r.starts_on, endsOn: r.ends_on, closedAt: r.closed_at, publishedAt: r.published_at, claims: Number(r.claims), amountFen: Number(r.amount) }));
  return { items, total: Number(count.n), page, pageSize, nextCursor: rows.length === pageSize ? String(rows.at(-1)!.id) : null };
}

export async function getPublicityBatch(ctx: PlatformContext, user: Principal, id: number) {
  authorize(user, 'publicity.read');
  const batch = await ctx.db.selectFrom('publicity_batches').selectAll().where('id', '=', id).executeTakeFirst();
  if (!batch) throw notFound('公示批次');
  const items = await ctx.db
    .selectFrom('publicity_items')
    .innerJoin('claims', 'claims.id', 'publicity_items.claim_id')
    .innerJoin('enterprises', 'enterprises.uscc', 'claims.enterprise_uscc')
    .select(['claims.id as claimId', 'enterprises.name as enterpriseName', 'enterprises.uscc', 'claims.area_id as areaId', 'claims.measure_id as measureId', 'claims.incentive_id as incentive', 'claims.item', 'claims.state', 'publicity_items.amount_fen as amountFen'])
    .where('batch_id', '=', id)
    .orderBy('claims.id')
    .execute();
  const objections = await ctx.db.selectFrom('objections').selectAll().where('batch_id', '=', id).orderBy('id').execute();
  const policy = ctx.engine.policy;
  return {
    id: batch.id,
    title: batch.title,
    startsOn: batch.starts_on,
    endsOn: batch.ends_on,
    closedAt: batch.closed_at,
    publishedAt: batch.published_at,
    items: items.map((i) => ({ ...i, title: policy.incentivesById.get(i.incentive)?.title ?? i.incentive })),
    objections: objections.map((o) => ({ id: o.id, claimId: o.claim_id, objector: o.objector, contact: o.contact, content: o.content, receivedOn: o.received_on, outcome: o.outcome, resolution: o.resolution, resolvedAt: o.resolved_at })),
  };
}

async function batchClaimsResource(ctx: PlatformContext, db: PlatformContext['db'], batchId: number) {
  return db.selectFrom('publicity_items').innerJoin('claims', 'claims.id', 'publicity_items.claim_id').selectAll('claims').where('batch_id', '=', batchId).execute();
}

export async function recordObjection(ctx: PlatformContext, user: Principal, batchId: number, input: { claimId?: unknown; objector: unknown; contact?: unknown; content: unknown; receivedOn: unknown }, ip?: string | null) {
  const errors: KaifangError[] = [];
  if (typeof input.objector !== 'string' || !input.objector.trim()) errors.push(new KaifangError({ code: 'required', path: 'objector', zh: '请填写异议人', en: 'objector is required' }));
  if (typeof input.content !== 'string' || !input.content.trim()) errors.push(new KaifangError({ code: 'required', path: 'content', zh: '请填写异议内容', en: 'content is required' }));
  if (!isCivilDate(input.receivedOn)) errors.push(new KaifangError({ code: 'bad_date', path: 'receivedOn', zh: '收到日期应为 YYYY-MM-DD', en: 'receivedOn must be YYYY-MM-DD' }));
  if (errors.length) throw new ValidationError(errors);
  return ctx.db.transaction().execute(async (trx) => {
    const batch = await trx.selectFrom('publicity_batches').selectAll().where('id', '=', batchId).forUpdate().executeTakeFirst();
    if (!batch) throw notFound('公示批次');
    const claims = await batchClaimsResource(ctx, trx, batchId);
    const target = input.claimId === undefined || input.claimId === null ? claims[0] : claims.find((c) => c.id === input.claimId);
    if (!target) throw new ValidationError([new KaifangError({ code: 'not_in_batch', path: 'claimId', zh: '该申报不在本批公示中', en: 'the claim is not in this batch' })]);
    authorize(user, 'objection.record', resourceOf(target), ctx.access);
    if (batch.closed_at) throw new KaifangError({ code: 'invalid_state', zh: '公示已结束，不能再登记异议', en: 'the publicity period is closed' });
    const receivedOn = input.receivedOn as string;
    if (receivedOn < batch.starts_on || receivedOn > ctx.today()) {
      throw new ValidationError([new KaifangError({ code: 'bad_date', path: 'receivedOn', zh: `收到日期应在公示开始（${batch.starts_on}）之后、不晚于今天（${ctx.today()}）`, en: `receivedOn must be between the start of publicity (${batch.starts_on}) and today (${ctx.today()})` })]);
    }
    const row = await trx
      .insertInto('objections')
      .values({ batch_id: batchId, claim_id: input.claimId === undefined || input.claimId === null ? null : target.id, objector: (input.objector as string).trim(), contact: typeof input.contact === 'string' ? input.contact : null, content: (input.content as string).trim(), received_on: input.receivedOn as string, recorded_by: user.id })
      .returning('id')
      .executeTakeFirstOrThrow();
    await appendAudit(trx, actorOf(user, ip), { action: 'objection.record', entity: 'publicity', entityId: batchId, details: { objectionId: row.id, claimId: target.id } });
    return { id: row.id };
  });
}

export async function resolveObjection(ctx: PlatformContext, user: Principal, objectionId: number, input: { outcome: unknown; resolution: unknown }, ip?: string | null) {
  const errors: KaifangError[] = [];
  if (input.outcome !== 'upheld' && input.outcome !== 'dismissed') errors.push(new KaifangError({ code: 'bad_outcome', path: 'outcome', zh: '处理结果应为 upheld（异议成立）或 dismissed（异议不成立）', en: 'outcome must be upheld or dismissed' }));
  if (typeof input.resolution !== 'string' || !input.resolution.trim()) errors.push(new KaifangError({ code: 'required', path: 'resolution', zh: '请填写处理意见', en: 'resolution is required' }));
  if (errors.length) throw new ValidationError(errors);
  return ctx.db.transaction().execute(async (trx) => {
    const o = await trx.selectFrom('objections').selectAll().where('id', '=', objectionId).forUpdate().executeTakeFirst();
    if (!o) throw notFound('异议');
    const claims = await batchClaimsResource(ctx, trx, o.batch_id);
    const target = claims.find((c) => c.id === o.claim_id) ?? claims[0];
    authorize(user, 'objection.resolve', resourceOf(target), ctx.access);
    if (o.outcome) throw new KaifangError({ code: 'invalid_state', zh: '该异议已处理', en: 'already resolved' });
    if (input.outcome === 'upheld' && o.claim_id === null) throw new ValidationError([new KaifangError({ code: 'claim_required', path: 'outcome', zh: '异议成立须针对具体申报；请先登记异议对应的申报', en: 'an upheld objection must name a claim' })]);
    await trx.updateTable('objections').set({ outcome: input.outcome as 'upheld' | 'dismissed', resolution: (input.resolution as string).trim(), resolved_by: user.id, resolved_at: new Date() }).where('id', '=', objectionId).execute();
    await appendAudit(trx, actorOf(user, ip), { action: 'objection.resolve', entity: 'publicity', entityId: o.batch_id, details: { objectionId, outcome: input.outcome as string } });
    return { id: objectionId, outcome: input.outcome };
  });
}

/**
 * Closes a batch whose period is over and whose objections are all resolved. Each claim still awaiting its 公示 on
 * the decision this batch published is settled: approved for payment, or — an objection upheld — its award
 * reversed (what is outstanding, never "the latest award") and the claim not supported. A claim that left 公示
 * while the batch ran (its award reversed by a correction) is left as it is: closing never revives or reverses it
 * again. Each claim is settled under its decision locks and row lock, taken in the order decisions take them (cap
 * locks in a fixed order across the batch, so two closes cannot deadlock).
 */
export async function closePublicityBatch(ctx: PlatformContext, user: Principal, batchId: number, ip?: string | null) {
  return ctx.db.transaction().execute(async (trx) => {
    const batch = await trx.selectFrom('publicity_batches').selectAll().where('id', '=', batchId).forUpdate().executeTakeFirst();
    if (!batch) throw notFound('公示批次');
    const claims = await batchClaimsResource(ctx, trx, batchId);
    for (const c of claims) authorize(user, 'publicity.manage', resourceOf(c), ctx.access);
    if (batch.closed_at) throw new KaifangError({ code: 'invalid_state', zh: '该批公示已结束', en: 'the batch is already closed' });
    if (ctx.today() <= batch.ends_on) throw new KaifangError({ code: 'invalid_state', zh: `公示期至${batch.ends_on}，期满后方可结束公示`, en: `the publicity period runs until ${batch.ends_on}` });
    const objections = await trx.selectFrom('objections').selectAll().where('batch_id', '=', batchId).execute();
    const open = objections.filter((o) => !o.outcome);
    if (open.length) throw new KaifangError({ code: 'invalid_state', zh: `还有${open.length}条异议未处理，处理后方可结束公示`, en: `${open.length} objection(s) are unresolved` });
    const upheld = new Map(objections.filter((o) => o.outcome === 'upheld' && o.claim_id !== null).map((o) => [o.claim_id!, o]));
    const items = new Map((await trx.selectFrom('publicity_items').select(['claim_id', 'decision_id']).where('batch_id', '=', batchId).execute()).map((i) => [i.claim_id, i.decision_id]));
    const actor = actorOf(user, ip);
    const approved: number[] = [];
    const rejected: number[] = [];
    const unchanged: Array<{ id: number; state: string }> = [];
    const order = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    const byCapLock = [...claims].sort((a, b) => order(a.enterprise_uscc, b.enterprise_uscc) || order(a.incentive_id, b.incentive_id) || a.id - b.id);
    for (const listed of byCapLock) {
      // The claim as it stands now, under its locks (the batch row lock does not stop a correction of it).
      const c = (await readClaimForReview(trx, listed.id, true))!.claim;
      const latest = await trx.selectFrom('decisions').select('id').where('claim_id', '=', c.id).orderBy('id', 'desc').executeTakeFirst();
      if (c.state !== 'publicity' || latest?.id !== items.get(c.id)) {
        unchanged.push({ id: c.id, state: c.state });
        continue;
      }
      const outstanding = await claimOutstandingFen(trx, c.id);
      const objection = upheld.get(c.id);
      if (objection || outstanding <= 0) {
        if (outstanding > 0) {
          const award = (await claimAwardEntry(trx, c.id))!;
          await appendLedgerEntry(trx, { enterpriseUscc: c.enterprise_uscc, policyId: c.policy_id, measureId: c.measure_id, incentiveId: c.incentive_id, item: c.item, year: c.year, kind: 'reversal', amountFen: -outstanding, claimId: c.id, reversesEntryId: award.id, note: objection ? `公示异议成立：${objection.resolution}` : '公示期满时无奖励余额', createdBy: user.id });
        }
        await trx.updateTable('claims').set({ state: 'rejected', version: c.version + 1, updated_at: new Date() }).where('id', '=', c.id).execute();
        await appendAudit(trx, actor, { action: 'claim.publicity.upheld', entity: 'claim', entityId: c.id, details: { from: c.state, to: 'rejected', objectionId: objection?.id ?? null, reversedFen: Math.max(0, outstanding) } });
        rejected.push(c.id);
      } else {
        await trx.updateTable('claims').set({ state: 'approved', version: c.version + 1, updated_at: new Date() }).where('id', '=', c.id).execute();
        await appendAudit(trx, actor, { action: 'claim.publicity.passed', entity: 'claim', entityId: c.id, details: { from: c.state, to: 'approved' } });
        approved.push(c.id);
      }
    }
    await trx.updateTable('publicity_batches').set({ closed_at: new Date() }).where('id', '=', batchId).execute();
    await appendAudit(trx, actor, { action: 'publicity.close', entity: 'publicity', entityId: batchId, details: { approved: approved.length, rejected: rejected.length, unchanged } });
    const byId = (a: number, b: number) => a - b;
    return { id: batchId, approved: approved.sort(byId), rejected: rejected.sort(byId), unchanged: unchanged.sort((a, b) => a.id - b.id) };
  });
}

export { listScope };
