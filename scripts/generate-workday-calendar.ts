/**
 * Writes calendars/cn-workdays.yaml from the data of the `chinese-days` package (MIT, © Yawei Sun,
 * https://github.com/vsme/chinese-days), once, by hand, when a new State Council notice comes out:
 *
 *   node --import tsx scripts/generate-workday-calendar.ts
 *
 * The output is committed and reviewed like any other law-as-data change; the runtime reads only the YAML and never
 * chinese-days (a dev dependency). What chinese-days does not carry — the notices' document numbers and dates, and
 * the split of 2020 into the original notice plus the extension notice — is written below, so that each fact of the
 * file has one place where a person can check it against the gov.cn text.
 *
 * A cross-check test (src/calendar/cn-workdays.crosscheck.test.ts) compares every day of the file with chinese-days,
 * so a hand edit that drifts from the package, or a package update that changes a day, fails `npm test`.
 */
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const require = createRequire(import.meta.url);
const pkg = require('chinese-days/package.json') as { version: string };
const data = require('chinese-days/dist/chinese-days.json') as {
  holidays: Record<string, string>;
  workdays: Record<string, string>;
};
const chineseDays = require('chinese-days') as { getLunarDate(d: string): { lunarMon: number; lunarDay: number; isLeap: boolean } };

const FIRST_YEAR = 2020;
const LAST_YEAR = 2026;

interface Notice {
  title: string;
  document: string;
  date: string;
  url: string;
}

/** The yearly notices (国务院办公厅关于…部分节假日安排的通知). The URLs are those chinese-days cites. */
const NOTICES: Record<number, Notice> = {
  2020: {
    title: '国务院办公厅关于2020年部分节假日安排的通知',
    document: '国办发明电〔2019〕16号',
    date: '2019-11-21',
    url: 'http://www.gov.cn/zhengce/content/2019-11/21/content_5454164.htm',
  },
  2021: {
    title: '国务院办公厅关于2021年部分节假日安排的通知',
    document: '国办发明电〔2020〕27号',
    date: '2020-11-25',
    url: 'http://www.gov.cn/zhengce/content/2020-11/25/content_5564127.htm',
  },
  2022: {
    title: '国务院办公厅关于2022年部分节假日安排的通知',
    document: '国办发明电〔2021〕11号',
    date: '2021-10-25',
    url: 'http://www.gov.cn/zhengce/content/2021-10/25/content_5644835.htm',
  },
  2023: {
    title: '国务院办公厅关于2023年部分节假日安排的通知',
    document: '国办发明电〔2022〕16号',
    date: '2022-12-08',
    url: 'http://www.gov.cn/zhengce/content/2022-12/08/content_5730844.htm',
  },
  2024: {
    title: '国务院办公厅关于2024年部分节假日安排的通知',
    document: '国办发明电〔2023〕7号',
    date: '2023-10-25',
    url: 'https://www.gov.cn/zhengce/content/202310/content_6911527.htm',
  },
  2025: {
    title: '国务院办公厅关于2025年部分节假日安排的通知',
    document: '国办发明电〔2024〕12号',
    date: '2024-11-12',
    url: 'https://www.gov.cn/zhengce/zhengceku/202411/content_6986383.htm',
  },
  2026: {
    title: '国务院办公厅关于2026年部分节假日安排的通知',
    document: '国办发明电〔2025〕7号',
    date: '2025-11-04',
    url: 'https://www.gov.cn/zhengce/zhengceku/202511/content_7047091.htm',
  },
};

interface Change {
  notice: Notice;
  summary: string;
  summaryEn: string;
  addHolidays: Array<{ festival: string; from: string; to: string }>;
  cancelMakeUpWorkdays: Array<{ date: string; festival: string }>;
}

/**
 * Notices that changed a year after its arrangement was published. chinese-days holds only the result, so the
 * generator subtracts these to recover the original arrangement and writes both, as the law was made.
 */
const CHANGES: Record<number, Change[]> = {
  2020: [
    {
      notice: {
        title: '国务院办公厅关于延长2020年春节假期的通知',
        document: '国办发明电〔2020〕1号',
        date: '2020-01-26',
        url: 'http://www.gov.cn/zhengce/content/2020-01/27/content_5472352.htm',
      },
      summary: '延长2020年春节假期至2月2日（农历正月初九，星期日），2月3日（星期一）起正常上班。',
      summaryEn:
        'The 2020 Spring Festival holiday is extended to 2 February (Sunday); normal work resumes on Monday 3 February. ' +
        'Saturday 1 February, a make-up workday under the original notice, becomes a day off.',
      addHolidays: [{ festival: '春节', from: '2020-01-31', to: '2020-02-02' }],
      cancelMakeUpWorkdays: [{ date: '2020-02-01', festival: '春节' }],
    },
  ],
};

