/**
 * The decision (审核通过 by the lead department, or the 联审 amount for 一事一议): inside the reviewer's transaction,
 * with the claim row already locked, recompute the amount from the claim's facts and the ledger as it is now,
 * refuse what a cap, one-time rule, multi-year limit or budget no longer allows, and write the decision, the award
 * in the ledger, the claim's new state and the audit record.
 *
 * This is the platform's hot path (measured by `npm run bench:http`), so it keeps its round trips few, holds no
 * lock that every decision needs (the locks: src/ledger/ledger.ts) and writes its statements in plain SQL (a
 * query builder's per-call work was a sixth of the server's CPU per decision):
 *   1. (the caller, workflow.ts) lock the claim row, the enterprise's cap and the measure-year's budget (shared),
 *      then read the measure-year's budget and the enterprise's earlier awards of this incentive
 *   2. (only under a set budget) lock spending from it, then read what the measure-year has committed
 *   3. one statement writes the review, the decision, the ledger entry, the claim's state and its audit record
 * Each read follows its lock inside a PL/pgSQL function (migration 0006): under READ COMMITTED a statement sees
 * what was committed when it began, so a read in the same plain statement as a lock wait could miss the decision
 * it waited for; a function's statements each take a fresh snapshot.
 */
import { sql } from 'kysely';
import { auditRow } from '../audit/audit-log.ts';
import type { Db } from '../db/transaction.ts';
import { toJsonb, type Claim, type Enterprise, type ReviewStage } from '../db/schema.ts';
import type { Entitlement } from '../engine/index.ts';
import { KaifangError, ValidationError } from '../errors.ts';
import type { Principal } from '../identity/users.ts';
import { lockBudgetSpending, type DecisionPosition } from '../ledger/ledger.ts';
import { formatFen } from '../policy/quantities.ts';
import { evaluateClaimWith } from './claims.ts';
import { actorOf, type PlatformContext } from './context.ts';

export interface DecisionInput {
  /** 一事一议: the amount the joint meeting decided */
  amountFen?: unknown;
  meetingRef?: unknown;
}

export interface DecisionResult {
  id: number;
  amountFen: number;
  ledgerEntryId: number;
  explanation: Entitlement['explanation'];
}

type EnterpriseFacts = Pick<Enterprise, 'uscc' | 'name' | 'area_id' | 'industry_class'>;

/** The claim as its reviewer's transaction locked it (workflow.ts lockClaimForReview): row and decision locks held. */
export interface LockedClaim {
  claim: Claim;
  enterprise: EnterpriseFacts;
  /** read under the decision locks */
  position: DecisionPosition;
}

export async function decideClaim(ctx: PlatformContext, trx: Db, user: Principal, locked: LockedClaim, stage: ReviewStage, input: DecisionInput, ip?: string | null): Promise<DecisionResult> {
  const { claim: c, enterprise, position } = locked;
  const policy = ctx.engine.policy;
  const inc = policy.incentivesById.get(c.incentive_id)!;
  const keys = { enterpriseUscc: c.enterprise_uscc, policyId: c.policy_id, incentiveId: c.incentive_id, measureId: c.measure_id, year: c.year };
  const ent = evaluateClaimWith(ctx, c, enterprise, position.prior);

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

  if (position.budgetFen !== null) {
    // First come, first served: spending a set budget is one decision at a time, and the budget cannot change
    // meanwhile (setting it needs the budget lock this transaction holds shared).
    const committed = await lockBudgetSpending(trx, keys);
    if (committed + amountFen > position.budgetFen) throw budgetExhausted(c, position.budgetFen, committed, amountFen);
  }

  const now = new Date();
  const audit = auditRow(actorOf(user, ip), {
    action: `claim.${inc.kind === 'caseByCase' ? 'jointReview' : 'departmentReview'}.decide`,
    entity: 'claim',
    entityId: c.id,
    details: { from: c.state, to: 'publicity', amountFen, policyVersion: policy.version },
  });
  // One statement, five writes (data-modifying CTEs all run, read or not). The ledger entry and the audit record
  // take the new decision's and entry's ids from the CTEs before them.
  const { rows } = await sql<{ decision_id: number; entry_id: number }>`
    with review as (
           insert into reviews (claim_id, stage, actor_id, action)
           values (${c.id}, ${stage}, ${user.id}, 'pass')
           returning id),
         decision as (
           insert into decisions (claim_id, amount_fen, explanation, policy_id, policy_version, case_by_case, meeting_ref, decided_by)
           values (${c.id}, ${amountFen}, ${toJsonb(ent.explanation ?? {})}::jsonb, ${policy.id}, ${policy.version}, ${inc.kind === 'caseByCase'}, ${meetingRef}, ${user.id})
           returning id),
         entry as (
           insert into ledger_entries (enterprise_uscc, policy_id, measure_id, incentive_id, item, year, kind, amount_fen, claim_id, decision_id, created_by)
           select ${c.enterprise_uscc}, ${c.policy_id}, ${c.measure_id}, ${c.incentive_id}, ${c.item}, ${c.year}, 'award', ${amountFen}, ${c.id}, decision.id, ${user.id}
             from decision
           returning id),
         claim as (
           update claims set state = 'publicity', version = ${c.version + 1}, updated_at = ${now}
            where id = ${c.id} and version = ${c.version}
           returning id),
         audit as (
           insert into audit_log (at, actor, actor_user_id, action, entity, entity_id, ip, details)
           select ${audit.at}, ${audit.actor}, ${audit.actor_user_id}, ${audit.action}, ${audit.entity}, ${audit.entity_id}, ${audit.ip},
                  ${audit.details}::jsonb || jsonb_build_object('decisionId', decision.id, 'ledgerEntryId', entry.id)
             from decision, entry
           returning id)
    select decision.id as decision_id, entry.id as entry_id
      from decision, entry, claim, review, audit`.execute(trx);
  const written = rows[0];
  // The claim row is locked by the caller, so its version cannot have moved; if it did, nothing commits.
  if (!written) throw new Error(`claim ${c.id} changed under its row lock`);
  return { id: written.decision_id, amountFen, ledgerEntryId: written.entry_id, explanation: ent.explanation };
}

function budgetExhausted(c: Claim, budgetFen: number, committed: number, amountFen: number) {
  const left = Math.max(0, budgetFen - committed);
  return new KaifangError({
    code: 'budget_exhausted',
    zh: `措施${c.measure_id} ${c.year}年度预算不足：预算${formatFen(budgetFen)}，已承诺${formatFen(committed)}，剩余${formatFen(left)}，本件需${formatFen(amountFen)}。申报按提交先后排队，追加预算后可继续审核。`,
    en: `the ${c.year} budget of measure ${c.measure_id} is exhausted: ${left} fen left, ${amountFen} fen needed; the claim waits in submission order until the budget is raised`,
    details: { budgetFen, committedFen: committed, neededFen: amountFen },
  });
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
