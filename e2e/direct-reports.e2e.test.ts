/**
 * 企业信息直报 in the browser, against the real server with the demo data: 区工信局 defines a monthly report in the
 * dialog (fields as data); 澜川 (盛泽) finds it in its portal and fills it in by Excel — the template downloaded, a
 * bad file refused by its row, the good one accepted; the department sees the completion per area, chases those who
 * have not answered, and reads the demo's report with its Excel and portal answers.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import type { Browser, Page } from 'playwright-core';
import { browserAvailable, button, ensureWebBuild, launchBrowser, screenshot, see, signIn, startServer, waitForText, type RunningServer, type Tab } from './harness.ts';

const run = browserAvailable('direct reports');
const TITLE = 'E2E：季度用工情况直报';

describe.skipIf(!run)('direct reporting: a report defined, filled by Excel and chased, in the browser', () => {
  let server: RunningServer;
  let browser: Browser;
  const tabs: Tab[] = [];
  let last: Page | undefined;

  beforeAll(async () => {
    await ensureWebBuild();
    server = await startServer();
    browser = await launchBrowser();
  }, 240_000);

  afterAll(async () => {
    for (const t of tabs) await t.context.close().catch(() => undefined);
    await browser?.close();
    await server?.stop();
  });

  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail' && last) await screenshot(last, `FAILED-direct-reports-${ctx.task.name.slice(0, 40)}`).catch(() => undefined);
  });

  const as = async (username: string) => {
    const tab = await signIn(browser, server, username);
    tabs.push(tab);
    last = tab.page;
    return tab.page;
  };

  it('区工信局 defines a monthly report for 盛泽 in the dialog', { timeout: 120_000 }, async () => {
    const page = await as('dept-industry');
    await page.goto('/work/direct-reports');
    await see(page.locator('tr', { hasText: '规上工业企业月度运行监测' })); // the demo's
    await button(page, '新建报表').click();
    const modal = page.locator('.ant-modal:visible');
    await modal.getByLabel('报表名称', { exact: true }).fill(TITLE);
    await modal.getByLabel('字段标识', { exact: true }).fill('staff');
    await modal.getByLabel('名称', { exact: true }).fill('月末用工人数');
    await modal.getByLabel('单位', { exact: true }).fill('人');
    await modal.getByLabel('报送区镇', { exact: true }).click();
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: '盛泽' }).first().click();
    await button(modal, '确定').click();
    await modal.waitFor({ state: 'detached' });
    await see(page.locator('tr', { hasText: TITLE }));
  });

  it('澜川 fills it in by Excel: a bad row is refused by its number, the good file is accepted', { timeout: 120_000 }, async () => {
    const page = await as('ent-lanchuan');
    await page.goto('/portal/reports');
    const card = page.locator('.ant-card', { hasText: TITLE });
    await see(card);
    await waitForText(card, '未报');
    const href = await button(card, '下载 Excel 模板').getAttribute('href');
    const template = await page.context().request.get(href!);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await template.body()) as unknown as ExcelJS.Buffer);
    const ws = wb.worksheets[0];
    expect(ws.getRow(1).getCell(3).value).toBe('月末用工人数（人）');
    ws.getRow(2).getCell(3).value = '很多';
    const input = card.locator('input[type=file]');
    await input.setInputFiles({ name: '用工.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: Buffer.from(await wb.xlsx.writeBuffer()) });
    await waitForText(card, '第2行');
    ws.getRow(2).getCell(3).value = 420;
    await input.setInputFiles({ name: '用工2.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: Buffer.from(await wb.xlsx.writeBuffer()) });
    await waitForText(page.locator('.ant-message'), '已报送');
    await waitForText(card, '已报');
  });

  it('区工信局 sees the completion per area and chases those who have not answered', { timeout: 120_000 }, async () => {
    const page = await as('dept-industry');
    await page.goto('/work/direct-reports');
    await page.locator('tr', { hasText: TITLE }).getByRole('link', { name: TITLE }).click();
    const byArea = page.locator('.ant-card', { hasText: '按区镇' });
    await see(byArea.locator('tr', { hasText: '盛泽' }));
    const missing = page.locator('.ant-card', { hasText: '未报企业' });
    await see(missing);
    expect(await missing.innerText()).not.toContain('苏州澜川光电线缆有限公司');
    await button(missing, '催报').click();
    await waitForText(page.locator('.ant-message'), /已提醒 \d+ 家企业/);
    // the demo's report: answered in the portal and by Excel
    await page.goto('/work/direct-reports');
    await page.locator('tr', { hasText: '规上工业企业月度运行监测' }).getByRole('link').click();
    const periods = page.locator('.ant-table').first();
    await see(periods.locator('.ant-table-row').nth(1)); // two periods
    await waitForText(periods, /\d{4}-\d{2}/);
  });
});
