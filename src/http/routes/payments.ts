// 拨付: the payment list (awaiting / paid), its Excel batch, and recording a payment (finance).
import type { FastifyInstance } from 'fastify';
import { listPayments, pagePayments, payClaim } from '../../claims/payments.ts';
import type { PlatformContext } from '../../claims/context.ts';
import { paymentWorkbook } from '../../excel/lists.ts';
import { requireUser } from '../auth.ts';
import { idempotent } from '../idempotency.ts';
import { attachment, body, DATE, ID, idParam, IDEMPOTENCY_HEADERS, PAGE_QUERY, pageOf, params, query, SESSION, TEXT } from '../schemas.ts';

const tags = ['payments'];
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const STATUS = { type: 'string', enum: ['awaiting', 'paid'], description: 'awaiting: approved, not yet paid (default) · paid' } as const;

export async function paymentRoutes(app: FastifyInstance, opts: { ctx: PlatformContext }) {
  const { ctx } = opts;

  const statusOf = (req: Parameters<typeof requireUser>[0]) => (req.query as { status?: 'awaiting' | 'paid' }).status ?? 'awaiting';
  const withAliases = <T extends { uscc: string; title: string; measureId: string }>(r: T) => ({ ...r, enterpriseUscc: r.uscc, incentiveTitle: r.title, measure: r.measureId });

  app.get('/api/payments', { schema: { tags, security: SESSION, summary: '拨付清单：待拨付或已拨付', querystring: query({ status: STATUS, ...PAGE_QUERY }) } }, async (req) => {
    const { page, pageSize } = pageOf(req);
    const result = await pagePayments(ctx, requireUser(req), statusOf(req), page, pageSize);
    return { ...result, items: result.items.map(withAliases) };
  });

  // Every row of the caller's scope: a payment batch must never be cut short.
  app.get('/api/payments/export.xlsx', { schema: { tags, security: SESSION, summary: '导出拨付清单（Excel，供财政拨付批次使用）', querystring: query({ status: STATUS }) } }, async (req, reply) => {
    const status = statusOf(req);
    const list = (await listPayments(ctx, requireUser(req), status)).map(withAliases);
    const file = await paymentWorkbook(list, { status, asOf: ctx.today() });
    const name = status === 'paid' ? '已拨付清单' : '拨付清单';
    return reply.header('content-type', XLSX).header('content-disposition', attachment(`${name}-${ctx.today()}.xlsx`, `payments-${status}-${ctx.today()}.xlsx`)).send(file);
  });

  app.post(
    '/api/claims/:id/pay',
    {
      schema: {
        tags,
        security: SESSION,
        summary: '登记拨付（财政；拨付前重新核查信用，每件申报只拨付一次）',
        params: params({ id: ID }),
        headers: IDEMPOTENCY_HEADERS,
        body: body({ voucherNo: TEXT(100), paidOn: DATE }, ['voucherNo', 'paidOn']),
      },
    },
    async (req, reply) => {
      const user = requireUser(req);
      return idempotent(ctx, req, reply, (c) => payClaim(c, user, idParam(req), req.body as never, req.ip), { status: 201 });
    },
  );
}
