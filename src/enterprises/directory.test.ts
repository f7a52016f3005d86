// The directory's search through enterprise_search_grams gives exactly what a scan of every enterprise with
// ILIKE gave (the query before migration 0017), page by page, for each scope; renamed enterprises are found by
// their new name only.
import { beforeAll, expect, it } from 'vitest';
import { sql } from 'kysely';
import { describeDatabases } from '../db/test-databases.ts';
import { Engine } from '../engine/index.ts';
import { SYSTEM_ACTOR } from '../audit/audit-log.ts';
import { createPlatformContext, type PlatformContext } from '../claims/context.ts';
import { createWorld, type World } from '../claims/fixture.ts';
import { createEnterprise } from './enterprises.ts';
import { generateUscc, seededRandom } from './uscc.ts';
import { listVisibleEnterprises } from './directory.ts';

const engine = Engine.load();

describeDatabases('directory search', (t) => {
  let ctx: PlatformContext;
  let w: World;
  beforeAll(async () => {
    ctx = createPlatformContext(t.db, engine);
    w = await createWorld(t.db, 3);
    const random = seededRandom(99);
    const words = ['光电', '科技', '纺织', '光通信', '电子', 'Photon', 'OPTO', '装备', '新材料', '丝绸'];
    for (let i = 0; i < 120; i++) {
      const name = `吴江${words[i % words.length]}${words[(i * 7) % words.length]}${i}号有限公司`;
      await createEnterprise(t.db, { uscc: generateUscc({ random }), name, areaId: i % 3 ? 'shengze' : 'songling', industryClass: 'other' }, { actor: SYSTEM_ACTOR });
    }
  });

  /** The list as it was read before the bigram table: every visible enterprise scanned with ILIKE. */
  async function scanned(areaId: string | undefined, term: string) {
    const like = `%${term.replace(/[\\%_]/g, (c) => '\\' + c)}%`;
    const { rows } = await sql<{ uscc: string }>`
      select uscc from enterprises
       where (${areaId ?? null}::text is null or area_id = ${areaId ?? null})
         and (name ilike ${like} or uscc ilike ${like})
       order by name, uscc`.execute(t.db);
    return rows.map((r) => r.uscc);
  }

  async function listed(user: World['users']['finance'], term: string, pageSize: number) {
    const all: string[] = [];
    for (let page = 1; ; page++) {
      const r = await listVisibleEnterprises(ctx, user, { q: term }, page, pageSize);
      all.push(...r.items.map((i) => i.uscc));
      if (r.items.length < pageSize) {
        expect(r.total).toBe(all.length);
        expect(r.totalCapped).toBe(false);
        return all;
      }
    }
  }

  it('finds the same enterprises in the same order as a scan, for two-character Chinese terms, Latin of either case, USCC pieces and one character', async () => {
    const someUscc = (await t.db.selectFrom('enterprises').select('uscc').orderBy('name').limit(1).executeTakeFirstOrThrow()).uscc;
    for (const term of ['光电', '科技', '光通', '光通信有', 'photon', 'Opto', '号有限', someUscc, someUscc.slice(4, 12), someUscc.slice(0, 2).toLowerCase(), '光', '5', '无此企业', '100%', 'a_b']) {
      expect(await listed(w.users.finance, term, 7), term).toEqual(await scanned(undefined, term));
      expect(await listed(w.users.shengzeReviewer, term, 5), `${term} in 盛泽`).toEqual(await scanned('shengze', term));
    }
    expect(await listed(w.users.finance, '', 50)).toEqual(await scanned(undefined, ''));
  });

  it('a renamed enterprise is found by its new name only', async () => {
    const uscc = (await t.db.selectFrom('enterprises').select('uscc').where('name', 'like', '%丝绸%').limit(1).executeTakeFirstOrThrow()).uscc;
    await t.db.updateTable('enterprises').set({ name: '吴江量子计算有限公司' }).where('uscc', '=', uscc).execute();
    expect((await listVisibleEnterprises(ctx, w.users.finance, { q: '量子' })).items.map((i) => i.uscc)).toEqual([uscc]);
    expect(await listed(w.users.finance, '丝绸', 10)).toEqual(await scanned(undefined, '丝绸'));
    expect(await listed(w.users.finance, '丝绸', 10)).not.toContain(uscc);
  });

  it('counts up to the cap and says when there are more', async () => {
    const r = await listVisibleEnterprises(ctx, w.users.finance, { q: '有限' }, 1, 20);
    expect(r).toMatchObject({ total: 124, totalCapped: false });
    expect(r.items).toHaveLength(20);
  });
});
