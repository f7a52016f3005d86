/**
 * Clawback follow-up (追回跟踪): a clawback (workflow.ts correctAward) takes part or all of a paid award back out of
 * the ledger at once; the enterprise then owes that money to the district. This module keeps that debt — one
 * recovery per clawback (应追回), due the clawback's amount — and the sums the lead department records as they come
 * back (追回到账: amount, date, the 缴款书 or other document), partial sums allowed, never more than is due.
 *
 * Recovered money is deliberately NOT a ledger entry. The ledger is the award's story: the clawback entry already
 * took the amount out of the award, so the enterprise's caps, the measure's committed budget and the claim's net
 * count it as gone from the day of the clawback. Entering the receipt too would take the same money out twice. A
 * receipt only says that the debt created by the clawback is (partly) paid; it changes no cap or budget.
 *
 * Money safety, in three layers: what is outstanding is derived from the receipts, read after locking the recovery
 * row, in the transaction that writes the receipt (so two receipts recorded at once see each other); the amount is
 * checked against it; and the database refuses a receipt above what is due (migration 0014_clawback_recoveries).
 */
import { sql } from 'kysely';
import type { Db } from '../db/transaction.ts';
import type { Claim, ClaimState } from '../db/schema.ts';
import { KaifangError, ValidationError } from '../errors.ts';
import { appendAudit } from '../audit/audit-log.ts';
import { can, listScope } from '../identity/access.ts';
import type { Principal } from '../identity/users.ts';
import { diffCalendarDays, isCivilDate } from '../civil-date.ts';
import { formatFen } from '../policy/quantities.ts';
import { claimOutstandingFen } from '../ledger/ledger.ts';
import { actorOf, type PlatformContext } from './context.ts';
import { checkClaimAccess, loadClaim, notFound, resourceOf } from './claims.ts';

const REFERENCE_MAX = 100;
const NOTE_MAX = 1000;

// ── Opening a recovery (inside the clawback's transaction) ───────────────────────────────────────────────────

/** A clawback's optional deadline (缴回期限), checked before anything is written: a real date, not before today. */
export function checkRecoveryDeadline(dueOn: unknown, today: string): string | null {
  if (dueOn === undefined || dueOn === null || dueOn === '') return null;
  if (!isCivilDate(dueOn)) throw new ValidationError([new KaifangError({ code: 'bad_date', path: 'dueOn', zh: '缴回期限应为有效日期 YYYY-MM-DD', en: 'dueOn must be a real date YYYY-MM-DD' })]);
  if (dueOn < today) throw new ValidationError([new KaifangError({ code: 'due_in_past', path: 'dueOn', zh: `缴回期限不能早于今天（${today}）`, en: `dueOn cannot be before today (${today})` })]);
  return dueOn;
}

/**
 * The debt a clawback creates, written in the clawback's own transaction (`trx`), so a clawback never exists without
 * its recovery to follow.
 */
