/**
 * Each user's inbox (消息): what changed since their last visit, for their role and in their scope, read from the
 * audit log — the one place every change is written, in the transaction of the change.
 *
 *   enterprise          its claims' outcomes: returned or refused (with the reason), passed, decided, in a 公示
 *                       batch, approved, paid, reversed or clawed back
 *   areaReviewer        claims of its area submitted (new in its queue) or withdrawn, and what became of them
 *   departmentReviewer  claims of its measures passed at first review (new in its queue), its colleagues' reviews,
 *                       decisions, 公示 batches published and closed, objections recorded and resolved, payments
 *   finance             claims approved (new awaiting payment), payments, corrections, budgets set
 *   auditor             corrections, budgets, credit listings, accounts locked out, anchors signed
 *   admin               accounts locked out, enterprises and credit listings, calendar years, users created
 *
 * Scope is the scope of reading claims (access.ts listScope 'claim.read'): a record about a claim is shown only
 * when the claim is the user's to read, a record about a 公示 batch only when one of its claims is; nothing else
 * is derived from another scope. One's own actions are not news. A user's mark (inbox_marks, migration) is the
 * newest record id they have seen; records after it are new. Records older than WINDOW_DAYS are not news.
 * Reminders (a 公示 period ending, or ended and waiting to be closed) are shown beside the news but not counted:
 * they stay until someone acts.
 */
import { sql, type RawBuilder } from 'kysely';
import type { PlatformContext } from '../claims/context.ts';
import type { Db } from '../db/transaction.ts';
import { addCalendarDays, diffCalendarDays } from '../civil-date.ts';
import { KaifangError, ValidationError } from '../errors.ts';
import { listScope, type ListScope } from '../identity/access.ts';
import type { Principal } from '../identity/users.ts';
import type { Role } from '../db/schema.ts';
import { describeRecords } from '../audit/summary.ts';

/** How far back news reaches: a change older than this is history (the audit page), not news. */
export const WINDOW_DAYS = 30;
/** The badge counts up to this and then says "99+". */
export const COUNT_CAP = 99;
/** The inbox lists this many of the newest items. */
export const LIST_SIZE = 30;
/** A 公示 batch ending within this many days is a reminder. */
const BATCH_REMINDER_DAYS = 2;

const REVIEW_OUTCOMES = [
  'claim.firstReview.return', 'claim.firstReview.reject',
  'claim.departmentReview.pass', 'claim.departmentReview.decide', 'claim.departmentReview.return', 'claim.departmentReview.reject',
  'claim.jointReview.decide', 'claim.jointReview.return', 'claim.jointReview.reject',
];
const MONEY = ['claim.publicity.passed', 'claim.publicity.upheld', 'claim.pay', 'claim.paymentFailed', 'claim.reverse', 'claim.clawback', 'claim.recovery.record'];

/** Which records are news to a role: about a claim (claim scope), about a 公示 batch (batch scope), or scope-free. */
export interface RoleInterest {
  claim: string[];
  batch: string[];
  open: string[];
}

export const INTEREST: Record<Role, RoleInterest> = {
  enterprise: { claim: ['claim.firstReview.pass', ...REVIEW_OUTCOMES, ...MONEY], batch: ['publicity.publish'], open: [] },
  areaReviewer: { claim: ['claim.submit', 'claim.withdraw', 'claim.firstReview.pass', ...REVIEW_OUTCOMES, ...MONEY], batch: [], open: [] },
  departmentReviewer: {
    claim: ['claim.firstReview.pass', 'claim.withdraw', ...REVIEW_OUTCOMES, ...MONEY],
    batch: ['publicity.publish', 'publicity.close', 'objection.record', 'objection.resolve'],
    open: [],
  },
  finance: { claim: [...MONEY], batch: [], open: ['budget.set'] },
  auditor: { claim: [], batch: [], open: ['claim.reverse', 'claim.clawback', 'budget.set', 'credit.list', 'credit.delist', 'auth.locked', 'audit.anchor'] },
  // a bank branch hears only of what is addressed to it (details.audience: the needs matched to its products)
  bank: { claim: [], batch: [], open: [] },
  admin: { claim: [], batch: [], open: ['auth.locked', 'enterprise.create', 'enterprise.import', 'credit.list', 'credit.delist', 'credit.import', 'calendar.year.save', 'user.create'] },
};

export interface InboxItem {
  id: number;
  at: Date;
  action: string;
  actionZh: string;
  actionEn: string;
  summaryZh: string;
  summaryEn: string;
  claimId: number | null;
  batchId: number | null;
  /** a service-desk request (诉求) the record is about */
  requestId?: number | null;
  /** after the user's mark: not seen yet */
  unseen: boolean;
}

