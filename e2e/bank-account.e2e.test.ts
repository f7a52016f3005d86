/**
 * An enterprise's bank account kept in the browser: the administrator finds an enterprise without one (a payment batch
 * would refuse it), is refused beside the field for a number that is not one, enters it, and finance sees it.
 */
import { afterAll, afterEach, beforeAll, describe, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { browserAvailable, button, ensureWebBuild, launchBrowser, screenshot, see, signIn, startServer, waitForText, type RunningServer, type Tab } from './harness.ts';

const run = browserAvailable('bank account');
const ENTERPRISE = '苏州震泽蚕丝家纺有限公司'; // the demo's enterprise without an account

describe.skipIf(!run)('bank accounts: the administrator enters one, finance reads it', () => {
  let server: RunningServer;
  let browser: Browser;
  let admin: Tab;

  beforeAll(async () => {
    await ensureWebBuild();
    server = await startServer();
    browser = await launchBrowser();
    admin = await signIn(browser, server, 'admin');
  }, 240_000);

  afterAll(async () => {
    await admin?.context.close().catch(() => undefined);
    await browser?.close();
    await server?.stop();
  });

  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail' || !admin) return;
    await screenshot(admin.page, `FAILED-bank-${ctx.task.name.slice(0, 40)}`).catch(() => undefined);
  });

  it('the administrator enters the account of an enterprise without one; finance sees it', async () => {
    const page = admin.page;
    await page.goto(`/work/enterprises?q=${encodeURIComponent('震泽蚕丝')}`); // the list's search, as a person types it
    await page.getByRole('link', { name: ENTERPRISE }).first().click();
    await waitForText(page.locator('main'), '尚未登记收款账户');
    await button(page, '登记账户').click();
    const modal = page.locator('.ant-modal:visible');
    await see(modal);
    await modal.getByLabel('开户行').fill('中国工商银行吴江震泽支行');
    await modal.getByLabel('账号').fill('62220-abc');
    await button(modal, '保存').click();
    // refused by the server beside its field; nothing saved
    await waitForText(modal, '账号');
    await see(modal.locator('.ant-form-item-explain-error'));
    await modal.getByLabel('账号').fill('6222 0211 0203 4567 890');
    await button(modal, '保存').click();
    await modal.waitFor({ state: 'detached' });
    await waitForText(page.locator('main'), '6222021102034567890');
    await screenshot(page, 'bank-account');

    const finance = await signIn(browser, server, 'finance');
    await finance.page.goto(page.url().replace(/^https?:\/\/[^/]+/, ''));
    await waitForText(finance.page.locator('main'), '中国工商银行吴江震泽支行');
    await finance.context.close();
  }, 180_000);
});
