/**
 * The audit page and the inbox in the browser (issue 10), against the real server with the demo data: the auditor
 * filters the whole trail by action and date, reads Chinese sentences, exports the filtered trail, runs the chain
 * check and sees the head hash to write down; a department reviewer sees the time on each queue item and the inbox
 * count go to zero once the inbox is opened.
 */
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { browserAvailable, button, ensureWebBuild, gone, launchBrowser, screenshot, see, signIn, startServer, waitForText, type RunningServer, type Tab } from './harness.ts';

const run = browserAvailable('audit-inbox');
const todayShanghai = () => new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai' }).format(new Date());

describe.skipIf(!run)('the audit trail and the inbox', () => {
  let server: RunningServer;
  let browser: Browser;
  const tabs: Tab[] = [];

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
    if (ctx.task.result?.state !== 'fail') return;
    for (const [i, t] of tabs.entries()) await screenshot(t.page, `FAILED-audit-inbox-${i}`).catch(() => undefined);
  });

  it('the auditor filters by action and date, reads sentences, exports, and checks the chain', async () => {
    const tab = await signIn(browser, server, 'auditor');
    tabs.push(tab);
    const { page } = tab;
    await page.goto('/work/audit');
    await see(page.getByText('审计链校验'));
    // 动作: 初审退回修改 (the demo returns one claim at first review); dates: today in Shanghai, when the demo was written
    await page.getByLabel('动作', { exact: true }).click();
    await page.getByLabel('动作', { exact: true }).fill('初审退回');
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: 'claim.firstReview.return' }).first().click();
    const today = todayShanghai();
    for (const id of ['#trail-from', '#trail-to']) {
      await page.locator(id).click();
      await page.locator(id).fill(today);
      await page.locator(id).press('Enter');
    }
    await button(page, '筛选').click();
    await page.waitForURL((u) => u.searchParams.get('action') === 'claim.firstReview.return' && u.searchParams.get('from') === today);
    const rows = page.locator('.ant-table-tbody tr.ant-table-row');
    await waitForText(rows.first(), /在区镇初审中退回了申报 #\d+，理由：请补充设备购置发票清单/);
    const texts = await page.locator('.kf-audit-sentence').allInnerTexts();
    expect(texts.length).toBeGreaterThan(0);
    for (const s of texts) expect(s).toMatch(/在区镇初审中退回了申报 #\d+/);
    await waitForText(page.locator('.ant-table-tbody'), '初审退回修改');
    expect(await page.locator('.ant-table-tbody').innerText()).not.toContain('claim.firstReview.return'); // the code only in the expanded details

    // Export: the filtered trail as an .xlsx file
    const download = page.waitForEvent('download');
    await button(page, '导出 Excel').click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/\.xlsx$/);
    const saved = await file.path();
    expect(readFileSync(saved!).subarray(0, 2).toString()).toBe('PK');

    // The chain check: intact, with the head seq and hash to write down
    await button(page, '校验审计链').click();
    const hash = page.getByTestId('chain-head-hash');
    await see(hash, 60_000);
    expect((await hash.innerText()).trim()).toMatch(/^[0-9a-f]{64}$/);
    await waitForText(page.getByTestId('chain-result'), /审计链完整：第 1 至 \d+ 条均与哈希相符/);
    await screenshot(page, 'audit-trail');
    expect(tab.pageErrors).toEqual([]);
  }, 180_000);

  it('a department reviewer sees the time on queue items and the inbox count go to zero once opened', async () => {
    const tab = await signIn(browser, server, 'dept-science');
    tabs.push(tab);
    const { page } = tab;
    await page.goto('/work/queue');
    await see(page.getByTestId('timing'));
    await waitForText(page.getByTestId('timing').first(), /已等待 \d+ 个工作日|已等待 \d+ 天/);
    const badge = page.getByTestId('inbox-count').locator('.ant-badge-count');
    await see(badge);
    expect(Number((await badge.innerText()).replace(/\D/g, '') || '0')).toBeGreaterThan(0);
    await page.getByRole('button', { name: /^消息（\d+\+? 条未读）$/ }).click();
    const drawer = page.locator('.ant-drawer:visible');
    await waitForText(drawer, /通过了申报 #\d+ 的区镇初审/);
    await see(drawer.getByText('新', { exact: true }));
    await gone(badge);
    await button(drawer, 'Close').or(drawer.getByRole('button', { name: /close|关闭/i })).first().click();
    // a new page keeps it at zero: the mark is on the server
    await page.goto('/work/queue');
    await see(page.getByTestId('timing'));
    await see(page.getByRole('button', { name: '消息（0 条未读）' }));
    expect(await page.getByTestId('inbox-count').locator('.ant-badge-count').count()).toBe(0);
    await screenshot(page, 'inbox-queue');
    expect(tab.pageErrors).toEqual([]);
  }, 180_000);
});
