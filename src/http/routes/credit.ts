// Credit lists (联合惩戒 …, measure 29): officials read them; administrators list and delist enterprises.
import type { FastifyInstance } from 'fastify';
import { addCreditEntry, creditEntries, delistCreditEntry } from '../../credit/credit.ts';
import { parseUscc } from '../../enterprises/uscc.ts';
import { authorize } from '../../identity/access.ts';
import { actorOf, type PlatformContext } from '../../claims/context.ts';
import { requireUser } from '../auth.ts';
import { idempotent } from '../idempotency.ts';
import { body, DATE, ID, idParam, IDEMPOTENCY_HEADERS, LONG_TEXT, PAGE_QUERY, pageOf, params, query, SESSION, TEXT } from '../schemas.ts';

const tags = ['credit'];

export async function creditRoutes(app: FastifyInstance, opts: { ctx: PlatformContext }) {
  const { ctx } = opts;

  app.get('/api/credit', { schema: { tags, security: SESSION, summary: '信用惩戒名单记录', querystring: query({ uscc: TEXT(40), ...PAGE_QUERY }) } }, async (req) => {
    authorize(requireUser(req), 'credit.read');
    const q = req.query as { uscc?: string };
    const uscc = q.uscc ? parseUscc(q.uscc, 'querystring.uscc') : undefined;
    const { page, pageSize } = pageOf(req);
    const result = await creditEntries(ctx.db, uscc, page, pageSize);
    const today = ctx.today();
    return { ...result, items: result.items.map((e) => ({ ...e, active: e.listedOn <= today && (e.delistedOn === null || e.delistedOn > today) })) };
  });

  app.post(
    '/api/credit',
    {
      schema: {
        tags,
        security: SESSION,
        summary: '列入信用惩戒名单（管理员）：列入期间不能提交申报、暂停拨付',
        headers: IDEMPOTENCY_HEADERS,
        body: body({ uscc: TEXT(40), listName: TEXT(200), reason: LONG_TEXT(2000), listedOn: DATE, source: TEXT(500) }, ['uscc', 'listName', 'reason', 'listedOn']),
      },
    },
    async (req, reply) => {
      const user = requireUser(req);
      authorize(user, 'credit.manage');
      return idempotent(ctx, req, reply, (c) => addCreditEntry(c.db, actorOf(user, req.ip), req.body as never), { status: 201 });
    },
  );

  app.post(
    '/api/credit/:id/delist',
    {
      schema: {
        tags,
        security: SESSION,
        summary: '移出信用惩戒名单（管理员）',
        params: params({ id: ID }),
        headers: IDEMPOTENCY_HEADERS,
        body: body({ reason: LONG_TEXT(2000), delistedOn: DATE }, ['reason', 'delistedOn']),
      },
    },
    async (req, reply) => {
      const user = requireUser(req);
      authorize(user, 'credit.manage');
      return idempotent(ctx, req, reply, (c) => delistCreditEntry(c.db, actorOf(user, req.ip), idParam(req), req.body as never));
    },
  );
}
