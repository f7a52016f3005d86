// 公示: batches, objections and their resolution, closing a batch, the printable list.
import type { FastifyInstance } from 'fastify';
import { closePublicityBatch, createPublicityBatch, getPublicityBatch, listPublicityBatches, recordObjection, resolveObjection } from '../../claims/publicity.ts';
import type { PlatformContext } from '../../claims/context.ts';
import { publicityWorkbook } from '../../excel/lists.ts';
import { requireUser } from '../auth.ts';
import { idempotent } from '../idempotency.ts';
import { attachment, body, DATE, EMPTY_BODY, ID, idParam, ID_NUMBER, IDEMPOTENCY_HEADERS, LONG_TEXT, PAGE_QUERY, pageOf, paginate, params, query, SESSION, TEXT } from '../schemas.ts';

const tags = ['publicity'];
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Where a batch stands on a given day. */
export function publicityStatus(b: { startsOn: string; endsOn: string; closedAt: Date | null }, today: string) {
  if (b.closedAt) return 'closed';
  if (today < b.startsOn) return 'scheduled';
  if (today <= b.endsOn) return 'running';
  return 'ended'; // the period is over; the batch awaits closing
}

export async function publicityRoutes(app: FastifyInstance, opts: { ctx: PlatformContext }) {
  const { ctx } = opts;
  const idParams = params({ id: ID });

  const batch = async (req: Parameters<typeof requireUser>[0]) => {
    const user = requireUser(req);
    const b = await getPublicityBatch(ctx, user, idParam(req));
    return {
      ...b,
      status: publicityStatus(b, ctx.today()),
      itemCount: b.items.length,
      totalFen: b.items.reduce((s, i) => s + i.amountFen, 0),
      items: b.items.map((i) => ({ ...i, enterpriseUscc: i.uscc, incentiveTitle: i.title })),
      // Objectors are private persons: their names and contacts are for the officials who handle them.
      objections: user.role === 'enterprise' ? [] : b.objections,
    };
  };

  const cursorQuery = { cursor: { type: 'string', pattern: '^[1-9][0-9]{0,15}$', description: 'the nextCursor of the page before: the batches older than it (page is then ignored)' } };
  app.get('/api/publicity', { schema: { tags, security: SESSION, summary: '公示批次列表（新的在前）', querystring: query({ ...PAGE_QUERY, ...cursorQuery }) } }, async (req) => {
    const { page, pageSize } = pageOf(req);
    const list = await listPublicityBatches(ctx, requireUser(req), page, pageSize, (req.query as { cursor?: string }).cursor);
    const today = ctx.today();
    return { ...list, items: list.items.map((b) => ({ ...b, status: publicityStatus(b, today), itemCount: b.claims, totalFen: b.amountFen })) };
  });

  app.post(
    '/api/publicity',
    {
      schema: {
        tags,
        security: SESSION,
        summary: '发布公示（牵头部门；默认7个自然日）',
        headers: IDEMPOTENCY_HEADERS,
        body: body({ title: TEXT(200), claimIds: { type: 'array', minItems: 1, maxItems: 1000, items: ID_NUMBER }, startsOn: DATE, days: { type: 'integer', minimum: 1, maximum: 60 } }, ['title', 'claimIds', 'startsOn']),
      },
    },
    async (req, reply) => {
      const user = requireUser(req);
      return idempotent(ctx, req, reply, (c) => createPublicityBatch(c, user, req.body as never, req.ip), { status: 201 });
    },
  );

  app.get('/api/publicity/:id', { schema: { tags, security: SESSION, summary: '公示批次详情（名单与异议）', params: idParams } }, async (req) => batch(req));

  app.post(
    '/api/publicity/:id/objections',
    {
      schema: {
        tags,
        security: SESSION,
        summary: '登记公示异议（牵头部门）',
        params: idParams,
        headers: IDEMPOTENCY_HEADERS,
        body: body({ claimId: { anyOf: [ID_NUMBER, { type: 'null' }] }, objector: TEXT(200), contact: TEXT(200), content: LONG_TEXT(5000), receivedOn: DATE }, ['objector', 'content', 'receivedOn']),
      },
    },
    async (req, reply) => {
      const user = requireUser(req);
      return idempotent(ctx, req, reply, (c) => recordObjection(c, user, idParam(req), req.body as never, req.ip), { status: 201 });
    },
  );

  app.post(
    '/api/objections/:id/resolve',
    {
      schema: {
        tags,
        security: SESSION,
        summary: '处理异议：upheld 异议成立（结束公示时冲销该申报奖励）/ dismissed 不成立',
        params: idParams,
        headers: IDEMPOTENCY_HEADERS,
        body: body({ outcome: { type: 'string', enum: ['upheld', 'dismissed'] }, resolution: LONG_TEXT(5000) }, ['outcome', 'resolution']),
      },
    },
    async (req, reply) => {
      const user = requireUser(req);
      return idempotent(ctx, req, reply, (c) => resolveObjection(c, user, idParam(req), req.body as never, req.ip));
    },
  );

  app.post(
    '/api/publicity/:id/close',
    { schema: { tags, security: SESSION, summary: '结束公示（期满且异议均已处理）：申报转为待拨付', params: idParams, headers: IDEMPOTENCY_HEADERS, body: EMPTY_BODY } },
    async (req, reply) => {
      const user = requireUser(req);
      return idempotent(ctx, req, reply, (c) => closePublicityBatch(c, user, idParam(req), req.ip));
    },
  );

  app.get('/api/publicity/:id/export.xlsx', { schema: { tags, security: SESSION, summary: '导出公示名单（Excel）', params: idParams } }, async (req, reply) => {
    const b = await batch(req);
    const file = await publicityWorkbook(b);
    return reply.header('content-type', XLSX).header('content-disposition', attachment(`公示名单-${b.id}-${b.title}.xlsx`, `publicity-${b.id}.xlsx`)).send(file);
  });
}