const FESTIVALS: Record<string, { zh: string; en: string }> = {
  元旦: { zh: '元旦', en: "New Year's Day" },
  春节: { zh: '春节', en: 'Spring Festival' },
  清明: { zh: '清明节', en: 'Qingming Festival' },
  劳动节: { zh: '劳动节', en: 'Labour Day' },
  端午: { zh: '端午节', en: 'Dragon Boat Festival' },
  中秋: { zh: '中秋节', en: 'Mid-Autumn Festival' },
  国庆节: { zh: '国庆节', en: 'National Day' },
};
const ZH_TO_EN = Object.fromEntries(Object.values(FESTIVALS).map((f) => [f.zh, f.en]));

const WEEKDAYS_ZH = ['周日', '周一', '周二', '周三', '周四', '周五', '周六'];
const WEEKDAYS_EN = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

function dayNumber(date: string): number {
  const [y, m, d] = date.split('-').map(Number);
  return Date.UTC(y, m - 1, d) / 86_400_000;
}
function fromDayNumber(n: number): string {
  return new Date(n * 86_400_000).toISOString().slice(0, 10);
}
function weekday(date: string): number {
  return new Date(dayNumber(date) * 86_400_000).getUTCDay();
}
function weekdayLabel(date: string): string {
  const w = weekday(date);
  return `${WEEKDAYS_ZH[w]} ${WEEKDAYS_EN[w]}`;
}

/** chinese-days labels a day "Spring Festival,春节,3": the festival's Chinese name is the second field. */
function festivalOf(label: string): string {
  const zh = label.split(',')[1];
  const f = FESTIVALS[zh];
  if (!f) throw new Error(`unknown festival label in chinese-days: ${label}`);
  return f.zh;
}

/** A December New Year's Day date (e.g. 2022-12-31 under the 2023 notice) belongs to the next year's notice. */
function noticeYear(date: string, festival: string): number {
  const year = Number(date.slice(0, 4));
  return festival === '元旦' && date.slice(5, 7) === '12' ? year + 1 : year;
}

interface Block {
  festivals: string[];
  from: string;
  to: string;
}

function blocksOf(dates: Array<{ date: string; festival: string }>): Block[] {
  const sorted = [...dates].sort((a, b) => a.date.localeCompare(b.date));
  const blocks: Block[] = [];
  for (const { date, festival } of sorted) {
    const last = blocks[blocks.length - 1];
    // Consecutive days off form one block even when two festivals meet (中秋节、国庆节 in 2020, 2023, 2025): the
    // notices announce them as one holiday.
    if (last && dayNumber(date) === dayNumber(last.to) + 1) {
      last.to = date;
      if (!last.festivals.includes(festival)) last.festivals.push(festival);
    } else {
      blocks.push({ festivals: [festival], from: date, to: date });
    }
  }
  // chinese-days marks the 2020 combined holiday as National Day only; the notice names it 国庆节、中秋节 because
  // Mid-Autumn (lunar 8/15) fell on 1 October. Name any block that contains lunar 8/15 after Mid-Autumn too.
  for (const b of blocks) {
    for (let n = dayNumber(b.from); n <= dayNumber(b.to); n++) {
      const l = chineseDays.getLunarDate(fromDayNumber(n));
      if (l.lunarMon === 8 && l.lunarDay === 15 && !l.isLeap && !b.festivals.includes('中秋节')) b.festivals.push('中秋节');
    }
  }
  return blocks;
}

function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let n = dayNumber(from); n <= dayNumber(to); n++) out.push(fromDayNumber(n));
  return out;
}

function q(s: string): string {
  return JSON.stringify(s);
}

function holidayLine(b: Block, indent: string): string {
  const days = dayNumber(b.to) - dayNumber(b.from) + 1;
  const zh = b.festivals.join('、');
  const en = b.festivals.map((f) => ZH_TO_EN[f]).join(' and ');
  return (
    `${indent}- { festival: ${zh}, festivalEn: ${q(en)}, from: ${b.from}, to: ${b.to} }` +
    `  # ${days} 天 days, ${weekdayLabel(b.from)} – ${weekdayLabel(b.to)}`
  );
}

function noticeLines(n: Notice, indent: string): string[] {
  return [
    `${indent}title: ${n.title}`,
    `${indent}document: ${n.document}`,
    `${indent}date: ${n.date}`,
    `${indent}url: ${n.url}`,
  ];
}

