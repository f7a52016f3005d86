// The demo data on both databases: every claim state, every role and area, consistent ledger and audit chain,
// the lists the CLI exports, and a second seeding that writes nothing.
import { beforeAll, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { describeDatabases } from '../db/test-databases.ts';
import { Engine } from '../engine/index.ts';
import { sealAuditChain, verifyAuditChain } from '../audit/audit-log.ts';
import { createPlatformContext, type PlatformContext } from '../claims/context.ts';
import { getPublicityBatch } from '../claims/publicity.ts';
import { getClaimDetail } from '../claims/claims.ts';
import { toPrincipal } from '../identity/users.ts';
import { listPayments } from '../claims/payments.ts';
import { CLAIM_STATES, ROLES } from '../db/schema.ts';
import { listAreas } from '../enterprises/areas.ts';
import { isValidUscc } from '../enterprises/uscc.ts';
import { verifyPassword } from '../identity/passwords.ts';
import { paymentWorkbook, publicityWorkbook } from '../excel/lists.ts';
import { CLI_READER } from '../cli/commands/data.ts';
import { DEMO_PASSWORD, formatDemoCredentials, seedDemo, type DemoSummary } from './seed.ts';

const engine = Engine.load();
const WAN = 1_000_000;

async function sheetText(buffer: Buffer): Promise<string> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buffer as unknown as ExcelJS.Buffer);
  const out: string[] = [];
  wb.worksheets[0].eachRow((row) => out.push((row.values as unknown[]).map((v) => (v && typeof v === 'object' && 'result' in v ? String((v as { result: unknown }).result) : String(v ?? ''))).join('|')));
  return out.join('\n');
}

