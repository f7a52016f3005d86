// The overview for leadership and supervisors: per measure, area and month, against budget.
import type { FastifyInstance } from 'fastify';
import { statsOverview } from '../../stats/overview.ts';
import type { PlatformContext } from '../../claims/context.ts';
import { requireUser } from '../auth.ts';
import { query, SESSION, YEAR } from '../schemas.ts';
import { defaultYear } from './budgets.ts';

export async function statsRoutes(app: FastifyInstance, opts: { ctx: PlatformContext }) {
  const { ctx } = opts;
  app.get(
    '/api/stats/overview',
    { schema: { tags: ['stats'], security: SESSION, summary: '统计总览：按措施、区镇、月份的申报、核准、拨付与预算', querystring: query({ year: YEAR }) } },
    async (req) => {
      const year = (req.query as { year?: string }).year;
      return statsOverview(ctx, requireUser(req), year ? Number(year) : defaultYear(ctx));
    },
  );
}
