/**
 * 挂钩联系 and 走访记录 (measure 21: “坚持‘有求必应，无事不扰’，完善领导干部挂钩联系服务企业机制，探索设立重点企业联络专员”).
 * A liaison leader or officer of an enterprise logs their visits (date, who went, what was asked, follow-ups). 无事不扰:
 * a visit to one enterprise above the number service-desk.yaml allows per period (calendar month, quarter or year of
 * the visit date) is refused unless it states why it was needed. Each liaison sees their enterprises with the open
 * and overdue requests and the visits of the current period.
 *
 * Who: the enterprise's liaisons log and read its visits; the enterprise reads visits to itself; the auditor reads all.
 */
import { sql } from 'kysely';
import { appendAudit } from '../audit/audit-log.ts';
import { actorOf, type PlatformContext } from '../claims/context.ts';
import { isCivilDate } from '../civil-date.ts';
import type { Db } from '../db/transaction.ts';
import { findArea } from '../enterprises/areas.ts';
import { KaifangError, ValidationError } from '../errors.ts';
import type { Principal } from '../identity/users.ts';
import { audienceOfEnterprise } from './requests.ts';
import { serviceDeskRules } from './rules.ts';

const problem = (code: string, path: string, zh: string, en: string) => new KaifangError({ code, path, zh, en });
const notFound = () => new KaifangError({ code: 'not_found', zh: '找不到该企业，或您不是其挂钩领导、联络专员', en: 'no such enterprise among yours' });

/** The period of the visit rule that a date falls in: [first day, last day]. */
export function visitPeriodOf(period: 'month' | 'quarter' | 'year', date: string): [string, string] {
  const y = date.slice(0, 4);
  const m = Number(date.slice(5, 7));
  const [from, to] = period === 'month' ? [m, m] : period === 'quarter' ? [Math.floor((m - 1) / 3) * 3 + 1, Math.floor((m - 1) / 3) * 3 + 3] : [1, 12];
  const last = new Date(Date.UTC(Number(y), to, 0)).getUTCDate();
  return [`${y}-${String(from).padStart(2, '0')}-01`, `${y}-${String(to).padStart(2, '0')}-${String(last).padStart(2, '0')}`];
}

async function liaisonOf(db: Db, user: Principal, uscc: string): Promise<boolean> {
  const row = await db.selectFrom('service_liaisons').select('id').where('user_id', '=', user.id).where('enterprise_uscc', '=', uscc).executeTakeFirst();
  return !!row;
}

function text(v: unknown, path: string, zh: string, en: string, max: number, problems: KaifangError[], required = true): string | null {
  const s = typeof v === 'string' ? v.trim() : '';
  if (!s) {
    if (required) problems.push(problem('required', path, `请填写${zh}`, `${en} is required`));
    return null;
  }
  if (s.length > max) problems.push(problem('too_long', path, `${zh}不超过${max}字`, `${en} is at most ${max} characters`));
  return s;
}

export interface VisitInput {
  uscc: unknown;
  visitedOn: unknown;
  visitors: unknown;
  asked: unknown;
  followUps?: unknown;
  reason?: unknown;
}

export async function logVisit(ctx: PlatformContext, user: Principal, input: VisitInput, ip?: string | null) {
  const uscc = typeof input.uscc === 'string' ? input.uscc : '';
  if (!uscc || !(await liaisonOf(ctx.db, user, uscc))) throw notFound();
  const rule = serviceDeskRules().liaison.visits;
  const problems: KaifangError[] = [];
  const today = ctx.today();
  const visitedOn = isCivilDate(input.visitedOn) ? (input.visitedOn as string) : null;
  if (!visitedOn) problems.push(problem('invalid_date', 'visitedOn', '走访日期格式为 YYYY-MM-DD', 'visitedOn is YYYY-MM-DD'));
  else if (visitedOn > today) problems.push(problem('future_date', 'visitedOn', '走访日期不能晚于今天', 'the visit cannot be in the future'));
  const visitors = text(input.visitors, 'visitors', '走访人员', 'visitors', 200, problems);
  const asked = text(input.asked, 'asked', '企业反映的问题', 'what was asked', 2000, problems);
  const followUps = text(input.followUps, 'followUps', '后续跟进', 'follow-ups', 2000, problems, false);
  const reason = text(input.reason, 'reason', '走访事由', 'reason', 500, problems, false);
  if (problems.length) throw new ValidationError(problems);
  return ctx.db.transaction().execute(async (trx) => {
    // 无事不扰: counted under a lock on the enterprise, so two visits logged at once cannot both slip under the number
    await trx.selectFrom('enterprises').select('uscc').where('uscc', '=', uscc).forUpdate().execute();
    const [from, to] = visitPeriodOf(rule.period, visitedOn!);
    const { n } = await trx
      .selectFrom('liaison_visits')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('enterprise_uscc', '=', uscc)
      .where('visited_on', '>=', from)
      .where('visited_on', '<=', to)
      .executeTakeFirstOrThrow();
    const before = Number(n);
    if (before >= rule.withoutReason && !reason) {
      throw new ValidationError([
        problem(
          'visit_needs_reason',
          'reason',
          `“无事不扰”：该企业${from}至${to}已走访${before}次，超过${rule.withoutReason}次的走访须写明事由`,
          `leave them alone unless needed: ${before} visit(s) between ${from} and ${to} already; above ${rule.withoutReason} a visit needs its reason`,
        ),
      ]);
    }
    const row = await trx
      .insertInto('liaison_visits')
      .values({ enterprise_uscc: uscc, visited_on: visitedOn!, recorded_by: user.id, visitors: visitors!, asked: asked!, follow_ups: followUps, reason })
      .returning('id')
      .executeTakeFirstOrThrow();
    await appendAudit(trx, actorOf(user, ip), {
      action: 'serviceLiaison.visit',
      entity: 'enterprise',
      entityId: uscc,
      details: { visitId: Number(row.id), visitedOn, inPeriod: before + 1, reason, audience: [audienceOfEnterprise(uscc)] },
    });
    return { id: Number(row.id), visitedOn, inPeriod: before + 1, periodFrom: from, periodTo: to };
  });
}

