// 拨付批次: finance builds a batch of approved claims, exports the bank file, records the bank's return (by Excel or
// by hand); finance and auditors read batches. Enterprises' bank accounts: the administrator keeps them.
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { PlatformContext } from '../../claims/context.ts';
import {
  batchCandidates,
  batchWorkbook,
  buildBatch,
  cancelBatch,
  getBatch,
  getEnterpriseBankAccount,
  importReturnFile,
  listBatches,
  markExported,
  recordLineByHand,
  setEnterpriseBankAccount,
  type BatchFilters,
  type BatchStatus,
} from '../../claims/payment-batches.ts';
import { KaifangError } from '../../errors.ts';
import { acquireImportSlot, importLimits, IMPORT_RETRY_AFTER_SECONDS, type ImportSlot } from '../../excel/read-workbook.ts';
import { authorize } from '../../identity/access.ts';
import { requireUser } from '../auth.ts';
import { idempotent, requestHash } from '../idempotency.ts';
import { readUploadedFile } from '../multipart.ts';
import { attachment, body, DATE, ID, ID_NUMBER, idParam, IDEMPOTENCY_HEADERS, LONG_TEXT, PAGE_QUERY, pageOf, paginate, params, query, SESSION, TEXT, USCC } from '../schemas.ts';

const tags = ['payment-batches'];
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;
const FILTERS = {
  measure: { type: 'string', pattern: '^([0-9]{1,3}|general)$', description: '措施 (measure id)' },
  areaId: TEXT(60),
  approvedFrom: { ...DATE, description: '公示期满 from (inclusive)' },
  approvedTo: { ...DATE, description: '公示期满 to (inclusive)' },
} as const;

