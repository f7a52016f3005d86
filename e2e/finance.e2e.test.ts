/**
 * Finance in the browser, against the real server with the demo data: finance raises a measure's budget with its
 * reason and sees the change in the history; builds a payment batch from approved claims (an enterprise without a
 * bank account cannot be selected; a claim the bank returned before shows the bank's reason), downloads the bank file
 * and the return template, uploads the bank's return with one line paid and one failed, and sees the batch closed and
 * reconciled with the ledger; the failed claim waits for payment again with the bank's reason.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { readFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import { browserAvailable, button, ensureWebBuild, launchBrowser, screenshot, see, signIn, startServer, waitForText, type RunningServer, type Tab } from './harness.ts';

const run = browserAvailable('finance');
const FAILED_BEFORE = '苏州江陵新材料科技有限公司'; // the demo batch's failed line: approved again
const SECOND = '苏州黎里汽车零部件有限公司';
const NO_ACCOUNT = '苏州震泽蚕丝家纺有限公司';

describe.skipIf(!run)('finance: a budget and a payment batch through the bank, in the browser', () => {
  let server: RunningServer;
  let browser: Browser;
  let tab: Tab;
  let fin: Page;

  beforeAll(async () => {
    await ensureWebBuild();
    server = await startServer();
    browser = await launchBrowser();
    tab = await signIn(browser, server, 'finance');
    fin = tab.page;
  }, 240_000);

  afterAll(async () => {
    await tab?.context.close().catch(() => undefined);
    await browser?.close();
    await server?.stop();
  });

  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await screenshot(fin, `FAILED-finance-${ctx.task.name.slice(0, 40)}`).catch(() => undefined);
  });

  it('sets a budget with its reason; the history shows from → to, who and why', async () => {
    await fin.goto('/work/budgets');
    const row = fin.locator('tr', { hasText: '措施 16 ' });
    await see(row);
    await button(row, '设定预算').click();
    const modal = fin.locator('.ant-modal:visible');
    // below what is committed: refused beside its field, nothing saved
    await modal.getByLabel('预算金额（万元）').fill('1');
    await modal.getByLabel('调整原因').fill('E2E：压减预算');
    await button(modal, '确定').click();
    await waitForText(modal, '预算不能低于已承诺');
    await modal.getByLabel('预算金额（万元）').fill('4000');
    await modal.getByLabel('调整原因').fill('E2E：第二次年中追加');
    await button(modal, '确定').click();
    await modal.waitFor({ state: 'detached' });
    await waitForText(fin.locator('body'), '预算已保存');
    await waitForText(row, '4,000');
    const history = fin.locator('.ant-card', { hasText: '预算调整记录' });
    const latest = history.locator('tbody tr.ant-table-row').first();
    await waitForText(latest, 'E2E：第二次年中追加');
    await waitForText(latest, '→');
    await waitForText(history, '年中追加设备投入综合奖补资金（示例）'); // the demo's earlier change
    expect(await history.innerText()).not.toContain('压减预算');
    await screenshot(fin, 'finance-budgets');
  }, 120_000);

  it('builds a batch, exports the bank file, uploads the return with one line paid and one failed', async () => {
    await fin.goto('/work/payment-batches');
    await waitForText(fin.locator('.ant-card', { hasText: '批次' }).last(), '银行代发');
    await button(fin, '组建批次').first().click();
    const failedRow = fin.locator('tr', { hasText: FAILED_BEFORE });
    await see(failedRow);
    await waitForText(failedRow, '上次银行退回：收款账号与户名不符');
    // no bank account: shown, and its box cannot be ticked
    const noAccount = fin.locator('tr', { hasText: NO_ACCOUNT });
    await waitForText(noAccount, '无银行账户');
    expect(await noAccount.locator('input[type=checkbox]').isDisabled()).toBe(true);
    await failedRow.locator('input[type=checkbox]').check();
    await fin.locator('tr', { hasText: SECOND }).locator('input[type=checkbox]').check();
    await waitForText(fin.locator('body'), '已选 2 笔');
    await fin.getByLabel('批次名称').fill('E2E 第二批银行代发');
    await button(fin, '组建批次').last().click();
    await fin.waitForURL(/\/work\/payment-batches\/\d+$/);
    await waitForText(fin.locator('body'), 'E2E 第二批银行代发');
    await waitForText(fin.locator('body'), '待回盘');

    // the bank file: both lines with their accounts, 元 and fen, a total row
    const [bankDownload] = await Promise.all([fin.waitForEvent('download'), button(fin, '导出银行代发文件').click()]);
    const bank = new ExcelJS.Workbook();
    await bank.xlsx.load(readFileSync((await bankDownload.path())!) as unknown as ArrayBuffer);
    const sheet = bank.worksheets[0];
    const names = [2, 3].map((r) => String(sheet.getRow(r).getCell(3).value));
    expect(names.sort()).toEqual([FAILED_BEFORE, SECOND].sort());
    expect(sheet.getRow(4).getCell(1).value).toBe('合计');
    expect(sheet.getRow(4).getCell(9).value).toBe(Number(sheet.getRow(2).getCell(9).value) + Number(sheet.getRow(3).getCell(9).value));
    await waitForText(fin.locator('.ant-descriptions'), /导出时间\s*\d{4}-/);

    // the return template, filled in as the bank answers: 江陵 paid, 黎里 failed
    const [templateDownload] = await Promise.all([fin.waitForEvent('download'), button(fin, '下载回盘模板').click()]);
    const ret = new ExcelJS.Workbook();
    await ret.xlsx.load(readFileSync((await templateDownload.path())!) as unknown as ArrayBuffer);
    const ws = ret.worksheets[0];
    const header = (ws.getRow(1).values as unknown[]).map(String);
    const col = (h: string) => header.indexOf(h);
    for (const r of [2, 3]) {
      const row = ws.getRow(r);
      if (row.getCell(3).value === FAILED_BEFORE) {
        row.getCell(col('结果')).value = '成功';
        row.getCell(col('凭证号')).value = '记-E2E-BANK-01';
      } else {
        row.getCell(col('结果')).value = '失败';
        row.getCell(col('失败原因')).value = '账户已冻结（E2E）';
      }
    }
    const filled = Buffer.from(await ret.xlsx.writeBuffer());
    await fin.locator('input[type=file]').setInputFiles({ name: '银行回盘.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: filled });
    await waitForText(fin.locator('body'), '已登记：成功 1 笔，失败 1 笔');
    await waitForText(fin.locator('tr', { hasText: FAILED_BEFORE }), '记-E2E-BANK-01');
    await waitForText(fin.locator('tr', { hasText: SECOND }), '账户已冻结（E2E）');
    await waitForText(fin.locator('.ant-descriptions'), '已完成');
    await waitForText(fin.locator('body'), '已核对一致');
    await screenshot(fin, 'finance-payment-batch');

    // the failed claim waits for payment again, the bank's reason beside it; the paid one is in the paid list
    await fin.goto('/work/payments');
    await waitForText(fin.locator('tr', { hasText: SECOND }), '银行退回：账户已冻结（E2E）');
    await fin.goto('/work/payments?status=paid');
    await waitForText(fin.locator('tr', { hasText: FAILED_BEFORE }), '记-E2E-BANK-01');
    expect(tab.pageErrors).toEqual([]);
  }, 180_000);
});
