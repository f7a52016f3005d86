/**
 * Service time limits (measures 22–25) over HTTP: the limits, cases and their events, the compliance report (JSON
 * and Excel), the Excel template and import. Every official reads; department reviewers (their own department's
 * cases) and admins write. The current user is `req.user`, set by the session layer before these handlers run.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import type { PlatformContext } from '../../claims/context.ts';
import { actorOf } from '../../claims/context.ts';
import { KaifangError } from '../../errors.ts';
import { acquireImportSlot, importLimits, IMPORT_RETRY_AFTER_SECONDS, type ImportSlot } from '../../excel/read-workbook.ts';
import type { Role } from '../../db/schema.ts';
import type { Principal } from '../../identity/users.ts';
import { loadServiceLimits } from '../../service-limits/limits.ts';
import { createCaseBook, type CaseBook, type DepartmentName } from '../../service-limits/case-book.ts';
import {
  complianceReport,
  getCase,
  limitCatalog,
  listCases,
  recordCase,
  recordCaseEvent,
  type CaseWriter,
  type NewCaseInput,
  type CaseEventInput,
} from '../../service-limits/case-store.ts';
import { caseTemplateWorkbook, complianceWorkbook, importCasesFromXlsx, XLSX_MIME } from '../../service-limits/excel.ts';
import { idempotent, requestHash } from '../idempotency.ts';
import { readUploadedFile } from '../multipart.ts';
import { IDEMPOTENCY_HEADERS, PAGE_QUERY, SESSION } from '../schemas.ts';

const READERS: readonly Role[] = ['areaReviewer', 'departmentReviewer', 'finance', 'auditor', 'admin'];
const WRITERS: readonly Role[] = ['departmentReviewer', 'admin'];
const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

function currentUser(req: FastifyRequest): Principal {
  const user = (req as unknown as { user?: Principal | null }).user;
  if (!user) throw new KaifangError({ code: 'unauthenticated', zh: '请先登录', en: 'log in first' });
  return user;
}

function reader(req: FastifyRequest): Principal {
  const user = currentUser(req);
  if (!READERS.includes(user.role)) {
    throw new KaifangError({ code: 'forbidden', zh: '服务时限数据仅供工作人员查看', en: 'service time limits are for officials only', details: { role: user.role } });
  }
  return user;
}

function writer(req: FastifyRequest): CaseWriter {
  const user = currentUser(req);
  if (!WRITERS.includes(user.role)) {
    throw new KaifangError({ code: 'forbidden', zh: '只有部门审核人员和管理员可以登记服务案件', en: 'only department reviewers and admins record service cases', details: { role: user.role } });
  }
  return { actor: actorOf(user, req.ip), department: user.role === 'departmentReviewer' ? user.departmentId : null };
}

// ── Schemas ─────────────────────────────────────────────────────────────────────────────────────────────────

const date = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD, Asia/Shanghai' } as const;
const time = { type: 'string', maxLength: 40, description: "'HH:MM' (Asia/Shanghai) or an ISO instant on the same date" } as const;
const kebab = { type: 'string', pattern: '^[a-z0-9]+(-[a-z0-9]+)*$', maxLength: 100 } as const;
const idParams = { type: 'object', additionalProperties: false, required: ['id'], properties: { id: { type: 'string', pattern: '^[1-9][0-9]{0,15}$' } } } as const;
const asOfOnly = { type: 'object', additionalProperties: false, properties: { asOf: date } } as const;

const eventBody = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'on'],
  properties: {
    kind: { type: 'string', enum: ['suspended', 'resumed', 'completed'], description: 'suspended: 补正开始 (clock stops); resumed: 补正结束; completed: 办结' },
    on: date,
    at: time,
    note: { type: 'string', maxLength: 500, 'x-multiline': true },
  },
} as const;

const caseBody = {
  type: 'object',
  additionalProperties: false,
  required: ['limitId', 'reference', 'subject', 'acceptedOn'],
  properties: {
    limitId: kebab,
    departmentId: kebab,
    reference: { type: 'string', minLength: 1, maxLength: 100, description: '受理编号 / 案号, unique per limit' },
    subject: { type: 'string', minLength: 1, maxLength: 200, description: '办理对象: the enterprise or project' },
    acceptedOn: date,
    acceptedAt: time,
    simplified: { type: 'boolean', description: '简化程序 (bankruptcy cases: required)' },
    hours: { type: 'number', minimum: 0, description: 'tax time of one enterprise-year (办税缴费 only)' },
    events: { type: 'array', maxItems: 100, items: eventBody },
  },
} as const;

const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    asOf: date,
    limitId: kebab,
    department: kebab,
    overdue: { type: 'string', enum: ['true', 'false'] },
    state: { type: 'string', enum: ['open', 'suspended', 'completed'] },
    q: { type: 'string', maxLength: 100 },
    acceptedFrom: date,
    acceptedTo: date,
    ...PAGE_QUERY,
  },
} as const;

const complianceQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { asOf: date, acceptedFrom: date, acceptedTo: date, year: { type: 'string', pattern: '^\\d{4}$' } },
} as const;

const importQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { dryRun: { type: 'string', enum: ['true', 'false'], description: 'check and report, store nothing' } },
} as const;

type ListQuery = { asOf?: string; limitId?: string; department?: string; overdue?: 'true' | 'false'; state?: 'open' | 'suspended' | 'completed'; q?: string; acceptedFrom?: string; acceptedTo?: string; page?: string; pageSize?: string };
type ComplianceQuery = { asOf?: string; acceptedFrom?: string; acceptedTo?: string; year?: string };

const complianceOf = (q: ComplianceQuery) => ({ asOf: q.asOf, acceptedFrom: q.acceptedFrom, acceptedTo: q.acceptedTo, year: q.year === undefined ? undefined : Number(q.year) });

function sendXlsx(reply: FastifyReply, body: Buffer, asciiName: string, name: string) {
  return reply
    .header('content-type', XLSX_MIME)
    .header('content-disposition', `attachment; filename="${asciiName}"; filename*=UTF-8''${encodeURIComponent(name)}`)
    .send(body);
}

// ── Routes ──────────────────────────────────────────────────────────────────────────────────────────────────

export interface ServiceCaseRouteOptions {
  ctx: PlatformContext;
  /** built from ctx when absent (the policy's service-limits.yaml and agencies) */
  book?: CaseBook;
}

