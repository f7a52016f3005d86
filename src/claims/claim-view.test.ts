// The claim as its readers see it, on both databases: a refused claim says why, by whom and at which stage (to the
// enterprise and to officials), never beside an entitlement; a credit-listed enterprise is told by whom it was
// listed and is not offered `submit`; the timeline keeps every event in time order; the ledger panel tells a role
// that may not read the ledger so; 公示 is not claimed before a batch exists; prior-award figures agree.
import { beforeAll, describe, expect, it } from 'vitest';
import { describeDatabases } from '../db/test-databases.ts';
import { Engine } from '../engine/index.ts';
import { addCalendarDays } from '../civil-date.ts';
import { addCreditEntry, creditStatus } from '../credit/credit.ts';
import { createPlatformContext, type PlatformContext } from './context.ts';
import { createWorld, type World } from './fixture.ts';
import { createClaim, getClaimDetail, listClaims } from './claims.ts';
import { correctAward, reviewClaim, submitClaim } from './workflow.ts';
import { closePublicityBatch, createPublicityBatch, recordObjection, resolveObjection } from './publicity.ts';
import type { Principal } from '../identity/users.ts';
import { generateUscc, seededRandom } from '../enterprises/uscc.ts';

const engine = Engine.load();
const WAN = 1_000_000;

