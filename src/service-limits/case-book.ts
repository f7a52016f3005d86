/**
 * What the stored service cases are read against: the database, the limits of the policy, the working-day
 * calendar, the names of the departments (agencies.yaml) and a clock. Built once per process (and per test).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Db } from '../db/transaction.ts';
import { officialCalendar, type WorkdayCalendar, type CivilDate } from '../calendar/index.ts';
import { readYamlFile } from '../calendar/yaml-file.ts';
import { todayInShanghai } from '../civil-date.ts';
import { DEFAULT_POLICY_DIR, loadServiceLimits, type ServiceLimit, type ServiceLimits } from './limits.ts';

export interface DepartmentName {
  name: string;
  nameEn: string;
  fullName?: string;
}

export interface CaseBook {
  db: Db;
  limits: ServiceLimits;
  calendar: WorkdayCalendar;
  /** agencies.yaml: id → names */
  departments: ReadonlyMap<string, DepartmentName>;
  /** today's civil date in Asia/Shanghai; nothing may be recorded as happening after it */
  today(): CivilDate;
}

export interface CaseBookOptions {
  /** the policy folder holding service-limits.yaml and agencies.yaml (default: wujiang-2020-open) */
  policyDir?: string;
  limits?: ServiceLimits;
  calendar?: WorkdayCalendar;
  departments?: ReadonlyMap<string, DepartmentName>;
  today?: () => CivilDate;
}

export function createCaseBook(db: Db, opts: CaseBookOptions = {}): CaseBook {
  return {
    db,
    ...policyTables(opts),
    calendar: opts.calendar ?? officialCalendar(),
    today: opts.today ?? (() => todayInShanghai()),
  };
}

/** The limits and the department names of a policy folder: all that the Excel template needs, no database. */
export function policyTables(opts: Pick<CaseBookOptions, 'policyDir' | 'limits' | 'departments'> = {}): Pick<CaseBook, 'limits' | 'departments'> {
  const dir = opts.policyDir ?? DEFAULT_POLICY_DIR;
  return { limits: opts.limits ?? loadServiceLimits(dir), departments: opts.departments ?? loadDepartmentNames(dir) };
}

function loadDepartmentNames(dir: string): Map<string, DepartmentName> {
  const file = path.join(dir, 'agencies.yaml');
  const out = new Map<string, DepartmentName>();
  if (!existsSync(file)) return out;
  // loadServiceLimits has already checked every owner id against this file; only the names are read here.
  const data = readYamlFile(file, 'agencies_invalid').data as { agencies?: Array<Record<string, unknown>> };
  for (const a of data?.agencies ?? []) {
    if (typeof a.id !== 'string') continue;
    out.set(a.id, {
      name: String(a.name ?? a.id),
      nameEn: String(a.nameEn ?? a.id),
      fullName: typeof a.fullName === 'string' ? a.fullName : undefined,
    });
  }
  return out;
}

/**
 * How cases of a limit are recorded:
 * - timed: a case with a clock (per-case or average limits in days or months);
 * - population: a case that only counts in a share (a bankruptcy case under neither the 90-day nor the
 *   6-month category still counts in the simplified-procedure share);
 * - hours: a subject's hours in a year (tax time);
 * - null: nothing to record per case (a target relative to a baseline from statistics).
 */
export type Recording = 'timed' | 'population' | 'hours';

export function recordingOf(limit: ServiceLimit): Recording | null {
  if (limit.value === undefined) return null;
  if (limit.kind === 'share') return 'population';
  if (limit.kind === 'annualTotal') return 'hours';
  if (limit.unit === 'hours' || limit.unit === 'percent') return null;
  return 'timed';
}

/** Whether cases of this limit's service make up the population of a share target (they then say 简化程序 or not). */
export function inSharePopulation(limits: ServiceLimits, limit: ServiceLimit): boolean {
  return limits.limits.some((l) => l.share?.population === limit.service.id);
}

/** A limit with a fractional working-day value ends at noon, so completion times decide it. */
export function isHalfDayLimit(limit: ServiceLimit): boolean {
  return limit.unit === 'workingDays' && limit.value !== undefined && !Number.isInteger(limit.value);
}

/** The name a person picks a limit by (the 事项 column of the Excel template): the service and its category. */
export function limitLabel(limit: ServiceLimit): string {
  if (limit.category) return `${limit.service.zh}（${limit.category.zh}）`;
  if (limit.kind === 'share') return `${limit.service.zh}（只计入${limit.share?.criterion === 'simplifiedProcedure' ? '简化程序' : ''}占比）`;
  return limit.service.zh;
}

export function limitLabelEn(limit: ServiceLimit): string {
  if (limit.category) return `${limit.service.en} (${limit.category.en})`;
  if (limit.kind === 'share') return `${limit.service.en} (counted in the share only)`;
  return limit.service.en;
}

const UNIT_ZH: Record<ServiceLimit['unit'], string> = {
  workingDays: '个工作日',
  calendarDays: '天',
  months: '个月',
  hours: '小时',
  percent: '%',
};

/** '≤ 4个工作日', '平均 ≤ 35个工作日', '≥ 40%', '每年 ≤ 100小时' */
export function targetText(limit: ServiceLimit): string {
  if (limit.value === undefined) return limit.relative?.zh ?? '';
  const prefix = limit.kind === 'average' ? '平均 ' : limit.kind === 'annualTotal' ? '每年 ' : '';
  return `${prefix}${limit.comparator === '<=' ? '≤' : '≥'} ${limit.value}${UNIT_ZH[limit.unit]}`;
}

export function departmentLabel(book: Pick<CaseBook, 'departments'>, id: string): string {
  return book.departments.get(id)?.name ?? id;
}
