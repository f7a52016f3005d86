// Enterprises: the directory (scoped per role), registration (admin), facts on file, entitlements, the ledger.
import type { FastifyInstance } from 'fastify';
import { INDUSTRY_CLASSES, type IndustryClass } from '../../db/schema.ts';
import { findArea, listAreas } from '../../enterprises/areas.ts';
import { createEnterprise } from '../../enterprises/enterprises.ts';
import { enterpriseSummary, getVisibleEnterprise, listVisibleEnterprises } from '../../enterprises/directory.ts';
import { entitlementsOnFile, getFactsOnFile, putFactsOnFile } from '../../enterprises/facts-on-file.ts';
import { authorize } from '../../identity/access.ts';
import { enterpriseStatement } from '../../ledger/statement.ts';
import { creditStatus } from '../../credit/credit.ts';
import { actorOf, type PlatformContext } from '../../claims/context.ts';
import { requireUser } from '../auth.ts';
import { idempotent } from '../idempotency.ts';
import { body, IDEMPOTENCY_HEADERS, PAGE_QUERY, pageOf, params, query, SESSION, TEXT, YEAR } from '../schemas.ts';

const tags = ['enterprises'];
const CREDIT_STATUS_SCHEMA = {
  type: 'object',
  required: ['uscc', 'blocked', 'blocks', 'entries'],
  properties: {
    uscc: { type: 'string' },
    blocked: { type: 'boolean' },
    blocks: { type: 'array', items: { type: 'string', enum: ['submit', 'pay'] } },
    entries: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'listName', 'reason', 'unit', 'listedOn'],
        properties: { id: { type: 'integer' }, listName: { type: 'string' }, reason: { type: 'string' }, source: { type: ['string', 'null'] }, unit: { type: 'string', description: 'who listed the enterprise: the list source, else the recording official' }, listedOn: { type: 'string' }, delistedOn: { type: ['string', 'null'] } },
      },
    },
  },
} as const;
const usccParams = params({ uscc: { type: 'string', minLength: 1, maxLength: 40 } });

export async function enterpriseRoutes(app: FastifyInstance, opts: { ctx: PlatformContext }) {
  const { ctx } = opts;

  app.get(
    '/api/areas',
    { config: { public: true }, schema: { tags: ['public'], summary: '区镇（街道、镇、开发区）列表' } },
    async () => listAreas().map((a) => ({ id: a.id, name: a.nameZh, shortName: a.shortZh ?? a.nameZh, nameEn: a.nameEn, kind: a.kind })),
  );

  app.get(
    '/api/enterprises',
    {
      schema: {
        tags,
        security: SESSION,
        summary: '企业名录（官员；按角色范围：区镇只见本区镇，牵头部门只见有本部门措施申报的企业）',
        querystring: query({ areaId: TEXT(40), industryClass: { type: 'string', enum: [...INDUSTRY_CLASSES] }, q: TEXT(100), ...PAGE_QUERY }),
      },
    },
    async (req) => {
      const q = req.query as { areaId?: string; industryClass?: IndustryClass; q?: string };
      const { page, pageSize } = pageOf(req);
      return listVisibleEnterprises(ctx, requireUser(req), { areaId: q.areaId, industryClass: q.industryClass, q: q.q }, page, pageSize);
    },
  );

  app.get('/api/enterprises/:uscc', { schema: { tags, security: SESSION, summary: '企业信息', params: usccParams } }, async (req) => {
    const row = await getVisibleEnterprise(ctx, requireUser(req), (req.params as { uscc: string }).uscc);
    return enterpriseSummary(row);
  });

  app.post(
    '/api/enterprises',
    {
      schema: {
        tags,
        security: SESSION,
        summary: '登记企业（管理员）',
        headers: IDEMPOTENCY_HEADERS,
        body: body(
          {
            uscc: { type: 'string', maxLength: 40, description: '统一社会信用代码' },
            name: TEXT(200),
            areaId: TEXT(40),
            industryClass: { type: 'string', enum: [...INDUSTRY_CLASSES], description: 'leading 先导产业 · highTech 高新技术产业 · other 其他' },
          },
          ['uscc', 'name', 'areaId', 'industryClass'],
        ),
      },
    },
    async (req, reply) => {
      const user = requireUser(req);
      authorize(user, 'enterprise.create');
      return idempotent(ctx, req, reply, async (c) => {
        const e = await createEnterprise(c.db, req.body as never, { actor: actorOf(user, req.ip) });
        return { ...e, areaName: findArea(e.areaId)?.nameZh ?? null };
      }, { status: 201 });
    },
  );

  const factsParams = params({ uscc: { type: 'string', minLength: 1, maxLength: 40 }, year: YEAR });

  app.get('/api/enterprises/:uscc/facts/:year', { schema: { tags, security: SESSION, summary: '企业在档事实（某年度）', params: factsParams } }, async (req) => {
    const p = req.params as { uscc: string; year: string };
    return getFactsOnFile(ctx, requireUser(req), p.uscc, Number(p.year), req.ip);
  });

  app.put(
    '/api/enterprises/:uscc/facts/:year',
    {
      schema: {
        tags,
        security: SESSION,
        summary: '维护在档事实（企业本身）：与 kaifang calc 相同的事实校验',
        params: factsParams,
        body: body({ facts: { type: 'object', description: 'fact name → value, as in README "Facts format"' } }, ['facts']),
      },
    },
    async (req) => {
      const p = req.params as { uscc: string; year: string };
      return putFactsOnFile(ctx, requireUser(req), p.uscc, Number(p.year), (req.body as { facts: unknown }).facts, req.ip);
    },
  );

  app.get(
    '/api/enterprises/:uscc/entitlements',
    {
      schema: {
        tags,
        security: SESSION,
        summary: '按在档事实与奖励台账测算的可享政策（EvaluationResult）',
        params: usccParams,
        querystring: query({ year: YEAR }),
      },
    },
    async (req) => {
      const year = (req.query as { year?: string }).year;
      return entitlementsOnFile(ctx, requireUser(req), (req.params as { uscc: string }).uscc, year ? Number(year) : undefined, req.ip);
    },
  );

  // The enterprise's own credit status (measure 29), so that it learns of a listing before it fills in a claim —
  // the unit that listed it and what the listing stops; officials read it for the enterprises they may see.
  app.get(
    '/api/enterprises/:uscc/credit',
    {
      schema: {
        tags,
        security: SESSION,
        summary: '企业信用状况：是否在信用惩戒名单中、列入单位与影响（暂不能提交申报、暂停拨付）',
        params: usccParams,
        response: { 200: CREDIT_STATUS_SCHEMA },
      },
    },
    async (req) => {
      const row = await getVisibleEnterprise(ctx, requireUser(req), (req.params as { uscc: string }).uscc);
      return { uscc: row.uscc, ...(await creditStatus(ctx.db, row.uscc, ctx.today())) };
    },
  );

  app.get(
    '/api/enterprises/:uscc/ledger',
    { schema: { tags, security: SESSION, summary: '奖励台账：奖励、冲销、追回、市级奖励与拨付', params: usccParams } },
    async (req) => enterpriseStatement(ctx, requireUser(req), (req.params as { uscc: string }).uscc),
  );
}
