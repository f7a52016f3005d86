/**
 * Time on the items of an official's queue: how long a claim has waited at its stage, and how long is left.
 *
 *   submitted (初审), departmentReview, jointReview   working days waiting since it reached the stage, counted in
 *                                                    the working-day calendar (ctx.calendar); the policy sets no
 *                                                    time limit for reviewing a claim, so none is shown as passed
 *   returned                                         calendar days since it was returned to the enterprise
 *   publicity, in an open 公示 batch                 calendar days until the period ends, or ended (期满待结束)
 *   publicity, not yet in a batch (待公示)           calendar days since the decision
 *   approved (awaiting payment)                      calendar days since it was approved
 *
 * Only claims the user may read are answered; others are left out, as if they did not exist.
 */
import type { PlatformContext } from '../claims/context.ts';
import { diffCalendarDays, todayInShanghai } from '../civil-date.ts';
import { listScope } from '../identity/access.ts';
import type { Principal } from '../identity/users.ts';
import type { ClaimState } from '../db/schema.ts';

export type ClaimTimingKind = 'reviewWaiting' | 'returned' | 'publicityRunning' | 'publicityEnded' | 'awaitingPublicity' | 'awaitingPayment';

export interface ClaimTiming {
  claimId: number;
  state: ClaimState;
  kind: ClaimTimingKind;
  /** the civil date the claim reached its stage (or the 公示 period's last day, for a batch) */
  since: string;
  /** calendar days since `since` */
  days: number;
  /** working days since `since` (reviews); null when the calendar does not cover the days (a year not entered yet) */
  workingDays: number | null;
  /** 公示: calendar days left until the period ends (0: ends today; negative: ended) */
  daysLeft: number | null;
  endsOn: string | null;
  batchId: number | null;
  /** the time limit of the stage in working days, when the policy sets one (it sets none for claim reviews) */
  limitWorkingDays: number | null;
  overdue: boolean;
}

export async function claimTimings(ctx: PlatformContext, user: Principal, claimIds: number[]): Promise<ClaimTiming[]> {
  const scope = listScope(user, 'claim.read', ctx.access);
  if (scope.kind === 'none' || claimIds.length === 0) return [];
  let q = ctx.db
    .selectFrom('claims')
    .select(['id', 'state', 'submitted_at', 'updated_at'])
    .where('id', 'in', claimIds);
  if (scope.kind === 'enterprise') q = q.where('enterprise_uscc', '=', scope.enterpriseUscc);
  if (scope.kind === 'area') q = q.where('area_id', '=', scope.areaId);
  if (scope.kind === 'measures') q = scope.measureIds.length ? q.where('measure_id', 'in', scope.measureIds) : q.where('id', '<', 0);
  const claims = await q.execute();
  if (!claims.length) return [];
  const ids = claims.map((c) => Number(c.id));
  const [returns, batches, decisions] = await Promise.all([
    ctx.db.selectFrom('reviews').select(['claim_id', (eb) => eb.fn.max('at').as('at')]).where('claim_id', 'in', ids).where('action', '=', 'return').groupBy('claim_id').execute(),
    ctx.db
      .selectFrom('publicity_items')
      .innerJoin('publicity_batches', 'publicity_batches.id', 'publicity_items.batch_id')
      .select(['publicity_items.claim_id', 'publicity_batches.id', 'publicity_batches.ends_on'])
      .where('publicity_items.claim_id', 'in', ids)
      .where('publicity_batches.closed_at', 'is', null)
      .execute(),
    ctx.db.selectFrom('decisions').select(['claim_id', (eb) => eb.fn.max('decided_at').as('at')]).where('claim_id', 'in', ids).groupBy('claim_id').execute(),
  ]);
  const returnedAt = new Map(returns.map((r) => [Number(r.claim_id), r.at as Date]));
  const batchOf = new Map(batches.map((b) => [Number(b.claim_id), { id: Number(b.id), endsOn: b.ends_on }]));
  const decidedAt = new Map(decisions.map((d) => [Number(d.claim_id), d.at as Date]));
  const today = ctx.today();
  const calendar = ctx.calendar.current();
  const workingDaysSince = (since: string) => {
    try {
      return since <= today ? calendar.countWorkingDays(since, today) : 0;
    } catch {
      return null; // beyond the calendar's coverage: the calendar days are shown instead, never a guess
    }
  };
  const dateOf = (d: Date | string | null | undefined) => (d ? todayInShanghai(new Date(d)) : today);
  const out: ClaimTiming[] = [];
  for (const c of claims) {
    const id = Number(c.id);
    const base = { claimId: id, state: c.state, daysLeft: null, endsOn: null, batchId: null, limitWorkingDays: null, overdue: false };
    const since = (d: Date | string | null | undefined) => {
      const s = dateOf(d);
      return { since: s, days: Math.max(0, diffCalendarDays(s, today)) };
    };
    switch (c.state) {
      case 'submitted':
      case 'departmentReview':
      case 'jointReview': {
        const s = since(c.state === 'submitted' ? (c.submitted_at ?? c.updated_at) : c.updated_at);
        out.push({ ...base, kind: 'reviewWaiting', ...s, workingDays: workingDaysSince(s.since) });
        break;
      }
      case 'returned':
        out.push({ ...base, kind: 'returned', ...since(returnedAt.get(id) ?? c.updated_at), workingDays: null });
        break;
      case 'publicity': {
        const batch = batchOf.get(id);
        if (batch) {
          const daysLeft = diffCalendarDays(today, batch.endsOn);
          out.push({ ...base, kind: daysLeft < 0 ? 'publicityEnded' : 'publicityRunning', since: batch.endsOn, days: Math.max(0, -daysLeft), workingDays: null, daysLeft, endsOn: batch.endsOn, batchId: batch.id });
        } else out.push({ ...base, kind: 'awaitingPublicity', ...since(decidedAt.get(id) ?? c.updated_at), workingDays: null });
        break;
      }
      case 'approved':
        out.push({ ...base, kind: 'awaitingPayment', ...since(c.updated_at), workingDays: null });
        break;
      default:
        break; // drafts, decided and closed claims: no clock runs
    }
  }
  return out.sort((a, b) => a.claimId - b.claimId);
}
