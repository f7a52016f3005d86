// The inbox (消息) of every signed-in user, and the time on the items of an official's queue (src/inbox/).
import type { FastifyInstance } from 'fastify';
import type { PlatformContext } from '../../claims/context.ts';
import { KaifangError, ValidationError } from '../../errors.ts';
import { inboxCount, markInboxSeen, readInbox } from '../../inbox/inbox.ts';
import { claimTimings } from '../../inbox/timing.ts';
import { requireUser } from '../auth.ts';
import { query, SESSION, TEXT } from '../schemas.ts';

const tags = ['inbox'];

export async function inboxRoutes(app: FastifyInstance, opts: { ctx: PlatformContext }) {
  const { ctx } = opts;

  app.get(
    '/api/inbox',
    {
      schema: {
        tags,
        security: SESSION,
        summary: '我的消息：上次查看以来的变化（按角色与权限范围），以及即将期满的公示',
        description: 'Items from the audit log in the caller\'s scope (own actions excluded), newest first, each `unseen` when after the caller\'s mark; `unseen` counts them (up to 99, `unseenMore` beyond). Reminders (公示 periods ending or ended, department reviewers) are listed but not counted.',
      },
    },
    async (req) => readInbox(ctx, requireUser(req)),
  );

  app.get('/api/inbox/count', { schema: { tags, security: SESSION, summary: '未读消息数（铃铛角标）' } }, async (req) => inboxCount(ctx, requireUser(req)));

  app.post(
    '/api/inbox/seen',
    {
      schema: {
        tags,
        security: SESSION,
        summary: '标记消息为已读（至 upTo：已显示的最新一条的编号；缺省为全部）',
        body: { type: ['object', 'null'], additionalProperties: false, properties: { upTo: { type: 'integer', minimum: 0, maximum: 9007199254740991 } } },
      },
    },
    async (req) => markInboxSeen(ctx, requireUser(req), (req.body as { upTo?: number } | null)?.upTo),
  );

  app.get(
    '/api/work/timing',
    {
      schema: {
        tags,
        security: SESSION,
        summary: '待办事项的时间：等待的工作日、退回以来的天数、公示剩余天数',
        querystring: query({ claimIds: { ...TEXT(2100), description: 'claim ids, comma-separated (at most 200)' } }),
      },
    },
    async (req) => {
      const raw = (req.query as { claimIds?: string }).claimIds?.trim() ?? '';
      const ids = raw ? raw.split(',').map((s) => s.trim()) : [];
      if (ids.length > 200 || ids.some((s) => !/^[1-9][0-9]{0,14}$/.test(s))) {
        throw new ValidationError([new KaifangError({ code: 'invalid_value', path: 'querystring.claimIds', zh: 'claimIds 须为逗号分隔的申报编号（最多200个）', en: 'claimIds must be claim ids separated by commas (at most 200)' })]);
      }
      return { today: ctx.today(), items: await claimTimings(ctx, requireUser(req), [...new Set(ids.map(Number))]) };
    },
  );
}
