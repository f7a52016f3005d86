/**
 * 政企服务 (measure 21) over HTTP: the catalogue of request categories with their units and limits, enterprises'
 * requests and their workflow, attachments, the figures (for officials, and without names for everyone), the
 * liaison assignments. Scope is the service's (src/service-desk/requests.ts): outside it a request does not exist.
 */
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { PlatformContext } from '../../claims/context.ts';
import { KaifangError, ValidationError } from '../../errors.ts';
import { authorize } from '../../identity/access.ts';
import { requireUser } from '../auth.ts';
import { idempotent, requestHash } from '../idempotency.ts';
import { readUploadedFile } from '../multipart.ts';
import { attachment, body, DATE, EMPTY_BODY, ID, ID_NUMBER, idParam, IDEMPOTENCY_HEADERS, LONG_TEXT, PAGE_QUERY, pageOf, params, query, SESSION, TEXT, USCC } from '../schemas.ts';
import { serviceDeskRules, answerLimitOf } from '../../service-desk/rules.ts';
import {
  acknowledgeRequest,
  answerRequest,
  askForInformation,
  assignLiaison,
  attachFile,
  downloadFile,
  escalateOverdue,
  fileRequest,
  getRequest,
  listLiaisons,
  listRequests,
  rateRequest,
  reopenRequest,
  supplyInformation,
  transferRequest,
  unitName,
} from '../../service-desk/requests.ts';
import { GROUPINGS, requestFigures, type Grouping } from '../../service-desk/figures.ts';
import { listVisits, logVisit, myEnterprises } from '../../service-desk/visits.ts';
import { addProduct, financingPipeline, getNeed, listBanks, listNeeds, listProducts, postNeed, respondToMatch } from '../../service-desk/financing.ts';
import { askForAssistance, assignAgent, assistanceCatalogue, getAssistance, listAssistance, recordAssistance } from '../../service-desk/assistance.ts';
import { SERVICE_REQUEST_STATES } from '../../db/schema.ts';
import { acquireImportSlot, IMPORT_RETRY_AFTER_SECONDS, importLimits } from '../../excel/read-workbook.ts';
import { answerReport, answersWorkbook, chaseReport, defineReport, getReport, importAnswers, listReports, reportCompletion, reportTemplate } from '../../service-desk/direct-reports.ts';

const tags = ['service-desk'];
const figuresQuery = query({ by: { type: 'string', enum: [...GROUPINGS] }, from: DATE, to: DATE });

