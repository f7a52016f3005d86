// 免申即享 (issue 11): the departments' data on file over HTTP — sources and templates, batches (JSON or an uploaded
// Excel/CSV file), an enterprise's facts on file with provenance as of a date, objections and their answers.
import type { FastifyInstance } from 'fastify';
import type { PlatformContext } from '../../claims/context.ts';
import { importLimits } from '../../excel/read-workbook.ts';
import { KaifangError } from '../../errors.ts';
import { batchTemplate, listBatches, loadFactBatch } from '../../proactive/batches.ts';
import { answerCorrection, fileCorrection, listCorrections } from '../../proactive/corrections.ts';
import { factsOnFileView } from '../../proactive/on-file.ts';
import { factSources, sourceById } from '../../proactive/sources.ts';
import { requireUser } from '../auth.ts';
import { idempotent } from '../idempotency.ts';
import { attachment, body, DATE, ID, idParam, IDEMPOTENCY_HEADERS, LONG_TEXT, params, query, SESSION, TEXT, YEAR } from '../schemas.ts';
import { excelImport, sendXlsx } from './enterprises.ts';

const tags = ['data-on-file'];
const sourceParams = params({ source: { type: 'string', minLength: 1, maxLength: 40 } });

export async function proactiveRoutes(app: FastifyInstance, opts: { ctx: PlatformContext }) {
  const { ctx } = opts;

  app.get('/api/facts/sources', { schema: { tags, security: SESSION, summary: '部门数据来源：哪个部门报送哪些事实（fact-sources.yaml）' } }, async (req) => {
    requireUser(req);
    const rules = factSources();
    return {
      answerWorkingDays: rules.corrections.answerWorkingDays,
      sources: rules.sources.map((s) => ({
        id: s.id,
        zh: s.zh,
        en: s.en,
        department: s.department,
        departmentName: ctx.engine.policy.agencies.get(s.department)?.name ?? s.department,
        why: s.why,
        whyEn: s.whyEn,
        facts: s.facts.map((f) => ({ name: f, label: ctx.engine.policy.facts.get(f)?.label ?? f, labelEn: ctx.engine.policy.facts.get(f)?.labelEn ?? f, type: ctx.engine.policy.facts.get(f)?.type })),
      })),
    };
  });

  app.get(
    '/api/facts/sources/:source/template.:format',
    { schema: { tags, security: SESSION, summary: '下载某数据来源的报送模板（xlsx 或 csv）', params: params({ source: { type: 'string', minLength: 1, maxLength: 40 }, format: { type: 'string', enum: ['xlsx', 'csv'] } }) } },
    async (req, reply) => {
      requireUser(req);
      const { source, format } = req.params as { source: string; format: 'xlsx' | 'csv' };
      const s = sourceById(factSources(), source);
      const data = await batchTemplate(ctx, s.id, format);
      if (format === 'csv') return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', attachment(`${s.zh}数据报送模板.csv`, `${s.id}-template.csv`)).send(data);
      return sendXlsx(reply, data, `${s.zh}数据报送模板.xlsx`, `${s.id}-template.xlsx`);
    },
  );

  app.post(
    '/api/facts/batches/:source',
    {
      schema: {
        tags,
        security: SESSION,
        headers: IDEMPOTENCY_HEADERS,
        summary: '报送一批部门数据（JSON；报送部门本身）：逐行校验，任一行有误则全部不写入；同一内容重复报送为同一批次',
        params: sourceParams,
        body: body({ asOf: DATE, rows: { type: 'array', maxItems: 100000, items: { type: 'object' } } }, ['asOf', 'rows']),
      },
    },
    async (req, reply) => {
      const user = requireUser(req);
      const b = req.body as { asOf: string; rows: unknown[] };
      return idempotent(ctx, req, reply, (c) => loadFactBatch(c, user, { source: (req.params as { source: string }).source, asOf: b.asOf, rows: b.rows }, { ip: req.ip }), { status: (r) => (r.duplicate ? 200 : 201) });
    },
  );

  app.post(
    '/api/facts/batches/:source/import',
    {
      schema: {
        tags,
        security: SESSION,
        headers: IDEMPOTENCY_HEADERS,
        summary: '上传一批部门数据（Excel 或 CSV，模板格式；报送部门本身）：errors[].path = rows[N].字段',
        description: 'multipart/form-data with one .xlsx or .csv file (field name "file"); the as-of date of the data in the query.',
        consumes: ['multipart/form-data'],
        params: sourceParams,
        querystring: query({ asOf: DATE }),
      },
    },
    excelImport(
      ctx,
      (req) => {
        const user = requireUser(req);
        if (!(req.query as { asOf?: string }).asOf) throw new KaifangError({ code: 'required', path: 'querystring.asOf', zh: '请填写数据基准日', en: 'the as-of date is required' });
        if (user.role !== 'departmentReviewer') throw new KaifangError({ code: 'forbidden', zh: '只有报送部门可以报送数据', en: 'only the department that holds the data loads it' });
      },
      (c, req, file, slot) =>
        loadFactBatch(c, requireUser(req), { source: (req.params as { source: string }).source, asOf: (req.query as { asOf: string }).asOf, file: { name: file.fileName, data: file.data } }, { ip: req.ip, read: { limits: importLimits(ctx.config), slot } }),
    ),
  );

  app.get(
    '/api/facts/batches',
    { schema: { tags, security: SESSION, summary: '部门数据批次（部门看本部门的；审计、财政、管理员看全部）', querystring: query({ source: TEXT(40) }) } },
    async (req) => ({ items: await listBatches(ctx, requireUser(req), { source: (req.query as { source?: string }).source }) }),
  );

  app.get(
    '/api/enterprises/:uscc/data-on-file/:year',
    {
      schema: {
        tags,
        security: SESSION,
        summary: '企业在档事实：企业自报与部门数据并列（来源、批次、基准日、报送人），任一日期的取值；免申即享使用哪一个',
        params: params({ uscc: { type: 'string', minLength: 1, maxLength: 40 }, year: YEAR }),
        querystring: query({ asOf: DATE }),
      },
    },
    async (req) => {
      const { uscc, year } = req.params as { uscc: string; year: string };
      return factsOnFileView(ctx, requireUser(req), uscc, Number(year), (req.query as { asOf?: string }).asOf);
    },
  );

  app.post(
    '/api/facts/corrections',
    {
      schema: {
        tags,
        security: SESSION,
        headers: IDEMPOTENCY_HEADERS,
        summary: '企业对部门数据提出更正申请（转报送部门，限时答复）',
        body: body({ year: { type: 'integer', minimum: 2000, maximum: 2100 }, fact: TEXT(60), requestedValue: {}, reason: LONG_TEXT(2000) }, ['year', 'fact', 'reason']),
      },
    },
    async (req, reply) => {
      const user = requireUser(req);
      return idempotent(ctx, req, reply, (c) => fileCorrection(c, user, req.body as never, req.ip), { status: 201 });
    },
  );

  app.get(
    '/api/facts/corrections',
    { schema: { tags, security: SESSION, summary: '数据更正申请（企业看本企业的，部门看须本部门答复的，审计看全部）', querystring: query({ status: { type: 'string', enum: ['open', 'corrected', 'refused'] } }) } },
    async (req) => ({ items: await listCorrections(ctx, requireUser(req), req.query as never) }),
  );

  app.post(
    '/api/facts/corrections/:id/answer',
    {
      schema: {
        tags,
        security: SESSION,
        headers: IDEMPOTENCY_HEADERS,
        summary: '报送部门答复更正申请：更正（以更正批次写入新值）或不予更正（说明理由）',
        params: params({ id: ID }),
        body: body({ decision: { type: 'string', enum: ['corrected', 'refused'] }, value: {}, asOf: DATE, reason: LONG_TEXT(2000) }, ['decision']),
      },
    },
    async (req, reply) => {
      const user = requireUser(req);
      return idempotent(ctx, req, reply, (c) => answerCorrection(c, user, idParam(req), req.body as never, req.ip));
    },
  );

}
