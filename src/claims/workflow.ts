/**
 * The claim workflow: submit → 初审 by the enterprise's town/zone → the lead department (牵头单位) → 联审 for
 * 一事一议 → 公示 → approved → paid. Every transition checks role, scope and state, and writes its review, its
 * ledger entries and its audit record in one transaction. A decision recomputes the amount with the engine
 * against the ledger under advisory locks (ledger.ts), so no cap, one-time rule or budget can be exceeded by
 * concurrent approvals.
 */
import type { Db } from '../db/transaction.ts';
import type { Claim, ClaimState, ReviewStage } from '../db/schema.ts';
import { toJsonb } from '../db/schema.ts';
import { KaifangError, ValidationError } from '../errors.ts';
import { appendAudit } from '../audit/audit-log.ts';
import type { Principal } from '../identity/users.ts';
import { formatFen } from '../policy/quantities.ts';
import { appendLedgerEntry, budgetPosition, lockForDecision } from '../ledger/ledger.ts';
import { assertNotCreditBlocked } from '../credit/credit.ts';
import { actorOf, type PlatformContext } from './context.ts';
import { checkClaimAccess, evaluateClaim, invalidState, loadClaim } from './claims.ts';

async function transition(
  ctx: PlatformContext,
  trx: Db,
  user: Principal,
  c: Claim,
  to: ClaimState,
  audit: { action: string; details?: Record<string, unknown> },
  ip?: string | null,
  extra: { submitted_at?: Date } = {},
) {
  await trx
    .updateTable('claims')
    .set({ state: to, version: c.version + 1, updated_at: new Date(), ...extra })
    .where('id', '=', c.id)
    .where('version', '=', c.version)
    .executeTakeFirstOrThrow();
  await appendAudit(trx, actorOf(user, ip), { action: audit.action, entity: 'claim', entityId: c.id, details: { from: c.state, to, ...audit.details } });
}

export async function submitClaim(ctx: PlatformContext, user: Principal, id: number, ip?: string | null) {
  return ctx.db.transaction().execute(async (trx) => {
    const c = await loadClaim(ctx, trx, user, id, 'claim.submit', true);
    if (c.state !== 'draft' && c.state !== 'returned') throw invalidState(c.state, '只有草稿或被退回的申报可以提交', 'only drafts and returned claims can be submitted');
    await assertNotCreditBlocked(trx, c.enterprise_uscc, ctx.today(), 'submit');
    const inc = ctx.engine.policy.incentivesById.get(c.incentive_id)!;
    if (inc.kind === 'cappedClaim' && c.amount_claimed_fen === null) {
      throw new ValidationError([new KaifangError({ code: 'required', path: 'amountClaimedFen', zh: '请填写申报金额', en: 'state the amount claimed' })]);
    }
    await transition(ctx, trx, user, c, 'submitted', { action: 'claim.submit' }, ip, { submitted_at: new Date() });
    return { id, state: 'submitted' as const };
  });
}

export async function withdrawClaim(ctx: PlatformContext, user: Principal, id: number, reason: string | undefined, ip?: string | null) {
  return ctx.db.transaction().execute(async (trx) => {
    const c = await loadClaim(ctx, trx, user, id, 'claim.withdraw', true);
    if (!['draft', 'submitted', 'returned', 'departmentReview', 'jointReview'].includes(c.state)) {
      throw invalidState(c.state, '已作出决定的申报不能撤回', 'a decided claim cannot be withdrawn');
    }
    await transition(ctx, trx, user, c, 'withdrawn', { action: 'claim.withdraw', details: { reason: reason ?? null } }, ip);
    return { id, state: 'withdrawn' as const };
  });
}

export interface ReviewInput {
  action: unknown;
  reason?: unknown;
  /** 一事一议: the amount the joint meeting decided */
  amountFen?: unknown;
  meetingRef?: unknown;
}

