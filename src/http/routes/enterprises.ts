// Enterprises: the directory (scoped per role), registration (admin), facts on file, entitlements, the ledger.
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { INDUSTRY_CLASSES, type IndustryClass } from '../../db/schema.ts';
import { findArea, listAreas } from '../../enterprises/areas.ts';
import { createEnterprise, updateEnterprise } from '../../enterprises/enterprises.ts';
import { enterpriseTemplateWorkbook, exportEnterprisesWorkbook, importEnterprises } from '../../enterprises/excel.ts';
import { getEnterpriseProfile } from '../../enterprises/profile.ts';
import { acquireImportSlot, importLimits, IMPORT_RETRY_AFTER_SECONDS, type ImportSlot } from '../../excel/read-workbook.ts';
import { KaifangError } from '../../errors.ts';
import { readUploadedFile } from '../multipart.ts';
import { enterpriseSummary, getVisibleEnterprise, listVisibleEnterprises } from '../../enterprises/directory.ts';
import { entitlementsOnFile, getFactsOnFile, putFactsOnFile } from '../../enterprises/facts-on-file.ts';
import { authorize, listScope } from '../../identity/access.ts';
import { enterpriseStatement } from '../../ledger/statement.ts';
import { creditStatus } from '../../credit/credit.ts';
import { actorOf, type PlatformContext } from '../../claims/context.ts';
import { requireUser } from '../auth.ts';
import { idempotent, requestHash } from '../idempotency.ts';
import { attachment, body, IDEMPOTENCY_HEADERS, PAGE_QUERY, pageOf, params, query, SESSION, TEXT, YEAR } from '../schemas.ts';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/** An uploaded list (enterprises, city awards, credit listings): one .xlsx of at most this many bytes. */
export const LIST_UPLOAD_MAX_BYTES = 10 * 1024 * 1024;

/**
 * An Excel import route's handler: one of KAIFANG_IMPORTS_AT_ONCE places taken before the upload is buffered (a
 * refused import, 503 import_busy with Retry-After, costs nothing) and freed however the request ends; the file read
 * from the field `file`; the work idempotent by the file's name and content.
 */
export function excelImport<T>(ctx: PlatformContext, check: (req: FastifyRequest) => void, work: (c: PlatformContext, req: FastifyRequest, file: { fileName: string; data: Buffer }, slot: ImportSlot) => Promise<T>) {
  const limits = importLimits(ctx.config);
  return async (req: FastifyRequest, reply: FastifyReply) => {
    check(req);
    let slot: ImportSlot;
    try {
      slot = acquireImportSlot(limits);
    } catch (e) {
      reply.header('retry-after', String(IMPORT_RETRY_AFTER_SECONDS));
      throw e;
    }
    try {
      const file = await readUploadedFile(req, {
        limitBytes: LIST_UPLOAD_MAX_BYTES,
        tooLarge: () => new KaifangError({ code: 'payload_too_large', zh: `文件不能超过 ${LIST_UPLOAD_MAX_BYTES / 1024 / 1024} MB`, en: `the file may not exceed ${LIST_UPLOAD_MAX_BYTES / 1024 / 1024} MB` }),
      });
      const sha256 = createHash('sha256').update(file.data).digest('hex');
      const q = req.query as { dryRun?: string } | undefined;
      return await idempotent(ctx, req, reply, (c) => work(c, req, file, slot), { hash: requestHash(req, { fileName: file.fileName, sha256, dryRun: q?.dryRun ?? 'false' }) });
    } finally {
      slot.release();
    }
  };
}

export function sendXlsx(reply: FastifyReply, data: Buffer, fileName: string, ascii: string) {
  return reply.header('content-type', XLSX).header('content-disposition', attachment(fileName, ascii)).send(data);
}

