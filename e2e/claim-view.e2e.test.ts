/**
 * What enterprises and officials read on a claim, in the browser, against the real server with the demo data:
 * a claim refused through an upheld 公示 objection shows why, by whom and at which stage — to the enterprise and
 * to the department — and no "可享受" amount beside it; a credit-listed enterprise is told on its home page and at
 * the start of the claim wizard which unit listed it and what that stops, and is not invited to submit its draft;
 * an area reviewer is told it may not read the ledger rather than that there are no awards.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { browserAvailable, button, ensureWebBuild, gone, launchBrowser, screenshot, see, signIn, startServer, waitForText, type RunningServer, type Tab } from './harness.ts';

const run = browserAvailable('claim view');
/** The demo's claim refused by an upheld objection (src/demo/seed.ts, batch 设备投入 第一批), and its resolution. */
const REFUSED_ITEM = '全自动电脑横机技改项目';
const RESOLUTION = '项目中1200万元设备为二手翻新设备';
/** The demo's credit-listed enterprise and the unit that listed it. */
const LISTED_BY = '全国法院失信被执行人名单（示例数据）';

describe.skipIf(!run)('refusals, credit listings and the ledger panel, in the browser', () => {
  let server: RunningServer;
  let browser: Browser;
  const tabs = new Map<string, Tab>();

  beforeAll(async () => {
    await ensureWebBuild();
    server = await startServer();
    browser = await launchBrowser();
  }, 240_000);

  afterAll(async () => {
    for (const t of tabs.values()) await t.context.close().catch(() => undefined);
    await browser?.close();
    await server?.stop();
  });

  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail') return;
    for (const [user, t] of tabs) await screenshot(t.page, `FAILED-${ctx.task.name.slice(0, 40)}-${user}`).catch(() => undefined);
  });

  async function as(username: string): Promise<Page> {
    let t = tabs.get(username);
    if (!t) {
      t = await signIn(browser, server, username);
      tabs.set(username, t);
    }
    return t.page;
  }

  /** The id of the caller's claim for `item`, as the API lists it to the signed-in page. */
  async function claimIdOf(page: Page, item: string): Promise<number> {
    const items = await page.evaluate(async (q) => {
      const r = await fetch(`/api/claims?q=${encodeURIComponent(q)}&pageSize=100`, { credentials: 'include' });
      return ((await r.json()) as { items: Array<{ id: number; item: string }> }).items;
    }, item);
    const c = items.find((i) => i.item === item);
    expect(c, `a claim for ${item}`).toBeDefined();
    return c!.id;
  }

  it('the enterprise reads why its claim is not supported, where the entitlement would be, and no 可享受 beside it', async () => {
    const page = await as('ent-hengshan');
    await see(page.getByText('2020年度可享受政策'));
    const id = await claimIdOf(page, REFUSED_ITEM);
    await page.goto(`/portal/claims/${id}`);
    await waitForText(page.locator('.kf-refusal'), RESOLUTION);
    await waitForText(page.locator('.kf-refusal'), '公示异议成立');
    const result = page.locator('.kf-refusal-result');
    await waitForText(result, '不予支持');
    await waitForText(result, RESOLUTION);
    await waitForText(result, '区工信局');
    // the timeline tells the objection and the closing of 公示
    await waitForText(page.locator('.kf-timeline'), '异议成立，不予支持');
    const main = await page.locator('main').innerText();
    expect(main).not.toContain('可享受');
    await screenshot(page, 'claim-refused-enterprise');
  });

  it('the lead department reads the same refusal in its case view', async () => {
    const page = await as('dept-industry');
    const id = await claimIdOf(page, REFUSED_ITEM);
    await page.goto(`/work/claims/${id}`);
    await waitForText(page.locator('.kf-refusal'), RESOLUTION);
    await waitForText(page.locator('.kf-refusal-result'), '公示异议成立');
    expect(await page.locator('main').innerText()).not.toContain('可享受');
  });

  it('a credit-listed enterprise is told on its home page and before it starts a claim, with the unit that listed it', async () => {
    const page = await as('ent-taoyuan');
    const home = page.locator('.kf-credit-alert');
    await waitForText(home, LISTED_BY);
    await waitForText(home, '失信被执行人名单');
    await waitForText(home, '暂不能提交申报');
    await screenshot(page, 'portal-home-credit-listed');

    await page.goto('/portal/apply');
    const wizard = page.locator('.kf-credit-alert');
    await waitForText(wizard, LISTED_BY);
    await waitForText(wizard, '移出名单前不能提交');
    // still on the first step: told before filling anything in
    await see(page.getByLabel('选择奖励').or(page.locator('#wiz-incentive')));

    // its draft: the listing is named there too, and it is not invited to submit
    const id = await claimIdOf(page, '丝绸数码印花改造项目');
    await page.goto(`/portal/claims/${id}`);
    await waitForText(page.locator('.kf-credit-alert'), LISTED_BY);
    await see(page.locator('.kf-actions'));
    await see(button(page.locator('.kf-actions'), '修改（暂不能提交）'));
    await gone(button(page.locator('.kf-actions'), '继续填写并提交'));
  });

  it('an area reviewer is told it may not read the ledger, not that there are no awards', async () => {
    const page = await as('area-shengze');
    const id = await claimIdOf(page, '5G光纤预制棒扩产项目');
    await page.goto(`/work/claims/${id}`);
    await waitForText(page.locator('.kf-ledger-forbidden'), '无权查看');
    expect(await page.locator('main').innerText()).not.toContain('台账中暂无奖励记录');
  });
});
