/**
 * The claim workflow: submit → 初审 by the enterprise's town/zone → the lead department (牵头单位) → 联审 for
 * 一事一议 → 公示 → approved → paid. Every transition checks role, scope and state, and writes its review, its
 * ledger entries and its audit record in one transaction. A decision (decision.ts) recomputes the amount with the
 * engine against the ledger under advisory locks (ledger.ts), so no cap, one-time rule or budget can be exceeded
 * by concurrent approvals.
 */
import { sql } from 'kysely';
import type { Db } from '../db/transaction.ts';
import type { Claim, ClaimState, Enterprise, ReviewStage } from '../db/schema.ts';
import { KaifangError, ValidationError } from '../errors.ts';
import { appendAudit } from '../audit/audit-log.ts';
import type { Principal } from '../identity/users.ts';
import { formatFen } from '../policy/quantities.ts';
import { appendLedgerEntry, claimAwardEntry, claimOutstandingFen, decisionPositionOf, decisionPositionSql } from '../ledger/ledger.ts';
import { assertNotCreditBlocked } from '../credit/credit.ts';
import { actorOf, type PlatformContext } from './context.ts';
import { checkClaimAccess, invalidState, loadClaim } from './claims.ts';
import { decideClaim, type ClaimAsRead } from './decision.ts';
import { checkRecoveryDeadline, openRecovery } from './recoveries.ts';

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

/** The states whose review can end in a decision (the lead department's; the joint review's). */
const DECIDING_STATES: ClaimState[] = ['departmentReview', 'jointReview'];

const STAGE_OF: Partial<Record<ClaimState, { stage: ReviewStage; permission: 'claim.firstReview' | 'claim.departmentReview' | 'claim.jointDecision' }>> = {
  submitted: { stage: 'firstReview', permission: 'claim.firstReview' },
  departmentReview: { stage: 'departmentReview', permission: 'claim.departmentReview' },
  jointReview: { stage: 'jointReview', permission: 'claim.jointDecision' },
};

/**
 * A claim as its reviewer reads it: the row, its enterprise's name, area and class (a decision evaluates the
 * claim with them), and its decision position in the ledger (ledger.ts, migration 0006) — one round trip on the
 * platform's hot path, so plain SQL. `lock`: inside a transaction, lock the claim row for the rest of it and take
 * the decision locks before reading the position (cap exclusive, budget shared). They are taken for every review
 * action: they cost little, and the reviewer's transaction then takes them before the claim row, in the order every
 * other holder does (taking them only once the row showed a decision would reverse that order). Without `lock` the
 * position is read only for a claim at a stage that decides (null otherwise). Undefined when there is no such claim.
 */
export async function readClaimForReview(db: Db, id: number, lock: boolean): Promise<ClaimAsRead | undefined> {
  if (!Number.isSafeInteger(id) || id <= 0) return undefined;
  const { rows } = await sql<Claim & { enterprise_name: string; enterprise_area_id: string; enterprise_industry_class: Enterprise['industry_class']; decision_position: unknown }>`
    select c.*, e.name as enterprise_name, e.area_id as enterprise_area_id, e.industry_class as enterprise_industry_class,
           ${lock ? decisionPositionSql('c', true) : sql`case when c.state in (${sql.join(DECIDING_STATES)}) then ${decisionPositionSql('c', false)} end`} as decision_position
      from claims c
      join enterprises e on e.uscc = c.enterprise_uscc
     where c.id = ${id}
       ${lock ? sql`for update of c` : sql``}`.execute(db);
  if (!rows.length) return undefined;
  const { enterprise_name: name, enterprise_area_id: area_id, enterprise_industry_class: industry_class, decision_position, ...claim } = rows[0];
  return { claim: claim as Claim, enterprise: { uscc: claim.enterprise_uscc, name, area_id, industry_class }, position: decision_position === null ? null : decisionPositionOf(decision_position) };
}

/** The review stage the claim awaits, after the reviewer's access to it is checked (404 when not theirs). */
function reviewStageOf(ctx: PlatformContext, user: Principal, read: ClaimAsRead | undefined) {
  const stage = read ? STAGE_OF[read.claim.state] : undefined;
  const c = checkClaimAccess(ctx, user, read?.claim, stage?.permission ?? 'claim.departmentReview');
  if (!stage) throw invalidState(c.state, '该申报当前不在审核环节', 'the claim is not awaiting a review');
  const inc = ctx.engine.policy.incentivesById.get(c.incentive_id)!;
  // Passing at the lead department decides, except 一事一议, which the joint review (联审) decides.
  const decides = stage.stage === 'jointReview' || (stage.stage === 'departmentReview' && inc.kind !== 'caseByCase');
  return { c, stage: stage.stage, decides };
}