export interface InboxReminder {
  kind: 'batchEnding' | 'batchEnded';
  batchId: number;
  title: string;
  endsOn: string;
  /** days until the period ends (0: today); negative once ended */
  daysLeft: number;
  claims: number;
}

export interface InboxView {
  /** when the user last marked the inbox seen (null: never) */
  lastSeenAt: Date | null;
  /** the newest record id the user has seen (0: none) */
  seenId: number;
  unseen: number;
  /** more than `unseen` are new (the count stops at COUNT_CAP) */
  unseenMore: boolean;
  items: InboxItem[];
  reminders: InboxReminder[];
}

function scopeCondition(scope: ListScope, c: string): RawBuilder<boolean> {
  const col = (name: string) => sql.ref(`${c}.${name}`);
  switch (scope.kind) {
    case 'all':
      return sql<boolean>`true`;
    case 'enterprise':
      return sql<boolean>`${col('enterprise_uscc')} = ${scope.enterpriseUscc}`;
    case 'area':
      return sql<boolean>`${col('area_id')} = ${scope.areaId}`;
    case 'measures':
      return scope.measureIds.length ? sql<boolean>`${col('measure_id')} in (${sql.join(scope.measureIds)})` : sql<boolean>`false`;
    default:
      return sql<boolean>`false`;
  }
}

const inList = (values: string[]) => (values.length ? sql<boolean>`a.action in (${sql.join(values)})` : sql<boolean>`false`);

/** The WHERE of the records that are news to this user (after `seenId`, within the window, in scope). */
function newsCondition(ctx: PlatformContext, user: Principal, seenId: number, since: Date): RawBuilder<boolean> {
  const interest = INTEREST[user.role];
  const scope = listScope(user, 'claim.read', ctx.access);
  const inScope = scopeCondition(scope, 'c');
  // entity_id is text: the claim or batch id is read from it only for records of that entity (CASE keeps the cast
  // from ever meeting another entity's id, such as a USCC).
  const claimOf = sql`case when a.entity = 'claim' and a.entity_id ~ '^[0-9]{1,15}$' then a.entity_id::bigint end`;
  const batchOf = sql`case when a.entity = 'publicity' and a.entity_id ~ '^[0-9]{1,15}$' then a.entity_id::bigint end`;
  return sql<boolean>`a.id > ${seenId} and a.at >= ${since} and a.actor_user_id is distinct from ${user.id} and (
      (${inList(interest.claim)} and exists (select 1 from claims c where c.id = ${claimOf} and ${inScope}))
      or (${inList(interest.batch)} and exists (select 1 from publicity_items pi join claims c on c.id = pi.claim_id where pi.batch_id = ${batchOf} and ${inScope}))
      or ${inList(interest.open)}
      or (jsonb_typeof(a.details->'audience') = 'array' and exists (select 1 from jsonb_array_elements_text(a.details->'audience') au(v) where au.v in (${sql.join(audienceOf(user))})))
    )`;
}

/**
 * Records addressed to people rather than derived from a claim's scope (the service desk, src/service-desk/): the
 * record's `details.audience` names them — `user:<id>`, `enterprise:<uscc>`, `unit:department:<id>`, `unit:area:<id>`.
 */
function audienceOf(user: Principal): string[] {
  const tokens = [`user:${user.id}`];
  if (user.enterpriseUscc) tokens.push(`enterprise:${user.enterpriseUscc}`);
  if (user.role === 'departmentReviewer' && user.departmentId) tokens.push(`unit:department:${user.departmentId}`);
  if (user.role === 'areaReviewer' && user.areaId) tokens.push(`unit:area:${user.areaId}`);
  return tokens;
}

async function markOf(db: Db, userId: number): Promise<{ seenId: number; seenAt: Date | null }> {
  const { rows } = await sql<{ seen_id: string | number; seen_at: Date }>`select seen_id, seen_at from inbox_marks where user_id = ${userId}`.execute(db);
  return rows[0] ? { seenId: Number(rows[0].seen_id), seenAt: new Date(rows[0].seen_at) } : { seenId: 0, seenAt: null };
}

const windowStart = (now: Date) => new Date(now.getTime() - WINDOW_DAYS * 86_400_000);

/** How many items are new (up to COUNT_CAP + 1): for the bell's badge. */
export async function inboxCount(ctx: PlatformContext, user: Principal, now = new Date()): Promise<{ unseen: number; unseenMore: boolean }> {
  const { seenId } = await markOf(ctx.db, user.id);
  const { rows } = await sql<{ n: string | number }>`
    select count(*) as n from (select 1 from audit_log a where ${newsCondition(ctx, user, seenId, windowStart(now))} limit ${COUNT_CAP + 1}) x`.execute(ctx.db);
  const n = Number(rows[0].n);
  return { unseen: Math.min(n, COUNT_CAP), unseenMore: n > COUNT_CAP };
}

