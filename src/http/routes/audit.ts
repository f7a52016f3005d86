// The audit log (auditors, administrators): the whole log, and one claim's trail.
import type { FastifyInstance } from 'fastify';
import { claimAuditTrail, listAuditRecords } from '../../audit/listing.ts';
import type { PlatformContext } from '../../claims/context.ts';
import { requireUser } from '../auth.ts';
import { ID, idParam, PAGE_QUERY, pageOf, params, query, SESSION, TEXT } from '../schemas.ts';

const tags = ['audit'];

export async function auditRoutes(app: FastifyInstance, opts: { ctx: PlatformContext }) {
  const { ctx } = opts;

  app.get(
    '/api/audit',
    {
      schema: {
        tags,
        security: SESSION,
        summary: '审计日志（最新在前）',
        querystring: query({ entity: TEXT(50), entityId: TEXT(100), action: { ...TEXT(100), description: "an action, or a prefix ending in '.' (claim.)" }, actorUserId: ID, ...PAGE_QUERY }),
      },
    },
    async (req) => {
      const q = req.query as { entity?: string; entityId?: string; action?: string; actorUserId?: string };
      const { page, pageSize } = pageOf(req, 50);
      return listAuditRecords(ctx.db, requireUser(req), { entity: q.entity, entityId: q.entityId, action: q.action, actorUserId: q.actorUserId ? Number(q.actorUserId) : undefined }, page, pageSize);
    },
  );

  app.get(
    '/api/claims/:id/audit',
    { schema: { tags, security: SESSION, summary: '申报的审计轨迹（时间顺序）', params: params({ id: ID }), querystring: query({ ...PAGE_QUERY }) } },
    async (req) => {
      const { page, pageSize } = pageOf(req, 100);
      return claimAuditTrail(ctx.db, requireUser(req), idParam(req), page, pageSize);
    },
  );
}
