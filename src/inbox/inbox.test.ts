// The inbox: what changed since the last visit, for each role and never outside its scope; and the time on queue items.
import { beforeAll, expect, it } from 'vitest';
import { describeDatabases } from '../db/test-databases.ts';
import { createWorld, type World } from '../claims/fixture.ts';
import { createClaim } from '../claims/claims.ts';
import { reviewClaim, submitClaim } from '../claims/workflow.ts';
import { closePublicityBatch, createPublicityBatch, recordObjection } from '../claims/publicity.ts';
import { createPlatformContext, type PlatformContext } from '../claims/context.ts';
import { testEngine } from '../http/test-support.ts';
import type { Principal } from '../identity/users.ts';
import { sql } from 'kysely';
import { inboxCount, markInboxSeen, readInbox, COUNT_CAP } from './inbox.ts';
import { claimTimings } from './timing.ts';

describeDatabases('inbox', (t) => {
  let w: World;
  let ctx: PlatformContext;
  let today = '2021-03-01';
  const claimOf = async (owner: Principal, item: string) =>
    (await createClaim(ctx, owner, { incentive: 'equipment-investment', year: 2020, item, facts: { equipmentInvestment: '2000万元' } })).id;
  const ids = async (u: Principal) => (await readInbox(ctx, u)).items.map((i) => ({ action: i.action, claimId: i.claimId, unseen: i.unseen }));

  beforeAll(async () => {
    w = await createWorld(t.db);
    ctx = createPlatformContext(t.db, testEngine(), { today: () => today });
  });

  it('a submission is new to its area, not to another area, a department, or the enterprise that made it', async () => {
    const cable = await claimOf(w.users.cable, '收件箱一');
    await submitClaim(ctx, w.users.cable, cable);
    expect(await ids(w.users.shengzeReviewer)).toEqual([{ action: 'claim.submit', claimId: cable, unseen: true }]);
    expect((await inboxCount(ctx, w.users.shengzeReviewer)).unseen).toBe(1);
    for (const u of [w.users.songlingReviewer, w.users.industryReviewer, w.users.scienceReviewer, w.users.cable, w.users.textile, w.users.finance]) {
      expect(await ids(u), u.username).toEqual([]);
    }
  });

  it('the first review passing is news to the lead department and to the enterprise, never to another department or enterprise', async () => {
    const cable = await claimOf(w.users.cable, '收件箱二');
    await submitClaim(ctx, w.users.cable, cable);
    await reviewClaim(ctx, w.users.shengzeReviewer, cable, { action: 'pass' });
    expect((await ids(w.users.industryReviewer)).map((i) => i.claimId)).toEqual([cable]);
    expect((await ids(w.users.cable)).map((i) => i.action)).toEqual(['claim.firstReview.pass']);
    expect(await ids(w.users.scienceReviewer)).toEqual([]);
    expect(await ids(w.users.textile)).toEqual([]);
    // the reviewer's own action is not news to them
    expect((await ids(w.users.shengzeReviewer)).map((i) => i.action)).not.toContain('claim.firstReview.pass');
  });

  it('a return reaches the enterprise with its reason, in Chinese and English', async () => {
    const cable = await claimOf(w.users.cable, '收件箱三');
    await submitClaim(ctx, w.users.cable, cable);
    await reviewClaim(ctx, w.users.shengzeReviewer, cable, { action: 'return', reason: '请补充设备发票' });
    const item = (await readInbox(ctx, w.users.cable)).items.find((i) => i.claimId === cable && i.action === 'claim.firstReview.return')!;
    expect(item.summaryZh).toBe(`盛泽镇 盛泽镇经发局 在区镇初审中退回了申报 #${cable}，理由：请补充设备发票`);
    expect(item.summaryEn).toContain(`returned claim #${cable} at the first review; reason: 请补充设备发票`);
    expect(item.actionZh).toBe('初审退回修改');
    expect((await ids(w.users.textile)).some((i) => i.claimId === cable)).toBe(false);
  });

  it('marking seen clears the count; what comes after is new again; the mark never moves back', async () => {
    const u = w.users.shengzeReviewer;
    expect((await inboxCount(ctx, u)).unseen).toBeGreaterThan(0);
    const { seenId } = await markInboxSeen(ctx, u);
    expect(await inboxCount(ctx, u)).toEqual({ unseen: 0, unseenMore: false });
    expect((await readInbox(ctx, u)).items.every((i) => !i.unseen)).toBe(true);
    const next = await claimOf(w.users.textile, '收件箱四');
    await submitClaim(ctx, w.users.textile, next);
    expect((await inboxCount(ctx, u)).unseen).toBe(1);
    expect((await ids(u)).filter((i) => i.unseen)).toEqual([{ action: 'claim.submit', claimId: next, unseen: true }]);
    // an older mark (a stale page) does not make seen things new again
    expect((await markInboxSeen(ctx, u, 1)).seenId).toBe(seenId);
    await expect(markInboxSeen(ctx, u, -1)).rejects.toMatchObject({ code: 'invalid_value' });
    // a mark past the newest record stops at it, so that what is written next is still new
    const far = await markInboxSeen(ctx, u, 10 ** 12);
    const head = Number((await sql<{ m: number }>`select max(id) as m from audit_log`.execute(t.db)).rows[0].m);
    expect(far.seenId).toBe(head);
  });

  it('公示: the enterprise learns its claim is published; objections go to the department only; an ending batch is a reminder', async () => {
    const cable = await claimOf(w.users.cable, '收件箱五');
    await submitClaim(ctx, w.users.cable, cable);
    await reviewClaim(ctx, w.users.shengzeReviewer, cable, { action: 'pass' });
    await reviewClaim(ctx, w.users.industryReviewer, cable, { action: 'pass' });
    await markInboxSeen(ctx, w.users.cable);
    today = '2021-03-01';
    const batch = await createPublicityBatch(ctx, w.users.industryReviewer, { title: '收件箱公示', claimIds: [cable], startsOn: '2021-03-01', days: 3 });
    await recordObjection(ctx, w.users.industryReviewer, batch.id, { claimId: cable, objector: '张某', content: '设备未到位', receivedOn: '2021-03-01' });
    expect((await ids(w.users.cable)).filter((i) => i.unseen).map((i) => i.action)).toEqual(['publicity.publish']);
    expect((await ids(w.users.textile)).some((i) => i.action.startsWith('publicity') || i.action.startsWith('objection'))).toBe(false);
    expect((await ids(w.users.scienceReviewer)).length).toBe(0);
    // the colleague sees what industry did; industry itself does not
    const colleague = await (await import('../identity/users.ts')).createUser(t.db, { username: 'industry2', displayName: '工信二', password: 'kaifang-test-2020', role: 'departmentReviewer', departmentId: 'industry-it-bureau' }, { actor: { userId: null, name: 'system' }, config: (await import('../claims/fixture.ts')).FAST_SECURITY });
    expect((await ids(colleague)).map((i) => i.action)).toEqual(expect.arrayContaining(['publicity.publish', 'objection.record']));
    // reminders: ends in 2 days (03-03) seen from 03-01; ended once the 4th comes; none for another department
    const r = (await readInbox(ctx, w.users.industryReviewer)).reminders.find((x) => x.batchId === batch.id)!;
    expect(r).toMatchObject({ kind: 'batchEnding', endsOn: '2021-03-03', daysLeft: 2, claims: 1 });
    today = '2021-03-04';
    expect((await readInbox(ctx, w.users.industryReviewer)).reminders.find((x) => x.batchId === batch.id)).toMatchObject({ kind: 'batchEnded', daysLeft: -1 });
    expect((await readInbox(ctx, w.users.scienceReviewer)).reminders).toEqual([]);
    // timing: 期满待结束
    expect((await claimTimings(ctx, w.users.industryReviewer, [cable]))[0]).toMatchObject({ kind: 'publicityEnded', endsOn: '2021-03-03', daysLeft: -1, batchId: batch.id });
    today = '2021-03-02';
    expect((await claimTimings(ctx, w.users.industryReviewer, [cable]))[0]).toMatchObject({ kind: 'publicityRunning', daysLeft: 1 });
    today = '2021-03-04';
    await expect(closePublicityBatch(ctx, w.users.industryReviewer, batch.id)).rejects.toMatchObject({ code: 'invalid_state' }); // the objection is open
  });

  it('finance hears of approvals and payments but nothing of the review; admin and auditor see no claim news', async () => {
    expect((await ids(w.users.finance)).every((i) => ['claim.publicity.passed', 'claim.publicity.upheld', 'claim.pay', 'claim.reverse', 'claim.clawback', 'claim.recovery.record', 'budget.set'].includes(i.action))).toBe(true);
    expect((await ids(w.users.admin)).filter((i) => i.claimId !== null)).toEqual([]);
    expect((await ids(w.users.auditor)).filter((i) => i.action.startsWith('claim.submit'))).toEqual([]);
  });

  it('the count stops at 99 and says there are more', async () => {
    const u = w.users.songlingReviewer;
    await markInboxSeen(ctx, u);
    const first = await claimOf(w.users.equipment, '收件箱批量');
    const values = Array.from({ length: COUNT_CAP + 2 }, () => sql`(now(), 'equipment', ${w.users.equipment.id}, 'claim.submit', 'claim', ${String(first)}, '{}'::jsonb)`);
    await sql`insert into audit_log (at, actor, actor_user_id, action, entity, entity_id, details) values ${sql.join(values)}`.execute(t.db);
    expect(await inboxCount(ctx, u)).toEqual({ unseen: COUNT_CAP, unseenMore: true });
    expect((await readInbox(ctx, u)).items.length).toBe(30);
  });

  it('queue timing: working days waiting at review, days since returned, only for claims in scope', async () => {
    today = '2021-03-01';
    const waiting = await claimOf(w.users.cable, '计时一');
    await submitClaim(ctx, w.users.cable, waiting);
    // submitted on Friday 2021-02-26 (Shanghai): Monday 03-01 is one working day later, three calendar days
    await sql`update claims set submitted_at = ${new Date('2021-02-26T10:00:00+08:00')} where id = ${waiting}`.execute(t.db);
    const returned = await claimOf(w.users.cable, '计时二');
    await submitClaim(ctx, w.users.cable, returned);
    await reviewClaim(ctx, w.users.shengzeReviewer, returned, { action: 'return', reason: '补材料' });
    await sql`update reviews set at = ${new Date('2021-02-20T09:00:00+08:00')} where claim_id = ${returned}`.execute(t.db);
    const got = await claimTimings(ctx, w.users.shengzeReviewer, [waiting, returned]);
    expect(got).toEqual([
      expect.objectContaining({ claimId: waiting, kind: 'reviewWaiting', since: '2021-02-26', days: 3, workingDays: 1, limitWorkingDays: null, overdue: false }),
      expect.objectContaining({ claimId: returned, kind: 'returned', since: '2021-02-20', days: 9 }),
    ]);
    // another area, another department, another enterprise: nothing, as if the claims did not exist
    expect(await claimTimings(ctx, w.users.songlingReviewer, [waiting, returned])).toEqual([]);
    expect(await claimTimings(ctx, w.users.scienceReviewer, [waiting, returned])).toEqual([]);
    expect(await claimTimings(ctx, w.users.textile, [waiting, returned])).toEqual([]);
    expect(await claimTimings(ctx, w.users.admin, [waiting])).toEqual([]);
  });
});
