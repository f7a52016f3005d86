/**
 * 政企服务 (measure 21) in the browser, against the real server with the demo data: an enterprise files a request; the
 * industry bureau acknowledges it and transfers it to the science bureau, which answers; the enterprise reads the
 * answer and its history (the transfer kept) and rates it; the commerce bureau finds the demo's overdue request red at
 * the top of its queue, escalated; the demo's transferred, escalated, late-answered and rated request is in the
 * science bureau's history; the liaison officer logs a visit under 无事不扰; the figures count it all, and the public
 * page shows them without any enterprise's name.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { browserAvailable, button, ensureWebBuild, launchBrowser, openTab, screenshot, see, signIn, startServer, waitForText, type RunningServer, type Tab } from './harness.ts';

const run = browserAvailable('service desk');
const TITLE = 'E2E：5G基站配套用电增容咨询';

describe.skipIf(!run)('service desk: a request filed, transferred, answered, rated and counted, in the browser', () => {
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
    if (ctx.task.result?.state === 'fail' && last) await screenshot(last, `FAILED-service-desk-${ctx.task.name.slice(0, 40)}`).catch(() => undefined);
  });

  const as = async (username: string) => {
    const tab = await signIn(browser, server, username);
    tabs.push(tab);
    last = tab.page;
    return tab.page;
  };
  async function choose(page: Page, scope: Locator, label: string, option: string | RegExp) {
    await scope.getByLabel(label, { exact: true }).click();
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: option }).first().click();
  }

  it('the enterprise files a request; it goes to the unit of its category with its due dates', { timeout: 120_000 }, async () => {
    const page = await as('ent-lanchuan');
    await page.goto('/portal/requests');
    const form = page.locator('.ant-card', { hasText: '提出诉求' }).first();
    await see(form);
    // nothing typed: refused beside the fields, nothing sent
    await button(form, '提交').click();
    await waitForText(form, '标题');
    await choose(page, form, '诉求类别', '涉企政策咨询与兑现');
    await waitForText(form, '区工信局');
    await form.getByLabel('标题', { exact: true }).fill(TITLE);
    await form.getByLabel('诉求内容', { exact: true }).fill('新建5G基站配套车间，用电容量需从800千伏安增至2000千伏安，可否享受相关政策？');
    await button(form, '提交').click();
    await page.waitForURL(/\/portal\/requests\/\d+$/);
    await waitForText(page.locator('h3'), TITLE);
    await waitForText(page.locator('body'), '待签收');
    await waitForText(page.locator('.ant-descriptions'), '区工信局');
  });

  it('the industry bureau acknowledges and transfers it; it leaves its queue, the reason in the history', { timeout: 120_000 }, async () => {
    const page = await as('dept-industry');
    await page.goto('/work/requests');
    await page.locator('tr', { hasText: TITLE }).getByRole('link', { name: TITLE }).click();
    await button(page, '签收').click();
    await waitForText(page.locator('body'), '办理中');
    await button(page, '转办').click();
    const modal = page.locator('.ant-modal:visible');
    // the units are searched by name (a long list): type, then pick the one offered
    await modal.getByLabel('转至单位', { exact: true }).fill('区科技局');
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: '区科技局' }).first().click();
    await waitForText(modal.locator('.ant-select'), '区科技局');
    await modal.getByLabel('理由', { exact: true }).fill('E2E：研发用电政策属科技局');
    await button(modal, '确定').click();
    await modal.waitFor({ state: 'detached' });
    // with the science bureau now; the industry bureau, 澜川's liaison officer in the demo, still reads it but acts no more
    await waitForText(page.locator('.ant-descriptions'), '区科技局');
    await waitForText(page.locator('.ant-timeline'), 'E2E：研发用电政策属科技局');
    expect(await button(page, '转办').count()).toBe(0);
    await page.goto('/work/requests');
    await waitForText(page.locator('.ant-table'), '暂无诉求');
    await page.getByText('挂钩联系企业', { exact: true }).click();
    await see(page.locator('tr', { hasText: TITLE }));
  });

  it('the science bureau answers; the enterprise reads the answer and the transfer, and rates it', { timeout: 120_000 }, async () => {
    const sci = await as('dept-science');
    await sci.goto('/work/requests');
    await sci.locator('tr', { hasText: TITLE }).getByRole('link', { name: TITLE }).click();
    await waitForText(sci.locator('.ant-timeline'), '区工信局 → 区科技局');
    await button(sci, '答复').first().click();
    const modal = sci.locator('.ant-modal:visible');
    await modal.getByLabel('答复', { exact: true }).fill('E2E：可申报第16条设备投入奖补，用电增容由供电公司按时限办理。');
    await button(modal, '确定').click();
    await modal.waitFor({ state: 'detached' });
    await waitForText(sci.locator('[data-testid="sd-answer"]'), '第16条');

    const ent = await as('ent-lanchuan');
    await ent.goto('/portal/requests');
    await ent.locator('tr', { hasText: TITLE }).getByRole('link', { name: TITLE }).click();
    await waitForText(ent.locator('[data-testid="sd-answer"]'), '第16条');
    await waitForText(ent.locator('.ant-timeline'), 'E2E：研发用电政策属科技局');
    await button(ent, '评价答复').click();
    const rate = ent.locator('.ant-modal:visible');
    await rate.getByRole('radio').nth(3).click();
    await button(rate, '确定').click();
    await rate.waitFor({ state: 'detached' });
    await waitForText(ent.locator('body'), '已办结');
  });

  it('the commerce bureau finds the overdue demo request red at the top of its queue, escalated', { timeout: 120_000 }, async () => {
    const page = await as('dept-commerce');
    await page.goto('/work/requests');
    const first = page.locator('tbody tr.ant-table-row').first();
    await see(first);
    expect(await first.getAttribute('data-overdue')).toBe('true');
    await waitForText(first, '已超期');
    await waitForText(first, '已提请挂钩领导督办');
  });

  it('the liaison officer logs a visit: the third of the period is refused without its reason, then logged with it', { timeout: 120_000 }, async () => {
    const page = await as('dept-industry');
    await page.goto('/work/liaison');
    const row = page.locator('tr', { hasText: '苏州澜川光电线缆有限公司' });
    await see(row);
    await waitForText(page.locator('body'), '无事不扰');
    await row.click();
    const card = page.locator('.ant-card', { hasText: '走访记录' });
    await see(card.locator('tr', { hasText: '用电增容' }));
    await button(card, '登记走访').click();
    const modal = page.locator('.ant-modal:visible');
    await modal.getByLabel('走访人员', { exact: true }).fill('区工信局 E2E');
    await modal.getByLabel('企业反映的问题', { exact: true }).fill('E2E：新厂房消防验收进度');
    await button(modal, '确定').click();
    await waitForText(modal, '无事不扰');
    await modal.getByLabel('走访事由（超过本期次数时必填）', { exact: true }).fill('企业主动邀请，协调消防验收');
    await button(modal, '确定').click();
    await modal.waitFor({ state: 'detached' });
    await see(card.locator('tr', { hasText: 'E2E：新厂房消防验收进度' }));
  });

  it('帮办代办: 丝锦 asks for help with 企业开办 from the published catalogue; 盛泽 assists, records a step and finishes', { timeout: 120_000 }, async () => {
    const ent = await as('ent-sijin');
    await ent.goto('/portal/assistance');
    const item = ent.locator('tr', { hasText: '企业开办' });
    await see(item);
    await button(item, '申请帮办').click();
    const modal = ent.locator('.ant-modal:visible');
    await modal.getByLabel('说明（可选）').fill('E2E：新设销售公司');
    await button(modal, '确定').click();
    await waitForText(ent.locator('.ant-message'), '已申请');
    await see(ent.locator('.ant-card', { hasText: '我的帮办事项' }).locator('tr', { hasText: '待指定帮办员' }));

    const area = await as('area-shengze');
    await area.goto('/work/assistance');
    const row = area.locator('tr.ant-table-row', { hasText: '吴江丝锦织造有限公司' });
    await see(row);
    await row.locator('.ant-table-row-expand-icon').click();
    await button(area, '由我帮办').click();
    await waitForText(area.locator('tr.ant-table-row', { hasText: '吴江丝锦织造有限公司' }), '帮办中');
    await area.getByLabel('登记步骤').click();
    await area.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: '咨询辅导' }).first().click();
    await button(area, '登记步骤').click();
    await button(area, '办结').click();
    const finish = area.locator('.ant-modal:visible');
    await finish.getByLabel('办理结果').fill('E2E：营业执照已领取');
    await button(finish, '确定').click();
    await waitForText(area.locator('[data-testid="as-result"]'), 'E2E：营业执照已领取');

    await ent.reload();
    const mine = ent.locator('tr.ant-table-row', { hasText: '已办结' });
    await see(mine);
    await mine.locator('.ant-table-row-expand-icon').click();
    await waitForText(ent.locator('[data-testid="as-result"]'), 'E2E：营业执照已领取');
  });

  it('the figures count the requests, and the public page shows them without names', { timeout: 120_000 }, async () => {
    const page = await as('dept-science');
    await page.goto('/work/request-figures');
    const row = page.locator('tr', { hasText: '区科技局' });
    await see(row);
    await see(page.locator('canvas').first());
    const anon = await openTab(browser, server.baseUrl);
    tabs.push(anon);
    last = anon.page;
    await anon.page.goto('/service-figures');
    await see(anon.page.locator('tr', { hasText: '合计' }));
    await anon.page.getByText('按类别', { exact: true }).click();
    await see(anon.page.locator('tr', { hasText: '涉企政策咨询与兑现' }));
    const text = await anon.page.locator('body').innerText();
    expect(text).not.toContain('苏州澜川光电线缆有限公司');
  });
});