const STAGE_OF: Partial<Record<ClaimState, { stage: ReviewStage; permission: 'claim.firstReview' | 'claim.departmentReview' | 'claim.jointDecision' }>> = {
  submitted: { stage: 'firstReview', permission: 'claim.firstReview' },
  departmentReview: { stage: 'departmentReview', permission: 'claim.departmentReview' },
  jointReview: { stage: 'jointReview', permission: 'claim.jointDecision' },
};

export async function reviewClaim(ctx: PlatformContext, user: Principal, id: number, input: ReviewInput, ip?: string | null) {
  const action = input.action;
  if (action !== 'pass' && action !== 'return' && action !== 'reject') {
    throw new ValidationError([new KaifangError({ code: 'bad_action', path: 'action', zh: '审核操作应为 pass（通过）、return（退回修改）或 reject（不予支持）', en: 'action must be pass, return or reject' })]);
  }
  const reason = typeof input.reason === 'string' ? input.reason.trim() : '';
  if (action !== 'pass' && !reason) {
    throw new ValidationError([new KaifangError({ code: 'reason_required', path: 'reason', zh: action === 'return' ? '退回修改须写明需要补正的内容' : '不予支持须写明理由', en: action === 'return' ? 'say what must be corrected' : 'a rejection needs its reason' })]);
  }
  return ctx.db.transaction().execute(async (trx) => {
    // Lock the claim row first: a second reviewer (or a retried request) waits, then sees the new state.
    const peek = await trx.selectFrom('claims').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    const stage = peek ? STAGE_OF[peek.state] : undefined;
    // The locked row is the claim as it now stands: loadClaim's checks on it, without reading it again.
    const c = checkClaimAccess(ctx, user, peek, stage?.permission ?? 'claim.departmentReview');
    if (!stage) throw invalidState(c.state, '该申报当前不在审核环节', 'the claim is not awaiting a review');
    await trx.insertInto('reviews').values({ claim_id: id, stage: stage.stage, actor_id: user.id, action, reason: reason || null }).execute();
    if (action === 'return') {
      await transition(ctx, trx, user, c, 'returned', { action: `claim.${stage.stage}.return`, details: { reason } }, ip);
      return { id, state: 'returned' as const };
    }
    if (action === 'reject') {
      await transition(ctx, trx, user, c, 'rejected', { action: `claim.${stage.stage}.reject`, details: { reason } }, ip);
      return { id, state: 'rejected' as const };
    }
    const inc = ctx.engine.policy.incentivesById.get(c.incentive_id)!;
    if (stage.stage === 'firstReview') {
      await transition(ctx, trx, user, c, 'departmentReview', { action: 'claim.firstReview.pass' }, ip);
      return { id, state: 'departmentReview' as const };
    }
    if (stage.stage === 'departmentReview' && inc.kind === 'caseByCase') {
      await transition(ctx, trx, user, c, 'jointReview', { action: 'claim.departmentReview.pass', details: { next: '一事一议联审' } }, ip);
      return { id, state: 'jointReview' as const };
    }
    const decision = await decide(ctx, trx, user, c, input, ip);
    return { id, state: 'publicity' as const, decision };
  });
}

/**
 * The decision: inside the caller's transaction, under the cap and budget locks, recompute the amount from the
 * claim's facts and the ledger as it is now, refuse what a cap, one-time rule or budget no longer allows, and
 * write the decision, the award in the ledger and the audit record.
 */
