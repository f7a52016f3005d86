// The credit lists as officials page through them: newest first, paged in the database, with the total — past
// any fixed number (the list once stopped silently at 500). A listing's text is checked before it is stored.
import { beforeAll, expect, it } from 'vitest';
import { createWorld, type World } from '../claims/fixture.ts';
import { describeDatabases } from '../db/test-databases.ts';
import { generateUscc, seededRandom } from '../enterprises/uscc.ts';
import { addCreditEntry, creditEntries } from './credit.ts';
import { ValidationError } from '../errors.ts';

describeDatabases('credit lists', (t) => {
  let w: World;
  beforeAll(async () => {
    w = await createWorld(t.db);
  });

  it('pages newest first with the total, for all enterprises or one', async () => {
    const admin = { userId: w.users.admin.id, name: 'admin' };
    const random = seededRandom(29);
    const one = generateUscc({ random });
    for (let i = 0; i < 24; i++) await addCreditEntry(t.db, admin, { uscc: i % 4 === 0 ? one : generateUscc({ random }), listName: '失信被执行人名单', reason: `第${i}号判决未履行`, listedOn: '2021-02-01' });
    const first = await creditEntries(t.db, undefined, 1, 20);
    const second = await creditEntries(t.db, undefined, 2, 20);
    expect(first).toMatchObject({ total: 24, page: 1, pageSize: 20 });
    expect(first.items).toHaveLength(20);
    expect(second.items).toHaveLength(4);
    expect(first.items[0].reason).toBe('第23号判决未履行');
    expect(second.items.at(-1)!.reason).toBe('第0号判决未履行');
    const ofOne = await creditEntries(t.db, one, 1, 20);
    expect(ofOne.total).toBe(6);
    expect(ofOne.items.every((e) => e.uscc === one)).toBe(true);
  });

  it('refuses a blank source (it would be shown as the listing unit), stores none when left out, and trims one given', async () => {
    const admin = { userId: w.users.admin.id, name: 'admin' };
    const uscc = generateUscc({ random: seededRandom(31) });
    const entry = { uscc, listName: '失信被执行人名单', reason: '未履行生效判决', listedOn: '2021-02-01' };
    const count = async () => (await creditEntries(t.db, uscc, 1, 20)).total;
    for (const source of ['   ', '', '\t', 42]) {
      const e = await addCreditEntry(t.db, admin, { ...entry, source }).catch((x) => x);
      expect(e, JSON.stringify(source)).toBeInstanceOf(ValidationError);
      expect(e.errors).toEqual([expect.objectContaining({ path: 'source', code: 'blank' })]);
    }
    expect(await count(), 'nothing stored').toBe(0);
    expect((await addCreditEntry(t.db, admin, entry)).source).toBeNull();
    expect((await addCreditEntry(t.db, admin, { ...entry, source: '  吴江区人民法院 ' })).source).toBe('吴江区人民法院');
    expect(await count()).toBe(2);
  });
});
