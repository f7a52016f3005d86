/**
 * The public pages in a real browser against the real server: the policy library's search and the calculator
 * (equipment subsidy 2500万元 in a 先导产业 → 300万元; 1999万元 → not eligible, with what would qualify).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { browserAvailable, ensureWebBuild, gone, launchBrowser, openTab, PHONE, screenshot, see, startServer, waitForText, type RunningServer, type Tab } from './harness.ts';

const run = browserAvailable('public pages');

describe.skipIf(!run)('public pages in the browser', () => {
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

  async function tab(viewport?: { width: number; height: number }) {
    const t = await openTab(browser, server.baseUrl, viewport);
    tabs.push(t);
    return t;
  }

  /** pick an option of an antd Select by its visible text */
  async function choose(page: Page, label: string | RegExp, option: string, typed?: string) {
    const box = page.getByLabel(label, { exact: typeof label === 'string' });
    await box.click();
    if (typed) await box.fill(typed);
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: option }).first().click();
  }

  it('the policy library lists the 30 measures by section and filters by search', async () => {
    const { page, pageErrors } = await tab();
    await page.goto('/policy');
    await see(page.locator('.kf-measure'));
    expect(await page.locator('.kf-measure').count()).toBe(30);
    await see(page.getByText('共 30 条措施'));
    // the clause beside its plain reading, the lead unit, what can be claimed
    const m16 = page.locator('#measure-16');
    await see(m16.getByText('政策原文'));
    await see(m16.getByText('通俗解读'));
    await see(m16.getByText('区工信局').first());
    await see(m16.getByText(/12%\/10%\/6%/).first());
    await screenshot(page, 'policy-library', { fullPage: false });

    await page.getByLabel('搜索措施或奖励项目').fill('设备投入');
    await expect.poll(() => page.locator('.kf-measure').count(), { timeout: 10_000 }).toBeLessThan(30);
    await see(page.locator('#measure-16'));
    await gone(page.locator('#measure-8'));
    await waitForText(page.locator('#measure-16 mark').first(), '设备投入');
    await screenshot(page, 'policy-library-search');

    await page.getByLabel('搜索措施或奖励项目').fill('上市');
    await see(page.locator('#measure-8'));
    await gone(page.locator('#measure-16'));

    await page.getByLabel('搜索措施或奖励项目').fill('没有这个词');
    await see(page.getByText(/没有找到包含“没有这个词”的措施/));
    expect(pageErrors).toEqual([]);
  });

  it('the calculator computes the equipment subsidy with its explanation, and says why not below the threshold', async () => {
    const { page, pageErrors } = await tab();
    await page.goto('/calculator');
    await choose(page, '选择要测算的奖励项目', '设备投入综合奖补', '设备');
    await page.keyboard.press('Escape');
    const row = page.locator('.kf-claim-row').first();
    await waitForText(row, '设备投入综合奖补');
    await row.getByLabel('项目名称').fill('光纤预制棒扩产');
    await row.getByLabel('当年度单个项目设备投资额').fill('2500');
    await choose(page, '产业类别', '先导产业');
    await page.getByRole('button', { name: /开始测算/ }).click();

    const result = page.locator('#calc-result');
    await waitForText(result.locator('.kf-entitlements'), '符合');
    await waitForText(result.locator('.kf-entitlements'), '300万元');
    await see(result.getByText('可享受合计'));
    // the explanation: formula with its intermediate values and the cap that did not cut
    await waitForText(result, '2,500万元 × 12% = 300万元');
    await waitForText(result, '未触及上限');
    await screenshot(page, 'calculator-eligible');

    await row.getByLabel('当年度单个项目设备投资额').fill('1999');
    await page.getByRole('button', { name: /开始测算/ }).click();
    await waitForText(result.locator('.kf-entitlements'), '不符合');
    await waitForText(result, '为什么不符合');
    await waitForText(result, '怎样才能符合');
    await waitForText(result, '还差1万元即达到2,000万元');
    await screenshot(page, 'calculator-why-not');
    expect(pageErrors).toEqual([]);
  });

  it('the calculator shows a bad amount next to its field, in words that say what to do', async () => {
    const { page } = await tab();
    await page.goto('/calculator?incentive=equipment-investment');
    const row = page.locator('.kf-claim-row').first();
    await row.getByLabel('项目名称').fill('P1');
    await row.getByLabel('当年度单个项目设备投资额').fill('12.3456789');
    await page.getByRole('button', { name: /开始测算/ }).click();
    await waitForText(row.locator('.ant-form-item-explain-error'), '最多6位小数');
    await waitForText(page.locator('#calc-result [role="alert"]'), '需要修改');
  });

  it('works at phone width and in English', async () => {
    const { page, pageErrors } = await tab(PHONE);
    await page.goto('/calculator?incentive=equipment-investment');
    await see(page.locator('.kf-claim-row'));
    await screenshot(page, 'calculator-phone');
    await page.getByText('EN', { exact: true }).click();
    await see(page.getByRole('heading', { name: 'Policy calculator' }));
    await page.getByRole('button', { name: 'Menu' }).click();
    await see(page.getByRole('link', { name: 'Policy library' }));
    await screenshot(page, 'menu-phone-en');
    await page.getByRole('link', { name: 'Policy library' }).click();
    await see(page.getByRole('heading', { name: 'Policy library' }));
    await screenshot(page, 'policy-library-phone-en', { fullPage: false });
    expect(pageErrors).toEqual([]);
  });

  it('login, 403 and 404 pages', async () => {
    const { page } = await tab();
    await page.goto('/login');
    await see(page.getByLabel('用户名'));
    await see(page.getByLabel('密码'));
    await screenshot(page, 'login');
    // signed out, a workbench page asks for login and comes back afterwards
    await page.goto('/work/queue');
    await page.waitForURL(/\/login\?next=%2Fwork%2Fqueue/);
    await page.goto('/403');
    await see(page.getByText('您没有访问此页面的权限'));
    await screenshot(page, 'forbidden');
    await page.goto('/no/such/page');
    await see(page.getByText('页面不存在'));
    await screenshot(page, 'not-found');
  });
});
