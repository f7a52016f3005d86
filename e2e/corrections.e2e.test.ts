/**
 * Corrections and the clawback follow-up in the browser, against the real server with the demo data: the lead
 * department (区工信局) claws back part of a paid claim from its case view, reads the ledger before and after in the
 * confirmation, records part of the money as it comes back (an amount above what is due is refused beside its
 * field), and reads what is still due — in the case view and in the follow-up list, where finance also finds the
 * demo's overdue recovery.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { browserAvailable, button, ensureWebBuild, gone, launchBrowser, screenshot, see, signIn, startServer, waitForText, type RunningServer, type Tab } from './harness.ts';

const run = browserAvailable('corrections');
/** A paid demo claim of measure 16 (src/demo/seed.ts, b2), led by 区工信局 (dept-industry). */
const PAID_ITEM = '特种光纤拉丝生产线';
const REASON = '经区审计局核查，拉丝生产线中一台进口设备已于2021年退回供应商，相应投资额不得计入';
const REFERENCE = '苏财非税缴（E2E）0001号';
/** fen as the app writes 万元: 100000000 → "100万元" (thousands separated, no trailing zeros) */
const wan = (fen: number) => `${(fen / 1_000_000).toLocaleString('en-US', { maximumFractionDigits: 6 })}万元`;
const WAN = 1_000_000;

describe.skipIf(!run)('a clawback from the case view and its follow-up, in the browser', () => {
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

  async function claimIdOf(page: Page, item: string): Promise<number> {
    const items = await page.evaluate(async (q) => {
      const r = await fetch(`/api/claims?q=${encodeURIComponent(q)}&pageSize=100`, { credentials: 'include' });
      return ((await r.json()) as { items: Array<{ id: number; item: string }> }).items;
    }, item);
    const c = items.find((i) => i.item === item);
    expect(c, `a claim for ${item}`).toBeDefined();
    return c!.id;
  }

  let claimId = 0;

  it('the lead department claws back part of a paid claim, seeing the ledger before and after', async () => {
    const dept = await as('dept-industry');
    claimId = await claimIdOf(dept, PAID_ITEM);
    const outstanding = await dept.evaluate(async (id) => ((await (await fetch(`/api/claims/${id}/corrections`, { credentials: 'include' })).json()) as { outstandingFen: number }).outstandingFen, claimId);
    expect(outstanding).toBeGreaterThan(10 * WAN);
    await dept.goto(`/work/claims/${claimId}`);
    const panel = dept.locator('.kf-corrections');
    await waitForText(panel.locator('.kf-outstanding'), wan(outstanding));
    await button(panel, '更正').click();

    const modal = dept.locator('.ant-modal:visible');
    await waitForText(modal, '追回已拨付奖励的一部分或全部');
    // more than is outstanding: refused beside the field, before anything is sent
    await modal.getByLabel('追回金额').fill(String(outstanding / WAN + 1));
    await modal.getByLabel('更正理由').fill(REASON);
    await button(modal, '下一步：核对').click();
    await waitForText(modal.locator('.ant-form-item-explain-error'), '不能超过当前余额');
    await modal.getByLabel('追回金额').fill('10');
    await button(modal, '下一步：核对').click();

    const confirm = modal.locator('.kf-correction-confirm');
    await waitForText(confirm, '更正前');
    const text = await waitForText(confirm, wan(outstanding - 10 * WAN));
    expect(text).toContain(wan(outstanding)); // before
    expect(text).toContain('-10万元'); // this correction
    expect(text).toContain('已拨付'); // the claim stays paid
    expect(text).toContain(REASON);
    await screenshot(dept, 'correction-confirm');
    await button(modal, '确认更正').click();
    await gone(dept.locator('.ant-modal:visible'));

    await waitForText(panel.locator('.kf-outstanding'), wan(outstanding - 10 * WAN));
    await waitForText(panel, REASON);
    await waitForText(panel.locator('.kf-recovery-outstanding'), '10万元');
    await waitForText(dept.locator('.kf-timeline'), '追回');
  }, 120_000);

  it('records part of the money as it comes back, never more than is due, and reads what is still due', async () => {
    const dept = await as('dept-industry');
    const recovery = dept.locator('.kf-recovery');
    await see(recovery);
    await button(recovery, '登记到账').click();
    const modal = dept.locator('.ant-modal:visible');
    await modal.getByLabel('到账金额').fill('12');
    await modal.getByLabel('缴款书号或凭据编号').fill(REFERENCE);
    await button(modal, '登记到账').click();
    await waitForText(modal.locator('.ant-form-item-explain-error'), '不能超过尚欠的 10万元');
    await modal.getByLabel('到账金额').fill('4');
    await button(modal, '登记到账').click();
    await gone(dept.locator('.ant-modal:visible'));

    await waitForText(recovery.locator('.kf-recovery-outstanding'), '6万元');
    const amounts = await waitForText(recovery.locator('.kf-recovery-amounts'), '4万元');
    expect(amounts).toContain('10万元');
    await waitForText(recovery, REFERENCE);
    await screenshot(dept, 'recovery-in-case-view');

    // the follow-up list: the department's open recovery, with what is still due
    await dept.goto('/work/recoveries');
    const row = dept.locator('.kf-recovery-list tr', { hasText: `#${claimId}` });
    await waitForText(row, '6万元');
    await screenshot(dept, 'recoveries-department');
  }, 120_000);

  it('finance follows every department\'s recoveries, the demo\'s overdue one among them', async () => {
    const fin = await as('finance');
    await fin.goto('/work/recoveries?overdue=true');
    const list = fin.locator('.kf-recovery-list');
    await waitForText(list, '逾期 5 天');
    await waitForText(list, '2万元'); // the demo's clawback of 6万, 4万 back
    await waitForText(fin.locator('.kf-recovery-totals'), '2万元');
    expect(await list.innerText()).not.toContain(`#${claimId}`); // the department's fresh recovery has no deadline
    await fin.goto('/work/recoveries');
    await waitForText(fin.locator('.kf-recovery-list'), `#${claimId}`);
    await gone(fin.locator('.kf-recovery-list').getByRole('button', { name: /登记到账/ }));
  }, 120_000);
});
