// The working-day calendar (工作日历): its coverage for every official (with the reminder to enter next year's
// notice), a year's arrangement, the days of a range (with provisional days marked), and the administrator's form
// to enter a new year (src/calendar/official-calendar.ts).
import type { FastifyInstance } from 'fastify';
import { authorize } from '../../identity/access.ts';
import { actorOf, type PlatformContext } from '../../claims/context.ts';
import { dayNumber, fromDayNumber, parseCivilDate } from '../../civil-date.ts';
import { KaifangError, ValidationError } from '../../errors.ts';
import { requireUser } from '../auth.ts';
import { DATE, params, query, SESSION } from '../schemas.ts';

const tags = ['calendar'];
const YEAR_PARAM = params({ year: { type: 'string', pattern: '^[0-9]{4}$', description: 'four-digit year' } });
/** A range of days asked for at once: a year and a little, for a preview grid. */
const MAX_RANGE_DAYS = 400;
/** Another server process may have saved a year: read the entered years again this often. */
const REFRESH_MS = 60_000;

const festival = { type: 'string', minLength: 1, maxLength: 40 } as const;
const yearBody = {
  type: 'object',
  additionalProperties: false,
  required: ['notice', 'holidays'],
  properties: {
    notice: {
      type: 'object',
      additionalProperties: false,
      required: ['title', 'document', 'date'],
      properties: { title: { type: 'string', minLength: 1, maxLength: 200 }, document: { type: 'string', minLength: 1, maxLength: 60 }, date: DATE, url: { type: 'string', maxLength: 500 } },
    },
    holidays: {
      type: 'array',
      maxItems: 20,
      items: { type: 'object', additionalProperties: false, required: ['festival', 'from', 'to'], properties: { festival, festivalEn: { type: 'string', maxLength: 80 }, from: DATE, to: DATE } },
    },
    makeUpWorkdays: { type: 'array', maxItems: 20, items: { type: 'object', additionalProperties: false, required: ['date', 'festival'], properties: { date: DATE, festival } } },
  },
} as const;

export async function calendarRoutes(app: FastifyInstance, opts: { ctx: PlatformContext }) {
  const { ctx } = opts;
  await ctx.calendar.refresh(ctx.db);
  const timer = setInterval(() => void ctx.calendar.refresh(ctx.db).catch((e) => app.log.warn({ err: e }, 'calendar refresh failed')), REFRESH_MS);
  timer.unref();
  app.addHook('onClose', async () => clearInterval(timer));

  app.get('/api/calendar', { schema: { tags, security: SESSION, summary: '工作日历覆盖范围、各年度放假安排通知，以及是否需要录入下一年度安排' } }, async (req) => {
    authorize(requireUser(req), 'calendar.read');
    return ctx.calendar.coverage(ctx.today(), ctx.config.calendarReminderFrom);
  });

  app.get('/api/calendar/days', { schema: { tags, security: SESSION, summary: '一段日期逐日的工作日/假日/调休上班（超出覆盖范围的为暂定）', querystring: query({ from: DATE, to: DATE }) } }, async (req) => {
    authorize(requireUser(req), 'calendar.read');
    const q = req.query as { from?: string; to?: string };
    const from = parseCivilDate(q.from, 'querystring.from');
    const to = parseCivilDate(q.to, 'querystring.to');
    const cal = ctx.calendar.current();
    if (to < from || dayNumber(to) - dayNumber(from) + 1 > MAX_RANGE_DAYS) {
      throw new ValidationError([new KaifangError({ code: 'bad_range', path: 'querystring.to', zh: `结束日期应不早于开始日期，且一次最多${MAX_RANGE_DAYS}天`, en: `to must not be before from, and at most ${MAX_RANGE_DAYS} days at once` })]);
    }
    const days = [];
    for (let n = dayNumber(from); n <= dayNumber(to); n++) {
      const d = fromDayNumber(n);
      if (d < cal.coveredFrom || d > cal.computableThrough) days.push({ date: d, workingDay: null, kind: 'unknown', provisional: true });
      else days.push({ ...cal.dayInfo(d), provisional: cal.isProvisional(d) });
    }
    return { coveredFrom: cal.coveredFrom, coveredThrough: cal.coveredThrough, days };
  });

  app.get('/api/calendar/years/:year', { schema: { tags, security: SESSION, summary: '某年度的放假安排（随附文件或管理员录入）', params: YEAR_PARAM } }, async (req) => {
    authorize(requireUser(req), 'calendar.read');
    const year = Number((req.params as { year: string }).year);
    const entry = ctx.calendar.yearEntry(year);
    if (!entry) throw new KaifangError({ code: 'not_found', zh: `尚未录入${year}年的放假安排`, en: `no arrangement for ${year} yet` });
    return entry;
  });

  app.put(
    '/api/calendar/years/:year',
    { schema: { tags, security: SESSION, summary: '录入或更正某年度的国务院办公厅放假安排（管理员）：校验后生效，工作日历覆盖范围随之延长', params: YEAR_PARAM, body: yearBody } },
    async (req) => {
      const user = requireUser(req);
      authorize(user, 'calendar.manage');
      const year = Number((req.params as { year: string }).year);
      const saved = await ctx.calendar.saveYear(ctx.db, actorOf(user, req.ip), year, req.body, ctx.today());
      return { saved, coverage: ctx.calendar.coverage(ctx.today(), ctx.config.calendarReminderFrom) };
    },
  );
}