describeDatabases('demo seed', (t) => {
  let ctx: PlatformContext;
  let summary: DemoSummary;
  beforeAll(async () => {
    ctx = createPlatformContext(t.db, engine);
    summary = await seedDemo(ctx);
  }, 180_000);

  it('puts claims in every state, across the measures, for enterprises in every area', async () => {
    expect(summary.seeded).toBe(true);
    const rows = await t.db.selectFrom('claims').select(['state', 'measure_id']).execute();
    for (const s of CLAIM_STATES) expect(rows.filter((r) => r.state === s).length, `state ${s}`).toBeGreaterThan(0);
    expect(summary.claimsByState).toEqual(Object.fromEntries(CLAIM_STATES.map((s) => [s, rows.filter((r) => r.state === s).length])));
    expect(new Set(rows.map((r) => r.measure_id))).toEqual(new Set(['7', '8', '10', '11', '12', '16', '18', '20']));
    const enterprises = await t.db.selectFrom('enterprises').selectAll().execute();
    expect(enterprises.length).toBeGreaterThanOrEqual(30);
    expect(new Set(enterprises.map((e) => e.area_id))).toEqual(new Set(listAreas().map((a) => a.id)));
    expect(new Set(enterprises.map((e) => e.industry_class))).toEqual(new Set(['leading', 'highTech', 'other']));
    expect(enterprises.every((e) => isValidUscc(e.uscc))).toBe(true);
  });

  it('has a user for every role and scope, all with the one demo password', async () => {
    const users = await t.db.selectFrom('users').selectAll().execute();
    expect(new Set(users.map((u) => u.role))).toEqual(new Set(ROLES));
    expect(new Set(users.filter((u) => u.role === 'areaReviewer').map((u) => u.area_id))).toEqual(new Set(listAreas().map((a) => a.id)));
    const departments = new Set(users.filter((u) => u.role === 'departmentReviewer').map((u) => u.department_id));
    for (const lead of ['science-technology-bureau', 'industry-it-bureau', 'financial-office', 'market-regulation-bureau', 'commerce-bureau', 'natural-resources-planning-bureau', 'talent-office', 'development-reform-commission']) {
      expect(departments.has(lead), lead).toBe(true);
    }
    expect(users.filter((u) => u.role === 'enterprise').length).toBeGreaterThanOrEqual(10);
    expect(summary.users.map((u) => u.username).sort()).toEqual(users.map((u) => u.username).sort());
    expect(await verifyPassword(DEMO_PASSWORD, users.find((u) => u.username === 'dept-industry')!.password_hash)).toBe(true);
    const table = formatDemoCredentials(summary);
    expect(table).toContain(DEMO_PASSWORD);
    expect(table).toContain('area-fenhu-high-tech-zone');
    expect(table).toContain('dept-finance-office');
  });

  it('went through the real workflow: reviews, decisions, ledger, 公示, payments and the audit chain agree', async () => {
    await sealAuditChain(t.db);
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: true, pending: { count: 0 } });
    const claims = await t.db.selectFrom('claims').selectAll().execute();
    const net = async (id: number) => Number((await t.db.selectFrom('ledger_entries').select((eb) => eb.fn.sum<number>('amount_fen').as('s')).where('claim_id', '=', id).executeTakeFirstOrThrow()).s ?? 0);
    for (const c of claims.filter((c) => ['publicity', 'approved', 'paid'].includes(c.state))) {
      const decision = await t.db.selectFrom('decisions').selectAll().where('claim_id', '=', c.id).executeTakeFirst();
      expect(decision, `claim ${c.id}`).toBeDefined();
      // the award, less what a clawback after payment took back (the demo has one, partly recovered)
      const clawedBack = Number((await t.db.selectFrom('ledger_entries').select((eb) => eb.fn.sum<number>('amount_fen').as('s')).where('claim_id', '=', c.id).where('kind', '=', 'clawback').executeTakeFirstOrThrow()).s ?? 0);
      expect(await net(c.id)).toBe(decision!.amount_fen + clawedBack);
      const reviews = await t.db.selectFrom('reviews').select(['stage', 'action']).where('claim_id', '=', c.id).orderBy('id').execute();
      expect(reviews[0]).toEqual({ stage: 'firstReview', action: 'pass' });
    }
    const paid = claims.filter((c) => c.state === 'paid');
    const payments = await t.db.selectFrom('payments').selectAll().execute();
    expect(payments.map((p) => p.claim_id).sort()).toEqual(paid.map((c) => c.id).sort());
    expect(payments.every((p) => /^记-\d{8}-\d{3}$/.test(p.voucher_no))).toBe(true);
    // The objection upheld in a closed batch reversed that award: net zero, claim rejected.
    const upheld = await t.db.selectFrom('objections').selectAll().where('outcome', '=', 'upheld').execute();
    expect(upheld).toHaveLength(1);
    expect(claims.find((c) => c.id === upheld[0].claim_id)!.state).toBe('rejected');
    expect(await net(upheld[0].claim_id!)).toBe(0);
    // 追回: one clawback of a paid award, its recovery partly paid back and overdue; what came back is no ledger entry.
    const recoveries = await t.db.selectFrom('clawback_recoveries').selectAll().execute();
    expect(recoveries).toHaveLength(1);
    expect(claims.find((c) => c.id === recoveries[0].claim_id)!.state).toBe('paid');
    const receipts = await t.db.selectFrom('recovery_receipts').selectAll().execute();
    expect(receipts).toHaveLength(1);
    expect(Number(receipts[0].amount_fen)).toBeLessThan(Number(recoveries[0].due_fen));
    expect(recoveries[0].due_on! < ctx.today()).toBe(true);
    expect(await t.db.selectFrom('ledger_entries').select('id').where('kind', '=', 'clawback').execute()).toHaveLength(1);
    // 就高不重复: the IPO award (科创板: 700万 + the 100万 extra, one award) less the recorded 200万 city award.
    const ipo = claims.find((c) => c.incentive_id === 'ipo-listing')!;
    expect((await t.db.selectFrom('decisions').select('amount_fen').where('claim_id', '=', ipo.id).executeTakeFirstOrThrow()).amount_fen).toBe(600 * WAN);
    expect(await t.db.selectFrom('ledger_entries').select('id').where('kind', '=', 'cityAward').execute()).toHaveLength(3);
    // 一事一议 decided by the joint meeting, with its minutes.
    const joint = await t.db.selectFrom('decisions').selectAll().where('case_by_case', '=', true).execute();
    expect(joint.length).toBeGreaterThan(0);
    expect(joint.every((d) => !!d.meeting_ref)).toBe(true);
    // Open and closed 公示: the open one has an unresolved objection.
    const batches = await t.db.selectFrom('publicity_batches').selectAll().execute();
    const open = batches.filter((b) => !b.closed_at);
    expect(open.length).toBeGreaterThan(0);
    expect(batches.length - open.length).toBeGreaterThan(0);
    const pending = await t.db.selectFrom('objections').select('batch_id').where('outcome', 'is', null).execute();
    expect(pending.length).toBeGreaterThan(0);
    expect(open.map((b) => b.id)).toContain(pending[0].batch_id);
    // Every open batch has started (a period never starts before its publication); one is running, one waits to be
    // closed after its period (期满待结束).
    expect(open.every((b) => b.starts_on <= ctx.today())).toBe(true);
    expect(open.some((b) => ctx.today() <= b.ends_on)).toBe(true);
    expect(open.some((b) => ctx.today() > b.ends_on)).toBe(true);
    // Budgets and facts on file.
    expect((await t.db.selectFrom('budgets').select('measure_id').execute()).map((b) => b.measure_id).sort()).toEqual(['10', '11', '16', '18', '7']);
    expect((await t.db.selectFrom('enterprise_facts').select('enterprise_uscc').where('year', '=', 2020).execute()).length).toBeGreaterThan(5);
  });

  it('keeps the credit-blocked enterprise from submitting, and says why', async () => {
    const blocked = summary.creditBlocked!;
    expect(blocked.refusalZh).toContain('失信被执行人');
    const c = await t.db.selectFrom('claims').select('state').where('id', '=', blocked.claimId).executeTakeFirstOrThrow();
    expect(c.state).toBe('draft');
    const listed = await t.db.selectFrom('credit_list').selectAll().where('uscc', '=', blocked.uscc).execute();
    expect(listed).toHaveLength(1);
  });

  it('tells every claim\'s history in order: created first, 公示 and payment after the decision, all before today', async () => {
    const auditor = toPrincipal((await t.db.selectFrom('users').selectAll().where('username', '=', 'auditor').executeTakeFirstOrThrow()));
    const claims = await t.db.selectFrom('claims').select(['id', 'state']).orderBy('id').execute();
    const now = Date.now();
    for (const c of claims) {
      const { timeline } = await getClaimDetail(ctx, auditor, c.id);
      const kinds = timeline.map((e) => e.kind);
      const times = timeline.map((e) => e.at.getTime());
      expect(kinds[0], `claim ${c.id}`).toBe('created');
      expect(times, `claim ${c.id} in time order`).toEqual([...times].sort((a, b) => a - b));
      expect(times.every((x) => x <= now)).toBe(true);
      const decided = kinds.indexOf('decided');
      for (const later of ['published', 'publicityClosed', 'paid'] as const) {
        if (kinds.includes(later)) expect(kinds.indexOf(later), `claim ${c.id}: ${later} after the decision`).toBeGreaterThan(decided);
      }
      // a clawback after payment is told after it (the audit log keeps the instant the seeder wrote it)
      if (c.state === 'paid') expect(kinds.filter((k) => k !== 'corrected').slice(-1)).toEqual(['paid']);
    }
    // the claim rejected by an upheld objection says why, with the objection's resolution
    const rejected = await t.db.selectFrom('claims').select('id').where('state', '=', 'rejected').where('item', '=', '全自动电脑横机技改项目').executeTakeFirstOrThrow();
    const d = await getClaimDetail(ctx, auditor, rejected.id);
    expect(d.refusal).toMatchObject({ source: 'publicity', stage: 'publicity' });
    expect(d.refusal!.reason).toContain('二手翻新设备');
    expect(d.preview).toBeNull();
  });

  it('gives the lists the CLI exports (read as CLI_READER)', async () => {
    const openBatch = summary.publicityBatches.find((b) => b.open && b.objections > 0)!;
    const batch = await getPublicityBatch(ctx, CLI_READER, openBatch.id);
    expect(batch.items.length).toBeGreaterThan(0);
    const pub = await sheetText(await publicityWorkbook(batch));
    for (const i of batch.items) expect(pub).toContain(i.uscc);
    const paid = await listPayments(ctx, CLI_READER, 'paid');
    expect(paid).toHaveLength(summary.claimsByState.paid);
    const pay = await sheetText(await paymentWorkbook(paid, { status: 'paid' }));
    for (const p of paid) expect(pay).toContain(p.voucherNo!);
    expect(await listPayments(ctx, CLI_READER, 'awaiting')).toHaveLength(summary.claimsByState.approved);
  });

  it('does nothing the second time, and says so', async () => {
    const before = Number((await sql<{ n: number }>`select count(*) as n from audit_log`.execute(t.db)).rows[0].n);
    const again = await seedDemo(ctx);
    expect(again.seeded).toBe(false);
    expect(again.messageEn).toMatch(/already holds \d+ enterprise/);
    expect(again.users.length).toBe(summary.users.length);
    expect(again.claimsByState).toEqual(summary.claimsByState);
    expect(Number((await sql<{ n: number }>`select count(*) as n from audit_log`.execute(t.db)).rows[0].n)).toBe(before);
    expect(formatDemoCredentials(again)).toContain('demo data not loaded');
  });
});