export function caseBookOf(ctx: PlatformContext): CaseBook {
  const policy = ctx.engine.policy;
  const departments = new Map<string, DepartmentName>([...policy.agencies].map(([id, a]) => [id, { name: a.name, nameEn: a.nameEn, fullName: a.fullName }]));
  const book = createCaseBook(ctx.db, { limits: loadServiceLimits(policy.dir), calendar: ctx.calendar.current(), departments, today: () => ctx.today() });
  // The calendar as it stands at each use: a year entered meanwhile counts at once (src/calendar/official-calendar.ts).
  return Object.defineProperty(book, 'calendar', { get: () => ctx.calendar.current(), enumerable: true, configurable: true });
}

export async function serviceCaseRoutes(app: FastifyInstance, opts: ServiceCaseRouteOptions): Promise<void> {
  const book = opts.book ?? caseBookOf(opts.ctx);
  // The platform may already parse multipart (evidence uploads); registering it twice in one scope would clash.
  if (!app.hasRequestDecorator('isMultipart')) {
    await app.register(multipart, { limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 5 } });
  }
  const tags = ['service-limits'];
  const security = SESSION;
  // Inside an idempotent request the work runs in the key's transaction: the same book on that transaction.
  const on = (c: PlatformContext): CaseBook => (c.db === book.db ? book : { ...book, db: c.db });
  // Excel imports: one of KAIFANG_IMPORTS_AT_ONCE places, taken after the login check and before the upload is
  // buffered, so that a refused import (503 import_busy, Retry-After) costs nothing; freed however the request ends.
  const limits = importLimits(opts.ctx.config);
  const importing =
    (handler: (req: FastifyRequest, reply: FastifyReply, slot: ImportSlot) => Promise<FastifyReply>) =>
    async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
      writer(req);
      let slot: ImportSlot;
      try {
        slot = acquireImportSlot(limits);
      } catch (e) {
        reply.header('retry-after', String(IMPORT_RETRY_AFTER_SECONDS));
        throw e;
      }
      try {
        return await handler(req, reply, slot);
      } finally {
        slot.release();
      }
    };

  app.get('/api/service-limits', { schema: { tags, security, summary: '服务时限：措施22–25 的全部时限、目标、责任部门与登记方式' } }, async (req) => {
    reader(req);
    return { policy: book.limits.policy, coveredFrom: book.calendar.coveredFrom, coveredThrough: book.calendar.coveredThrough, limits: limitCatalog(book) };
  });

  app.get(
    '/api/service-cases',
    { schema: { tags, security, summary: '服务案件列表：到期日、剩余时间、是否超时（按 asOf 计算）', querystring: listQuery } },
    async (req) => {
      reader(req);
      const q = req.query as ListQuery;
      return listCases(book, {
        asOf: q.asOf,
        limitId: q.limitId,
        departmentId: q.department,
        overdue: q.overdue === undefined ? undefined : q.overdue === 'true',
        state: q.state,
        q: q.q,
        acceptedFrom: q.acceptedFrom,
        acceptedTo: q.acceptedTo,
        page: q.page === undefined ? undefined : Number(q.page),
        pageSize: q.pageSize === undefined ? undefined : Number(q.pageSize),
      });
    },
  );

  app.post(
    '/api/service-cases',
    { schema: { tags, security, summary: '登记服务案件（受理，可附已发生的补正、办结）', headers: IDEMPOTENCY_HEADERS, body: caseBody } },
    async (req, reply) => {
      const w = writer(req);
      return idempotent(opts.ctx, req, reply, (c) => recordCase(on(c), w, req.body as NewCaseInput), { status: 201 });
    },
  );

  app.get(
    '/api/service-cases/compliance',
    { schema: { tags, security, summary: '达标情况：按时限、按部门；平均类时限的平均用时；破产案件简化程序占比；纳税时间', querystring: complianceQuery } },
    async (req) => {
      reader(req);
      return complianceReport(book, complianceOf(req.query as ComplianceQuery));
    },
  );

  app.get(
    '/api/service-cases/compliance.xlsx',
    { schema: { tags, security, summary: '达标情况 Excel：说明、按时限、按部门、案件清单（超时标红）、纳税时间', querystring: complianceQuery } },
    async (req, reply) => {
      reader(req);
      const q = complianceOf(req.query as ComplianceQuery);
      const asOf = q.asOf ?? book.today();
      const body = await complianceWorkbook(book, { ...q, asOf });
      return sendXlsx(reply, body, `service-compliance-${asOf}.xlsx`, `服务时限达标情况-${asOf}.xlsx`);
    },
  );

  app.get('/api/service-cases/template.xlsx', { schema: { tags, security, summary: '服务案件导入模板（含事项、部门下拉与填写说明）' } }, async (req, reply) => {
    reader(req);
    return sendXlsx(reply, await caseTemplateWorkbook(book), 'service-cases-template.xlsx', '服务案件导入模板.xlsx');
  });

  app.post(
    '/api/service-cases/import',
    {
      schema: {
        tags,
        security,
        headers: IDEMPOTENCY_HEADERS,
        summary: '从 Excel 导入服务案件：任一行有错则全部不导入，错误注明行号与列名（errors[].path = row[N].列名）',
        description: 'multipart/form-data with one .xlsx file (field name "file", ≤ 10 MB). The sheet layout is the template of GET /api/service-cases/template.xlsx.',
        consumes: ['multipart/form-data'],
        querystring: importQuery,
      },
    },
    importing(async (req, reply, slot) => {
      const w = writer(req);
      const { fileName, data } = await readUploadedFile(req, {
        limitBytes: MAX_UPLOAD_BYTES,
        tooLarge: () => new KaifangError({ code: 'payload_too_large', zh: `文件不能超过 ${MAX_UPLOAD_BYTES / 1024 / 1024} MB`, en: `the file may not exceed ${MAX_UPLOAD_BYTES / 1024 / 1024} MB` }),
      });
      const q = req.query as { dryRun?: 'true' | 'false' };
      const sha256 = createHash('sha256').update(data).digest('hex');
      return idempotent(opts.ctx, req, reply, (c) => importCasesFromXlsx(on(c), w, data, { dryRun: q.dryRun === 'true', fileName, read: { limits, slot } }), {
        hash: requestHash(req, { fileName, sha256, dryRun: q.dryRun ?? 'false' }),
      });
    }),
  );

  app.get(
    '/api/service-cases/:id',
    { schema: { tags, security, summary: '服务案件详情：时间线与到期情况', params: idParams, querystring: asOfOnly } },
    async (req) => {
      reader(req);
      return getCase(book, Number((req.params as { id: string }).id), (req.query as { asOf?: string }).asOf);
    },
  );

  app.post(
    '/api/service-cases/:id/events',
    { schema: { tags, security, summary: '登记补正开始（中止计时）、补正结束（恢复）或办结', headers: IDEMPOTENCY_HEADERS, params: idParams, body: eventBody } },
    async (req, reply) => {
      const w = writer(req);
      const id = Number((req.params as { id: string }).id);
      return idempotent(opts.ctx, req, reply, (c) => recordCaseEvent(on(c), w, id, req.body as CaseEventInput), { status: 201 });
    },
  );
}
