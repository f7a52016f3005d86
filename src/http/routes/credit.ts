// Credit lists (联合惩戒 …, measure 29): officials read them; administrators list, delist and import.
import type { FastifyInstance } from 'fastify';
import { addCreditEntry, blocksOn, creditEntries, creditTemplate, creditWorkbook, delistCreditEntry, importCreditEntries } from '../../credit/credit.ts';
import { parseUscc } from '../../enterprises/uscc.ts';
import { importLimits } from '../../excel/read-workbook.ts';
import { authorize } from '../../identity/access.ts';
import { actorOf, type PlatformContext } from '../../claims/context.ts';
import { requireUser } from '../auth.ts';
import { idempotent } from '../idempotency.ts';
import { body, DATE, ID, idParam, IDEMPOTENCY_HEADERS, LONG_TEXT, PAGE_QUERY, pageOf, params, query, SESSION, TEXT } from '../schemas.ts';
import { excelImport, IMPORT_QUERY, sendXlsx } from './enterprises.ts';

const tags = ['credit'];
const LIST_QUERY = { uscc: TEXT(40), status: { type: 'string', enum: ['active', 'ended'], description: 'active: blocks today; ended: delisted by today' } } as const;

export async function creditRoutes(app: FastifyInstance, opts: { ctx: PlatformContext }) {
  const { ctx } = opts;
  const filterOf = (q: { uscc?: string; status?: 'active' | 'ended' }) => ({ uscc: q.uscc ? parseUscc(q.uscc, 'querystring.uscc') : undefined, status: q.status, today: ctx.today() });

  app.get('/api/credit', { schema: { tags, security: SESSION, summary: '信用惩戒名单记录（含是否正在生效：blocksNow）', querystring: query({ ...LIST_QUERY, ...PAGE_QUERY }) } }, async (req) => {
    authorize(requireUser(req), 'credit.read');
    const filter = filterOf(req.query as { uscc?: string; status?: 'active' | 'ended' });
    const { page, pageSize } = pageOf(req);
    const result = await creditEntries(ctx.db, filter, page, pageSize);
    return { ...result, items: result.items.map((e) => ({ ...e, active: blocksOn(e, filter.today), blocksNow: blocksOn(e, filter.today) })) };
  });

  app.get('/api/credit/export.xlsx', { schema: { tags, security: SESSION, summary: '导出信用惩戒名单（与导入同一格式，另含移出日期与原因）', querystring: query(LIST_QUERY) } }, async (req, reply) => {
    authorize(requireUser(req), 'credit.read');
    const filter = filterOf(req.query as { uscc?: string; status?: 'active' | 'ended' });
    return sendXlsx(reply, await creditWorkbook(ctx.db, filter), `信用惩戒名单-${filter.today}.xlsx`, `credit-list-${filter.today}.xlsx`);
  });

  app.get('/api/credit/template.xlsx', { schema: { tags, security: SESSION, summary: '信用惩戒名单导入模板（管理员）' } }, async (req, reply) => {
    authorize(requireUser(req), 'credit.manage');
    return sendXlsx(reply, await creditTemplate(), '信用惩戒名单导入模板.xlsx', 'credit-list-template.xlsx');
  });

  app.post(
    '/api/credit',
    {
      schema: {
        tags,
        security: SESSION,
        summary: '列入信用惩戒名单（管理员）：列入期间不能提交申报、暂停拨付；来源单位必填',
        headers: IDEMPOTENCY_HEADERS,
        body: body({ uscc: TEXT(40), listName: TEXT(200), reason: LONG_TEXT(2000), listedOn: DATE, source: TEXT(500) }, ['uscc', 'listName', 'reason', 'listedOn']),
      },
    },
    async (req, reply) => {
      const user = requireUser(req);
      authorize(user, 'credit.manage');
      // `source` is left out of the schema's required list so that its absence is a 422 naming the field, like the rest.
      return idempotent(ctx, req, reply, (c) => addCreditEntry(c.db, actorOf(user, req.ip), req.body as never, { sourceRequired: true }), { status: 201 });
    },
  );

  app.post(
    '/api/credit/import',
    {
      schema: {
        tags,
        security: SESSION,
        headers: IDEMPOTENCY_HEADERS,
        querystring: IMPORT_QUERY,
        summary: '从 Excel 导入信用惩戒名单（管理员）：逐行校验，任一行有误则全部不导入（errors[].path = rows[N].字段）',
        description: 'multipart/form-data with one .xlsx file (field name "file", ≤ 10 MB), in the format of GET /api/credit/template.xlsx.',
        consumes: ['multipart/form-data'],
      },
    },
    excelImport(
      ctx,
      (req) => authorize(requireUser(req), 'credit.manage'),
      (c, req, file, slot) => importCreditEntries(c.db, actorOf(requireUser(req), req.ip), file.data, { fileName: file.fileName, dryRun: (req.query as { dryRun?: string }).dryRun === 'true', read: { limits: importLimits(ctx.config), slot } }),
    ),
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
