/**
 * 服务时限 in the browser (measures 22–25), against the real server with the demo data: a department reviewer of
 * 区自然资源和规划局 records a real-estate registration accepted on the eve of the 2020 National Day holiday
 * (due on the first working day after it), suspends it for 补正, resumes and completes it; sees the due date
 * move and the case on time in the list and on the compliance dashboard; an Excel import with a bad row is
 * refused with its row number.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import ExcelJS from 'exceljs';
import { browserAvailable, button, ensureWebBuild, launchBrowser, screenshot, see, signIn, startServer, waitForText, type RunningServer, type Tab } from './harness.ts';

const run = browserAvailable('service limits');
const REF = 'BDC-E2E-0001';
const SUBJECT = '苏州松陵智能装备有限公司（E2E）';

describe.skipIf(!run)('service time limits: record a case, its 补正 and completion, see compliance', () => {
  let server: RunningServer;
  let browser: Browser;
  let tab: Tab;
  let page: Page;

  beforeAll(async () => {
    await ensureWebBuild();
    server = await startServer();
    browser = await launchBrowser();
    tab = await signIn(browser, server, 'dept-land');
    page = tab.page;
  }, 240_000);

  afterAll(async () => {
    await tab?.context.close().catch(() => undefined);
    await browser?.close();
    await server?.stop();
  });

  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail' || !page) return;
    await screenshot(page, `FAILED-svc-${ctx.task.name.slice(0, 40)}`).catch(() => undefined);
  });

  /** type a date into an antd date picker and commit it (Tab, since Enter would submit the form) */
  async function typeDate(field: Locator, date: string) {
    await field.click();
    await field.fill(date);
    await field.press('Tab');
  }

  async function recordEvent(action: string, date: string, opts: { at?: string; note?: string } = {}) {
    await button(page.locator('.kf-actions'), action).click();
    const modal = page.locator('.ant-modal:visible');
    await see(modal);
    await typeDate(modal.getByLabel('日期', { exact: true }), date);
    if (opts.at) await modal.getByLabel('时间（选填，HH:MM）').fill(opts.at);
    if (opts.note) await modal.getByLabel('备注（选填）').fill(opts.note);
    await button(modal, '登记事件').click();
    await modal.waitFor({ state: 'detached' });
  }

  it('records a case from the list; the due date skips the National Day holiday', async () => {
    await page.getByRole('link', { name: '办件列表' }).click();
    await page.waitForURL(/\/work\/service-cases$/);
    await waitForText(page.locator('body'), '暂无办件');
    await button(page, '登记办件').click();
    const modal = page.locator('.ant-modal:visible');
    await see(modal);
    // a reviewer sees only its own department's limits; one owner left, so no department question
    await modal.getByLabel('事项').click();
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: '不动产登记' }).click();
    await waitForText(modal, '≤ 1个工作日');
    expect(await modal.getByLabel('办理部门').count()).toBe(0);
    await modal.getByLabel('受理编号').fill(REF);
    await modal.getByLabel('办理对象').fill(SUBJECT);
    await typeDate(modal.getByLabel('受理日期'), '2020-09-30');
    await screenshot(page, 'svc-record-case');
    await button(modal, '登记办件').click();
    await page.waitForURL(/\/work\/service-cases\/\d+$/);
    // accepted on 30 September: 1 October to 8 October are holidays, so day 1 is Friday 9 October
    await waitForText(page.locator('.kf-due'), '2020-10-09');
    await waitForText(page.locator('body'), '超期');
  }, 60_000);

  it('补正 stops the clock; completion on the new due date is on time', async () => {
    await recordEvent('补正开始（停止计时）', '2020-10-09', { note: '缺少土地权属来源证明' });
    await waitForText(page.locator('body'), '补正中（停止计时）');
    await waitForText(page.locator('body'), '缺少土地权属来源证明');
    await recordEvent('补正结束（恢复计时）', '2020-10-12');
    await waitForText(page.locator('.kf-due'), '2020-10-12');
    await recordEvent('办结', '2020-10-12', { at: '15:00' });
    await waitForText(page.locator('body'), /按时办结（用时 1 ?个工作日）/);
    await waitForText(page.locator('.ant-timeline'), '2020-10-12 15:00');
    await waitForText(page.locator('body'), '该办件已办结');
    await screenshot(page, 'svc-case-timeline');
  }, 60_000);

  it('the list shows the case with its due date; overdue-only leaves it out', async () => {
    await page.goto('/work/service-cases');
    const row = page.locator('tr', { hasText: REF });
    await see(row);
    await waitForText(row, '2020-10-12');
    await waitForText(row, '按时办结');
    await waitForText(row, '已办结');
    await screenshot(page, 'svc-case-list');
    await page.getByText('只看超期').click();
    await button(page, '搜索').click();
    await waitForText(page.locator('body'), '没有符合条件的记录');
  }, 60_000);

  it('an Excel import with a bad row is refused with its row number', async () => {
    await page.goto('/work/service-cases');
    const res = await page.request.get('/api/service-cases/template.xlsx');
    expect(res.status()).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await res.body()) as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('案件')!;
    ws.addRow(['不动产登记（实体经济不动产登记）', 'BDC-E2E-0002', '坏日期测试', '区自然资源和规划局', '2020-02-30']);
    const data = Buffer.from(await wb.xlsx.writeBuffer());
    await page.locator('input[type=file]').setInputFiles({ name: '办件.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: data });
    await waitForText(page.locator('.ant-alert-error'), '导入失败');
    await waitForText(page.locator('.ant-alert-error'), /第2行「受理日期」/);
    await screenshot(page, 'svc-import-errors');
  }, 60_000);

  /** other departments' cases, recorded by the administrator through the API, so every chart has something */
  async function seedOthers() {
    const login = await fetch(`${server.baseUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: server.demoPassword }) });
    expect(login.status).toBe(200);
    const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const cases = [
      { limitId: 'power-10kv', reference: 'PW-E2E-1', subject: '苏州平望光纤材料有限公司', acceptedOn: '2020-03-02', events: [{ kind: 'completed', on: '2020-04-20' }] },
      { limitId: 'power-low-voltage', reference: 'PW-E2E-2', subject: '苏州黎里汽车零部件有限公司', acceptedOn: '2020-06-01', events: [{ kind: 'completed', on: '2020-06-12' }] },
      { limitId: 'water-no-new-pipeline', departmentId: 'water-affairs-bureau', reference: 'WS-E2E-1', subject: '苏州震泽蚕丝家纺有限公司', acceptedOn: '2020-05-06' },
      { limitId: 'bankruptcy-no-assets-90-days', reference: '(2020)苏0509破E2E1号', subject: '吴江某纺织有限公司', acceptedOn: '2020-03-02', simplified: true, events: [{ kind: 'completed', on: '2020-05-20' }] },
      { limitId: 'bankruptcy-simplified-share', reference: '(2020)苏0509破E2E2号', subject: '吴江某化纤有限公司', acceptedOn: '2020-04-01', simplified: false },
    ];
    for (const c of cases) {
      const r = await fetch(`${server.baseUrl}/api/service-cases`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify(c) });
      expect(r.status, await r.clone().text()).toBe(201);
    }
  }

  it('the compliance dashboard counts the case on time, beside other departments', async () => {
    await seedOthers();
    await page.getByRole('link', { name: '合规看板' }).click();
    await page.waitForURL(/\/work\/service-compliance$/);
    await see(page.locator('[role=img][aria-label="按事项：按时办结率（%）"] canvas'));
    const row = page.locator('tr', { hasText: '不动产登记' });
    await waitForText(row, '100%');
    await waitForText(row, '达标');
    // the bankruptcy share: 1 of 2 under the simplified procedure, against 40%
    await waitForText(page.locator('body'), '1 / 2 = 50%');
    await see(page.locator('[role=img][aria-label="平均类时限：平均用时与目标"] canvas'));
    await screenshot(page, 'svc-compliance');
    expect(tab.pageErrors).toEqual([]);
  }, 60_000);
});
