/**
 * Users and sign-in in the browser (issue 10), against the real server with the demo data: the district admin,
 * from the admin account, sets up a new department reviewer and an enterprise user (one-time passwords shown
 * once); each new user signs in with it, is made to change it before anything else, and lands on their own page.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { browserAvailable, button, ensureWebBuild, launchBrowser, openTab, screenshot, see, signIn, startServer, waitForText, type RunningServer, type Tab } from './harness.ts';

const run = browserAvailable('users');
const NEW_PASSWORD = 'Taihu-lake-2027!';

describe.skipIf(!run)('users and sign-in: the admin sets up a department reviewer and an enterprise user', () => {
  let server: RunningServer;
  let browser: Browser;
  let admin: Tab;
  let page: Page;
  const tabs: Tab[] = [];
  const created: Record<string, string> = {};

  beforeAll(async () => {
    await ensureWebBuild();
    server = await startServer();
    browser = await launchBrowser();
    admin = await signIn(browser, server, 'admin');
    page = admin.page;
  }, 240_000);

  afterAll(async () => {
    for (const t of [admin, ...tabs]) await t?.context.close().catch(() => undefined);
    await browser?.close();
    await server?.stop();
  });

  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail') return;
    for (const [i, t] of [admin, ...tabs].entries()) if (t) await screenshot(t.page, `FAILED-users-${i}-${ctx.task.name.slice(0, 30)}`).catch(() => undefined);
  });

  async function pick(scope: ReturnType<Page['locator']>, label: string, option: string | RegExp) {
    await scope.getByLabel(label, { exact: true }).click();
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: option }).first().click();
  }

  /** 新建用户 in the dialog; returns the one-time password the dialog shows once. */
  async function createUser(fill: (modal: ReturnType<Page['locator']>) => Promise<void>): Promise<string> {
    await button(page, '新建用户').click();
    const modal = page.locator('.ant-modal:visible');
    await see(modal);
    await fill(modal);
    await button(modal, '创建').click();
    const shown = page.locator('.ant-modal:visible .kf-otp');
    await see(shown);
    await waitForText(shown, '只显示这一次');
    const otp = (await shown.locator('.kf-otp-value code').innerText()).trim();
    expect(otp).toMatch(/^[A-Za-z2-9-]{14,}$/);
    // the dialog that shows it (the create dialog may still be fading out beside it)
    await button(page.locator('.ant-modal:visible', { has: page.locator('.kf-otp') }), '已记下').click();
    await page.locator('.kf-otp').waitFor({ state: 'hidden' });
    return otp;
  }

  it('lands the admin on the users page, with the demo accounts and their last sign-in', async () => {
    await page.waitForURL(/\/work\/users$/);
    await waitForText(page.locator('main, #main'), '用户管理');
    const table = page.locator('.ant-table');
    await waitForText(page.locator('.ant-pagination'), '共');
    // filtered by role: the department reviewers with their departments
    await pick(page.locator('form#users-filter'), '角色', '部门审核');
    await button(page, '搜索').click();
    await waitForText(table, 'dept-science');
    await waitForText(table, '区科技局');
    // the admin itself has just signed in
    await pick(page.locator('form#users-filter'), '角色', '系统管理员');
    await button(page, '搜索').click();
    await waitForText(table, 'admin');
    const adminRow = page.locator('.ant-table-row', { hasText: 'admin' }).first();
    expect(await adminRow.innerText()).not.toContain('从未登录');
    await screenshot(page, 'users-list');
  });

  it('creates a department reviewer of 区科技局 and an enterprise user bound to its USCC', async () => {
    created['sci-reviewer'] = await createUser(async (modal) => {
      await modal.getByLabel('用户名', { exact: true }).fill('sci-reviewer');
      await modal.getByLabel('姓名/显示名称').fill('科技局 新审核员');
      await pick(modal, '角色', '部门审核');
      await pick(modal, '部门', '区科技局');
    });
    const uscc = await page.evaluate(async () => {
      const r = await fetch('/api/enterprises?q=%E6%BE%9C%E5%B7%9D'); // 澜川
      return ((await r.json()) as { items: Array<{ uscc: string }> }).items[0].uscc;
    });
    created['lanchuan-clerk'] = await createUser(async (modal) => {
      await modal.getByLabel('用户名', { exact: true }).fill('lanchuan-clerk');
      await modal.getByLabel('姓名/显示名称').fill('澜川 财务');
      await pick(modal, '角色', '企业用户');
      await modal.getByLabel('统一社会信用代码').fill(uscc);
    });
    // newest first, the filters cleared: both new accounts on top
    await button(page, '重置').click();
    const table = page.locator('.ant-table');
    await waitForText(table, 'sci-reviewer');
    await waitForText(table, 'lanchuan-clerk');
    const row = page.locator('.ant-table-row', { hasText: 'sci-reviewer' });
    await waitForText(row, '待修改密码');
    await waitForText(row, '从未登录');
    await waitForText(page.locator('.ant-table-row', { hasText: 'lanchuan-clerk' }), '澜川');
    await screenshot(page, 'users-created');
  });

  async function firstSignIn(username: string, home: RegExp): Promise<Page> {
    const tab = await openTab(browser, server.baseUrl);
    tabs.push(tab);
    const p = tab.page;
    await p.goto('/login');
    await p.getByLabel('用户名').fill(username);
    await p.getByLabel('密码', { exact: true }).fill(created[username]);
    await p.getByRole('button', { name: /^登\s*录$/ }).click();
    // made to change the one-time password first, wherever it tries to go
    await p.waitForURL(/\/account$/);
    await waitForText(p.locator('body'), '请先修改密码');
    await p.goto('/work/queue');
    await p.waitForURL(/\/account$/);
    await p.getByLabel('一次性密码（当前密码）').fill(created[username]);
    await p.getByLabel('新密码', { exact: true }).fill(NEW_PASSWORD);
    await p.getByLabel('再次输入新密码').fill(NEW_PASSWORD);
    await screenshot(p, `users-first-sign-in-${username}`);
    await button(p.locator('form[id="change-password"]'), '修改密码').click();
    await p.waitForURL(home);
    expect(tab.pageErrors).toEqual([]);
    return p;
  }

  it('the new department reviewer signs in with the one-time password, changes it, and lands on its queue', async () => {
    const p = await firstSignIn('sci-reviewer', /\/work\/queue$/);
    await see(p.getByRole('link', { name: /待办/ }));
    await waitForText(p.locator('#main'), '待办');
  });

  it('the new enterprise user does the same and lands on its enterprise portal', async () => {
    const p = await firstSignIn('lanchuan-clerk', /\/portal$/);
    await waitForText(p.locator('#main'), '澜川');
  });

  it("shows the admin the new users' last sign-in and no password left to change", async () => {
    const row = page.locator('.ant-table-row', { hasText: 'sci-reviewer' });
    await Promise.all([page.waitForResponse((r) => r.url().includes('/api/users')), button(page, '刷新').click()]);
    await see(row);
    // the list as it now reads: the flag gone, a sign-in time in place of 从未登录
    const deadline = Date.now() + 15_000;
    let text = await row.innerText();
    while ((text.includes('待修改密码') || text.includes('从未登录')) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      text = await row.innerText();
    }
    expect(text).not.toContain('待修改密码');
    expect(text).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
    await screenshot(page, 'users-after-first-sign-in');
  });
});
