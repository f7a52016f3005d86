// The credit lists as officials page through them: newest first, paged in the database, with the total — past
// any fixed number (the list once stopped silently at 500). A listing's text is checked before it is stored.
import { beforeAll, expect, it } from 'vitest';
import { createWorld, type World } from '../claims/fixture.ts';
import { describeDatabases } from '../db/test-databases.ts';
import { generateUscc, seededRandom } from '../enterprises/uscc.ts';
import ExcelJS from 'exceljs';
import { addCreditEntry, creditEntries, delistCreditEntry, importCreditEntries } from './credit.ts';
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

  it('the administrator form requires the source unit; filters by in force and ended', async () => {
    const admin = { userId: w.users.admin.id, name: 'admin' };
    const uscc = generateUscc({ random: seededRandom(37) });
    const e = (await addCreditEntry(t.db, admin, { uscc, listName: ' ', reason: '', listedOn: '2021-02-30' }, { sourceRequired: true }).catch((x) => x)) as ValidationError;
    expect(e.errors.map((x) => [x.path, x.code])).toEqual([['listName', 'required'], ['reason', 'required'], ['source', 'required'], ['listedOn', 'bad_date']]);
    const listed = await addCreditEntry(t.db, admin, { uscc, listName: '失信被执行人名单', reason: '未履行', listedOn: '2021-02-01', source: '吴江区人民法院' }, { sourceRequired: true });
    const later = await addCreditEntry(t.db, admin, { uscc, listName: '重大税收违法名单', reason: '欠税', listedOn: '2021-05-01', source: '税务局' }, { sourceRequired: true });
    const bad = (await delistCreditEntry(t.db, admin, listed.id, { reason: ' ', delistedOn: 'x' }).catch((x) => x)) as ValidationError;
    expect(bad.errors.map((x) => x.path)).toEqual(['reason', 'delistedOn']);
    await expect(delistCreditEntry(t.db, admin, listed.id, { reason: '信用修复', delistedOn: '2021-01-01' })).rejects.toMatchObject({ errors: [expect.objectContaining({ path: 'delistedOn' })] });
    await delistCreditEntry(t.db, admin, listed.id, { reason: '信用修复', delistedOn: '2021-03-01' });
    const ids = async (status: 'active' | 'ended', today: string) => (await creditEntries(t.db, { uscc, status, today })).items.map((x) => x.id);
    // on 2021-03-01 the first is ended (delisted that day) and the second not yet in force (listed from 05-01)
    expect(await ids('active', '2021-03-01')).toEqual([]);
    expect(await ids('ended', '2021-03-01')).toEqual([listed.id]);
    expect(await ids('active', '2021-02-28')).toEqual([listed.id]);
    expect(await ids('active', '2021-05-01')).toEqual([later.id]);
  });

  it('imports a list all or nothing, each problem by row and column', async () => {
    const admin = { userId: w.users.admin.id, name: 'admin' };
    const random = seededRandom(41);
    const [a, b] = [generateUscc({ random }), generateUscc({ random })];
    const xlsx = async (rows: unknown[][]) => {
      const wb = new ExcelJS.Workbook();
      const ws = wb.addWorksheet('信用惩戒名单');
      ws.addRow(['统一社会信用代码', '企业名称', '名单名称', '列入原因', '列入日期', '来源单位']);
      for (const r of rows) ws.addRow(r);
      return Buffer.from(await wb.xlsx.writeBuffer());
    };
    const total = async () => (await creditEntries(t.db, undefined, 1, 1)).total;
    const before = await total();
    const err = (await importCreditEntries(t.db, admin, await xlsx([[a, '', '失信被执行人名单', '未履行', '2021-03-01', '法院'], [b, '', '失信被执行人名单', '未履行', '2021-13-01', ''], [a, '', '失信被执行人名单', '未履行', '2021-03-01', '法院']])).catch((x) => x)) as ValidationError;
    expect(err.errors.map((x) => [x.path, x.code])).toEqual([['rows[3].source', 'required'], ['rows[3].listedOn', 'bad_date'], ['rows[4]', 'duplicate_in_file']]);
    expect(err.errors[0].messageZh).toMatch(/^第3行「来源单位」/);
    expect(await total()).toBe(before);
    const ok = await importCreditEntries(t.db, admin, await xlsx([[a, '', '失信被执行人名单', '未履行', new Date(Date.UTC(2021, 2, 1)), '吴江区人民法院'], [b, '', '失信被执行人名单', '未履行', '2021/3/2', '吴江区人民法院']]), { fileName: 'l.xlsx' });
    expect(ok.created.map((x) => [x.uscc, x.listedOn])).toEqual([[a, '2021-03-01'], [b, '2021-03-02']]);
    expect(await total()).toBe(before + 2);
    const again = (await importCreditEntries(t.db, admin, await xlsx([[a, '', '失信被执行人名单', '未履行', '2021-03-01', '法院']])).catch((x) => x)) as ValidationError;
    expect(again.errors[0]).toMatchObject({ path: 'rows[2].uscc', code: 'already_listed' });
  });
});