const perYear = new Map<number, { holidays: Array<{ date: string; festival: string }>; workdays: Array<{ date: string; festival: string }> }>();
for (let y = FIRST_YEAR; y <= LAST_YEAR; y++) perYear.set(y, { holidays: [], workdays: [] });
for (const [kind, map] of [
  ['holidays', data.holidays],
  ['workdays', data.workdays],
] as const) {
  for (const [date, label] of Object.entries(map)) {
    // The package reaches back to 2004; only the covered years (and a December day of the first notice) matter.
    if (date < `${FIRST_YEAR - 1}-12-01` || date > `${LAST_YEAR}-12-31`) continue;
    const festival = festivalOf(label);
    const y = noticeYear(date, festival);
    const entry = perYear.get(y);
    if (entry) entry[kind].push({ date, festival });
  }
}

const out: string[] = [];
out.push(
  '# 全国年节放假与调休上班安排（工作日历） — official working days of the People\'s Republic of China, 2020–2026.',
  '#',
  '# One entry per year: the State Council General Office notice (国务院办公厅关于…部分节假日安排的通知) with its',
  '# document number and date, the days off it announces (放假, ranges include the weekends inside them) and the',
  '# weekend days it makes working days (调休上班). `changes` are later notices that altered a year (2020: the Spring',
  '# Festival extension). Any other day is a working day from Monday to Friday and a day off on Saturday and Sunday.',
  '# Kaifang refuses any computation that needs a day after `coveredThrough` (or before the first year): add the next',
  '# year\'s notice first.',
  '#',
  `# Seeded from the chinese-days package v${pkg.version} (MIT License, Copyright (c) 2024 Yawei Sun,`,
  '# https://github.com/vsme/chinese-days), with the document numbers and dates added from the notices. Generated by',
  '# scripts/generate-workday-calendar.ts; src/calendar/cn-workdays.crosscheck.test.ts compares every day with the',
  '# package. Local notices (e.g. provinces postponing enterprises\' return to work in February 2020) do not change',
  '# government offices\' working days and are not encoded here.',
  '',
  `coveredThrough: ${LAST_YEAR}-12-31`,
  'years:',
);

for (let y = FIRST_YEAR; y <= LAST_YEAR; y++) {
  const notice = NOTICES[y];
  if (!notice) throw new Error(`no notice metadata for ${y}`);
  const { holidays, workdays } = perYear.get(y)!;
  const changes = CHANGES[y] ?? [];

  const added = new Set(changes.flatMap((c) => c.addHolidays.flatMap((h) => daysBetween(h.from, h.to))));
  const cancelledDays = changes.flatMap((c) => c.cancelMakeUpWorkdays);
  const cancelled = new Set(cancelledDays.map((c) => c.date));
  for (const d of added) {
    if (!holidays.some((h) => h.date === d)) throw new Error(`${d}: a change adds it as a holiday but chinese-days does not have it`);
  }
  for (const d of cancelled) {
    if (workdays.some((w) => w.date === d)) throw new Error(`${d}: a change cancels it as a workday but chinese-days still has it`);
  }
  const baseHolidays = holidays.filter((h) => !added.has(h.date));
  const baseWorkdays = [...workdays, ...cancelledDays].sort((a, b) => a.date.localeCompare(b.date));

  const blocks = blocksOf(baseHolidays);
  out.push('', `  - year: ${y}`, '    notice:', ...noticeLines(notice, '      '), '    holidays:');
  for (const b of blocks) out.push(holidayLine(b, '      '));
  out.push('    makeUpWorkdays:');
  for (const w of baseWorkdays) {
    // A make-up day belongs to the holiday block that contains its festival (2025-09-28 belongs to 国庆节、中秋节).
    const block = blocks.find((b) => b.festivals.includes(w.festival));
    const festival = block ? block.festivals.join('、') : w.festival;
    out.push(`      - { date: ${w.date}, festival: ${festival} }  # ${weekdayLabel(w.date)}`);
  }
  if (changes.length) {
    out.push('    changes:');
    for (const c of changes) {
      out.push('      - notice:', ...noticeLines(c.notice, '          '));
      out.push(`        summary: ${c.summary}`, `        summaryEn: ${q(c.summaryEn)}`, '        addHolidays:');
      for (const h of c.addHolidays) out.push(holidayLine({ festivals: [h.festival], from: h.from, to: h.to }, '          '));
      out.push(`        cancelMakeUpWorkdays: [${c.cancelMakeUpWorkdays.map((w) => w.date).join(', ')}]`);
    }
  }
}

const target = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'calendars', 'cn-workdays.yaml');
writeFileSync(target, out.join('\n') + '\n');
console.log(`wrote ${path.relative(process.cwd(), target)}`);
