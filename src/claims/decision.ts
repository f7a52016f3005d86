/**
 * The decision (审核通过 by the lead department, or the 联审 amount for 一事一议): recompute the amount from the
 * claim's facts and the ledger as it is now, refuse what a cap, one-time rule, multi-year limit or budget no longer
 * allows, and write the decision, the award in the ledger, the claim's new state, the review and the audit record.
 *
 * The platform's hot path (measured by `npm run bench:http`): round trips were most of its cost, so a decision is
 * two statements, without a transaction of its own, in the common case:
 *   1. read the claim, its enterprise and its position in the ledger — the measure-year's budget and the
 *      enterprise's earlier awards of the incentive (workflow.ts readClaimForReview; no locks)
 *   2. the engine computes the amount
 *   3. ONE statement takes the locks (cap exclusive, budget shared; under a set budget also the spend lock:
 *      src/ledger/ledger.ts), re-reads the position under them (migration 0006: a fresh snapshot after the lock),
 *      and only if it is what step 1 read, the budget allows the amount and the claim's version has not moved,
 *      writes everything; it commits, and so releases the locks, when it ends (under an Idempotency-Key it is
 *      part of the request's transaction instead, and the locks are held until that commits)
 * If anything moved in between — a concurrent decision on the same cap, a budget set, the claim changed — nothing is
 * written and the decision is made again the careful way: in a transaction that takes the locks before reading
 * (workflow.ts). The same statement writes there (its re-read then always matches). A refusal (not eligible, cap
 * exhausted, budget exhausted) is only ever given under the locks: a position read without them may be stale.
 */
import { sql } from 'kysely';
import { auditRow } from '../audit/audit-log.ts';
import type { Db } from '../db/transaction.ts';
import { toJsonb, type Claim, type Enterprise, type ReviewStage } from '../db/schema.ts';
import type { Entitlement } from '../engine/index.ts';
import { KaifangError, ValidationError } from '../errors.ts';
import type { Principal } from '../identity/users.ts';
import type { DecisionPosition } from '../ledger/ledger.ts';
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

/** A claim as its reviewer read it, with its enterprise and its decision position (workflow.ts readClaimForReview). */
export interface ClaimAsRead {
  claim: Claim;
  enterprise: EnterpriseFacts;
  /** null when read without locks at a stage that does not decide (workflow.ts readClaimForReview) */
  position: DecisionPosition | null;
}

/**
 * Decides `read.claim` and writes the decision if nothing it depends on moved since it was read; returns undefined
 * when something did (nothing written). `underLocks`: the caller's transaction holds the claim row and the decision
 * locks since before the read, so nothing can have moved, and refusals are final (thrown); without it every
 * refusal is left to a decision under the locks (undefined).
 */
