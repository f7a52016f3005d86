/**
 * 工作日历维护 in the browser: officials are told while next year's State Council notice is not in the calendar; the
 * administrator enters it in a form, sees the year in the preview, is stopped (with the field named) when a make-up
 * workday is not a weekend, saves it, and the calendar covers the year.
 *
 * The 2027 arrangement typed here is TEST DATA shaped like a notice, not the real 2027 notice.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { browserAvailable, button, ensureWebBuild, launchBrowser, screenshot, see, signIn, startServer, waitForText, type RunningServer, type Tab } from './harness.ts';

const run = browserAvailable('calendar upkeep');

describe.skipIf(!run)('working-day calendar: the administrator enters next year', () => {
  let server: RunningServer;
  let browser: Browser;
  let admin: Tab;
  let page: Page;

  beforeAll(async () => {
    await ensureWebBuild();
    server = await startServer();
    browser = await launchBrowser();
    admin = await signIn(browser, server, 'admin');
    page = admin.page;
  }, 240_000);

  afterAll(async () => {
    await admin?.context.close().catch(() => undefined);
    await browser?.close();
    await server?.stop();
  });

  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail' || !page) return;
    await screenshot(page, `FAILED-calendar-${ctx.task.name.slice(0, 40)}`).catch(() => undefined);
  });

  async function typeDate(field: Locator, date: string) {
    await field.click();
    await field.fill(date);
    await field.press('Tab');
  }

  it('an official is told when next year is not yet in the calendar', async () => {
    const finance = await signIn(browser, server, 'finance');
    const coverage = (await (await finance.page.request.get('/api/calendar')).json()) as { reminder: boolean; nextYear: number };
    await finance.page.goto('/work/payments');
    if (coverage.reminder) await waitForText(finance.page.locator('.ant-alert-banner'), `${coverage.nextYear}年放假安排尚未录入工作日历`);
    await finance.context.close();
  });

  it('enters a year: the preview shows it, a weekday make-up day is refused with its field, then it is saved', async () => {
    await page.goto('/work/calendar');
    await see(page.getByRole('heading', { name: '工作日历维护' }));
    const coverage = (await (await page.request.get('/api/calendar')).json()) as { nextYear: number; coveredThrough: string };
    const year = coverage.nextYear;
    expect(year).toBe(Number(coverage.coveredThrough.slice(0, 4)) + 1);
    await see(page.getByLabel('年度'));
    expect(await page.getByLabel('年度').inputValue()).toBe(String(year));

    await page.getByLabel('通知文号').fill(`国办发明电〔${year - 1}〕99号`);
    await typeDate(page.locator('#noticeDate'), `${year - 1}-11-20`);
    await page.getByLabel('节日 1', { exact: true }).fill('春节');
    await typeDate(page.locator('#holiday-0-from'), `${year}-02-06`);
    await typeDate(page.locator('#holiday-0-to'), `${year}-02-14`);
    // The preview marks the days as they are typed.
    await see(page.locator(`.kf-cal-day[data-date="${year}-02-08"][data-kind="holiday"]`));

    await button(page, '添加调休上班日').click();
    const weekday = `${year}-02-22`;
    const weekdayIsWeekend = [0, 6].includes(new Date(`${weekday}T00:00:00Z`).getUTCDay());
    const makeUp = weekdayIsWeekend ? `${year}-02-23` : weekday;
    await typeDate(page.locator('#makeup-0-date'), makeUp);
    await page.getByLabel('调休上班日（周六或周日） 节日 1').fill('春节');
    await waitForText(page.locator('.ant-alert-error'), `调休上班日 ${makeUp} 不是周六或周日`);
    await button(page, '校验并保存').click();
    // The server refuses it too, and says so beside the field.
    await waitForText(page.locator('.ant-form-item-explain-error').first(), '不是周六或周日');

    await page.getByRole('button', { name: '删除此行' }).nth(1).click();
    await button(page, '校验并保存').click();
    await waitForText(page.locator('.ant-message'), `${year}年放假安排已保存，工作日历覆盖至 ${year}-12-31`);
    const row = page.locator('.ant-table-row', { hasText: `国办发明电〔${year - 1}〕99号` });
    await waitForText(row, '管理员录入');
    await waitForText(page.locator('h3 + span, .ant-typography-secondary').first(), `${year}-12-31`);
    await screenshot(page, 'calendar-upkeep');
  });
});