/** The inbox: the newest items of the window (new ones marked), and the reminders. */
export async function readInbox(ctx: PlatformContext, user: Principal, now = new Date()): Promise<InboxView> {
  const mark = await markOf(ctx.db, user.id);
  const since = windowStart(now);
  const { rows } = await sql<{ id: string | number; at: Date; actor: string; actor_user_id: number | null; action: string; entity: string; entity_id: string | null; details: Record<string, unknown> }>`
    select a.id, a.at, a.actor, a.actor_user_id, a.action, a.entity, a.entity_id, a.details
      from audit_log a where ${newsCondition(ctx, user, 0, since)}
     order by a.id desc limit ${LIST_SIZE}`.execute(ctx.db);
  const readings = await describeRecords(
    ctx.db,
    ctx.engine.policy.agencies,
    rows.map((r) => ({ actor: r.actor, actorUserId: r.actor_user_id === null ? null : Number(r.actor_user_id), action: r.action, entity: r.entity, entityId: r.entity_id, details: r.details as never })),
  );
  const items: InboxItem[] = rows.map((r, i) => {
    const details = r.details ?? {};
    const claimId = r.entity === 'claim' ? Number(r.entity_id) : typeof details.claimId === 'number' ? details.claimId : null;
    return {
      id: Number(r.id),
      at: new Date(r.at),
      action: r.action,
      actionZh: readings[i].actionZh,
      actionEn: readings[i].actionEn,
      summaryZh: readings[i].summaryZh,
      summaryEn: readings[i].summaryEn,
      claimId,
      batchId: r.entity === 'publicity' ? Number(r.entity_id) : null,
      requestId: r.entity === 'serviceRequest' ? Number(r.entity_id) : null,
      unseen: Number(r.id) > mark.seenId,
    };
  });
  const count = await inboxCount(ctx, user, now);
  return { lastSeenAt: mark.seenAt, seenId: mark.seenId, ...count, items, reminders: await batchReminders(ctx, user) };
}

/** 公示 batches of the user's measures ending within BATCH_REMINDER_DAYS, or ended and not yet closed. */
async function batchReminders(ctx: PlatformContext, user: Principal): Promise<InboxReminder[]> {
  if (user.role !== 'departmentReviewer') return [];
  const scope = listScope(user, 'publicity.manage', ctx.access);
  const today = ctx.today();
  const { rows } = await sql<{ id: string | number; title: string; ends_on: string; claims: string | number }>`
    select b.id, b.title, b.ends_on, count(*) as claims
      from publicity_batches b join publicity_items pi on pi.batch_id = b.id join claims c on c.id = pi.claim_id
     where b.closed_at is null and b.ends_on <= ${addCalendarDays(today, BATCH_REMINDER_DAYS)} and ${scopeCondition(scope, 'c')}
     group by b.id, b.title, b.ends_on order by b.ends_on, b.id`.execute(ctx.db);
  return rows.map((r) => {
    const daysLeft = diffCalendarDays(today, r.ends_on);
    return { kind: daysLeft < 0 ? 'batchEnded' : 'batchEnding', batchId: Number(r.id), title: r.title, endsOn: r.ends_on, daysLeft, claims: Number(r.claims) };
  });
}

/**
 * Marks the inbox seen up to `upTo` (the newest item id the user was shown; by default everything so far). The
 * mark never moves back, and never past the newest record, so that something written after the page was shown
 * stays new.
 */
export async function markInboxSeen(ctx: PlatformContext, user: Principal, upTo?: unknown): Promise<{ seenId: number }> {
  if (upTo !== undefined && (!Number.isSafeInteger(upTo) || (upTo as number) < 0)) {
    throw new ValidationError([new KaifangError({ code: 'invalid_value', path: 'upTo', zh: 'upTo 须为非负整数（已看到的最新一条的编号）', en: 'upTo must be a whole number ≥ 0 (the newest item id seen)' })]);
  }
  const { rows: head } = await sql<{ max: string | number | null }>`select max(id) as max from audit_log`.execute(ctx.db);
  const newest = Number(head[0]?.max ?? 0);
  const seen = Math.min(upTo === undefined ? newest : (upTo as number), newest);
  const { rows } = await sql<{ seen_id: string | number }>`
    insert into inbox_marks (user_id, seen_id, seen_at) values (${user.id}, ${seen}, now())
    on conflict (user_id) do update set seen_id = greatest(inbox_marks.seen_id, excluded.seen_id), seen_at = now()
    returning seen_id`.execute(ctx.db);
  return { seenId: Number(rows[0].seen_id) };
}
