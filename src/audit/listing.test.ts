import { beforeAll, expect, it } from 'vitest';
import { describeDatabases } from '../db/test-databases.ts';
import { createWorld, type World } from '../claims/fixture.ts';
import { appendAudit } from './audit-log.ts';
import { claimAuditTrail, listAuditRecords } from './listing.ts';

describeDatabases('audit listing', (t) => {
  let w: World;
  beforeAll(async () => {
    w = await createWorld(t.db);
    for (let i = 1; i <= 5; i++) await appendAudit(t.db, { userId: w.users.cable.id, name: 'cable', ip: '10.0.0.1' }, { action: i % 2 ? 'claim.submit' : 'claim.read', entity: 'claim', entityId: 7, details: { i } });
    await appendAudit(t.db, { userId: null, name: 'system' }, { action: 'claim_like.other', entity: 'claim', entityId: 8 });
  });

  it('auditors and admins read it, newest first, filtered and paginated', async () => {
    const page = await listAuditRecords(t.db, w.users.auditor, { entity: 'claim', entityId: '7' }, 1, 2);
    expect(page.total).toBe(5);
    expect(page.items.map((i) => i.details)).toEqual([{ i: 5 }, { i: 4 }]);
    expect((await listAuditRecords(t.db, w.users.admin, { entity: 'claim', entityId: '7' }, 3, 2)).items.map((i) => i.details)).toEqual([{ i: 1 }]);
    expect((await listAuditRecords(t.db, w.users.auditor, { action: 'claim.read' })).total).toBe(2);
    // a prefix matches whole segments only: '_' is not a wildcard
    expect((await listAuditRecords(t.db, w.users.auditor, { action: 'claim.' })).total).toBe(5);
    expect((await listAuditRecords(t.db, w.users.auditor, { actorUserId: w.users.cable.id, entity: 'claim' })).total).toBe(5);
  });

  it('nobody else does', async () => {
    for (const u of [w.users.cable, w.users.shengzeReviewer, w.users.industryReviewer, w.users.finance]) {
      await expect(listAuditRecords(t.db, u, {})).rejects.toMatchObject({ code: 'forbidden' });
    }
  });

  it("a claim's trail reads oldest first; an unknown claim is not found", async () => {
    await t.db.insertInto('claims').values({ enterprise_uscc: w.enterprises.cable, area_id: 'shengze', policy_id: 'p', measure_id: '16', incentive_id: 'x', year: 2020 }).execute();
    const id = (await t.db.selectFrom('claims').select('id').executeTakeFirstOrThrow()).id;
    await appendAudit(t.db, { userId: null, name: 'system' }, { action: 'claim.create', entity: 'claim', entityId: id });
    const trail = await claimAuditTrail(t.db, w.users.auditor, id);
    expect(trail.items.map((i) => i.action)).toEqual(['claim.create']);
    await expect(claimAuditTrail(t.db, w.users.auditor, id + 99)).rejects.toMatchObject({ code: 'not_found' });
  });
});