async function decide(ctx: PlatformContext, trx: Db, user: Principal, c: Claim, input: ReviewInput, ip?: string | null) {
  const policy = ctx.engine.policy;
  const inc = policy.incentivesById.get(c.incentive_id)!;
  // Read before the locks (they guard the ledger and budgets, not the enterprise row), so that this read is
  // not part of the section every decision of the measure-year waits for.
  const enterprise = await trx.selectFrom('enterprises').selectAll().where('uscc', '=', c.enterprise_uscc).executeTakeFirstOrThrow();
  await lockForDecision(trx, { enterpriseUscc: c.enterprise_uscc, policyId: c.policy_id, incentiveId: c.incentive_id, measureId: c.measure_id, year: c.year });
  const ent = await evaluateClaim(ctx, trx, c, enterprise);
  let amountFen: number;
  let meetingRef: string | null = null;
  if (inc.kind === 'caseByCase') {
    // 一事一议: the joint meeting sets the amount; the engine still checks the period and the conditions.
    if (ent.status === 'notEligible') throw notEligible(ent);
    const errs: KaifangError[] = [];
    if (typeof input.amountFen !== 'number' || !Number.isSafeInteger(input.amountFen) || input.amountFen <= 0) errs.push(new KaifangError({ code: 'required', path: 'amountFen', zh: '请填写联审会议确定的支持金额（分，正整数）', en: 'amountFen (positive integer fen) decided by the joint meeting is required' }));
    if (typeof input.meetingRef !== 'string' || !input.meetingRef.trim()) errs.push(new KaifangError({ code: 'required', path: 'meetingRef', zh: '请填写联审会议纪要编号', en: 'meetingRef (the minutes of the joint meeting) is required' }));
    if (errs.length) throw new ValidationError(errs);
    amountFen = input.amountFen as number;
    meetingRef = (input.meetingRef as string).trim();
  } else {
    if (ent.status !== 'eligible' || !ent.amountFen) throw notEligible(ent);
    amountFen = ent.amountFen;
  }
  // Without a budget for the measure-year there is nothing to check: skip summing its ledger (under the lock).
  const budgeted = await trx.selectFrom('budgets').select('amount_fen').where('policy_id', '=', c.policy_id).where('measure_id', '=', c.measure_id).where('year', '=', c.year).executeTakeFirst();
  const budget = budgeted ? await budgetPosition(trx, c.policy_id, c.measure_id, c.year) : { budgetFen: null, committedFen: 0 };
  if (budget.budgetFen !== null && budget.committedFen + amountFen > budget.budgetFen) {
    const left = Math.max(0, budget.budgetFen - budget.committedFen);
    throw new KaifangError({
      code: 'budget_exhausted',
      zh: `措施${c.measure_id} ${c.year}年度预算不足：预算${formatFen(budget.budgetFen)}，已承诺${formatFen(budget.committedFen)}，剩余${formatFen(left)}，本件需${formatFen(amountFen)}。申报按提交先后排队，追加预算后可继续审核。`,
      en: `the ${c.year} budget of measure ${c.measure_id} is exhausted: ${left} fen left, ${amountFen} fen needed; the claim waits in submission order until the budget is raised`,
      details: { budgetFen: budget.budgetFen, committedFen: budget.committedFen, neededFen: amountFen },
    });
  }
  const decision = await trx
    .insertInto('decisions')
    .values({
      claim_id: c.id,
      amount_fen: amountFen,
      explanation: toJsonb(ent.explanation ?? {}),
      policy_id: policy.id,
      policy_version: policy.version,
      case_by_case: inc.kind === 'caseByCase',
      meeting_ref: meetingRef,
      decided_by: user.id,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const entryId = await appendLedgerEntry(trx, {
    enterpriseUscc: c.enterprise_uscc,
    policyId: c.policy_id,
    measureId: c.measure_id,
    incentiveId: c.incentive_id,
    item: c.item,
    year: c.year,
    kind: 'award',
    amountFen,
    claimId: c.id,
    decisionId: decision.id,
    createdBy: user.id,
  });
  await transition(ctx, trx, user, c, 'publicity', { action: `claim.${inc.kind === 'caseByCase' ? 'jointReview' : 'departmentReview'}.decide`, details: { amountFen, decisionId: decision.id, ledgerEntryId: entryId, policyVersion: policy.version } }, ip);
  return { id: decision.id, amountFen, ledgerEntryId: entryId, explanation: ent.explanation };
}

function notEligible(ent: { explanation?: { reasons: Array<{ code: string; zh: string; en: string }>; whatWouldQualify?: { zh: string; en: string } } }) {
  const reasons = ent.explanation?.reasons ?? [];
  return new KaifangError({
    code: reasons.some((r) => r.code === 'cap_exhausted' || r.code === 'already_awarded' || r.code === 'max_years_reached') ? 'cap_exceeded' : 'not_eligible',
    zh: `按政策规则重新计算后不予支持：${reasons.map((r) => r.zh).join('；') || '不符合条件'}。请退回修改或作出不予支持决定。`,
    en: `the engine, recomputing against the ledger, finds nothing payable: ${reasons.map((r) => r.en).join('; ')}`,
    details: { reasons, whatWouldQualify: ent.explanation?.whatWouldQualify },
  });
}

/** A correction after a decision: a reversal (before payment) or a clawback (after), never an edit. */
export async function correctAward(ctx: PlatformContext, user: Principal, id: number, input: { kind: 'reversal' | 'clawback'; reason: unknown; amountFen?: unknown }, ip?: string | null) {
  const reason = typeof input.reason === 'string' ? input.reason.trim() : '';
  if (!reason) throw new ValidationError([new KaifangError({ code: 'reason_required', path: 'reason', zh: '更正须写明理由', en: 'a correction needs its reason' })]);
  return ctx.db.transaction().execute(async (trx) => {
    const c = await loadClaim(ctx, trx, user, id, 'ledger.correct', true);
    const award = await trx.selectFrom('ledger_entries').selectAll().where('claim_id', '=', id).where('kind', '=', 'award').orderBy('id', 'desc').executeTakeFirst();
    if (!award) throw invalidState(c.state, '该申报没有已决定的奖励', 'the claim has no award to correct');
    const net = await trx.selectFrom('ledger_entries').select((eb) => eb.fn.sum<number>('amount_fen').as('s')).where('claim_id', '=', id).where('kind', '!=', 'cityAward').executeTakeFirstOrThrow();
    const outstanding = Number(net.s ?? 0);
    if (input.kind === 'reversal' && !['publicity', 'approved'].includes(c.state)) throw invalidState(c.state, '冲销只适用于尚未拨付的奖励；已拨付的请追回', 'a reversal is for unpaid awards; use a clawback after payment');
    if (input.kind === 'clawback' && c.state !== 'paid') throw invalidState(c.state, '追回只适用于已拨付的奖励', 'a clawback is for paid awards');
    const amount = input.kind === 'reversal' ? outstanding : Number(input.amountFen);
    if (!Number.isSafeInteger(amount) || amount <= 0 || amount > outstanding) {
      throw new ValidationError([new KaifangError({ code: 'bad_amount', path: 'amountFen', zh: `追回金额应为不超过${formatFen(outstanding)}的正数（分）`, en: `amountFen must be a positive integer up to ${outstanding}` })]);
    }
    const entryId = await appendLedgerEntry(trx, { enterpriseUscc: c.enterprise_uscc, policyId: c.policy_id, measureId: c.measure_id, incentiveId: c.incentive_id, item: c.item, year: c.year, kind: input.kind, amountFen: -amount, claimId: id, reversesEntryId: award.id, note: reason, createdBy: user.id });
    if (input.kind === 'reversal') await transition(ctx, trx, user, c, 'rejected', { action: 'claim.reverse', details: { reason, amountFen: amount, ledgerEntryId: entryId } }, ip);
    else await appendAudit(trx, actorOf(user, ip), { action: 'claim.clawback', entity: 'claim', entityId: id, details: { reason, amountFen: amount, ledgerEntryId: entryId } });
    return { id, ledgerEntryId: entryId, amountFen: -amount };
  });
}