export async function listVisits(ctx: PlatformContext, user: Principal, uscc: string) {
  const allowed = user.role === 'auditor' || (user.role === 'enterprise' && user.enterpriseUscc === uscc) || (await liaisonOf(ctx.db, user, uscc));
  if (!allowed) throw notFound();
  const rows = await ctx.db
    .selectFrom('liaison_visits as v')
    .innerJoin('users as u', 'u.id', 'v.recorded_by')
    .select(['v.id', 'v.visited_on', 'v.visitors', 'v.asked', 'v.follow_ups', 'v.reason', 'u.display_name'])
    .where('v.enterprise_uscc', '=', uscc)
    .orderBy('v.visited_on', 'desc')
    .orderBy('v.id', 'desc')
    .execute();
  const rule = serviceDeskRules().liaison.visits;
  const [from, to] = visitPeriodOf(rule.period, ctx.today());
  return {
    rule: { period: rule.period, withoutReason: rule.withoutReason, why: rule.why },
    periodFrom: from,
    periodTo: to,
    inPeriod: rows.filter((r) => r.visited_on >= from && r.visited_on <= to).length,
    items: rows.map((r) => ({ id: Number(r.id), visitedOn: r.visited_on, visitors: r.visitors, asked: r.asked, followUps: r.follow_ups, reason: r.reason, recordedBy: r.display_name })),
  };
}

/** The caller's enterprises as a liaison: kind, open and overdue requests, visits this period and the last one. */
export async function myEnterprises(ctx: PlatformContext, user: Principal) {
  const rule = serviceDeskRules().liaison.visits;
  const today = ctx.today();
  const [from, to] = visitPeriodOf(rule.period, today);
  const { rows } = await sql<{ uscc: string; name: string; area_id: string; kinds: string; open: string; overdue: string; visits: string; last_visit: string | null }>`
    select e.uscc, e.name, e.area_id,
           string_agg(distinct l.kind, ',') as kinds,
           (select count(*) from service_requests r where r.enterprise_uscc = e.uscc and r.state in ('submitted', 'acknowledged', 'awaitingInfo')) as open,
           (select count(*) from service_requests r where r.enterprise_uscc = e.uscc and r.state in ('submitted', 'acknowledged') and r.answer_due < ${today}::date) as overdue,
           (select count(*) from liaison_visits v where v.enterprise_uscc = e.uscc and v.visited_on between ${from}::date and ${to}::date) as visits,
           (select max(v.visited_on)::text from liaison_visits v where v.enterprise_uscc = e.uscc) as last_visit
      from service_liaisons l join enterprises e on e.uscc = l.enterprise_uscc
     where l.user_id = ${user.id}
     group by e.uscc, e.name, e.area_id
     order by e.name`.execute(ctx.db);
  return {
    rule: { period: rule.period, withoutReason: rule.withoutReason },
    periodFrom: from,
    periodTo: to,
    items: rows.map((r) => ({
      uscc: r.uscc,
      name: r.name,
      areaZh: findArea(r.area_id)?.shortZh ?? findArea(r.area_id)?.nameZh ?? r.area_id,
      kinds: r.kinds.split(',') as Array<'leader' | 'officer'>,
      openRequests: Number(r.open),
      overdueRequests: Number(r.overdue),
      visitsInPeriod: Number(r.visits),
      lastVisit: r.last_visit,
    })),
  };
}