async function decideWithoutWaiting(ctx: PlatformContext, user: Principal, id: number, input: ReviewInput, ip: string | null | undefined) {
  const read = await readClaimForReview(ctx.db, id, false);
  const { c, stage, decides } = reviewStageOf(ctx, user, read);
  return decides ? decideClaim(ctx, ctx.db, user, { ...read!, claim: c }, stage, input, ip, false) : undefined;
}

export async function reviewClaim(ctx: PlatformContext, user: Principal, id: number, input: ReviewInput, ip?: string | null) {
  const action = input.action;
  if (action !== 'pass' && action !== 'return' && action !== 'reject') {
    throw new ValidationError([new KaifangError({ code: 'bad_action', path: 'action', zh: '审核操作应为 pass（通过）、return（退回修改）或 reject（不予支持）', en: 'action must be pass, return or reject' })]);
  }
  const reason = typeof input.reason === 'string' ? input.reason.trim() : '';
  if (action !== 'pass' && !reason) {
    throw new ValidationError([new KaifangError({ code: 'reason_required', path: 'reason', zh: action === 'return' ? '退回修改须写明需要补正的内容' : '不予支持须写明理由', en: action === 'return' ? 'say what must be corrected' : 'a rejection needs its reason' })]);
  }
  if (action === 'pass') {
    // A decision first without a transaction of its own: read, compute, and write in one statement that checks
    // under the locks that nothing moved meanwhile (decision.ts). When something did, or when the answer is any
    // refusal (which a read without locks cannot be sure of), it is decided again below, under the locks.
    const decided = await decideWithoutWaiting(ctx, user, id, input, ip).catch(() => undefined);
    if (decided) return { id, state: 'publicity' as const, decision: decided };
  }
  return ctx.db.transaction().execute(async (trx) => {
    // Lock the claim row first: a second reviewer (or a retried request) waits, then sees the new state.
    const locked = await readClaimForReview(trx, id, true);
    // The locked row is the claim as it now stands: loadClaim's checks on it, without reading it again.
    const { c, stage, decides } = reviewStageOf(ctx, user, locked);
    if (action === 'pass' && decides) {
      // The decision writes its review row together with everything else (decision.ts).
      const decision = (await decideClaim(ctx, trx, user, { ...locked!, claim: c }, stage, input, ip, true))!;
      return { id, state: 'publicity' as const, decision };
    }
    await trx.insertInto('reviews').values({ claim_id: id, stage, actor_id: user.id, action, reason: reason || null }).execute();
    if (action === 'return') {
      await transition(ctx, trx, user, c, 'returned', { action: `claim.${stage}.return`, details: { reason } }, ip);
      return { id, state: 'returned' as const };
    }
    if (action === 'reject') {
      await transition(ctx, trx, user, c, 'rejected', { action: `claim.${stage}.reject`, details: { reason } }, ip);
      return { id, state: 'rejected' as const };
    }
    if (stage === 'firstReview') {
      await transition(ctx, trx, user, c, 'departmentReview', { action: 'claim.firstReview.pass' }, ip);
      return { id, state: 'departmentReview' as const };
    }
    await transition(ctx, trx, user, c, 'jointReview', { action: 'claim.departmentReview.pass', details: { next: '一事一议联审' } }, ip);
    return { id, state: 'jointReview' as const };
  });
}

/**
 * A correction after a decision: a reversal (before payment: the whole award still standing, and the claim is not
 * supported) or a clawback (after payment: part or all of what was paid), never an edit. The amount derives from
 * what is outstanding on the claim, read under the decision locks and the claim's row lock (taken in that order,
 * as a decision takes them), so two corrections — or a correction and the close of its 公示 batch — can never
 * take back the same money twice; the ledger refuses it too (migration 0007).
 *
 * A clawback also opens the debt it creates (recoveries.ts: 应追回, with the department's optional deadline
 * `dueOn`), in the same transaction, for the department to follow until the money is back. The money that comes
 * back is recorded there, never in the ledger: this clawback entry has already taken it out of the award.
 */
