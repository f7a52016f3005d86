/**
 * The service desk's figures, as 12345 hotlines publish them: per unit, per category or per area — received, answered
 * (办结: answered or closed), answered on time (every answer by its due date), average working days to the answer
 * (the clock's stops for the enterprise's own reply not counted), 办结率 (answered ÷ received) and 满意率 (ratings at
 * or above the threshold of service-desk.yaml ÷ ratings). Counts only: no enterprise is named, so the same figures are
 * published on the public page.
 */
import { sql } from 'kysely';
import type { PlatformContext } from '../claims/context.ts';
import { findArea } from '../enterprises/areas.ts';
import { KaifangError, ValidationError } from '../errors.ts';
import { isCivilDate } from '../civil-date.ts';
import { categoryOf, serviceDeskRules } from './rules.ts';
import { unitName, type UnitKind } from './requests.ts';

export const GROUPINGS = ['unit', 'category', 'area'] as const;
export type Grouping = (typeof GROUPINGS)[number];

export interface FigureRow {
  key: string;
  labelZh: string;
  labelEn: string;
  received: number;
  answered: number;
  answeredOnTime: number;
  overdueOpen: number;
  /** mean working days from filing to answer, one decimal; null when none answered */
  averageWorkingDays: number | null;
  /** 办结率, percent with one decimal; null when none received */
  closeRate: number | null;
  rated: number;
  satisfied: number;
  /** 满意率, percent with one decimal; null when none rated */
  satisfactionRate: number | null;
}

export interface Figures {
  by: Grouping;
  from: string | null;
  to: string | null;
  asOf: string;
  satisfiedFrom: number;
  scale: number;
  rows: FigureRow[];
  total: FigureRow;
}

const pct = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 1000) / 10 : null);

export async function requestFigures(ctx: PlatformContext, opts: { by?: Grouping; from?: string; to?: string } = {}): Promise<Figures> {
  const by = opts.by ?? 'unit';
  const problems: KaifangError[] = [];
  if (!GROUPINGS.includes(by)) problems.push(new KaifangError({ code: 'invalid_value', path: 'by', zh: '按单位、类别或区镇统计', en: 'by is unit, category or area' }));
  for (const k of ['from', 'to'] as const) {
    if (opts[k] !== undefined && !isCivilDate(opts[k])) problems.push(new KaifangError({ code: 'invalid_date', path: k, zh: '日期格式为 YYYY-MM-DD', en: 'a date is YYYY-MM-DD' }));
  }
  if (problems.length) throw new ValidationError(problems);
  const rules = serviceDeskRules();
  const satisfiedFrom = rules.requests.satisfaction.satisfiedFrom;
  const today = ctx.today();
  const key = by === 'unit' ? sql<string>`r.unit_kind || ':' || r.unit_id` : by === 'category' ? sql<string>`r.category` : sql<string>`r.area_id`;
  const { rows } = await sql<{ key: string; received: string; answered: string; on_time: string; overdue_open: string; avg_days: string | null; rated: string; satisfied: string }>`
    select ${key} as key,
           count(*) as received,
           count(*) filter (where r.state in ('answered', 'closed')) as answered,
           count(*) filter (where r.state in ('answered', 'closed') and not r.ever_late) as on_time,
           count(*) filter (where r.state in ('submitted', 'acknowledged') and r.answer_due < ${today}) as overdue_open,
           avg(r.working_days) filter (where r.state in ('answered', 'closed')) as avg_days,
           count(r.rating) as rated,
           count(*) filter (where r.rating >= ${satisfiedFrom}) as satisfied
      from service_requests r
     where (${opts.from ?? null}::date is null or r.filed_on >= ${opts.from ?? null}::date)
       and (${opts.to ?? null}::date is null or r.filed_on <= ${opts.to ?? null}::date)
     group by 1 order by 2 desc, 1`.execute(ctx.db);
  const label = (k: string): [string, string] => {
    if (by === 'unit') {
      const [kind, id] = k.split(':');
      const n = unitName(ctx, { kind: kind as UnitKind, id });
      return [n.zh, n.en];
    }
    if (by === 'category') {
      const c = categoryOf(rules, k);
      return [c?.zh ?? k, c?.en ?? k];
    }
    const a = findArea(k);
    return [a?.shortZh ?? a?.nameZh ?? k, a?.nameEn ?? k];
  };
  const toRow = (k: string, labelZh: string, labelEn: string, n: { received: number; answered: number; onTime: number; overdueOpen: number; daysSum: number; rated: number; satisfied: number }): FigureRow => ({
    key: k,
    labelZh,
    labelEn,
    received: n.received,
    answered: n.answered,
    answeredOnTime: n.onTime,
    overdueOpen: n.overdueOpen,
    averageWorkingDays: n.answered > 0 ? Math.round((n.daysSum / n.answered) * 10) / 10 : null,
    closeRate: pct(n.answered, n.received),
    rated: n.rated,
    satisfied: n.satisfied,
    satisfactionRate: pct(n.satisfied, n.rated),
  });
  const sum = { received: 0, answered: 0, onTime: 0, overdueOpen: 0, daysSum: 0, rated: 0, satisfied: 0 };
  const out = rows.map((r) => {
    const n = {
      received: Number(r.received),
      answered: Number(r.answered),
      onTime: Number(r.on_time),
      overdueOpen: Number(r.overdue_open),
      daysSum: r.avg_days === null ? 0 : Number(r.avg_days) * Number(r.answered),
      rated: Number(r.rated),
      satisfied: Number(r.satisfied),
    };
    for (const k of Object.keys(sum) as Array<keyof typeof sum>) sum[k] += n[k];
    const [zh, en] = label(r.key);
    return toRow(r.key, zh, en, n);
  });
  return { by, from: opts.from ?? null, to: opts.to ?? null, asOf: today, satisfiedFrom, scale: rules.requests.satisfaction.scale, rows: out, total: toRow('total', '合计', 'Total', sum) };
}