export async function decideClaim(
  ctx: PlatformContext,
  db: Db,
  user: Principal,
  read: ClaimAsRead,
  stage: ReviewStage,
  input: DecisionInput,
  ip: string | null | undefined,
  underLocks: boolean,
): Promise<DecisionResult | undefined> {
  const { claim: c, enterprise, position } = read;
  if (!position) throw new Error(`claim ${c.id}: a decision needs its ledger position, read at a stage that decides`);
  const policy = ctx.engine.policy;
  const inc = policy.incentivesById.get(c.incentive_id)!;
  const ent = evaluateClaimWith(ctx, c, enterprise, position.prior);

  let amountFen: number;
  let meetingRef: string | null = null;
  const refuse = (e: Error) => {
    if (underLocks) throw e;
    return undefined;
  };
  if (inc.kind === 'caseByCase') {
    // 一事一议: the joint meeting sets the amount; the engine still checks the period and the conditions.
    if (ent.status === 'notEligible') return refuse(notEligible(ent));
    const errs: KaifangError[] = [];
    if (typeof input.amountFen !== 'number' || !Number.isSafeInteger(input.amountFen) || input.amountFen <= 0) errs.push(new KaifangError({ code: 'required', path: 'amountFen', zh: '请填写联审会议确定的支持金额（分，正整数）', en: 'amountFen (positive integer fen) decided by the joint meeting is required' }));
    if (typeof input.meetingRef !== 'string' || !input.meetingRef.trim()) errs.push(new KaifangError({ code: 'required', path: 'meetingRef', zh: '请填写联审会议纪要编号', en: 'meetingRef (the minutes of the joint meeting) is required' }));
    if (errs.length) throw new ValidationError(errs);
    amountFen = input.amountFen as number;
    meetingRef = (input.meetingRef as string).trim();
  } else {
    if (ent.status !== 'eligible' || !ent.amountFen) return refuse(notEligible(ent));
    amountFen = ent.amountFen;
  }

  const now = new Date();
  const audit = auditRow(actorOf(user, ip), {
    action: `claim.${inc.kind === 'caseByCase' ? 'jointReview' : 'departmentReview'}.decide`,
    entity: 'claim',
    entityId: c.id,
    details: { from: c.state, to: 'publicity', amountFen, policyVersion: policy.version },
  });
  const seen = position.seen;
  const budget = position.budgetFen;
  // One statement (data-modifying CTEs all run, read or not; each write here draws its rows from the one before,
  // so when `ok` is empty nothing is written). pos: the locks, then the position read again under them; spend:
  // under a set budget, the spend lock, then what the measure-year has committed.
  const { rows } = await sql<{ unchanged: boolean; committed: number | string | null; decision_id: number | null; entry_id: number | null }>`
    with pos as (
           select kaifang_lock_for_decision(${c.policy_id}, ${c.enterprise_uscc}, ${c.incentive_id}, ${c.measure_id}, ${c.year}::integer, ${c.id}::bigint) as p),
         spend as (
           select case when ${budget}::bigint is null then null
                       else kaifang_lock_budget_spending(${c.policy_id}, ${c.measure_id}, ${c.year}::integer) end as committed
             from pos),
         ok as (
           select 1 from pos, spend
            where pos.p = ${seen}::jsonb
              and (${budget}::bigint is null or spend.committed + ${amountFen}::bigint <= ${budget}::bigint)),
         claim as (
           update claims set state = 'publicity', version = ${c.version + 1}, updated_at = ${now}
            where id = ${c.id} and version = ${c.version} and exists (select 1 from ok)
           returning id),
         review as (
           insert into reviews (claim_id, stage, actor_id, action)
           select claim.id, ${stage}, ${user.id}, 'pass' from claim
           returning id),
         decision as (
           insert into decisions (claim_id, amount_fen, explanation, policy_id, policy_version, case_by_case, meeting_ref, decided_by)
           select claim.id, ${amountFen}, ${toJsonb(ent.explanation ?? {})}::jsonb, ${policy.id}, ${policy.version}, ${inc.kind === 'caseByCase'}, ${meetingRef}, ${user.id}
             from claim
           returning id),
         entry as (
           insert into ledger_entries (enterprise_uscc, policy_id, measure_id, incentive_id, item, year, kind, amount_fen, claim_id, decision_id, created_by)
           select ${c.enterprise_uscc}, ${c.policy_id}, ${c.measure_id}, ${c.incentive_id}, ${c.item}, ${c.year}, 'award', ${amountFen}, ${c.id}, decision.id, ${user.id}
             from decision
           returning id),
         audit as (
           insert into audit_log (at, actor, actor_user_id, action, entity, entity_id, ip, details)
           select ${audit.at}, ${audit.actor}, ${audit.actor_user_id}, ${audit.action}, ${audit.entity}, ${audit.entity_id}, ${audit.ip},
                  ${audit.details}::jsonb || jsonb_build_object('decisionId', decision.id, 'ledgerEntryId', entry.id)
             from decision, entry
           returning id)
    select (select pos.p = ${seen}::jsonb from pos) as unchanged, (select committed from spend) as committed,
           (select id from decision) as decision_id, (select id from entry) as entry_id`.execute(db);
  const r = rows[0];
  if (r.decision_id !== null && r.entry_id !== null) return { id: r.decision_id, amountFen, ledgerEntryId: r.entry_id, explanation: ent.explanation };
  if (r.unchanged && budget !== null && r.committed !== null && Number(r.committed) + amountFen > budget) return refuse(budgetExhausted(c, budget, Number(r.committed), amountFen));
  // The position or the claim moved since it was read: not possible under the locks.
  if (underLocks) throw new Error(`claim ${c.id}: the ledger or the claim changed under the decision locks`);
  return undefined;
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