export const IMPORT_QUERY = query({ dryRun: { type: 'string', enum: ['true', 'false'], description: 'check and report, store nothing' } });

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

  app.get('/api/enterprises/template.xlsx', { schema: { tags, security: SESSION, summary: '企业名录导入模板（管理员）' } }, async (req, reply) => {
    authorize(requireUser(req), 'enterprise.create');
    return sendXlsx(reply, await enterpriseTemplateWorkbook(), '企业名录导入模板.xlsx', 'enterprises-template.xlsx');
  });

  app.get(
    '/api/enterprises/export.xlsx',
    {
      schema: {
        tags,
        security: SESSION,
        summary: '导出企业名录（与导入模板同一格式；管理员、财政、审计：全区）',
        querystring: query({ areaId: TEXT(40), industryClass: { type: 'string', enum: [...INDUSTRY_CLASSES] }, q: TEXT(100) }),
      },
    },
    async (req, reply) => {
      const user = requireUser(req);
      // The whole register leaves the platform only for those who read all of it.
      if (user.role === 'enterprise' || listScope(user, 'enterprise.read', ctx.access).kind !== 'all') authorize(user, 'enterprise.create');
      const q = req.query as { areaId?: string; industryClass?: IndustryClass; q?: string };
      const { buffer } = await exportEnterprisesWorkbook(ctx.db, q);
      return sendXlsx(reply, buffer, `企业名录-${ctx.today()}.xlsx`, `enterprises-${ctx.today()}.xlsx`);
    },
  );

  app.post(
    '/api/enterprises/import',
    {
      schema: {
        tags,
        security: SESSION,
        headers: IDEMPOTENCY_HEADERS,
        summary: '从 Excel 导入企业（管理员）：逐行校验，任一行有误则全部不导入，错误注明行号与列名（errors[].path = rows[N].字段）',
        description: 'multipart/form-data with one .xlsx file (field name "file", ≤ 10 MB), in the format of GET /api/enterprises/template.xlsx.',
        consumes: ['multipart/form-data'],
      },
    },
    excelImport(
      ctx,
      (req) => authorize(requireUser(req), 'enterprise.create'),
      async (c, req, file, slot) => {
        const result = await importEnterprises(c.db, file.data, { actor: actorOf(requireUser(req), req.ip), fileName: file.fileName, read: { limits: importLimits(ctx.config), slot } });
        return { count: result.created.length, created: result.created.map((e) => ({ uscc: e.uscc, name: e.name, areaId: e.areaId, industryClass: e.industryClass })) };
      },
    ),
  );

  app.patch(
    '/api/enterprises/:uscc',
    {
      schema: {
        tags,
        security: SESSION,
        summary: '修改企业名称、所属区镇或产业类别（管理员；统一社会信用代码不可修改）',
        params: usccParams,
        body: body({ name: TEXT(200), areaId: TEXT(40), industryClass: { type: 'string', enum: [...INDUSTRY_CLASSES] }, uscc: TEXT(40) }),
      },
    },
    async (req) => {
      const user = requireUser(req);
      authorize(user, 'enterprise.update');
      const row = await getVisibleEnterprise(ctx, user, (req.params as { uscc: string }).uscc);
      const e = await updateEnterprise(ctx.db, row.uscc, req.body as never, { actor: actorOf(user, req.ip) });
      return { ...e, areaName: findArea(e.areaId)?.nameZh ?? null };
    },
  );

  app.get(
    '/api/enterprises/:uscc/profile',
    { schema: { tags, security: SESSION, summary: '企业详情：登记信息、各年度在档事实及其来源、企业用户、申报数、信用状况（管理员；有权查看该企业的官员只读）', params: usccParams } },
    async (req) => {
      const user = requireUser(req);
      // An enterprise user: another enterprise does not exist for it (404), its own is not this page's (403).
      if (user.role === 'enterprise') {
        await getVisibleEnterprise(ctx, user, (req.params as { uscc: string }).uscc);
        authorize(user, 'enterprise.update');
      }
      return getEnterpriseProfile(ctx, user, (req.params as { uscc: string }).uscc, req.ip);
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
