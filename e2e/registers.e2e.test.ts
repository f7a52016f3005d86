/**
 * The registers in the browser (issue 10), against the real server with the demo data: the admin registers an
 * enterprise and imports a small Excel list (a bad row refused with its row number, nothing stored; the fixed file
 * imported), a lead department records a city award for it, and the admin lists and delists an enterprise on the
 * credit list. Every wait is for something visible.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import type { Browser, Locator, Page } from 'playwright-core';
import { generateUscc, seededRandom } from '../src/enterprises/uscc.ts';
import { browserAvailable, button, ensureWebBuild, launchBrowser, screenshot, see, signIn, startServer, waitForText, type RunningServer, type Tab } from './harness.ts';

const run = browserAvailable('registers');
const random = seededRandom(Date.now() % 100_000);
const [REGISTERED, IMPORTED_A, IMPORTED_B, LISTED] = [generateUscc({ random }), generateUscc({ random }), generateUscc({ random }), generateUscc({ random })];
const NAME = '吴江浏览器测试光电有限公司';

async function workbook(rows: unknown[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('企业名录');
  ws.addRow(['统一社会信用代码', '企业名称', '所属区镇', '产业类别']);
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

describe.skipIf(!run)('registers: enterprises, city awards and the credit list in the browser', () => {
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
    for (const [i, t] of tabs.entries()) await screenshot(t.page, `FAILED-registers-${i}`).catch(() => undefined);
  });

  async function choose(page: Page, scope: Locator, label: string, option: string | RegExp) {
    await scope.getByLabel(label, { exact: true }).click();
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: option }).first().click();
  }

  it('the admin registers an enterprise and imports a list: a bad row is refused by number, the fixed file goes in', async () => {
    const tab = await signIn(browser, server, 'admin');
    tabs.push(tab);
    const { page } = tab;
    await page.goto('/work/enterprises');
    await button(page, '登记企业').click();
    let modal = page.locator('.ant-modal:visible');
    await see(modal);
    // a wrong check character is refused beside the field, nothing stored
    const wrong = REGISTERED.slice(0, 17) + (REGISTERED.endsWith('0') ? '1' : '0');
    await modal.getByLabel('统一社会信用代码').fill(wrong);
    await modal.getByLabel('企业名称').fill(NAME);
    await choose(page, modal, '所属区镇', '盛泽镇');
    await choose(page, modal, '产业类别', '先导产业');
    await button(modal, '保存').click();
    await see(modal.locator('.ant-form-item-explain-error'));
    await modal.getByLabel('统一社会信用代码').fill(REGISTERED);
    await button(modal, '保存').click();
    await waitForText(page.locator('.ant-message'), `已登记：${NAME}`);

    await page.getByLabel('查找').fill(NAME);
    await button(page, '筛选').click();
    await waitForText(page.locator('.ant-table-tbody'), REGISTERED);

    await button(page, '从 Excel 导入企业').click();
    modal = page.locator('.ant-modal:visible');
    await see(modal);
    const badFile = await workbook([[IMPORTED_A, '吴江导入甲纺织有限公司', '平望镇', '其他产业'], [IMPORTED_B.slice(0, 17) + (IMPORTED_B.endsWith('0') ? '1' : '0'), '吴江导入乙装备有限公司', '松陵街道', '高新技术产业']]);
    await modal.locator('input[type=file]').setInputFiles({ name: '企业名录.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: badFile });
    await button(modal, '导入').click();
    const refused = await waitForText(modal.locator('.ant-alert-error'), '第3行');
    expect(refused).toContain('统一社会信用代码');
    const good = await workbook([[IMPORTED_A, '吴江导入甲纺织有限公司', '平望镇', '其他产业'], [IMPORTED_B, '吴江导入乙装备有限公司', '松陵街道', '高新技术产业']]);
    await modal.locator('input[type=file]').setInputFiles({ name: '企业名录-改.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: good });
    await button(modal, '导入').click();
    await waitForText(page.locator('.ant-message'), '已导入 2 条');
    await page.getByLabel('查找').fill('吴江导入');
    await button(page, '筛选').click();
    await waitForText(page.locator('.ant-table-tbody'), IMPORTED_B);

    // the detail page: registered facts, no facts on file yet, credit clear
    await page.locator('.ant-table-tbody').getByRole('link', { name: '吴江导入乙装备有限公司' }).click();
    await waitForText(page.locator('main'), '企业尚未填报在档事实');
  }, 180_000);

  it('a lead department records a city award for the new enterprise', async () => {
    const tab = await signIn(browser, server, 'dept-industry');
    tabs.push(tab);
    const { page } = tab;
    await page.goto('/work/city-awards');
    await button(page, '登记市级奖励').click();
    const modal = page.locator('.ant-modal:visible');
    await see(modal);
    await modal.getByLabel('企业', { exact: true }).fill('浏览器测试光电');
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: REGISTERED }).first().click();
    // what a person checks before going on: the picker shows the enterprise chosen
    await waitForText(modal.locator('.ant-select').first(), '浏览器测试光电');
    await modal.getByLabel('奖励项目', { exact: true }).click();
    // the one incentive of measure 16 (the 区工信局's) that 就高不重复 covers
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: '设备投入综合奖补' }).first().click();
    await modal.getByLabel('申报对象').fill('浏览器测试项目');
    await modal.getByLabel('金额', { exact: true }).fill('50');
    await modal.getByLabel('文件号或凭据').fill('苏工信〔2020〕浏览器1号');
    await button(modal, '保存').click();
    await waitForText(page.locator('.ant-message'), '已登记市级奖励');
    await waitForText(page.locator('.ant-table-tbody'), NAME);
    await waitForText(page.locator('.ant-table-tbody'), '浏览器测试项目');
  }, 120_000);

  it('the admin lists an enterprise on the credit list and delists it', async () => {
    const tab = await signIn(browser, server, 'admin');
    tabs.push(tab);
    const { page } = tab;
    await page.goto('/work/credit-list');
    await button(page, '列入名单').click();
    let modal = page.locator('.ant-modal:visible');
    await see(modal);
    await modal.getByLabel('统一社会信用代码').fill(LISTED);
    await modal.getByLabel('名单名称').fill('失信被执行人名单');
    await modal.getByLabel('列入原因').fill('未履行生效判决');
    // the source unit is required: refused beside the field until given
    await button(modal, '保存').click();
    await see(modal.locator('.ant-form-item-explain-error'));
    await modal.getByLabel('来源单位').fill('吴江区人民法院');
    await button(modal, '保存').click();
    await waitForText(page.locator('.ant-message'), '已列入名单');
    const row = page.locator('.ant-table-tbody tr', { hasText: LISTED });
    await waitForText(row, '生效中');

    await button(row, '移出名单').click();
    modal = page.locator('.ant-modal:visible');
    await see(modal);
    await modal.getByLabel('移出原因').fill('信用修复');
    await button(modal, '保存').click();
    await waitForText(page.locator('.ant-message'), '已移出名单');
    await waitForText(row, '不生效');
  }, 120_000);
});