export async function openRecovery(trx: Db, r: { claim: Claim; ledgerEntryId: number; dueFen: number; clawedBackOn: string; dueOn: string | null; createdBy: number }): Promise<number> {
  const row = await trx
    .insertInto('clawback_recoveries')
    .values({
      claim_id: r.claim.id,
      ledger_entry_id: r.ledgerEntryId,
      enterprise_uscc: r.claim.enterprise_uscc,
      policy_id: r.claim.policy_id,
      measure_id: r.claim.measure_id,
      due_fen: r.dueFen,
      clawed_back_on: r.clawedBackOn,
      due_on: r.dueOn,
      created_by: r.createdBy,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

// ── Recording what came back ─────────────────────────────────────────────────────────────────────────────────

export interface RecoveryReceiptInput {
  amountFen: unknown;
  receivedOn: unknown;
  reference: unknown;
  note?: unknown;
}

/**
 * The lead department of the claim's measure (ledger.correct, as for the clawback itself) records a sum paid back:
 * at most what is still outstanding, on a day between the clawback and today, with the document that proves it.
 */
export async function recordRecovery(ctx: PlatformContext, user: Principal, recoveryId: number, input: RecoveryReceiptInput, ip?: string | null) {
  const errors: KaifangError[] = [];
  const amount = input.amountFen;
  if (typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount <= 0) errors.push(new KaifangError({ code: 'bad_amount', path: 'amountFen', zh: '追回到账金额应为正整数（分）', en: 'amountFen must be a positive integer (fen)' }));
  const today = ctx.today();
  if (!isCivilDate(input.receivedOn)) errors.push(new KaifangError({ code: 'bad_date', path: 'receivedOn', zh: '到账日期应为有效日期 YYYY-MM-DD', en: 'receivedOn must be a real date YYYY-MM-DD' }));
  else if (input.receivedOn > today) errors.push(new KaifangError({ code: 'date_in_future', path: 'receivedOn', zh: `到账日期不能晚于今天（${today}）`, en: `receivedOn cannot be after today (${today})` }));
  const reference = typeof input.reference === 'string' ? input.reference.trim() : '';
  if (!reference) errors.push(new KaifangError({ code: 'required', path: 'reference', zh: '请填写缴款书号或其他到账凭据编号', en: 'reference (the payment document number) is required' }));
  else if (reference.length > REFERENCE_MAX) errors.push(new KaifangError({ code: 'too_long', path: 'reference', zh: `凭据编号不超过${REFERENCE_MAX}字`, en: `reference is at most ${REFERENCE_MAX} characters` }));
  const note = typeof input.note === 'string' && input.note.trim() ? input.note.trim() : null;
  if (note && note.length > NOTE_MAX) errors.push(new KaifangError({ code: 'too_long', path: 'note', zh: `备注不超过${NOTE_MAX}字`, en: `note is at most ${NOTE_MAX} characters` }));
  if (errors.length) throw new ValidationError(errors);
  if (!Number.isSafeInteger(recoveryId) || recoveryId <= 0) throw notFound('追回记录');

  return ctx.db.transaction().execute(async (trx) => {
    // The recovery row first, locked: a second receipt for it waits here and then reads this one's (the trigger of
    // the migration takes the same lock, so a path that skips this service is serialised too).
    const r = await trx.selectFrom('clawback_recoveries').selectAll().where('id', '=', recoveryId).forUpdate().executeTakeFirst();
    if (!r) throw notFound('追回记录');
    const claim = await trx.selectFrom('claims').selectAll().where('id', '=', r.claim_id).executeTakeFirst();
    checkClaimAccess(ctx, user, claim, 'ledger.correct');
    const recovered = await recoveredFen(trx, recoveryId);
    const outstanding = Number(r.due_fen) - recovered;
    if (outstanding <= 0) {
      throw new KaifangError({ code: 'invalid_state', zh: '该笔追回款已全部到账，无需再登记', en: 'this recovery is settled; nothing is outstanding', details: { dueFen: Number(r.due_fen), recoveredFen: recovered } });
    }
    const errs: KaifangError[] = [];
    if ((amount as number) > outstanding) errs.push(new KaifangError({ code: 'bad_amount', path: 'amountFen', zh: `到账金额不能超过尚未追回的${formatFen(outstanding)}`, en: `amountFen cannot exceed the ${outstanding} fen still outstanding` }));
    if ((input.receivedOn as string) < r.clawed_back_on) errs.push(new KaifangError({ code: 'before_clawback', path: 'receivedOn', zh: `到账日期不能早于追回决定日期（${r.clawed_back_on}）`, en: `receivedOn cannot be before the clawback (${r.clawed_back_on})` }));
    if (errs.length) throw new ValidationError(errs);
    const receipt = await trx
      .insertInto('recovery_receipts')
      .values({ recovery_id: recoveryId, amount_fen: amount as number, received_on: input.receivedOn as string, reference, note, recorded_by: user.id })
      .returning('id')
      .executeTakeFirstOrThrow();
    const after = outstanding - (amount as number);
    await appendAudit(trx, actorOf(user, ip), {
      action: 'claim.recovery.record',
      entity: 'claim',
      entityId: r.claim_id,
      details: { recoveryId, receiptId: Number(receipt.id), amountFen: amount as number, receivedOn: input.receivedOn as string, reference, note, dueFen: Number(r.due_fen), recoveredFen: recovered + (amount as number), outstandingFen: after },
    });
    return (await recoveryViews(ctx, trx, { ids: [recoveryId] }))[0];
  });
}

async function recoveredFen(db: Db, recoveryId: number): Promise<number> {
  const { rows } = await sql<{ s: string | number | null }>`select coalesce(sum(amount_fen), 0) as s from recovery_receipts where recovery_id = ${recoveryId}`.execute(db);
  return Number(rows[0].s ?? 0);
}

// ── Reading ──────────────────────────────────────────────────────────────────────────────────────────────────

export interface RecoveryReceiptView {
  id: number;
  amountFen: number;
  receivedOn: string;
  reference: string;
  note: string | null;
  recordedBy: string | null;
  recordedAt: Date;
}

export interface RecoveryView {
  id: number;
  claimId: number;
  ledgerEntryId: number;
  enterpriseUscc: string;
  enterpriseName: string;
  areaId: string;
  measureId: string;
  incentive: string;
  title: string;
  item: string;
  year: number;
  /** the clawback's reason (its ledger entry's note) */
  reason: string | null;
  dueFen: number;
  recoveredFen: number;
  outstandingFen: number;
  status: 'open' | 'settled';
  clawedBackOn: string;
  /** 缴回期限, when the department set one */
  dueOn: string | null;
  /** days from the clawback to today (open) or to the last receipt (settled) */
  ageDays: number;
  /** days past the deadline while money is outstanding; 0 when not past it or when there is no deadline */
  overdueDays: number;
  lastReceivedOn: string | null;
  receipts: RecoveryReceiptView[];
}

export interface RecoveryFilter {
  status?: 'open' | 'settled' | 'all';
  measure?: string;
  /** enterprise name or USCC, part of it */
  q?: string;
  /** only those past their deadline with money outstanding */
  overdue?: boolean;
  claimId?: number;
  ids?: number[];
}

/** The recoveries a reader may see (ledger.read: departments their measures, finance and auditor all, an enterprise its own). */
export function recoveryScope(ctx: PlatformContext, user: Principal) {
  const scope = listScope(user, 'ledger.read', ctx.access);
  if (scope.kind === 'none' || scope.kind === 'area') {
    throw new KaifangError({ code: 'forbidden', zh: '无权查看追回记录', en: 'not allowed to read recoveries', details: { action: 'ledger.read', role: user.role } });
  }
  return scope;
}

/** Recoveries with their receipts and derived amounts, filtered in SQL; `today` decides age and overdue. */
async function recoveryViews(ctx: PlatformContext, db: Db, f: RecoveryFilter, scope?: ReturnType<typeof recoveryScope>): Promise<RecoveryView[]> {
  const today = ctx.today();
  let q = db
    .selectFrom('clawback_recoveries as r')
    .innerJoin('claims as c', 'c.id', 'r.claim_id')
    .innerJoin('enterprises as e', 'e.uscc', 'r.enterprise_uscc')
    .innerJoin('ledger_entries as l', 'l.id', 'r.ledger_entry_id')
    .select(['r.id', 'r.claim_id', 'r.ledger_entry_id', 'r.enterprise_uscc', 'e.name as enterprise_name', 'c.area_id', 'r.measure_id', 'c.incentive_id', 'c.item', 'c.year', 'l.note', 'r.due_fen', 'r.clawed_back_on', 'r.due_on'])
    .select(sql<string>`(select coalesce(sum(x.amount_fen), 0) from recovery_receipts x where x.recovery_id = r.id)`.as('recovered'))
    .select(sql<string | null>`(select max(x.received_on) from recovery_receipts x where x.recovery_id = r.id)`.as('last_received_on'));
  if (scope?.kind === 'enterprise') q = q.where('r.enterprise_uscc', '=', scope.enterpriseUscc);
  if (scope?.kind === 'measures') q = scope.measureIds.length ? q.where('r.measure_id', 'in', scope.measureIds) : q.where(sql<boolean>`false`);
  if (f.ids) q = f.ids.length ? q.where('r.id', 'in', f.ids) : q.where(sql<boolean>`false`);
  if (f.claimId !== undefined) q = q.where('r.claim_id', '=', f.claimId);
  if (f.measure) q = q.where('r.measure_id', '=', f.measure);
  if (f.q) {
    const like = `%${f.q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
    q = q.where((eb) => eb.or([eb('e.name', 'like', like), eb('r.enterprise_uscc', 'like', like)]));
  }
  const outstandingSql = sql`r.due_fen - (select coalesce(sum(x.amount_fen), 0) from recovery_receipts x where x.recovery_id = r.id)`;
  if (f.status === 'open' || f.overdue) q = q.where(sql<boolean>`${outstandingSql} > 0`);
  if (f.status === 'settled') q = q.where(sql<boolean>`${outstandingSql} = 0`);
  if (f.overdue) q = q.where('r.due_on', '<', today);
  const rows = await q.orderBy('r.clawed_back_on').orderBy('r.id').execute();
  const receipts = rows.length
    ? await db
        .selectFrom('recovery_receipts as x')
        .leftJoin('users as u', 'u.id', 'x.recorded_by')
        .select(['x.id', 'x.recovery_id', 'x.amount_fen', 'x.received_on', 'x.reference', 'x.note', 'u.display_name', 'x.recorded_at'])
        .where('x.recovery_id', 'in', rows.map((r) => r.id))
        .orderBy('x.id')
        .execute()
    : [];
  return rows.map((r) => {
    const due = Number(r.due_fen);
    const recovered = Number(r.recovered ?? 0);
    const outstanding = due - recovered;
    const settled = outstanding === 0;
    const lastReceivedOn = r.last_received_on ? String(r.last_received_on) : null;
    return {
      id: Number(r.id),
      claimId: Number(r.claim_id),
      ledgerEntryId: Number(r.ledger_entry_id),
      enterpriseUscc: r.enterprise_uscc,
      enterpriseName: r.enterprise_name,
      areaId: r.area_id,
      measureId: r.measure_id,
      incentive: r.incentive_id,
      title: ctx.engine.policy.incentivesById.get(r.incentive_id)?.title ?? r.incentive_id,
      item: r.item,
      year: r.year,
      reason: r.note,
      dueFen: due,
      recoveredFen: recovered,
      outstandingFen: outstanding,
      status: settled ? 'settled' : 'open',
      clawedBackOn: r.clawed_back_on,
      dueOn: r.due_on,
      ageDays: Math.max(0, diffCalendarDays(r.clawed_back_on, settled && lastReceivedOn ? lastReceivedOn : today)),
      overdueDays: !settled && r.due_on && today > r.due_on ? diffCalendarDays(r.due_on, today) : 0,
      lastReceivedOn,
      receipts: receipts
        .filter((x) => x.recovery_id === r.id)
        .map((x) => ({ id: Number(x.id), amountFen: Number(x.amount_fen), receivedOn: x.received_on, reference: x.reference, note: x.note, recordedBy: x.display_name, recordedAt: x.recorded_at })),
    };
  });
}

/** Every recovery of the caller's scope matching the filter (the Excel export: never cut short). */
export async function listRecoveries(ctx: PlatformContext, user: Principal, f: RecoveryFilter = {}) {
  return recoveryViews(ctx, ctx.db, { status: 'open', ...f }, recoveryScope(ctx, user));
}

/** A page of the list, with the totals of the whole filtered list (due, recovered, outstanding). */
export async function pageRecoveries(ctx: PlatformContext, user: Principal, f: RecoveryFilter, page: number, pageSize: number) {
  const all = await listRecoveries(ctx, user, f);
  const totals = all.reduce((t, r) => ({ dueFen: t.dueFen + r.dueFen, recoveredFen: t.recoveredFen + r.recoveredFen, outstandingFen: t.outstandingFen + r.outstandingFen, overdue: t.overdue + (r.overdueDays > 0 ? 1 : 0) }), { dueFen: 0, recoveredFen: 0, outstandingFen: 0, overdue: 0 });
  return { items: all.slice((page - 1) * pageSize, page * pageSize), total: all.length, page, pageSize, totals, asOf: ctx.today() };
}

// ── The claim's corrections, as the case view shows them ────────────────────────────────────────────────────

export interface CorrectionEntryView {
  id: number;
  kind: 'reversal' | 'clawback';
  amountFen: number;
  reason: string | null;
  by: string | null;
  at: Date;
}

/**
 * The claim's own ledger as a correction needs it: the award, the corrections so far, what is outstanding now, the
 * payment, and which correction — if any — the caller may make now (reversal before payment, clawback after), with
 * the claim's recoveries. Readable by whoever may read the claim's ledger (ledger.read).
 */
export async function claimCorrections(ctx: PlatformContext, user: Principal, claimId: number) {
  const c = await loadClaim(ctx, ctx.db, user, claimId, 'ledger.read');
  const db = ctx.db;
  const [entries, payment, outstanding, recoveries] = await Promise.all([
    db
      .selectFrom('ledger_entries as l')
      .leftJoin('users as u', 'u.id', 'l.created_by')
      .select(['l.id', 'l.kind', 'l.amount_fen', 'l.note', 'l.created_at', 'u.display_name'])
      .where('l.claim_id', '=', claimId)
      .where('l.kind', 'in', ['award', 'reversal', 'clawback'])
      .orderBy('l.id')
      .execute(),
    db.selectFrom('payments').select(['amount_fen', 'paid_on', 'voucher_no']).where('claim_id', '=', claimId).executeTakeFirst(),
    claimOutstandingFen(db, claimId),
    recoveryViews(ctx, db, { claimId }),
  ]);
  const award = entries.filter((e) => e.kind === 'award').at(-1);
  const corrections: CorrectionEntryView[] = entries
    .filter((e) => e.kind !== 'award')
    .map((e) => ({ id: Number(e.id), kind: e.kind as 'reversal' | 'clawback', amountFen: Number(e.amount_fen), reason: e.note, by: e.display_name, at: e.created_at }));
  const mayCorrect = can(user, 'ledger.correct', resourceOf(c), ctx.access);
  const allowed = mayCorrect && award && outstanding > 0 ? correctionKindFor(c.state) : null;
  const totals = recoveries.reduce((t, r) => ({ dueFen: t.dueFen + r.dueFen, recoveredFen: t.recoveredFen + r.recoveredFen, outstandingFen: t.outstandingFen + r.outstandingFen }), { dueFen: 0, recoveredFen: 0, outstandingFen: 0 });
  return {
    claimId,
    state: c.state,
    awardFen: award ? Number(award.amount_fen) : null,
    corrections,
    outstandingFen: outstanding,
    payment: payment ? { amountFen: Number(payment.amount_fen), paidOn: payment.paid_on, voucherNo: payment.voucher_no } : null,
    /** the correction the caller may make now: reversal (decided, unpaid), clawback (paid), or none */
    allowedKind: allowed,
    /** a reversal always takes the whole outstanding amount; a clawback up to it */
    maxFen: allowed ? outstanding : 0,
    /** the state a correction leaves the claim in */
    stateAfter: allowed === 'reversal' ? ('rejected' as ClaimState) : allowed === 'clawback' ? ('paid' as ClaimState) : null,
    mayRecordRecovery: mayCorrect,
    recoveries,
    recoveryTotals: totals,
    asOf: ctx.today(),
  };
}

/** Which correction a claim's state admits (the same rule correctAward enforces). */
export function correctionKindFor(state: ClaimState): 'reversal' | 'clawback' | null {
  if (state === 'publicity' || state === 'approved') return 'reversal';
  if (state === 'paid') return 'clawback';
  return null;
}