export async function paymentBatchRoutes(app: FastifyInstance, opts: { ctx: PlatformContext }) {
  const { ctx } = opts;
  const limits = importLimits(ctx.config);

  app.get('/api/payment-batches/candidates', { schema: { tags, security: SESSION, summary: '可组批的待拨付申报（不在未回盘的批次中），按措施、区镇、公示期满日期筛选', querystring: query(FILTERS) } }, async (req) => {
    const items = await batchCandidates(ctx, requireUser(req), req.query as BatchFilters);
    return { items, total: items.length, amountFen: items.reduce((s, i) => s + i.amountFen, 0) };
  });

  app.get(
    '/api/payment-batches',
    { schema: { tags, security: SESSION, summary: '拨付批次（新的在前）及各批次笔数、金额、成功、失败', querystring: query({ status: { type: 'string', enum: ['open', 'closed', 'cancelled'] }, ...PAGE_QUERY }) } },
    async (req) => {
      const { page, pageSize } = pageOf(req, 50);
      return paginate(await listBatches(ctx, requireUser(req), (req.query as { status?: BatchStatus }).status), page, pageSize);
    },
  );

  app.post(
    '/api/payment-batches',
    {
      schema: {
        tags,
        security: SESSION,
        summary: '组建拨付批次（财政）：锁定所选申报并重新核查状态、信用、应拨金额和银行账户；每笔金额为组批时的应拨金额',
        headers: IDEMPOTENCY_HEADERS,
        body: body({ title: TEXT(200), claimIds: { type: 'array', minItems: 1, items: ID_NUMBER }, filters: query(FILTERS) }, ['title', 'claimIds']),
      },
    },
    async (req, reply) => {
      const user = requireUser(req);
      return idempotent(ctx, req, reply, (c) => buildBatch(c, user, req.body as never, req.ip), { status: 201 });
    },
  );

  app.get('/api/payment-batches/:id', { schema: { tags, security: SESSION, summary: '拨付批次详情：每笔的账户、金额、结果、凭证号、失败原因，以及与台账、拨付记录的核对', params: params({ id: ID }) } }, async (req) => getBatch(ctx, requireUser(req), idParam(req)));

  const sendBook = (kind: 'bank' | 'return') => async (req: FastifyRequest, reply: FastifyReply) => {
    const id = idParam(req);
    const { file } = await batchWorkbook(ctx, requireUser(req), id, kind);
    const zh = kind === 'bank' ? `银行代发文件-批次${id}.xlsx` : `银行回盘模板-批次${id}.xlsx`;
    return reply.header('content-type', XLSX).header('content-disposition', attachment(zh, `payment-batch-${id}-${kind}.xlsx`)).send(file);
  };
  app.get('/api/payment-batches/:id/bank-file.xlsx', { schema: { tags, security: SESSION, summary: '银行代发文件（Excel）：每笔企业名称、信用代码、户名、开户行、账号、金额（元、分），合计行', params: params({ id: ID }) } }, sendBook('bank'));
  app.get('/api/payment-batches/:id/return-template.xlsx', { schema: { tags, security: SESSION, summary: '银行回盘模板（Excel）：代发文件加“结果（成功/失败）、凭证号、失败原因、拨付日期”列', params: params({ id: ID }) } }, sendBook('return'));

  app.post('/api/payment-batches/:id/export', { schema: { tags, security: SESSION, summary: '登记代发文件已导出送银行（此后不能撤销批次）', params: params({ id: ID }) } }, async (req) => markExported(ctx, requireUser(req), idParam(req), req.ip));
  app.post('/api/payment-batches/:id/cancel', { schema: { tags, security: SESSION, summary: '撤销未导出的批次（其申报回到待拨付，可重新组批）', params: params({ id: ID }) } }, async (req) => cancelBatch(ctx, requireUser(req), idParam(req), req.ip));

  app.post(
    '/api/payment-batches/:id/lines/:lineNo/return',
    {
      schema: {
        tags,
        security: SESSION,
        summary: '手工登记一笔的银行结果：成功（凭证号、拨付日期）或失败（原因）；成功与单笔拨付同样核查',
        params: params({ id: ID, lineNo: ID }),
        body: body({ result: { type: 'string', enum: ['paid', 'failed'] }, voucherNo: TEXT(100), paidOn: DATE, reason: LONG_TEXT(500) }, ['result']),
      },
    },
    async (req) => {
      const p = req.params as { lineNo: string };
      return recordLineByHand(ctx, requireUser(req), idParam(req), Number(p.lineNo), req.body as never, req.ip);
    },
  );

  app.post(
    '/api/payment-batches/:id/return',
    {
      schema: {
        tags,
        security: SESSION,
        headers: IDEMPOTENCY_HEADERS,
        summary: '上传银行回盘（Excel）：逐行核对，任一行有错则全部不登记，错误注明行号与列名',
        description: 'multipart/form-data with one .xlsx file (field "file", ≤ 10 MB): the return template of the batch with 结果 (成功/失败), 凭证号, 失败原因 and optionally 拨付日期 filled in; rows without a result stay pending. `paidOn`: the payment date of rows without their own.',
        consumes: ['multipart/form-data'],
        params: params({ id: ID }),
        querystring: query({ paidOn: DATE }),
      },
    },
    async (req, reply) => {
      const user = requireUser(req);
      authorize(user, 'payment.record', {}, ctx.access);
      // One of KAIFANG_IMPORTS_AT_ONCE places, taken before the upload is buffered (503 import_busy otherwise).
      let slot: ImportSlot;
      try {
        slot = acquireImportSlot(limits);
      } catch (e) {
        reply.header('retry-after', String(IMPORT_RETRY_AFTER_SECONDS));
        throw e;
      }
      try {
        const { fileName, data } = await readUploadedFile(req, {
          limitBytes: MAX_UPLOAD_BYTES,
          tooLarge: () => new KaifangError({ code: 'payload_too_large', zh: `文件不能超过 ${MAX_UPLOAD_BYTES / 1024 / 1024} MB`, en: `the file may not exceed ${MAX_UPLOAD_BYTES / 1024 / 1024} MB` }),
        });
        const id = idParam(req);
        const paidOn = (req.query as { paidOn?: string }).paidOn;
        const sha256 = createHash('sha256').update(data).digest('hex');
        return await idempotent(ctx, req, reply, (c) => importReturnFile(c, user, id, data, { paidOn, fileName, ip: req.ip, read: { limits, slot } }), {
          hash: requestHash(req, { fileName, sha256, paidOn: paidOn ?? '' }),
        });
      } finally {
        slot.release();
      }
    },
  );

  // Bank accounts (户名, 开户行, 账号): read by the administrator and finance, kept by the administrator.
  const usccParams = params({ uscc: USCC });
  app.get('/api/enterprises/:uscc/bank-account', { schema: { tags, security: SESSION, summary: '企业银行账户（管理员、财政）', params: usccParams } }, async (req) =>
    getEnterpriseBankAccount(ctx, requireUser(req), (req.params as { uscc: string }).uscc),
  );
  app.put(
    '/api/enterprises/:uscc/bank-account',
    {
      schema: {
        tags,
        security: SESSION,
        summary: '登记或修改企业银行账户（管理员；三项全空为清除）',
        params: usccParams,
        body: body({ accountName: TEXT(100), bankName: TEXT(100), accountNo: TEXT(64) }),
      },
    },
    async (req) => setEnterpriseBankAccount(ctx, requireUser(req), (req.params as { uscc: string }).uscc, req.body as never, req.ip),
  );
}
