// The demo's service desk on both databases: requests in every state, one transferred, escalated, answered late and
// rated, a red one in the commerce bureau's queue, the leader's inbox told, and the figures counting them.
import { beforeAll, expect, it } from 'vitest';
import { describeDatabases } from '../db/test-databases.ts';
import { Engine } from '../engine/index.ts';
import { createPlatformContext, type PlatformContext } from '../claims/context.ts';
import { toPrincipal } from '../identity/users.ts';
import { SERVICE_REQUEST_STATES } from '../db/schema.ts';
import { seedDemo } from '../demo/seed.ts';
import { getRequest, listRequests } from './requests.ts';
import { requestFigures } from './figures.ts';
import { readInbox } from '../inbox/inbox.ts';

describeDatabases('service desk demo', (t) => {
  let ctx: PlatformContext;
  const principal = async (username: string) => toPrincipal(await t.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirstOrThrow());
  beforeAll(async () => {
    ctx = createPlatformContext(t.db, Engine.load());
    expect((await seedDemo(ctx)).seeded).toBe(true);
  }, 180_000);

  it('has requests in every state, and the walked one was transferred, escalated, answered late and rated', async () => {
    const states = new Set((await t.db.selectFrom('service_requests').select('state').execute()).map((r) => r.state));
    expect(states).toEqual(new Set(SERVICE_REQUEST_STATES));
    const walked = await t.db.selectFrom('service_requests').select('id').where('transfer_count', '>', 0).executeTakeFirstOrThrow();
    const r = await getRequest(ctx, await principal('ent-lanchuan'), Number(walked.id));
    expect(r).toMatchObject({ state: 'closed', escalated: true, answeredOnTime: false, rating: 4, unit: 'department:science-technology-bureau' });
    expect(r.events.map((e) => e.kind)).toEqual(['filed', 'acknowledged', 'transferred', 'acknowledged', 'escalated', 'answered', 'rated']);
  });

  it('shows the overdue request red at the top of the commerce bureau queue and tells the leader', async () => {
    const queue = await listRequests(ctx, await principal('dept-commerce'));
    expect(queue.items[0]).toMatchObject({ overdue: true, escalated: true });
    const inbox = await readInbox(ctx, await principal('area-songling'));
    expect(inbox.items.some((i) => i.action === 'serviceRequest.escalate')).toBe(true);
  });

  it('has a monthly direct report answered in the portal and by Excel, and chased', async () => {
    const report = await t.db.selectFrom('direct_reports').selectAll().executeTakeFirstOrThrow();
    const answers = await t.db.selectFrom('direct_report_answers').selectAll().where('report_id', '=', report.id).execute();
    expect(answers.map((a) => a.via).sort()).toEqual(['excel', 'portal', 'portal']);
    const chase = await t.db.selectFrom('audit_log').select('details').where('action', '=', 'directReport.chase').executeTakeFirstOrThrow();
    expect((chase.details as { enterprises: number }).enterprises).toBeGreaterThan(0);
  });

  it('has two visits to 澜川 this period, so a third needs its reason', async () => {
    const visits = await t.db.selectFrom('liaison_visits').selectAll().execute();
    expect(visits).toHaveLength(2);
  });

  it('has assistance cases waiting, in hand and done', async () => {
    const states = (await t.db.selectFrom('assistance_cases').select('state').execute()).map((r) => r.state).sort();
    expect(states).toEqual(['assigned', 'done', 'requested']);
  });

  it('counts them in the figures', async () => {
    const f = await requestFigures(ctx, { by: 'unit' });
    expect(f.total.received).toBe(6);
    expect(f.total.answered).toBe(3 + 0); // closed twice and answered once
    expect(f.rows.find((r) => r.key === 'department:science-technology-bureau')).toMatchObject({ received: 2, answered: 1, answeredOnTime: 0 });
  });
});
