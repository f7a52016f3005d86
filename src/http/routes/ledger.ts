// City-level awards (市级同类奖励) recorded for 就高不重复.
import type { FastifyInstance } from 'fastify';
import { recordCityAward } from '../../ledger/city-awards.ts';
import type { PlatformContext } from '../../claims/context.ts';
import { requireUser } from '../auth.ts';
import { idempotent } from '../idempotency.ts';
import { body, FEN, IDEMPOTENCY_HEADERS, SESSION, TEXT } from '../schemas.ts';

export async function ledgerRoutes(app: FastifyInstance, opts: { ctx: PlatformContext }) {
  const { ctx } = opts;
  app.post(
    '/api/city-awards',
    {
      schema: {
        tags: ['ledger'],
        security: SESSION,
        summary: '登记企业获得的市级同类奖励（就高不重复；该措施的牵头部门）',
        headers: IDEMPOTENCY_HEADERS,
        body: body(
          { uscc: TEXT(40), incentive: TEXT(100), item: { type: ['string', 'null'], maxLength: 200 }, year: { type: 'integer', minimum: 2000, maximum: 2100 }, amountFen: { ...FEN, minimum: 1 }, reference: TEXT(200) },
          ['uscc', 'incentive', 'year', 'amountFen', 'reference'],
        ),
      },
    },
    async (req, reply) => {
      const user = requireUser(req);
      return idempotent(ctx, req, reply, (c) => recordCityAward(c, user, req.body as never, req.ip), { status: 201 });
    },
  );
}
