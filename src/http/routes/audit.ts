// The audit log (auditors, administrators): the whole log, one claim's trail, and a signed anchor of the chain.
import type { FastifyInstance } from 'fastify';
import { anchorSettings, createAuditAnchor, loadAnchorKey, type AnchorKey, type AuditAnchor } from '../../audit/anchor.ts';
import { claimAuditTrail, listAuditRecords } from '../../audit/listing.ts';
import { actorOf, type PlatformContext } from '../../claims/context.ts';
import { KaifangError } from '../../errors.ts';
import { authorize } from '../../identity/access.ts';
import { requireUser } from '../auth.ts';
import { ID, idParam, PAGE_QUERY, pageOf, params, query, SESSION, TEXT } from '../schemas.ts';

const tags = ['audit'];

/** `anchorKey`: the signing key (tests); by default the file KAIFANG_ANCHOR_KEY names, or none. */
export async function auditRoutes(app: FastifyInstance, opts: { ctx: PlatformContext; anchorKey?: AnchorKey | null }) {
  const { ctx } = opts;
  // Read once when the server starts: a wrong path stops the server instead of failing the first auditor.
  const anchorKey = opts.anchorKey !== undefined ? opts.anchorKey : ((file) => (file ? loadAnchorKey(file) : null))(anchorSettings().keyFile);
  // Requests that arrive while an anchor is being made (it verifies the whole chain) share that one.
  let making: Promise<AuditAnchor> | undefined;

  app.get(
    '/api/audit/anchor',
    {
      schema: {
        tags,
        security: SESSION,
        summary: '签发审计链锚点：链头序号与哈希，以库外密钥签名（审计方留存，日后以 kaifang audit verify --anchor 核对）',
        description:
          'Seals what waits, verifies the whole chain, and signs its head (seq, hash) with the Ed25519 key of KAIFANG_ANCHOR_KEY. Keep the anchor where the database owner cannot rewrite it. 409 invalid_state without a key, 409 audit_chain_tampered for a chain that does not verify.',
      },
    },
    async (req, reply) => {
      const user = requireUser(req);
      authorize(user, 'audit.verify');
      if (!anchorKey) {
        throw new KaifangError({ code: 'invalid_state', zh: '未配置锚点签名密钥（KAIFANG_ANCHOR_KEY）', en: 'no anchor signing key is configured (KAIFANG_ANCHOR_KEY)' });
      }
      making ??= createAuditAnchor(ctx.db, anchorKey, actorOf(user, req.ip)).finally(() => (making = undefined));
      const anchor = await making;
      reply.header('content-disposition', `attachment; filename="kaifang-audit-anchor-${anchor.seq}.json"`);
      reply.header('cache-control', 'no-store');
      return anchor;
    },
  );

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
