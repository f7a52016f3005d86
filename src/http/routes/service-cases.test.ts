import ExcelJS from 'exceljs';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../audit/audit-log.ts';
import { createPlatformContext } from '../../claims/context.ts';
import { describeDatabases } from '../../db/test-databases.ts';
import { Engine } from '../../engine/index.ts';
import { DEFAULT_SECURITY_CONFIG } from '../../identity/security-config.ts';
import { createUser, type Principal } from '../../identity/users.ts';
import { limitLabel } from '../../service-limits/case-book.ts';
import { loadServiceLimits } from '../../service-limits/limits.ts';
import { CASE_SHEET, TEMPLATE_HEADERS, XLSX_MIME } from '../../service-limits/excel.ts';
import { acquireImportSlot, importsRunning, type ImportSlot } from '../../excel/read-workbook.ts';
import { buildApp } from '../app.ts';
import { serviceCaseRoutes } from './service-cases.ts';

const FAST = { ...DEFAULT_SECURITY_CONFIG, scrypt: { N: 1024, r: 8, p: 1, keyLength: 32 } };
const TODAY = '2021-06-30';

function multipart(fileName: string, data: Buffer): { payload: Buffer; headers: Record<string, string> } {
  const boundary = '----kaifang-test-boundary';
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: ${XLSX_MIME}\r\n\r\n`),
    data,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

async function sheet(rows: Array<Partial<Record<(typeof TEMPLATE_HEADERS)[number], ExcelJS.CellValue>>>): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(CASE_SHEET);
  ws.addRow([...TEMPLATE_HEADERS]);
  for (const r of rows) ws.addRow(TEMPLATE_HEADERS.map((h) => r[h] ?? null));
  return Buffer.from(await wb.xlsx.writeBuffer());
}

describeDatabases('service-case routes', (t) => {
  let app: FastifyInstance;
  let current: Principal | undefined;
  const users: Record<string, Principal> = {};
  const as = (name: string | undefined) => {
    current = name === undefined ? undefined : users[name];
  };
  const problem = (res: LightMyRequestResponse) => ({ status: res.statusCode, code: res.json().code, paths: (res.json().errors ?? []).map((e: { path: string }) => e.path) });
  const count = async () => Number((await t.db.selectFrom('service_cases').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  beforeAll(async () => {
    const mk = (username: string, role: string, scope: Record<string, string> = {}) =>
      createUser(t.db, { username, displayName: username, password: 'kaifang-test-2020', role, ...scope }, { actor: SYSTEM_ACTOR, config: FAST });
    users.water = await mk('water', 'departmentReviewer', { departmentId: 'water-affairs-bureau' });
    users.court = await mk('court', 'departmentReviewer', { departmentId: 'wujiang-court' });
    users.admin = await mk('admin', 'admin');
    users.auditor = await mk('auditor', 'auditor');
    users.finance = await mk('finance', 'finance');
    users.area = await mk('area', 'areaReviewer', { areaId: 'shengze' });
    const engine = Engine.load();
    const ctx = createPlatformContext(t.db, engine, { today: () => TODAY });
    app = await buildApp({
      engine,
      webRoot: null,
      plugins: [
        async (scope) => {
          scope.addHook('preHandler', async (req) => {
            (req as unknown as { user?: Principal }).user = current;
          });
          await serviceCaseRoutes(scope, { ctx });
        },
      ],
    });
  });
  afterAll(() => app?.close());

  it('needs a user (401), an official to read and a department reviewer or admin to write (403)', async () => {
    as(undefined);
    expect(problem(await app.inject({ method: 'GET', url: '/api/service-limits' }))).toMatchObject({ status: 401, code: 'unauthenticated' });
    const enterprise = { ...users.area, role: 'enterprise' as const, areaId: null, enterpriseUscc: '913205847589632150' };
    current = enterprise;
    expect(problem(await app.inject({ method: 'GET', url: '/api/service-cases' }))).toMatchObject({ status: 403, code: 'forbidden' });
    for (const reader of ['area', 'finance', 'auditor', 'water', 'admin']) {
      as(reader);
      expect((await app.inject({ method: 'GET', url: '/api/service-cases' })).statusCode).toBe(200);
    }
    as('auditor');
    const post = await app.inject({ method: 'POST', url: '/api/service-cases', payload: { limitId: 'water-no-new-pipeline', reference: 'X', subject: 'x', acceptedOn: '2020-05-20' } });
    expect(problem(post)).toMatchObject({ status: 403, code: 'forbidden' });
    // problem+json with both languages
    expect(post.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(post.json()).toMatchObject({ messageZh: expect.stringContaining('部门审核人员'), messageEn: expect.stringContaining('department reviewers') });
  });

  it('lists the limits with how each is recorded', async () => {
    as('area');
    const res = await app.inject({ method: 'GET', url: '/api/service-limits' });
    const body = res.json();
    expect(body).toMatchObject({ policy: 'wujiang-2020-open', coveredThrough: '2026-12-31' });
    const byId = Object.fromEntries(body.limits.map((l: { id: string }) => [l.id, l]));
    expect(byId['business-startup-green-channel']).toMatchObject({ recording: 'timed', halfDay: true, target: '≤ 0.5个工作日' });
    expect(byId['bankruptcy-simplified-share']).toMatchObject({ recording: 'population', simplifiedRequired: true });
    expect(byId['tax-time-annual-hours']).toMatchObject({ recording: 'hours' });
    expect(byId['customs-clearance-time']).toMatchObject({ recording: null });
  });

  it('records a case and its events over the Spring Festival, computes due date and remaining, flags overdue', async () => {
    as('water');
    const created = await app.inject({
      method: 'POST',
      url: '/api/service-cases',
      payload: { limitId: 'water-no-new-pipeline', reference: 'HTTP-W1', subject: '吴江丝韵纺织有限公司', acceptedOn: '2020-01-20' },
    });
    expect(created.statusCode).toBe(201);
    const id = created.json().id;
    expect(created.json()).toMatchObject({ departmentId: 'water-affairs-bureau', asOf: TODAY, status: { state: 'open', overdue: true } });

    const ev = (payload: object) => app.inject({ method: 'POST', url: `/api/service-cases/${id}/events`, payload });
    expect((await ev({ kind: 'suspended', on: '2020-01-22', note: '缺少图纸' })).statusCode).toBe(201);
    expect((await ev({ kind: 'resumed', on: '2020-02-04' })).statusCode).toBe(201);
    // finished at 09:15 on the last day: only the morning of it was used (cases.ts counts half days)
    const done = await ev({ kind: 'completed', on: '2020-02-06', at: '2020-02-06T09:15:00+08:00' });
    expect(done.json().status).toMatchObject({ suspendedDays: 3, due: { date: '2020-02-06' }, elapsed: 3.5, remaining: 0.5, onTime: true, overdue: false });
    expect(problem(await ev({ kind: 'suspended', on: '2020-02-07' }))).toMatchObject({ status: 422, code: 'event_after_completion', paths: ['kind'] });

    const during = await app.inject({ method: 'GET', url: `/api/service-cases/${id}?asOf=2020-02-03` });
    expect(during.json().status).toMatchObject({ state: 'suspended', dueProvisional: true });

    // a second, open case: overdue after its fourth working day
    await app.inject({ method: 'POST', url: '/api/service-cases', payload: { limitId: 'water-no-new-pipeline', reference: 'HTTP-W2', subject: '另一企业', acceptedOn: '2020-05-20' } });
    const overdue = await app.inject({ method: 'GET', url: '/api/service-cases?asOf=2020-05-27&overdue=true&q=HTTP' });
    expect(overdue.json()).toMatchObject({ total: 1, page: 1, pageSize: 20, items: [{ reference: 'HTTP-W2', status: { elapsed: 5, remaining: -1 } }] });
    const lastDay = await app.inject({ method: 'GET', url: '/api/service-cases?asOf=2020-05-26&overdue=true&q=HTTP' });
    expect(lastDay.json().total).toBe(0);
  });

  it('rejects bad input with problems naming the fields, and stores nothing', async () => {
    as('water');
    const before = await count();
    const schema = await app.inject({ method: 'POST', url: '/api/service-cases', payload: { limitId: 'water-no-new-pipeline', reference: 'R', subject: 'S', acceptedOn: '2020-5-20', colour: 'red' } });
    expect(problem(schema)).toMatchObject({ status: 422 });
    expect(problem(schema).paths).toEqual(expect.arrayContaining(['body.acceptedOn', 'body.colour']));
    const service = await app.inject({
      method: 'POST',
      url: '/api/service-cases',
      payload: { limitId: 'water-no-new-pipeline', reference: 'R', subject: 'S', acceptedOn: '2020-02-30', events: [{ kind: 'completed', on: '2020-05-19' }] },
    });
    expect(problem(service)).toMatchObject({ status: 422, code: 'invalid_date', paths: ['acceptedOn'] });
    const order = await app.inject({
      method: 'POST',
      url: '/api/service-cases',
      payload: { limitId: 'water-no-new-pipeline', reference: 'R', subject: 'S', acceptedOn: '2020-05-20', events: [{ kind: 'completed', on: '2020-05-19' }] },
    });
    expect(problem(order)).toMatchObject({ status: 422, code: 'event_before_acceptance', paths: ['events[0].on'] });
    // the water reviewer cannot record for the court
    const court = await app.inject({ method: 'POST', url: '/api/service-cases', payload: { limitId: 'bankruptcy-simplified-share', reference: 'R', subject: 'S', acceptedOn: '2020-05-20', simplified: true } });
    expect(problem(court)).toMatchObject({ status: 422, code: 'department_not_owner' });
    expect((await app.inject({ method: 'GET', url: '/api/service-cases/999999' })).statusCode).toBe(404);
    expect(await count()).toBe(before);
  });

  it('an Idempotency-Key makes a repeated POST return the first answer and create nothing', async () => {
    as('court');
    const payload = { limitId: 'bankruptcy-no-assets-90-days', reference: '(2020)苏0509破3号', subject: '某公司', acceptedOn: '2020-03-02', simplified: true };
    const headers = { 'idempotency-key': '5d0c2f9e-1b7a-4a8e-9a53-0c1d2e3f4a5b' };
    const first = await app.inject({ method: 'POST', url: '/api/service-cases', payload, headers });
    const before = await count();
    const again = await app.inject({ method: 'POST', url: '/api/service-cases', payload, headers });
    expect([first.statusCode, again.statusCode]).toEqual([201, 201]);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().id).toBe(first.json().id);
    expect(await count()).toBe(before);
    // without the key the repeat is a conflict on the reference
    expect(problem(await app.inject({ method: 'POST', url: '/api/service-cases', payload }))).toMatchObject({ status: 409, code: 'conflict' });
  });

  it('imports an .xlsx (all rows or none) and exports the compliance report as .xlsx', async () => {
    as('admin');
    const power = limitLabel(loadServiceLimits().get('power-low-voltage'));
    const good = await sheet([
      { 事项: power, 受理编号: 'P-1', 办理对象: '低压用户甲', 受理日期: '2020-06-01', 办结日期: '2020-06-05' },
      { 事项: power, 受理编号: 'P-2', 办理对象: '低压用户乙', 受理日期: '2020-06-01', 办结日期: '2020-06-09' },
    ]);
    const bad = await sheet([
      { 事项: power, 受理编号: 'P-3', 办理对象: '低压用户丙', 受理日期: '2020-06-01', 办结日期: '2020-06-05' },
      { 事项: power, 受理编号: 'P-4', 办理对象: '', 受理日期: '2020-06-31' },
    ]);
    const before = await count();
    const rejected = await app.inject({ method: 'POST', url: '/api/service-cases/import', ...multipart('bad.xlsx', bad) });
    expect(problem(rejected)).toMatchObject({ status: 422, code: 'validation_failed', paths: ['row[3].办理对象', 'row[3].受理日期'] });
    expect(await count()).toBe(before);

    const dry = await app.inject({ method: 'POST', url: '/api/service-cases/import?dryRun=true', ...multipart('good.xlsx', good) });
    expect(dry.json()).toMatchObject({ dryRun: true, created: 2 });
    expect(await count()).toBe(before);
    const imported = await app.inject({ method: 'POST', url: '/api/service-cases/import', ...multipart('good.xlsx', good) });
    expect(imported.json()).toMatchObject({ rows: 2, created: 2, dryRun: false });
    expect(await count()).toBe(before + 2);
    expect(problem(await app.inject({ method: 'POST', url: '/api/service-cases/import', payload: { file: 'x' } }))).toMatchObject({ status: 415 });

    as('finance');
    const report = await app.inject({ method: 'GET', url: '/api/service-cases/compliance?asOf=2020-12-31&acceptedFrom=2020-06-01&acceptedTo=2020-06-30' });
    // 4 and 6 working days: mean 5, within the average of ≤ 5
    expect(report.json().byLimit.find((l: { limitId: string }) => l.limitId === 'power-low-voltage')).toMatchObject({ completed: 2, averageElapsed: 5, targetMet: true });
    expect(problem(await app.inject({ method: 'GET', url: '/api/service-cases/compliance?asOf=2020-12-31&acceptedFrom=2020-07-01&acceptedTo=2020-06-01' }))).toMatchObject({
      status: 422,
      paths: ['acceptedTo'],
    });

    const xlsx = await app.inject({ method: 'GET', url: '/api/service-cases/compliance.xlsx?asOf=2020-12-31' });
    expect(xlsx.statusCode).toBe(200);
    expect(xlsx.headers['content-type']).toBe(XLSX_MIME);
    expect(xlsx.headers['content-disposition']).toContain("filename*=UTF-8''");
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const list = wb.getWorksheet('案件清单')!;
    const refs = list.getColumn(1).values.slice(2);
    expect(refs).toEqual(expect.arrayContaining(['P-1', 'P-2', 'HTTP-W1', 'HTTP-W2']));

    const template = await app.inject({ method: 'GET', url: '/api/service-cases/template.xlsx' });
    expect(template.headers['content-type']).toBe(XLSX_MIME);
  });

  it('answers an import past KAIFANG_IMPORTS_AT_ONCE 503 import_busy with Retry-After, after the login check, and stores nothing', async () => {
    as('water');
    const water = limitLabel(loadServiceLimits().get('water-no-new-pipeline'));
    const file = await sheet([{ 事项: water, 受理编号: 'BUSY-1', 办理对象: '用水户丁', 受理日期: '2020-06-01' }]);
    const before = await count();
    // the other imports of this server process: as many as the default setting allows (2)
    const others: ImportSlot[] = [acquireImportSlot({ atOnce: 2 }), acquireImportSlot({ atOnce: 2 })];
    try {
      const busy = await app.inject({ method: 'POST', url: '/api/service-cases/import', ...multipart('busy.xlsx', file) });
      expect(problem(busy)).toMatchObject({ status: 503, code: 'import_busy' });
      expect(busy.headers['retry-after']).toBe('5');
      expect(busy.json().messageZh).toContain('请 5 秒后重试');
      expect(await count()).toBe(before);
      // who may not import is told so, busy or not
      as('finance');
      expect(problem(await app.inject({ method: 'POST', url: '/api/service-cases/import', ...multipart('busy.xlsx', file) }))).toMatchObject({ status: 403, code: 'forbidden' });
      as('water');
    } finally {
      for (const o of others) o.release();
    }
    const imported = await app.inject({ method: 'POST', url: '/api/service-cases/import', ...multipart('busy.xlsx', file) });
    expect(imported.json()).toMatchObject({ rows: 1, created: 1 });
    expect(await count()).toBe(before + 1);
    // the route's place was given back, and a refused file gives it back too
    expect(problem(await app.inject({ method: 'POST', url: '/api/service-cases/import', ...multipart('not.xlsx', Buffer.from('not a workbook')) }))).toMatchObject({ status: 422, code: 'invalid_xlsx' });
    expect(importsRunning()).toBe(0);
  });
});
