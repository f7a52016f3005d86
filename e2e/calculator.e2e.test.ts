/**
 * The calculator as a person meets it (acceptance review, issue 9 items 18–19): a blank field is asked for by
 * its label (需填写, never 不符合 or the fact's identifier), a result below a threshold says how much is missing
 * instead of "× 6% = 0.00元", an error replaces the previous result, profile mode (企业画像) lists what matches
 * and what nearly does and can be linked to, English mode shows no raw enum value, and at 375 px the amount
 * stays on screen. Every wait is for something visible, never a fixed time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { browserAvailable, ensureWebBuild, gone, launchBrowser, openTab, screenshot, see, startServer, waitForText, type RunningServer, type Tab } from './harness.ts';

const run = browserAvailable('calculator');
const PHONE_375 = { width: 375, height: 812 };

describe.skipIf(!run)('the calculator in the browser', () => {
  let server: RunningServer;
  let browser: Browser;
  const tabs: Tab[] = [];

  beforeAll(async () => {
    await ensureWebBuild();
    // the calculator is public: no demo accounts needed
    server = await startServer({ demo: false });
    browser = await launchBrowser();
  }, 240_000);

  afterAll(async () => {
    for (const t of tabs) await t.context.close().catch(() => undefined);
    await browser?.close();
    await server?.stop();
  });

  async function tab(viewport?: { width: number; height: number }, lang?: 'en') {
    const t = await openTab(browser, server.baseUrl, viewport);
    if (lang) await t.context.addInitScript(`localStorage.setItem('kaifang.lang', '${lang}')`);
    tabs.push(t);
    return t;
  }

  /** pick an option of an antd Select by its visible text */
  async function choose(scope: Page, label: string, option: string) {
    await scope.getByLabel(label, { exact: true }).click();
    await scope.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: option }).first().click();
  }

  const calculate = (page: Page) => page.getByRole('button', { name: /开始测算|Calculate/ }).click();

  it('asks for a blank field by its label, and an error replaces the previous result', async () => {
    const { page, pageErrors } = await tab();
    await page.goto('/calculator?incentive=equipment-investment');
    const row = page.locator('.kf-claim-row').first();
    const result = page.locator('#calc-result');
    await row.getByLabel('项目名称').fill('光纤预制棒扩产');
    await choose(page, '产业类别', '先导产业');
    await calculate(page);
    // beside the field, by its label; the result card says what to do, not 不符合
    await waitForText(row.locator('.ant-form-item-explain-error'), '需填写“当年度单个项目设备投资额”');
    await waitForText(result.locator('[role="alert"]'), '需要修改');
    expect(await result.innerText()).not.toMatch(/不符合/);
    expect(await page.locator('body').innerText()).not.toContain('equipmentInvestment');
    await screenshot(page, 'calculator-blank-field');

    // a result, then the form changes: the result is marked as stale
    await row.getByLabel('当年度单个项目设备投资额').fill('2500');
    await calculate(page);
    await waitForText(result.locator('.kf-entitlements'), '300万元');
    await row.getByLabel('当年度单个项目设备投资额').fill('2600');
    await see(result.locator('.kf-stale'));
    // the field emptied and calculated again: the old result goes, the error stands alone
    await row.getByLabel('当年度单个项目设备投资额').fill('');
    await calculate(page);
    await waitForText(result.locator('[role="alert"]'), '需要修改');
    await gone(result.locator('.kf-entitlements'));
    expect(pageErrors).toEqual([]);
  });

  it('below the threshold says how much is missing, with no "= 0.00元" formula and no "上限 0.00元"', async () => {
    const { page, pageErrors } = await tab();
    await page.goto('/calculator?incentive=equipment-investment');
    const row = page.locator('.kf-claim-row').first();
    await row.getByLabel('项目名称').fill('智能车间');
    await row.getByLabel('当年度单个项目设备投资额').fill('1850');
    await choose(page, '产业类别', '其他产业');
    await calculate(page);
    const result = page.locator('#calc-result');
    await waitForText(result.locator('.kf-entitlements'), '不符合');
    await waitForText(result, '还差150万元');
    await waitForText(result, '条件未满足，不计算金额');
    const text = await result.innerText();
    expect(text).not.toMatch(/上限\s*0\.00元/);
    expect(text).not.toMatch(/=\s*0\.00元/);
    expect(text).not.toMatch(/×\s*6%\s*=/);
    await screenshot(page, 'calculator-below-threshold');
    expect(pageErrors).toEqual([]);
  });

  it('profile mode lists what matches and what nearly does, and the link reopens the same answer', async () => {
    const { page, pageErrors } = await tab();
    await page.goto('/calculator');
    await page.getByRole('tab', { name: /企业画像/ }).click();
    await page.waitForURL(/mode=profile/);
    // facts grouped by the policy's sections; open the one with measure 16 and measure 10
    await page.getByText('落实项目为王发展理念', { exact: true }).click();
    await page.getByLabel('当年度单个项目设备投资额').fill('2500');
    await choose(page, '产业类别', '先导产业');
    await page.getByText('激发经济跨越发展创新活力', { exact: true }).click();
    await page.getByLabel('当年研发费用', { exact: true }).fill('1200');
    await page.getByRole('button', { name: /匹配全部政策/ }).click();

    const answer = page.locator('#profile-result');
    await waitForText(answer, '符合的奖励');
    await waitForText(answer.locator('.kf-entitlements'), '设备投入综合奖补');
    await waitForText(answer.locator('.kf-entitlements'), '300万元');
    // R&D growth needs last year's expense: a near miss, saying which facts are still blank
    await waitForText(answer.locator('.kf-profile-near'), '研发费用增长奖励');
    await waitForText(answer.locator('.kf-profile-near'), '上年研发费用');
    await screenshot(page, 'calculator-profile');

    // the URL holds the profile: opened afresh, it fills the form and answers without a click
    expect(page.url()).toMatch(/industryClass=leading/);
    const again = await tab();
    await again.page.goto(page.url());
    await waitForText(again.page.locator('#profile-result .kf-entitlements'), '300万元');
    await see(again.page.locator('.ant-select-content', { hasText: '先导产业' }));
    expect(pageErrors).toEqual([]);
    expect(again.pageErrors).toEqual([]);
  });

  it('English mode shows no raw enum value and gives formulas and caps in English', async () => {
    const { page, pageErrors } = await tab(undefined, 'en');
    await page.goto('/calculator?mode=profile&industryClass=highTech&equipmentInvestment=2500%E4%B8%87&listingBoard=starMarket&rdExpense=1200%E4%B8%87');
    const answer = page.locator('#profile-result');
    await waitForText(answer, 'Incentives you qualify for');
    await see(page.locator('.ant-select-content', { hasText: 'high-tech industry' }));
    await see(page.locator('.ant-select-content', { hasText: 'STAR Market (Shanghai)' }));
    // open the equipment subsidy's explanation
    const eq = answer.locator('.kf-entitlements tr', { hasText: 'Equipment investment subsidy' }).first();
    await eq.locator('.ant-table-row-expand-icon').click();
    const exp = answer.locator('.kf-explanation').first();
    await waitForText(exp, '¥25,000,000.00 × 10%');
    await waitForText(exp, 'high-tech industry');
    const body = await page.locator('body').innerText();
    for (const raw of ['highTech', 'starMarket', 'topUp', 'notEligible', 'amountNotSet', 'caseByCase', 'equipmentInvestment', 'industryClass']) expect(body, raw).not.toContain(raw);
    // the explanation has no Chinese left in its formula, caps and facts (the clause itself is the Chinese text)
    const expText = (await exp.innerText()).split(/Clause/)[0];
    expect(expText).not.toMatch(/[\u4e00-\u9fff]/);
    await screenshot(page, 'calculator-profile-en');
    expect(pageErrors).toEqual([]);
  });

  it('at 375 px the status and the amount are on screen without scrolling sideways', async () => {
    const { page, pageErrors } = await tab(PHONE_375);
    await page.goto('/calculator?incentive=equipment-investment');
    const row = page.locator('.kf-claim-row').first();
    await row.getByLabel('项目名称').fill('P1');
    await row.getByLabel('当年度单个项目设备投资额').fill('2500');
    await choose(page, '产业类别', '先导产业');
    await calculate(page);
    const amount = page.locator('#calc-result .kf-entitlements td.kf-amount', { hasText: '300万元' }).first();
    await see(amount);
    await amount.scrollIntoViewIfNeeded();
    const box = (await amount.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(375);
    const tag = page.locator('#calc-result .kf-entitlements .ant-tag', { hasText: '符合' }).first();
    const tagBox = (await tag.boundingBox())!;
    expect(tagBox.x + tagBox.width).toBeLessThanOrEqual(375);
    // nothing on the page is wider than the screen
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
    await screenshot(page, 'calculator-375');
    expect(pageErrors).toEqual([]);
  });
});
