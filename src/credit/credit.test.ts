// The credit lists as officials page through them: newest first, paged in the database, with the total — past
// any fixed number (the list once stopped silently at 500).
import { expect, it } from 'vitest';
import { createWorld } from '../claims/fixture.ts';
import { describeDatabases } from '../db/test-databases.ts';
import { generateUscc, seededRandom } from '../enterprises/uscc.ts';
import { addCreditEntry, creditEntries } from './credit.ts';

describeDatabases('credit lists', (t) => {
  it('pages newest first with the total, for all enterprises or one', async () => {
    const w = await createWorld(t.db);
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
});