export async function correctAward(ctx: PlatformContext, user: Principal, id: number, input: { kind: unknown; reason: unknown; amountFen?: unknown; dueOn?: unknown }, ip?: string | null) {
  const errors: KaifangError[] = [];
  if (input.kind !== 'reversal' && input.kind !== 'clawback') errors.push(new KaifangError({ code: 'bad_kind', path: 'kind', zh: '更正方式应为 reversal（冲销，未拨付）或 clawback（追回，已拨付）', en: 'kind must be reversal (before payment) or clawback (after payment)' }));
  const reason = typeof input.reason === 'string' ? input.reason.trim() : '';
  if (!reason) errors.push(new KaifangError({ code: 'reason_required', path: 'reason', zh: '更正须写明理由', en: 'a correction needs its reason' }));
  if (input.kind === 'reversal' && input.amountFen !== undefined && input.amountFen !== null) errors.push(new KaifangError({ code: 'not_allowed', path: 'amountFen', zh: '冲销针对尚未拨付的全部奖励，不能指定金额；部分更正请在拨付后追回', en: 'a reversal takes back the whole unpaid award; it takes no amount' }));
  if (input.kind === 'reversal' && input.dueOn !== undefined && input.dueOn !== null) errors.push(new KaifangError({ code: 'not_allowed', path: 'dueOn', zh: '冲销不涉及缴回，不能设缴回期限', en: 'a reversal takes nothing back from the enterprise; it takes no dueOn' }));
  if (errors.length) throw new ValidationError(errors);
  const kind = input.kind as 'reversal' | 'clawback';
  const dueOn = kind === 'clawback' ? checkRecoveryDeadline(input.dueOn, ctx.today()) : null;
  return ctx.db.transaction().execute(async (trx) => {
    const locked = await readClaimForReview(trx, id, true);
    const c = checkClaimAccess(ctx, user, locked?.claim, 'ledger.correct');
    const award = await claimAwardEntry(trx, id);
    if (!award) throw invalidState(c.state, '该申报没有已决定的奖励', 'the claim has no award to correct');
    if (kind === 'reversal' && !['publicity', 'approved'].includes(c.state)) throw invalidState(c.state, '冲销只适用于已决定、尚未拨付的奖励；已拨付的请追回', 'a reversal is for decided, unpaid awards; use a clawback after payment');
    if (kind === 'clawback' && c.state !== 'paid') throw invalidState(c.state, '追回只适用于已拨付的奖励', 'a clawback is for paid awards');
    const outstanding = await claimOutstandingFen(trx, id);
    if (outstanding <= 0) throw invalidState(c.state, '该奖励已全部冲销或追回，没有可更正的金额', 'nothing of this award is outstanding');
    const amount = kind === 'reversal' ? outstanding : Number(input.amountFen);
    if (!Number.isSafeInteger(amount) || amount <= 0 || amount > outstanding) {
      throw new ValidationError([new KaifangError({ code: 'bad_amount', path: 'amountFen', zh: `追回金额应为不超过${formatFen(outstanding)}的正数（分）`, en: `amountFen must be a positive integer up to ${outstanding}` })]);
    }
    const entryId = await appendLedgerEntry(trx, { enterpriseUscc: c.enterprise_uscc, policyId: c.policy_id, measureId: c.measure_id, incentiveId: c.incentive_id, item: c.item, year: c.year, kind, amountFen: -amount, claimId: id, reversesEntryId: award.id, note: reason, createdBy: user.id });
    if (kind === 'reversal') {
      await transition(ctx, trx, user, c, 'rejected', { action: 'claim.reverse', details: { reason, amountFen: amount, ledgerEntryId: entryId } }, ip);
      return { id, ledgerEntryId: entryId, amountFen: -amount, outstandingFen: outstanding - amount, state: 'rejected' as ClaimState, recoveryId: null };
    }
    const recoveryId = await openRecovery(trx, { claim: c, ledgerEntryId: entryId, dueFen: amount, clawedBackOn: ctx.today(), dueOn, createdBy: user.id });
    await appendAudit(trx, actorOf(user, ip), { action: 'claim.clawback', entity: 'claim', entityId: id, details: { reason, amountFen: amount, outstandingFen: outstanding - amount, ledgerEntryId: entryId, recoveryId, dueOn } });
    return { id, ledgerEntryId: entryId, amountFen: -amount, outstandingFen: outstanding - amount, state: c.state, recoveryId };
  });
}