export async function serviceDeskRoutes(app: FastifyInstance, opts: { ctx: PlatformContext }) {
  const { ctx } = opts;

  app.get('/api/service-desk/catalog', { schema: { tags, security: SESSION, summary: '诉求类别目录：每类的承办单位（部门或企业所在区镇）与签收、答复时限（工作日），及其依据' } }, async (req) => {
    requireUser(req);
    const rules = serviceDeskRules();
    return {
      measure: rules.measure,
      clause: rules.requests.clause,
      limits: rules.requests.limits,
      reopen: rules.requests.reopen,
      satisfaction: rules.requests.satisfaction,
      routing: rules.requests.routing,
      categories: rules.requests.categories.map((c) => ({
        id: c.id,
        zh: c.zh,
        en: c.en,
        unit: c.unit === 'area' ? 'area' : `department:${c.unit}`,
        unitZh: c.unit === 'area' ? '企业所在区镇' : unitName(ctx, { kind: 'department', id: c.unit }).zh,
        unitEn: c.unit === 'area' ? "the enterprise's own area" : unitName(ctx, { kind: 'department', id: c.unit }).en,
        acknowledgeWorkingDays: rules.requests.limits.acknowledgeWorkingDays,
        answerWorkingDays: answerLimitOf(rules, c),
      })),
      units: [...ctx.engine.policy.agencies.values()]
        .filter((a) => /bureau|office|commission|department/.test(a.id))
        .map((a) => ({ id: `department:${a.id}`, zh: a.name, en: a.nameEn ?? a.name })),
    };
  });

  app.post(
    '/api/service-requests',
    {
      schema: {
        tags,
        security: SESSION,
        summary: '企业提出诉求：按类别分送承办单位，计算签收、答复期限（工作日）',
        headers: IDEMPOTENCY_HEADERS,
        body: body({ category: TEXT(40), title: TEXT(100), description: LONG_TEXT(4000) }, ['category', 'title', 'description']),
      },
    },
    async (req, reply) => {
      const user = requireUser(req);
      return idempotent(ctx, req, reply, (c) => fileRequest(c, user, req.body as never, req.ip), { status: 201 });
    },
  );

  app.get(
    '/api/service-requests',
    {
      schema: {
        tags,
        security: SESSION,
        summary: '诉求列表：企业看自己的；部门、区镇看本单位的待办（超期的在前），scope=liaison 看挂钩企业的；审计看全部',
        querystring: query({
          scope: { type: 'string', enum: ['unit', 'liaison'] },
          state: { type: 'string', enum: [...SERVICE_REQUEST_STATES, 'open'] },
          overdue: { type: 'string', enum: ['true', 'false'] },
          category: TEXT(40),
          ...PAGE_QUERY,
        }),
      },
    },
    async (req) => {
      const user = requireUser(req);
      authorize(user, 'serviceRequest.read', { enterpriseUscc: user.enterpriseUscc });
      await escalateOverdue(ctx);
      const q = req.query as { scope?: 'unit' | 'liaison'; state?: never; overdue?: string; category?: string };
      return listRequests(ctx, user, { ...q, overdue: q.overdue === undefined ? undefined : q.overdue === 'true', ...pageOf(req) });
    },
  );

  app.get('/api/service-requests/figures', { schema: { tags, security: SESSION, summary: '诉求统计（按单位、类别、区镇）：受理、按时答复、平均工作日、办结率、满意率', querystring: figuresQuery } }, async (req) => {
    authorize(requireUser(req), 'serviceFigures.read');
    await escalateOverdue(ctx);
    const q = req.query as { by?: Grouping; from?: string; to?: string };
    return requestFigures(ctx, q);
  });

  app.get(
    '/api/public/service-requests/figures',
    { config: { public: true }, schema: { tags, summary: '诉求办理情况公开（不含企业名称）：按单位、类别、区镇的受理、按时答复、平均工作日、办结率、满意率', querystring: figuresQuery } },
    async (req) => requestFigures(ctx, req.query as { by?: Grouping; from?: string; to?: string }),
  );

  app.get('/api/service-requests/:id', { schema: { tags, security: SESSION, summary: '诉求详情：期限、状态、答复、评价、全部经过（含转办）与附件', params: params({ id: ID }) } }, async (req) =>
    getRequest(ctx, requireUser(req), idParam(req)),
  );

  const action = (verb: string, summary: string, schemaBody: object, run: (user: ReturnType<typeof requireUser>, id: number, b: never, ip: string) => Promise<unknown>) =>
    app.post(`/api/service-requests/:id/${verb}`, { schema: { tags, security: SESSION, summary, params: params({ id: ID }), body: schemaBody } }, async (req) =>
      run(requireUser(req), idParam(req), (req.body ?? {}) as never, req.ip),
    );
  action('acknowledge', '签收（承办单位）', EMPTY_BODY, (u, id, _b, ip) => acknowledgeRequest(ctx, u, id, ip));
  action('transfer', '转办到另一单位（期限与经过随之转移）', body({ toUnit: TEXT(100), reason: LONG_TEXT(500) }, ['toUnit', 'reason']), (u, id, b, ip) => transferRequest(ctx, u, id, b, ip));
  action('ask-info', '请企业补充（计时暂停）', body({ question: LONG_TEXT(2000) }, ['question']), (u, id, b, ip) => askForInformation(ctx, u, id, b, ip));
  action('answer', '答复（承办单位）', body({ answer: LONG_TEXT(4000) }, ['answer']), (u, id, b, ip) => answerRequest(ctx, u, id, b, ip));
  action('supply-info', '企业补充材料（计时继续）', body({ reply: LONG_TEXT(4000) }, ['reply']), (u, id, b, ip) => supplyInformation(ctx, u, id, b, ip));
  action('rate', '企业评价答复（办结）', body({ rating: { type: 'integer', minimum: 1, maximum: 10 }, comment: LONG_TEXT(1000) }, ['rating']), (u, id, b, ip) => rateRequest(ctx, u, id, b, ip));
  action('reopen', '企业说明理由重新提起', body({ reason: LONG_TEXT(1000) }, ['reason']), (u, id, b, ip) => reopenRequest(ctx, u, id, b, ip));

  const limitMb = Math.round(ctx.config.maxEvidenceBytes / 1024 / 1024);
  app.post(
    '/api/service-requests/:id/files',
    { schema: { tags, security: SESSION, summary: `诉求附件（multipart 字段 file：PDF、JPG、PNG、XLSX、DOCX，≤ ${limitMb}MB；提出诉求的企业）`, consumes: ['multipart/form-data'], params: params({ id: ID }), headers: IDEMPOTENCY_HEADERS } },
    async (req, reply) => {
      const user = requireUser(req);
      const upload = await readUploadedFile(req, {
        limitBytes: ctx.config.maxEvidenceBytes,
        tooLarge: () => new ValidationError([new KaifangError({ code: 'payload_too_large', path: 'file', zh: `文件超过${limitMb}MB上限`, en: `the file exceeds the ${limitMb} MB limit` })]),
      });
      const fileName = path.basename(upload.fileName);
      const sha256 = createHash('sha256').update(upload.data).digest('hex');
      return idempotent(ctx, req, reply, (c) => attachFile(c, user, idParam(req), { fileName, data: upload.data }, req.ip), {
        status: (r) => (r.created ? 201 : 200),
        hash: requestHash(req, { fileName, sha256 }),
      });
    },
  );
  app.get('/api/service-requests/:id/files/:fileId', { schema: { tags, security: SESSION, summary: '下载诉求附件', params: params({ id: ID, fileId: ID }) } }, async (req, reply) => {
    const f = await downloadFile(ctx, requireUser(req), idParam(req), idParam(req, 'fileId'));
    return reply.header('content-type', f.mimeType).header('content-disposition', attachment(f.fileName, 'attachment')).send(f.data);
  });

  // ── 企业信息直报 (direct reporting) ──────────────────────────────────────────────────────────────────────────
  const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
  const period = { type: 'string', pattern: '^\\d{4}-(0[1-9]|1[0-2]|Q[1-4])$', description: '2020-06 (monthly) or 2020-Q2 (quarterly)' } as const;
  const field = {
    type: 'object',
    additionalProperties: false,
    properties: { key: TEXT(40), label: TEXT(60), type: TEXT(20), unit: TEXT(20), required: { type: 'boolean' }, fact: TEXT(60) },
  } as const;
  app.get('/api/direct-reports', { schema: { tags, security: SESSION, summary: '企业信息直报：设定部门看本部门的，审计看全部，企业看要求其报送的（含本期是否已报、是否逾期）' } }, async (req) =>
    listReports(ctx, requireUser(req)),
  );
  app.post(
    '/api/direct-reports',
    {
      schema: {
        tags,
        security: SESSION,
        summary: '设定直报报表（部门）：填报项（类型、单位、对应政策事实）、按月或按季、次月截止日、报送企业（区镇、产业类别或名单）',
        headers: IDEMPOTENCY_HEADERS,
        body: body(
          {
            title: TEXT(100),
            periodKind: { type: 'string', enum: ['month', 'quarter'] },
            dueDay: { type: 'integer' },
            firstPeriod: period,
            fields: { type: 'array', maxItems: 40, items: field },
            audience: {
              type: 'object',
              additionalProperties: false,
              properties: { areas: { type: 'array', maxItems: 50, items: TEXT(60) }, industryClasses: { type: 'array', maxItems: 3, items: TEXT(20) }, usccs: { type: 'array', maxItems: 2000, items: TEXT(18) } },
            },
          },
          ['title', 'periodKind', 'dueDay', 'fields', 'audience'],
        ),
      },
    },
    async (req, reply) => {
      const user = requireUser(req);
      return idempotent(ctx, req, reply, (c) => defineReport(c, user, req.body as never, req.ip), { status: 201 });
    },
  );
  app.get('/api/direct-reports/:id', { schema: { tags, security: SESSION, summary: '直报报表的定义与本期', params: params({ id: ID }) } }, async (req) => getReport(ctx, requireUser(req), idParam(req)));
  app.post(
    '/api/direct-reports/:id/answers',
    { schema: { tags, security: SESSION, summary: '企业网上填报（一期；再次填报替换前一次）', params: params({ id: ID }), body: body({ period, values: { type: 'object', maxProperties: 40, additionalProperties: { type: ['string', 'number', 'boolean', 'null'], maxLength: 500 } } }, ['values']) } },
    async (req) => answerReport(ctx, requireUser(req), idParam(req), req.body as never, req.ip),
  );
  const limits = importLimits(ctx.config);
  app.post(
    '/api/direct-reports/:id/answers/import',
    { schema: { tags, security: SESSION, summary: '企业以 Excel 填报（模板：统一社会信用代码、报告期、各填报项；每期一行；有错全部不导入，按行号指出）', consumes: ['multipart/form-data'], params: params({ id: ID }), headers: IDEMPOTENCY_HEADERS } },
    async (req, reply) => {
      const user = requireUser(req);
      let slot;
      try {
        slot = acquireImportSlot(limits);
      } catch (e) {
        reply.header('retry-after', String(IMPORT_RETRY_AFTER_SECONDS));
        throw e;
      }
      try {
        const { fileName, data } = await readUploadedFile(req, {
          limitBytes: ctx.config.maxEvidenceBytes,
          tooLarge: () => new ValidationError([new KaifangError({ code: 'payload_too_large', path: 'file', zh: `文件超过${limitMb}MB上限`, en: `the file exceeds the ${limitMb} MB limit` })]),
        });
        const sha256 = createHash('sha256').update(data).digest('hex');
        const taken = slot;
        return await idempotent(ctx, req, reply, (c) => importAnswers(c, user, idParam(req), data, { limits, slot: taken }, req.ip), { hash: requestHash(req, { fileName, sha256 }) });
      } finally {
        slot.release();
      }
    },
  );
  app.get('/api/direct-reports/:id/template.xlsx', { schema: { tags, security: SESSION, summary: '直报 Excel 模板', params: params({ id: ID }) } }, async (req, reply) => {
    const file = await reportTemplate(ctx, requireUser(req), idParam(req));
    return reply.header('content-type', XLSX).header('content-disposition', attachment(`直报模板-${idParam(req)}.xlsx`, `report-${idParam(req)}-template.xlsx`)).send(file);
  });
  app.get('/api/direct-reports/:id/completion', { schema: { tags, security: SESSION, summary: '报送完成情况：每期按区镇的应报、已报、逾期，及所选一期未报的企业（设定部门、审计）', params: params({ id: ID }), querystring: query({ period }) } }, async (req) =>
    reportCompletion(ctx, requireUser(req), idParam(req), (req.query as { period?: string }).period),
  );
  app.post('/api/direct-reports/:id/chase', { schema: { tags, security: SESSION, summary: '催报：提醒该期未报企业（消息中心）', params: params({ id: ID }), body: body({ period }) } }, async (req) =>
    chaseReport(ctx, requireUser(req), idParam(req), (req.body ?? {}) as never, req.ip),
  );
  app.get('/api/direct-reports/:id/answers.xlsx', { schema: { tags, security: SESSION, summary: '下载全部报送数据（Excel）', params: params({ id: ID }) } }, async (req, reply) => {
    const file = await answersWorkbook(ctx, requireUser(req), idParam(req));
    return reply.header('content-type', XLSX).header('content-disposition', attachment(`直报数据-${idParam(req)}.xlsx`, `report-${idParam(req)}-answers.xlsx`)).send(file);
  });

  // ── 挂钩联系与走访记录 ─────────────────────────────────────────────────────────────────────────────────────────
  app.get('/api/liaison/enterprises', { schema: { tags, security: SESSION, summary: '我挂钩联系的企业：挂钩领导或联络专员、未办结与超期诉求数、本期走访次数、最近走访' } }, async (req) =>
    myEnterprises(ctx, requireUser(req)),
  );
  app.get('/api/liaison/visits', { schema: { tags, security: SESSION, summary: '一家企业的走访记录（其挂钩领导和联络专员、企业本身、审计），及“无事不扰”规则与本期次数', querystring: query({ uscc: USCC }) } }, async (req) =>
    listVisits(ctx, requireUser(req), (req.query as { uscc?: string }).uscc ?? ''),
  );
  app.post(
    '/api/liaison/visits',
    {
      schema: {
        tags,
        security: SESSION,
        summary: '登记走访（挂钩领导或联络专员）：超过每期次数的须写明事由（无事不扰）',
        headers: IDEMPOTENCY_HEADERS,
        body: body({ uscc: USCC, visitedOn: DATE, visitors: TEXT(200), asked: LONG_TEXT(2000), followUps: LONG_TEXT(2000), reason: LONG_TEXT(500) }, ['uscc', 'visitedOn', 'visitors', 'asked']),
      },
    },
    async (req, reply) => {
      const user = requireUser(req);
      return idempotent(ctx, req, reply, (c) => logVisit(c, user, req.body as never, req.ip), { status: 201 });
    },
  );

  // ── 帮办代办 ──────────────────────────────────────────────────────────────────────────────────────────────────
  app.get('/api/public/assistance/catalogue', { config: { public: true }, schema: { tags, summary: '帮办代办事项目录清单（公开）：事项、承办单位、办理步骤' } }, async () => assistanceCatalogue(ctx));
  app.get('/api/assistance', { schema: { tags, security: SESSION, summary: '帮办代办：企业看自己的；承办单位看本单位的及自己帮办的；审计看全部' } }, async (req) => listAssistance(ctx, requireUser(req)));
  app.post(
    '/api/assistance',
    { schema: { tags, security: SESSION, summary: '企业申请帮办代办（目录中的事项）', headers: IDEMPOTENCY_HEADERS, body: body({ item: TEXT(60), note: LONG_TEXT(1000) }, ['item']) } },
    async (req, reply) => {
      const user = requireUser(req);
      return idempotent(ctx, req, reply, (c) => askForAssistance(c, user, req.body as never, req.ip), { status: 201 });
    },
  );
  app.get('/api/assistance/:id', { schema: { tags, security: SESSION, summary: '帮办事项：帮办员、各步骤、结果', params: params({ id: ID }) } }, async (req) => getAssistance(ctx, requireUser(req), idParam(req)));
  app.post('/api/assistance/:id/assign', { schema: { tags, security: SESSION, summary: '指定帮办员（承办单位；默认本人）', params: params({ id: ID }), body: body({ agentUserId: ID_NUMBER }) } }, async (req) =>
    assignAgent(ctx, requireUser(req), idParam(req), (req.body ?? {}) as never, req.ip),
  );
  app.post('/api/assistance/:id/progress', { schema: { tags, security: SESSION, summary: '帮办员登记步骤（step）或办理结果（result）', params: params({ id: ID }), body: body({ step: TEXT(60), note: LONG_TEXT(1000), result: LONG_TEXT(2000) }) } }, async (req) =>
    recordAssistance(ctx, requireUser(req), idParam(req), (req.body ?? {}) as never, req.ip),
  );

  // ── 综合金融服务平台 ─────────────────────────────────────────────────────────────────────────────────────────
  app.get('/api/financing/products', { schema: { tags, security: SESSION, summary: '银行产品目录（区金融办维护；银行只看本网点的）' } }, async (req) => listProducts(ctx, requireUser(req)));
  app.post(
    '/api/financing/products',
    { schema: { tags, security: SESSION, summary: '新增银行产品（区金融办）', body: body({ bankUserId: ID_NUMBER, name: TEXT(100), kind: TEXT(40), minFen: { type: 'integer', minimum: 0 }, maxFen: { type: 'integer', minimum: 0 }, maxTermMonths: { type: 'integer' }, securities: { type: 'array', maxItems: 4, items: TEXT(20) } }, ['bankUserId', 'name', 'kind', 'minFen', 'maxFen', 'maxTermMonths', 'securities']) } },
    async (req, reply) => reply.code(201).send(await addProduct(ctx, requireUser(req), req.body as never, req.ip)),
  );
  app.get('/api/financing/needs', { schema: { tags, security: SESSION, summary: '融资需求：企业看自己的；银行只看与本网点产品匹配的；区金融办、审计看全部' } }, async (req) => listNeeds(ctx, requireUser(req)));
  app.post(
    '/api/financing/needs',
    { schema: { tags, security: SESSION, summary: '企业发布融资需求：自动匹配银行产品并写明理由', headers: IDEMPOTENCY_HEADERS, body: body({ amountFen: { type: 'integer', minimum: 1 }, termMonths: { type: 'integer' }, purpose: LONG_TEXT(500), security: TEXT(20), urgency: { type: 'string', enum: ['normal', 'urgent'] } }, ['amountFen', 'termMonths', 'purpose', 'security']) } },
    async (req, reply) => {
      const user = requireUser(req);
      return idempotent(ctx, req, reply, (c) => postNeed(c, user, req.body as never, req.ip), { status: 201 });
    },
  );
  app.get('/api/financing/needs/:id', { schema: { tags, security: SESSION, summary: '融资需求详情与匹配（银行只看本网点的匹配）', params: params({ id: ID }) } }, async (req) => getNeed(ctx, requireUser(req), idParam(req)));
  app.post(
    '/api/financing/matches/:id/respond',
    { schema: { tags, security: SESSION, summary: '银行答复：有意向、不予受理，或登记放款金额与日期', params: params({ id: ID }), body: body({ status: { type: 'string', enum: ['interested', 'declined', 'granted'] }, note: LONG_TEXT(1000), grantedFen: { type: 'integer', minimum: 1 }, grantedOn: DATE }, ['status']) } },
    async (req) => respondToMatch(ctx, requireUser(req), idParam(req), req.body as never, req.ip),
  );
  app.get('/api/financing/banks', { schema: { tags, security: SESSION, summary: '银行网点账户（区金融办选择产品所属网点）' } }, async (req) => listBanks(ctx, requireUser(req)));
  app.get('/api/financing/pipeline', { schema: { tags, security: SESSION, summary: '融资对接情况（区金融办、审计）：需求、匹配、答复、累计放款与1000亿元目标' } }, async (req) => financingPipeline(ctx, requireUser(req)));

  app.get('/api/service-liaisons', { schema: { tags, security: SESSION, summary: '挂钩领导与联络专员：管理员、审计看全部，工作人员看自己挂钩的企业，企业看自己的' } }, async (req) => ({ items: await listLiaisons(ctx, requireUser(req)) }));
  app.post(
    '/api/service-liaisons',
    { schema: { tags, security: SESSION, summary: '指定挂钩领导（leader）或联络专员（officer）（管理员）', body: body({ uscc: USCC, userId: ID_NUMBER, kind: { type: 'string', enum: ['leader', 'officer'] } }, ['uscc', 'userId', 'kind']) } },
    async (req, reply) => {
      await assignLiaison(ctx, requireUser(req), req.body as never, req.ip);
      return reply.code(201).send({ ok: true });
    },
  );
}
