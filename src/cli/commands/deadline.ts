// kaifang deadline --from YYYY-MM-DD (--working-days N | --calendar-days N | --months N): when a time limit runs out.
// kaifang workdays FROM TO: the working days after FROM up to and including TO.
// The counting convention (acceptance day not counted, half days end at noon) is in src/calendar/workday-calendar.ts.
import type { Command } from 'commander';
import { KaifangError } from '../../errors.ts';
import { CliError } from '../cli-error.ts';
import { addCalendarDays, addMonths, officialCalendar, parseCivilDate } from '../../calendar/index.ts';
import { checkCount } from '../../civil-date.ts';

interface DeadlineOptions {
  from?: string;
  workingDays?: string;
  calendarDays?: string;
  months?: string;
}

/** A count as typed: digits with an optional decimal part. "1e2", "0x10" or "" are not counts a person means. */
function countArg(text: string, option: string, halves = false): number {
  if (!/^-?\d+(\.\d+)?$/.test(text.trim())) {
    throw new KaifangError({
      code: 'invalid_count',
      zh: `${JSON.stringify(text)} 不是天数`,
      en: `${JSON.stringify(text)} is not a number of days`,
      path: option,
    });
  }
  return checkCount(Number(text), option, { halves });
}

/** Errors name the field as the person typed it: --working-days, not workingDays. */
function fail(e: unknown, names: Record<string, string>): never {
  if (e instanceof KaifangError) {
    const field = e.path ? (names[e.path] ?? e.path) : '';
    const where = field ? `${field}: ` : '';
    throw new CliError(`${where}${e.messageZh}\n${where}${e.messageEn} [${e.code}]`, 2);
  }
  throw e;
}

export function deadline(opts: DeadlineOptions): string {
  const chosen = (['workingDays', 'calendarDays', 'months'] as const).filter((k) => opts[k] !== undefined);
  if (opts.from === undefined || chosen.length !== 1) {
    throw new KaifangError({
      code: 'invalid_arguments',
      zh: '需要 --from 日期，以及 --working-days、--calendar-days、--months 三者之一',
      en: 'give --from and exactly one of --working-days, --calendar-days or --months',
    });
  }
  const from = parseCivilDate(opts.from, '--from');
  if (opts.workingDays !== undefined) {
    const due = officialCalendar().dueAfterWorkingDays(from, countArg(opts.workingDays, '--working-days', true));
    return due.at === 'noon' ? `${due.date} 12:00` : due.date;
  }
  if (opts.calendarDays !== undefined) return addCalendarDays(from, countArg(opts.calendarDays, '--calendar-days'));
  return addMonths(from, countArg(opts.months!, '--months'));
}

export function workdays(fromText: string, toText: string): number {
  const from = parseCivilDate(fromText, 'FROM');
  const to = parseCivilDate(toText, 'TO');
  return officialCalendar().countWorkingDays(from, to);
}

export function register(program: Command) {
  program
    .command('deadline')
    .description(
      '时限到期日：受理当日不计，次一工作日为第1日；N.5个工作日到第N+1个工作日中午12:00 / ' +
        'due date of a time limit: the day of acceptance is not counted; N.5 working days end at noon of working day N+1',
    )
    .requiredOption('--from <date>', '受理日期 / date of acceptance, YYYY-MM-DD')
    .option('--working-days <n>', '工作日数（可为半天，如 0.5）/ working days (whole or half)')
    .option('--calendar-days <n>', '自然日数 / calendar days')
    .option('--months <n>', '月数（到期月对应日，无对应日取月末）/ months (same day, or the month end)')
    .action((opts: DeadlineOptions) => {
      try {
        process.stdout.write(deadline(opts) + '\n');
      } catch (e) {
        fail(e, { from: '--from', workingDays: '--working-days', calendarDays: '--calendar-days', months: '--months' });
      }
    });

  program
    .command('workdays')
    .description('FROM 之后至 TO（含）的工作日数 / working days after FROM up to and including TO')
    .argument('<from>', 'YYYY-MM-DD')
    .argument('<to>', 'YYYY-MM-DD')
    .action((from: string, to: string) => {
      try {
        process.stdout.write(workdays(from, to) + '\n');
      } catch (e) {
        fail(e, { from: 'FROM', to: 'TO' });
      }
    });
}
