// The reviewer queue paged by keyset gives exactly the rows the OFFSET query gave before migration 0017, in the
// same order, by page number and by cursor, for each scope and filter; totals are the kept counts or capped; the
// 公示 list pages over batches with each batch's items and amount.
import { beforeAll, expect, it } from 'vitest';
import { sql } from 'kysely';
import { describeDatabases } from '../db/test-databases.ts';
import { Engine } from '../engine/index.ts';
import { listScope } from '../identity/access.ts';
import { createPlatformContext, type PlatformContext } from './context.ts';
import { createWorld, type World } from './fixture.ts';
import { createClaim, listClaims, queueCounts, type ClaimFilter } from './claims.ts';
import { reviewClaim, submitClaim } from './workflow.ts';
import { createPublicityBatch, listPublicityBatches } from './publicity.ts';

const engine = Engine.load();
type User = World['users']['finance'];

describeDatabases('reviewer queue and 公示 list', (t) => {
  let ctx: PlatformContext;
  let w: World;
  let today = '2021-03-01';
  beforeAll(async () => {
    ctx = createPlatformContext(t.db, engine, { today: () => today });
    w = await createWorld(t.db, 5);
    const companies = [w.users.cable, w.users.textile, w.users.equipment, w.users.spare];
    for (let i = 0; i < 36; i++) {
      const u = companies[i % 4];
      const c = i % 5 === 0
        ? await createClaim(ctx, u, { incentive: 'innovation-voucher', year: 2020, amountClaimedFen: 500_000, facts: { purchasesSciTechServices: true } })
        : await createClaim(ctx, u, { incentive: 'equipment-investment', year: 2020, item: `项目${i}`, facts: { equipmentInvestment: '2000万元' } });
      if (i % 6 === 5) continue; // draft
      await submitClaim(ctx, u, c.id);
      if (i % 3 === 0) continue;
      const area = i % 4 < 2 ? w.users.shengzeReviewer : w.users.songlingReviewer;
      await reviewClaim(ctx, area, c.id, { action: 'pass' });
      if (i % 3 === 1) await reviewClaim(ctx, i % 5 === 0 ? w.users.scienceReviewer : w.users.industryReviewer, c.id, { action: 'pass' }).catch(() => undefined);
    }
    // Two instants alike: the keyset must break the tie by id, as the ORDER BY did.
    await sql`update claims set submitted_at = (select min(submitted_at) from claims) where id in (select id from claims where submitted_at is not null order by id desc limit 3)`.execute(t.db);
  });

  /** The list as listClaims read it before: the caller's scope and filters, OFFSET paging. */
  async function offsetQuery(user: User, f: ClaimFilter, states: string[] | undefined) {
    const scope = listScope(user, 'claim.read', ctx.access);
    const where = [
      scope.kind === 'area' ? sql`c.area_id = ${scope.areaId}` : scope.kind === 'measures' ? sql`c.measure_id in (${sql.join(scope.measureIds)})` : scope.kind === 'enterprise' ? sql`c.enterprise_uscc = ${scope.enterpriseUscc}` : sql`true`,
      states ? sql`c.state in (${sql.join(states)})` : sql`true`,
      f.measure ? sql`c.measure_id = ${f.measure}` : sql`true`,
      f.areaId ? sql`c.area_id = ${f.areaId}` : sql`true`,
      f.q ? sql`(e.name like ${`%${f.q}%`} or c.item like ${`%${f.q}%`} or c.enterprise_uscc like ${`%${f.q}%`})` : sql`true`,
    ];
    const { rows } = await sql<{ id: number }>`
      select c.id from claims c join enterprises e on e.uscc = c.enterprise_uscc where ${sql.join(where, sql` and `)}
       order by coalesce(c.submitted_at, c.created_at), c.id`.execute(t.db);
    return rows.map((r) => Number(r.id));
  }

  async function pagesOf(user: User, f: ClaimFilter, pageSize: number) {
    const byPage: number[] = [];
    const byCursor: number[] = [];
    let total = -1;
    for (let page = 1; page < 50; page++) {
      const r = await listClaims(ctx, user, f, page, pageSize);
      byPage.push(...r.items.map((i) => i.id));
      total = r.total;
      if (r.items.length < pageSize) break;
    }
    let cursor: string | undefined;
    for (let i = 0; i < 50; i++) {
      const r = await listClaims(ctx, user, f, 1, pageSize, cursor);
      byCursor.push(...r.items.map((x) => x.id));
      if (!r.nextCursor) break;
      cursor = r.nextCursor;
    }
    return { byPage, byCursor, total };
  }

  it('every scope and filter lists the same claims in the same order, by page and by cursor', async () => {
    const cases: Array<[User, ClaimFilter, string[] | undefined]> = [
      [w.users.finance, {}, undefined],
      [w.users.finance, { state: 'submitted' }, ['submitted']],
      [w.users.finance, { areaId: 'shengze' }, undefined],
      [w.users.finance, { measure: '16', state: 'departmentReview' }, ['departmentReview']],
      [w.users.shengzeReviewer, { queue: 'mine' }, ['submitted']],
      [w.users.shengzeReviewer, {}, undefined],
      [w.users.shengzeReviewer, { q: '长缆' }, undefined],
      [w.users.industryReviewer, { queue: 'mine' }, ['departmentReview', 'jointReview', 'publicity']],
      [w.users.industryReviewer, { queue: 'mine', areaId: 'songling' }, ['departmentReview', 'jointReview', 'publicity']],
      [w.users.scienceReviewer, {}, undefined],
      [w.users.cable, {}, undefined],
      [w.users.cable, { queue: 'mine' }, ['draft', 'returned']],
    ];
    for (const [user, f, states] of cases) {
      const expected = await offsetQuery(user, f, states);
      for (const pageSize of [1, 4, 20]) {
        const got = await pagesOf(user, f, pageSize);
        const label = `${user.username} ${JSON.stringify(f)} by ${pageSize}`;
        expect(got.byPage, label).toEqual(expected);
        expect(got.byCursor, label).toEqual(expected);
        expect(got.total, label).toBe(expected.length);
      }
    }
    expect((await pagesOf(w.users.finance, {}, 4)).byPage.length).toBeGreaterThan(30);
  });

  it('badges are the kept counts; a malformed cursor is refused', async () => {
    const counts = await queueCounts(ctx, w.users.shengzeReviewer);
    expect(counts.firstReview).toBe((await offsetQuery(w.users.shengzeReviewer, {}, ['submitted'])).length);
    await expect(listClaims(ctx, w.users.finance, {}, 1, 20, 'bm90LWEtY3Vyc29y')).rejects.toMatchObject({ errors: [{ code: 'bad_cursor', path: 'cursor' }] });
  });

  it('the 公示 list: newest batch first, its items and amount, by page and by cursor', async () => {
    const waiting = await listClaims(ctx, w.users.industryReviewer, { state: 'publicity' }, 1, 100);
    const ids = waiting.items.map((i) => i.id);
    expect(ids.length).toBeGreaterThan(3);
    const made: number[] = [];
    for (const part of [ids.slice(0, 1), ids.slice(1, 3), ids.slice(3)]) {
      made.push((await createPublicityBatch(ctx, w.users.industryReviewer, { title: `公示${made.length}`, claimIds: part, startsOn: today })).id);
    }
    const first = await listPublicityBatches(ctx, w.users.industryReviewer, 1, 2);
    expect(first.items.map((b) => b.id)).toEqual([made[2], made[1]]);
    expect(first.total).toBe(3);
    const amountOf = (part: number[]) => waiting.items.filter((i) => part.includes(i.id)).reduce((s, i) => s + (i.decidedAmountFen ?? 0), 0);
    expect(first.items[0]).toMatchObject({ claims: ids.length - 3, amountFen: amountOf(ids.slice(3)) });
    expect(first.items[1]).toMatchObject({ claims: 2, amountFen: amountOf(ids.slice(1, 3)) });
    const next = await listPublicityBatches(ctx, w.users.industryReviewer, 1, 2, first.nextCursor!);
    expect(next.items.map((b) => b.id)).toEqual([made[0]]);
    expect(next.nextCursor).toBeNull();
    expect((await listPublicityBatches(ctx, w.users.industryReviewer, 2, 2)).items.map((b) => b.id)).toEqual([made[0]]);
  });
});
