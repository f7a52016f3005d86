// City-level awards (市级同类奖励) recorded for 就高不重复: list, record, import from Excel, correct or end.
import type { FastifyInstance } from 'fastify';
import { cityAwardIncentives, cityAwardTemplate, correctCityAward, findEnterprisesForCityAward, importCityAwards, listCityAwards, recordCityAward } from '../../ledger/city-awards.ts';
import { importLimits } from '../../excel/read-workbook.ts';
import type { PlatformContext } from '../../claims/context.ts';
import { requireUser } from '../auth.ts';
import { idempotent } from '../idempotency.ts';
import { body, FEN, ID, idParam, IDEMPOTENCY_HEADERS, LONG_TEXT, PAGE_QUERY, pageOf, params, query, SESSION, TEXT, YEAR } from '../schemas.ts';
import { excelImport, IMPORT_QUERY, sendXlsx } from './enterprises.ts';

const tags = ['ledger'];

export async function ledgerRoutes(app: FastifyInstance, opts: { ctx: PlatformContext }) {
  const { ctx } = opts;

  app.get(
    '/api/city-awards',
    {
      schema: {
        tags,
        security: SESSION,
        summary: '市级同类奖励列表（牵头部门：本部门牵头措施的；财政、审计：全部），含更正与已被区级决定抵扣的金额',
        querystring: query({ year: YEAR, incentive: TEXT(100), q: TEXT(100), status: { type: 'string', enum: ['standing', 'ended'] }, ...PAGE_QUERY }),
      },
    },
    async (req) => {
      const q = req.query as { year?: string; incentive?: string; q?: string; status?: 'standing' | 'ended' };
      const { page, pageSize } = pageOf(req);
      return listCityAwards(ctx, requireUser(req), { year: q.year ? Number(q.year) : undefined, incentive: q.incentive, q: q.q, status: q.status }, page, pageSize);
    },
  );

  app.get('/api/city-awards/incentives', { schema: { tags, security: SESSION, summary: '可登记市级奖励的奖励项目（适用就高不重复、本部门牵头）' } }, async (req) => ({ items: cityAwardIncentives(ctx, requireUser(req)) }));

  app.get(
    '/api/city-awards/enterprises',
    { schema: { tags, security: SESSION, summary: '登记市级奖励时按名称或代码查找已登记企业（最多20家；牵头部门）', querystring: query({ q: TEXT(100) }) } },
    async (req) => ({ items: await findEnterprisesForCityAward(ctx, requireUser(req), (req.query as { q?: string }).q ?? '') }),
  );

  app.get('/api/city-awards/template.xlsx', { schema: { tags, security: SESSION, summary: '市级奖励导入模板（牵头部门）' } }, async (req, reply) => {
    const user = requireUser(req);
    if (!cityAwardIncentives(ctx, user).length) await findEnterprisesForCityAward(ctx, user, ''); // 403 for those who record none
    return sendXlsx(reply, await cityAwardTemplate(ctx, user), '市级奖励导入模板.xlsx', 'city-awards-template.xlsx');
  });

  app.post(
    '/api/city-awards',
    {
      schema: {
        tags,
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

  app.post(
    '/api/city-awards/import',
    {
      schema: {
        tags,
        security: SESSION,
        headers: IDEMPOTENCY_HEADERS,
        querystring: IMPORT_QUERY,
        summary: '从 Excel 导入市级奖励（牵头部门）：逐行校验，任一行有误则全部不导入（errors[].path = rows[N].字段）',
        description: 'multipart/form-data with one .xlsx file (field name "file", ≤ 10 MB), in the format of GET /api/city-awards/template.xlsx.',
        consumes: ['multipart/form-data'],
      },
    },
    excelImport(
      ctx,
      (req) => requireUser(req),
      (c, req, file, slot) =>
        importCityAwards(c, requireUser(req), file.data, { fileName: file.fileName, ip: req.ip, dryRun: (req.query as { dryRun?: string }).dryRun === 'true', read: { limits: importLimits(ctx.config), slot } }),
    ),
  );

  app.post(
    '/api/city-awards/:id/correct',
    {
      schema: {
        tags,
        security: SESSION,
        summary: '更正或终止市级奖励（amountFen 为更正后金额，0 = 终止）：记一笔负数的市级奖励，已作出的区级决定不变',
        params: params({ id: ID }),
        headers: IDEMPOTENCY_HEADERS,
        body: body({ amountFen: FEN, reason: LONG_TEXT(2000), reference: TEXT(200) }, ['amountFen', 'reason']),
      },
    },
    async (req, reply) => {
      const user = requireUser(req);
      return idempotent(ctx, req, reply, (c) => correctCityAward(c, user, idParam(req), req.body as never, req.ip), { status: 201 });
    },
  );
}
