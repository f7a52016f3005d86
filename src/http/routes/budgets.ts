// Each measure's yearly budget: read (lead departments their measures; finance, auditors all) and set (finance).
import type { FastifyInstance } from 'fastify';
import { BUDGET_REASON_MAX, listBudgetChanges, listBudgets, setBudget } from '../../ledger/budgets.ts';
import type { PlatformContext } from '../../claims/context.ts';
import { requireUser } from '../auth.ts';
import { body, FEN, LONG_TEXT, PAGE_QUERY, pageOf, paginate, params, query, SESSION, YEAR } from '../schemas.ts';

const tags = ['budgets'];
const MEASURE = { type: 'string', pattern: '^([0-9]{1,3}|general)$' } as const;

export function defaultYear(ctx: PlatformContext): number {
  return Number(ctx.engine.policy.meta.effective.from.slice(0, 4));
}

export async function budgetRoutes(app: FastifyInstance, opts: { ctx: PlatformContext }) {
  const { ctx } = opts;

  app.get('/api/budgets', { schema: { tags, security: SESSION, summary: '各措施年度预算、已承诺与已拨付', querystring: query({ year: YEAR, ...PAGE_QUERY }) } }, async (req) => {
    const year = (req.query as { year?: string }).year;
    const { page, pageSize } = pageOf(req, 100);
    return paginate(await listBudgets(ctx, requireUser(req), year ? Number(year) : defaultYear(ctx)), page, pageSize);
  });

  app.put(
    '/api/budgets/:measure/:year',
    {
      schema: {
        tags,
        security: SESSION,
        summary: '设定措施年度预算（财政；不得低于已承诺金额；调整原因记入预算调整记录）',
        params: params({ measure: MEASURE, year: YEAR }),
        body: body({ amountFen: FEN, reason: LONG_TEXT(BUDGET_REASON_MAX) }, ['amountFen']),
      },
    },
    async (req) => {
      const p = req.params as { measure: string; year: string };
      const b = req.body as { amountFen: number; reason?: string };
      return setBudget(ctx, requireUser(req), p.measure, Number(p.year), b.amountFen, req.ip, b.reason);
    },
  );

  app.get(
    '/api/budgets/changes',
    { schema: { tags, security: SESSION, summary: '预算调整记录：谁、何时、由多少调整为多少、原因（新的在前）', querystring: query({ year: YEAR, measure: MEASURE, ...PAGE_QUERY }) } },
    async (req) => {
      const q = req.query as { year?: string; measure?: string };
      const { page, pageSize } = pageOf(req, 100);
      return paginate(await listBudgetChanges(ctx, requireUser(req), q.year ? Number(q.year) : defaultYear(ctx), q.measure), page, pageSize);
    },
  );
}
