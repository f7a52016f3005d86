/**
 * 综合金融服务平台 in the browser, against the real server with the demo data: 太湖光缆 posts a financing need and sees
 * it matched to products with the reasons; a matched bank (江苏银行) finds it and records the loan; a bank whose
 * products do not fit (工商银行) never sees it; 金融办 sees the amount granted against the 1,000亿元 target.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { browserAvailable, button, ensureWebBuild, launchBrowser, screenshot, see, signIn, startServer, waitForText, type RunningServer, type Tab } from './harness.ts';

const run = browserAvailable('financing');
const PURPOSE = 'E2E：光缆扩产流动资金';

describe.skipIf(!run)('financing: a need matched, answered by a bank and counted, in the browser', () => {
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
    if (ctx.task.result?.state === 'fail' && last) await screenshot(last, `FAILED-financing-${ctx.task.name.slice(0, 40)}`).catch(() => undefined);
  });

  const as = async (username: string) => {
    const tab = await signIn(browser, server, username);
    tabs.push(tab);
    last = tab.page;
    return tab.page;
  };

  it('太湖光缆 posts a need; it is matched to two products with the reasons', { timeout: 120_000 }, async () => {
    const page = await as('ent-taihu');
    await page.goto('/portal/financing');
    const form = page.locator('.ant-card', { hasText: '发布融资需求' });
    await see(form);
    await form.getByLabel('融资金额（万元）', { exact: true }).fill('300');
    await form.getByLabel('期限（月）', { exact: true }).fill('24');
    await form.getByLabel('担保方式', { exact: true }).click();
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: '信用' }).first().click();
    await form.getByLabel('资金用途', { exact: true }).fill(PURPOSE);
    await button(form, '提交').click();
    await waitForText(page.locator('.ant-message'), '已匹配 2 个银行产品');
    const need = page.locator('.ant-card', { hasText: PURPOSE });
    await waitForText(need, '江苏银行吴江支行');
    await waitForText(need, '为产品所接受');
  });

  it('江苏银行 records the loan; 工商银行 never sees the need', { timeout: 120_000 }, async () => {
    const icbc = await as('bank-icbc');
    await see(icbc.locator('.ant-card', { hasText: '苏州澜川光电线缆有限公司' }));
    expect(await icbc.locator('body').innerText()).not.toContain(PURPOSE);

    const bank = await as('bank-jsbank');
    const need = bank.locator('.ant-card', { hasText: PURPOSE });
    await see(need);
    await button(need, '登记放款').click();
    const modal = bank.locator('.ant-modal:visible');
    // a person types once the dialog has opened: wait for its opening animation to end (a value typed and a click
    // made while it zoomed in were lost on a loaded machine)
    await expect.poll(async () => (await modal.getAttribute('class')) ?? '', { timeout: 30_000 }).not.toMatch(/zoom-appear|zoom-enter/);
    const amount = modal.getByLabel('放款金额（万元）', { exact: true });
    await amount.fill('300');
    await expect.poll(() => amount.inputValue()).toBe('300');
    await button(modal, '确定').click();
    await modal.waitFor({ state: 'detached' });
    await waitForText(bank.locator('.ant-card', { hasText: PURPOSE }), '已放款');
  });

  it('金融办 sees the amount granted against the target', { timeout: 120_000 }, async () => {
    const page = await as('dept-finance-office');
    await page.goto('/work/financing');
    await waitForText(page.locator('body'), '到2020年底通过综合金融服务平台解决企业融资累计1000亿元');
    // the demo's 600万 and 5,000万, and this 300万
    await waitForText(page.locator('.ant-statistic', { hasText: '累计放款' }), '5,900');
    await see(page.locator('.ant-card', { hasText: PURPOSE }));
  });
});