describeDatabases('the claim view', (t) => {
  let ctx: PlatformContext;
  let w: World;
  let today = '2021-03-01';
  beforeAll(async () => {
    today = '2021-03-01';
    ctx = createPlatformContext(t.db, engine, { today: () => today });
    w = await createWorld(t.db, 14);
  });

  /** An equipment claim of 盛泽 enterprise `owner`, carried to its decision (leading industry: 12%). */
  const decidedEquipment = async (owner: Principal, item: string, investment = '2500万元') => {
    const c = await createClaim(ctx, owner, { incentive: 'equipment-investment', year: 2020, item, facts: { equipmentInvestment: investment } });
    await submitClaim(ctx, owner, c.id);
    await reviewClaim(ctx, w.users.shengzeReviewer, c.id, { action: 'pass' });
    await reviewClaim(ctx, w.users.industryReviewer, c.id, { action: 'pass' });
    return c.id;
  };

  describe('a refusal carries its reason, its stage and who gave it', () => {
    it('an objection upheld in 公示: the resolution, to the enterprise and to the officials, and no entitlement beside it', async () => {
      today = '2021-03-01';
      const id = await decidedEquipment(w.users.cable, '光纤预制棒扩产项目');
      const batch = await createPublicityBatch(ctx, w.users.industryReviewer, { title: '设备投入奖补公示', claimIds: [id], startsOn: today });
      const o = await recordObjection(ctx, w.users.industryReviewer, batch.id, { claimId: id, objector: '某企业', content: '部分设备为二手翻新', receivedOn: today });
      await resolveObjection(ctx, w.users.industryReviewer, o.id, { outcome: 'upheld', resolution: '现场核查1200万元设备为二手翻新，剔除后不足2000万元' });
      today = addCalendarDays(batch.endsOn, 1);
      await closePublicityBatch(ctx, w.users.industryReviewer, batch.id);
      for (const reader of [w.users.cable, w.users.industryReviewer, w.users.shengzeReviewer, w.users.auditor]) {
        const d = await getClaimDetail(ctx, reader, id);
        expect(d.claim.state, reader.username).toBe('rejected');
        expect(d.refusal, reader.username).toMatchObject({ source: 'publicity', stage: 'publicity', actor: '区工信局' });
        expect(d.refusal!.reason).toContain('剔除后不足2000万元');
        expect(d.preview, reader.username).toBeNull(); // never an eligible amount beside a refusal
      }
    });

    it('a rejection at review: the reviewer\'s reason and stage', async () => {
      const c = await createClaim(ctx, w.users.textile, { incentive: 'innovation-voucher', year: 2020, amountClaimedFen: 10 * WAN, facts: { purchasesSciTechServices: true } });
      await submitClaim(ctx, w.users.textile, c.id);
      await reviewClaim(ctx, w.users.shengzeReviewer, c.id, { action: 'reject', reason: '未向长三角地区购买科技服务' });
      const d = await getClaimDetail(ctx, w.users.textile, c.id);
      expect(d.refusal).toMatchObject({ source: 'review', stage: 'firstReview', reason: '未向长三角地区购买科技服务', actor: '盛泽镇经发局' });
      expect(d.preview).toBeNull();
    });

    it('a reversal by correction: its note, the correcting department', async () => {
      today = '2021-05-01';
      const id = await decidedEquipment(w.users.cable, '光缆护套生产线');
      await correctAward(ctx, w.users.industryReviewer, id, { kind: 'reversal', reason: '设备发票经税务核验为虚开' });
      const d = await getClaimDetail(ctx, w.users.cable, id);
      expect(d.refusal).toMatchObject({ source: 'correction', stage: 'correction', reason: '设备发票经税务核验为虚开', actor: '区工信局' });
      expect(d.timeline.map((e) => e.kind)).toEqual(['created', 'submitted', 'review', 'review', 'decided', 'corrected']);
    });

    it('a claim that is not refused has no refusal, and keeps its evaluation', async () => {
      const c = await createClaim(ctx, w.users.equipment, { incentive: 'innovation-voucher', year: 2020, amountClaimedFen: 5 * WAN, facts: { purchasesSciTechServices: true } });
      const d = await getClaimDetail(ctx, w.users.equipment, c.id);
      expect(d.refusal).toBeNull();
      expect(d.preview).toMatchObject({ status: 'eligible', amountFen: 5 * WAN });
    });
  });

  describe('a credit-listed enterprise', () => {
    it('is told on its own claim, with the unit that listed it, and is not offered submit', async () => {
      today = '2021-06-01';
      const c = await createClaim(ctx, w.users.spare, { incentive: 'innovation-voucher', year: 2020, amountClaimedFen: 5 * WAN, facts: { purchasesSciTechServices: true } });
      expect((await getClaimDetail(ctx, w.users.spare, c.id)).allowedActions).toContain('submit');
      await addCreditEntry(t.db, { userId: w.users.admin.id, name: 'admin' }, { uscc: w.enterprises.spare, listName: '失信被执行人名单', reason: '未履行判决', listedOn: today, source: '吴江区人民法院' });
      const mine = await getClaimDetail(ctx, w.users.spare, c.id);
      expect(mine.credit).toMatchObject({ blocked: true, blocks: ['submit', 'pay'], entries: [{ listName: '失信被执行人名单', reason: '未履行判决', unit: '吴江区人民法院', listedOn: '2021-06-01' }] });
      expect(mine.allowedActions).toEqual(['edit', 'uploadEvidence', 'withdraw']);
      expect((await getClaimDetail(ctx, w.users.songlingReviewer, c.id)).credit.blocked).toBe(true);
    });

    it('names the recording official when the list has no source, and ends with the listing', async () => {
      today = '2021-06-01';
      const uscc = generateUscc({ random: seededRandom(1415) }); // no enterprise of the world: its claims stay submittable
      await addCreditEntry(t.db, { userId: w.users.admin.id, name: 'admin' }, { uscc, listName: '联合惩戒对象名单', reason: '拖欠社保', listedOn: '2021-06-02' });
      expect(await creditStatus(t.db, uscc, '2021-06-01')).toEqual({ blocked: false, blocks: [], entries: [] }); // listed tomorrow
      const s = await creditStatus(t.db, uscc, '2021-06-02');
      expect(s).toMatchObject({ blocked: true, entries: [{ listName: '联合惩戒对象名单', unit: '系统管理员' }] });
    });
  });

  it('the timeline keeps the first submission, the return and the resubmission, in time order', async () => {
    today = '2021-07-01';
    const c = await createClaim(ctx, w.users.textile, { incentive: 'equipment-investment', year: 2020, item: '喷气织机技改项目', facts: { equipmentInvestment: '2100万元' } });
    await submitClaim(ctx, w.users.textile, c.id);
    await reviewClaim(ctx, w.users.shengzeReviewer, c.id, { action: 'return', reason: '请补充发票清单' });
    await submitClaim(ctx, w.users.textile, c.id);
    await reviewClaim(ctx, w.users.shengzeReviewer, c.id, { action: 'pass' });
    const d = await getClaimDetail(ctx, w.users.textile, c.id);
    expect(d.timeline.map((e) => [e.kind, e.action ?? null])).toEqual([
      ['created', null],
      ['submitted', null],
      ['review', 'return'],
      ['resubmitted', null],
      ['review', 'pass'],
    ]);
    expect(d.timeline[2]).toMatchObject({ stage: 'firstReview', reason: '请补充发票清单', actor: '盛泽镇经发局' });
    const times = d.timeline.map((e) => e.at.getTime());
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('the ledger panel: a role that may not read the ledger is told so, one that may reads it', async () => {
    today = '2021-08-01';
    const id = await decidedEquipment(w.users.cable, '海缆生产线', '3000万元');
    const area = await getClaimDetail(ctx, w.users.shengzeReviewer, id);
    expect(area).toMatchObject({ ledgerReadable: false, ledger: [] });
    const dept = await getClaimDetail(ctx, w.users.industryReviewer, id);
    expect(dept.ledgerReadable).toBe(true);
    expect(dept.ledger.some((l) => l.claimId === id && l.kind === 'award')).toBe(true);
    expect((await getClaimDetail(ctx, w.users.cable, id)).ledgerReadable).toBe(true);
  });

  it('a decided claim awaits its 公示 (待公示) until it is in a batch, then is in 公示', async () => {
    today = '2021-09-01';
    const id = await decidedEquipment(w.users.cable, '光纤拉丝塔', '2200万元');
    const before = await getClaimDetail(ctx, w.users.cable, id);
    expect(before.claim).toMatchObject({ state: 'publicity', stateZh: '待公示', awaitingPublicity: true });
    const listed = (await listClaims(ctx, w.users.cable, { state: 'publicity' })).items.find((i) => i.id === id)!;
    expect(listed).toMatchObject({ stateZh: '待公示', awaitingPublicity: true });
    await createPublicityBatch(ctx, w.users.industryReviewer, { title: '设备投入奖补公示（二）', claimIds: [id], startsOn: today });
    const after = await getClaimDetail(ctx, w.users.cable, id);
    expect(after.claim).toMatchObject({ stateZh: '公示阶段', awaitingPublicity: false });
    expect((await listClaims(ctx, w.users.cable, { state: 'publicity' })).items.find((i) => i.id === id)).toMatchObject({ stateZh: '公示阶段', awaitingPublicity: false });
    expect(after.timeline.at(-1)).toMatchObject({ kind: 'published', title: '设备投入奖补公示（二）', startsOn: today });
  });

  it('earlier awards shown for a claim are those its limits count: another project\'s award is not "already received"', async () => {
    today = '2021-10-01';
    // The spare enterprise (high-tech, 松陵) has no award yet; one project decided, then a claim for another project.
    const first = await createClaim(ctx, w.users.equipment, { incentive: 'equipment-investment', year: 2020, item: '焊接机器人产线', facts: { equipmentInvestment: '3000万元' } });
    await submitClaim(ctx, w.users.equipment, first.id);
    await reviewClaim(ctx, w.users.songlingReviewer, first.id, { action: 'pass' });
    await reviewClaim(ctx, w.users.industryReviewer, first.id, { action: 'pass' });
    const second = await createClaim(ctx, w.users.equipment, { incentive: 'equipment-investment', year: 2020, item: '激光切割产线', facts: { equipmentInvestment: '2500万元' } });
    const exp = (await getClaimDetail(ctx, w.users.songlingReviewer, second.id)).preview!.explanation!;
    const itemCap = exp.caps.find((c) => c.scope === 'item')!;
    expect(itemCap.usedBeforeFen).toBe(0);
    expect(exp.priorAwardsFen).toBe(itemCap.usedBeforeFen); // was the first project's award: "已获 … 此前已用 0"
  });
});
