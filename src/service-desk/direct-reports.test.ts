// 企业信息直报 on both databases, over HTTP: a department defines a monthly report as data (a bad definition names
// each field), the enterprises it addresses answer in the portal and by Excel (a bad row is refused by its row number,
// nothing stored), a policy fact lands in the facts on file with its source, an enterprise not addressed does not see
// it, the department chases the one that has not answered (its inbox), a late answer is kept and marked, completion per
// area and period, and the download of every answer.
import { beforeAll, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { describeDatabases } from '../db/test-databases.ts';
import { createWorld, type World } from '../claims/fixture.ts';
import { countRows, login, multipartBody, platformApp, type TestPlatform } from '../http/test-support.ts';
import { currentPeriod, dueDateOf, periodsBetween } from './direct-reports.ts';

const REPORT = {
  title: '规上工业企业月度运行监测',
  periodKind: 'month',
  dueDay: 10,
  firstPeriod: '2020-06',
  fields: [
    { key: 'output', label: '当月工业产值', type: 'money', unit: '万元', required: true },
    { key: 'employees', label: '月末从业人数', type: 'integer', unit: '人', required: true },
    { key: 'salesYtd', label: '本年累计销售收入', type: 'money', unit: '万元', required: true, fact: 'annualSales' },
    { key: 'note', label: '生产经营中的困难', type: 'text', required: false },
  ],
  audience: { areas: ['shengze'], usccs: [] as string[] },
};

describeDatabases('direct reporting', (t) => {
  let p: TestPlatform;
  let w: World;
  let today = '2020-07-03';
  const cookie: Record<string, string> = {};
  let id = 0;
  beforeAll(async () => {
    w = await createWorld(t.db, 12);
    p = await platformApp(t.db, { today: () => today });
    for (const u of ['cable', 'textile', 'equipment', 'spare', 'industry', 'science', 'auditor']) cookie[u] = await login(p.app, u);
    return () => p.app.close();
  });
  const send = (who: string, method: 'GET' | 'POST', url: string, payload?: object) => p.app.inject({ method, url, payload, headers: { cookie: cookie[who] } });
  const upload = (who: string, url: string, data: Buffer) => {
    const m = multipartBody('直报.xlsx', data);
    return p.app.inject({ method: 'POST', url, payload: m.payload, headers: { ...m.headers, cookie: cookie[who] } });
  };

  it('counts periods and due dates as the report says', () => {
    expect(currentPeriod('month', '2020-07-03')).toBe('2020-06');
    expect(currentPeriod('month', '2021-01-05')).toBe('2020-12');
    expect(currentPeriod('quarter', '2020-07-03')).toBe('2020-Q2');
    expect(currentPeriod('quarter', '2021-02-01')).toBe('2020-Q4');
    expect(dueDateOf('month', '2020-12', 10)).toBe('2021-01-10');
    expect(dueDateOf('quarter', '2020-Q2', 15)).toBe('2020-07-15');
    expect(periodsBetween('month', '2020-11', '2021-02')).toEqual(['2020-11', '2020-12', '2021-01', '2021-02']);
  });

  it('refuses a bad definition field by field, and only departments define', async () => {
    const before = await countRows(t.db, ['direct_reports', 'audit_log']);
    const bad = await send('industry', 'POST', '/api/direct-reports', {
      ...REPORT,
      dueDay: 31,
      fields: [{ key: 'x', label: '产值', type: 'money', required: true }, { key: 'x', label: '人数', type: 'integer', fact: 'annualSales' }],
      audience: { areas: [] },
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors.map((e: { path: string }) => e.path).sort()).toEqual(['audience', 'dueDay', 'fields[0].unit', 'fields[1].fact', 'fields[1].key']);
    expect((await send('cable', 'POST', '/api/direct-reports', REPORT)).statusCode).toBe(403);
    expect(await countRows(t.db, ['direct_reports', 'audit_log'])).toEqual(before);
  });

  it('a department defines a monthly report; the enterprises addressed answer in the portal and by Excel', async () => {
    const res = await send('industry', 'POST', '/api/direct-reports', { ...REPORT, audience: { areas: ['shengze'], usccs: [w.enterprises.other] } });
    expect(res.statusCode).toBe(201);
    id = res.json().id;
    expect(res.json()).toMatchObject({ currentPeriod: '2020-06', currentDue: '2020-07-10', ownerZh: '区工信局' });
    // addressed: the two of 盛泽 and the listed one; not 松陵电子, not another department
    expect((await send('spare', 'GET', `/api/direct-reports/${id}`)).statusCode).toBe(404);
    expect((await send('science', 'GET', `/api/direct-reports/${id}`)).statusCode).toBe(404);
    expect((await send('spare', 'POST', `/api/direct-reports/${id}/answers`, { values: { output: 1 } })).statusCode).toBe(404);
    const mine = (await send('cable', 'GET', '/api/direct-reports')).json().items;
    expect(mine.map((r: { id: number }) => r.id)).toContain(id);
    expect(mine.find((r: { id: number }) => r.id === id)).toMatchObject({ currentAnswered: false, currentOverdue: false });
    expect((await send('cable', 'GET', '/api/inbox')).json().items.some((i: { action: string }) => i.action === 'directReport.define')).toBe(true);

    // the portal: a missing required value and a fraction of a fen are named; then a good answer
    const bad = await send('cable', 'POST', `/api/direct-reports/${id}/answers`, { period: '2020-06', values: { output: '1234.5678912', salesYtd: 28000 } });
    expect(bad.json().errors.map((e: { path: string }) => e.path).sort()).toEqual(['values.employees', 'values.output']);
    const future = await send('cable', 'POST', `/api/direct-reports/${id}/answers`, { period: '2020-07', values: { output: 1, employees: 1, salesYtd: 1 } });
    expect(future.json().errors[0].path).toBe('values.period');
    const ok = await send('cable', 'POST', `/api/direct-reports/${id}/answers`, { period: '2020-06', values: { output: '5200.5', employees: 412, salesYtd: 28000, note: '光纤预制棒原料涨价' } });
    expect(ok.statusCode).toBe(200);
    // the policy fact lands in the facts on file of 2020 with its source
    const facts = await t.db.selectFrom('enterprise_facts').selectAll().where('enterprise_uscc', '=', w.enterprises.cable).where('year', '=', 2020).executeTakeFirstOrThrow();
    expect(facts.facts.annualSales).toBe(28000 * 1_000_000);
    expect(facts.fact_sources).toMatchObject({ annualSales: { report: id, period: '2020-06', by: w.users.cable.id } });

    // Excel: the template, a bad row refused by its number (nothing stored), then the good file
    const template = await send('textile', 'GET', `/api/direct-reports/${id}/template.xlsx`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(template.rawPayload as unknown as ExcelJS.Buffer);
    const ws = wb.worksheets[0];
    expect(ws.getRow(1).values).toEqual([undefined, '统一社会信用代码', '报告期', '当月工业产值（万元）', '月末从业人数（人）', '本年累计销售收入（万元）', '生产经营中的困难']);
    expect(ws.getRow(2).getCell(1).value).toBe(w.enterprises.textile);
    ws.getRow(2).getCell(3).value = '很多';
    ws.addRow([w.enterprises.cable, '2020-06', 1, 1, 1]);
    const before = await countRows(t.db, ['direct_report_answers']);
    const refused = await upload('textile', `/api/direct-reports/${id}/answers/import`, Buffer.from(await wb.xlsx.writeBuffer()));
    expect(refused.statusCode).toBe(422);
    expect(refused.json().errors.map((e: { path: string }) => e.path).sort()).toEqual(['第2行.employees', '第2行.output', '第2行.salesYtd', '第3行.统一社会信用代码']);
    expect(await countRows(t.db, ['direct_report_answers'])).toEqual(before);
    ws.spliceRows(3, 1);
    ws.getRow(2).getCell(3).value = 860;
    ws.getRow(2).getCell(4).value = 95;
    ws.getRow(2).getCell(5).value = 4100;
    const imported = await upload('textile', `/api/direct-reports/${id}/answers/import`, Buffer.from(await wb.xlsx.writeBuffer()));
    expect(imported.statusCode).toBe(200);
    expect(imported.json()).toEqual({ answered: ['2020-06'] });
  });

  it('the department chases the one not answered; its late answer is kept and marked; completion and the download', async () => {
    today = '2020-07-11';
    const chase = await send('industry', 'POST', `/api/direct-reports/${id}/chase`, { period: '2020-06' });
    expect(chase.json()).toEqual({ period: '2020-06', chased: 1 });
    expect((await send('cable', 'POST', `/api/direct-reports/${id}/chase`, {})).statusCode).toBe(403);
    expect((await send('equipment', 'GET', '/api/inbox')).json().items.some((i: { action: string }) => i.action === 'directReport.chase')).toBe(true);
    expect((await send('cable', 'GET', '/api/inbox')).json().items.some((i: { action: string }) => i.action === 'directReport.chase')).toBe(false);
    expect((await send('equipment', 'GET', '/api/direct-reports')).json().items[0]).toMatchObject({ currentOverdue: true });
    await send('equipment', 'POST', `/api/direct-reports/${id}/answers`, { values: { output: 300, employees: 40, salesYtd: 1500 } });

    const c = (await send('industry', 'GET', `/api/direct-reports/${id}/completion?period=2020-06`)).json();
    expect(c.periods).toHaveLength(1);
    expect(c.periods[0]).toMatchObject({ period: '2020-06', dueOn: '2020-07-10', expected: 3, answered: 3, late: 1 });
    expect(c.periods[0].areas).toEqual(expect.arrayContaining([{ areaId: 'shengze', areaZh: expect.any(String), expected: 2, answered: 2 }, { areaId: 'songling', areaZh: expect.any(String), expected: 1, answered: 1 }]));
    expect(c.missing).toEqual([]);
    expect((await send('auditor', 'GET', `/api/direct-reports/${id}/completion`)).statusCode).toBe(200);
    expect((await send('cable', 'GET', `/api/direct-reports/${id}/completion`)).statusCode).toBe(403);

    const file = await send('industry', 'GET', `/api/direct-reports/${id}/answers.xlsx`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(file.rawPayload as unknown as ExcelJS.Buffer);
    const rows: unknown[][] = [];
    wb.worksheets[0].eachRow((r) => rows.push((r.values as unknown[]).slice(1)));
    expect(rows).toHaveLength(4);
    const cableRow = rows.find((r) => r[1] === w.enterprises.cable)!;
    expect(cableRow.slice(4, 8)).toEqual([5200.5, 412, 28000, '光纤预制棒原料涨价']);
    expect(rows.find((r) => r[1] === w.enterprises.other)!.at(-1)).toBe('逾期');
    expect(rows.find((r) => r[1] === w.enterprises.textile)![8]).toBe('Excel');
  });
});
