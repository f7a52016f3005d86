// Claims (申报): list, queues, create, read, correct, submit, withdraw, review (初审 / 审核 / 联审), corrections, and the
// follow-up of clawbacks (追回跟踪: /api/recoveries).
import type { FastifyInstance } from 'fastify';
import { CLAIM_STATES, type ClaimState } from '../../db/schema.ts';
import { KaifangError } from '../../errors.ts';
import { listScope } from '../../identity/access.ts';
import { createClaim, getClaimDetail, listClaims, queueCounts, updateClaim, type ClaimView } from '../../claims/claims.ts';
import { correctAward, reviewClaim, submitClaim, withdrawClaim } from '../../claims/workflow.ts';
import { claimCorrections, listRecoveries, pageRecoveries, recordRecovery, type RecoveryFilter } from '../../claims/recoveries.ts';
import { recoveryWorkbook } from '../../excel/recoveries.ts';
import type { PlatformContext } from '../../claims/context.ts';
import { requireUser } from '../auth.ts';
import { idempotent } from '../idempotency.ts';
import { attachment, body, optionalBody, DATE, EMPTY_BODY, FEN, ID, idParam, IDEMPOTENCY_HEADERS, LONG_TEXT, PAGE_QUERY, pageOf, params, query, SESSION, TEXT, VERSION, YEAR } from '../schemas.ts';

const tags = ['claims'];
const idParams = params({ id: ID });

/** The claim as the API shows it; `measure` and `incentiveTitle` repeat measureId and title under the names the web app reads. */
export function claimJson<T extends ClaimView>(v: T) {
  return { ...v, measure: v.measureId, incentiveTitle: v.title };
}

const claimInput = {
  item: { type: ['string', 'null'], maxLength: 200, description: 'the thing claimed for (project, trademark, carrier …) where the incentive counts per item' },
  date: { anyOf: [DATE, { type: 'null' }], description: 'date of the qualifying event' },
  amountClaimedFen: { anyOf: [FEN, { type: 'null' }], description: 'amount claimed, for capped claims (最高…)' },
  facts: { type: 'object', description: 'fact name → value (README "Facts format")' },
} as const;

export async function claimRoutes(app: FastifyInstance, opts: { ctx: PlatformContext }) {
  const { ctx } = opts;

  app.get(
    '/api/claims',
    {
      schema: {
        tags,
        security: SESSION,
        summary: '申报列表（按角色范围；queue=mine 为待我处理）',
        querystring: query({
          state: { type: 'string', enum: [...CLAIM_STATES] },
          measure: TEXT(20),
          incentive: TEXT(100),
          areaId: TEXT(40),
          year: YEAR,
          q: TEXT(100),
          queue: { type: 'string', enum: ['mine'] },
          cursor: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,200}$', description: 'the nextCursor of the page before: seek past it (page is then ignored)' },
          ...PAGE_QUERY,
        }),
      },
    },
    async (req) => {
      const user = requireUser(req);
      if (listScope(user, 'claim.read', ctx.access).kind === 'none') throw new KaifangError({ code: 'forbidden', zh: '无权查看申报', en: 'not allowed to read claims', details: { action: 'claim.read', role: user.role } });
      const { cursor, ...q } = req.query as { state?: ClaimState; measure?: string; incentive?: string; areaId?: string; year?: string; q?: string; queue?: 'mine'; cursor?: string };
      const { page, pageSize } = pageOf(req);
      const result = await listClaims(ctx, user, { ...q, year: q.year ? Number(q.year) : undefined }, page, pageSize, cursor);
      return { ...result, items: result.items.map((i) => ({ ...claimJson(i), decidedFen: i.decidedAmountFen })) };
    },
  );

  app.get('/api/claims/queues', { schema: { tags, security: SESSION, summary: '各环节待办数量（按角色范围）' } }, async (req) => queueCounts(ctx, requireUser(req)));

  app.post(
    '/api/claims',
    {
      schema: {
        tags,
        security: SESSION,
        summary: '新建申报（草稿；企业用户）',
        headers: IDEMPOTENCY_HEADERS,
        body: body({ incentive: TEXT(100), year: { type: 'integer', minimum: 2000, maximum: 2100 }, ...claimInput }, ['incentive', 'year']),
      },
    },
    async (req, reply) => {
      const user = requireUser(req);
      return idempotent(ctx, req, reply, async (c) => claimJson(await createClaim(c, user, req.body as never, req.ip)), { status: 201 });
    },
  );

  app.get('/api/claims/:id', { schema: { tags, security: SESSION, summary: '申报详情（官员查看留痕）', params: idParams } }, async (req) => {
    const id = idParam(req);
    const d = await getClaimDetail(ctx, requireUser(req), id, req.ip);
    const batches = (Array.isArray(d.publicity) ? d.publicity : []).map((p) => ({ id: p.batchId, ...p }));
    return {
      ...d,
      claim: claimJson(d.claim),
      evidence: d.evidence.map((e) => ({ ...e, url: `/api/claims/${id}/evidence/${e.id}` })),
      reviews: d.reviews.map((r) => ({ ...r, actorName: r.actor })),
      publicity: batches.at(-1) ?? null,
      publicityHistory: batches,
      payment: d.payment ? { claimId: id, ...d.payment } : null,
    };
  });

  app.patch(
    '/api/claims/:id',
    {
      schema: {
        tags,
        security: SESSION,
        summary: '修改申报（草稿或退回修改；企业用户）',
        params: idParams,
        body: body({ ...claimInput, expectedVersion: { ...VERSION, description: 'refuse with 409 conflict if the claim changed since this version' } }),
      },
    },
    async (req) => claimJson(await updateClaim(ctx, requireUser(req), idParam(req), req.body as never, req.ip)),
  );

  app.post(
    '/api/claims/:id/submit',
    { schema: { tags, security: SESSION, summary: '提交申报（信用核查）', params: idParams, headers: IDEMPOTENCY_HEADERS, body: EMPTY_BODY } },
    async (req, reply) => {
      const user = requireUser(req);
      return idempotent(ctx, req, reply, (c) => submitClaim(c, user, idParam(req), req.ip));
    },
  );

  app.post(
    '/api/claims/:id/withdraw',
    { schema: { tags, security: SESSION, summary: '撤回申报（决定前）', params: idParams, headers: IDEMPOTENCY_HEADERS, body: optionalBody({ reason: LONG_TEXT(1000) }) } },
    async (req, reply) => {
      const user = requireUser(req);
      return idempotent(ctx, req, reply, (c) => withdrawClaim(c, user, idParam(req), (req.body as { reason?: string } | undefined)?.reason, req.ip));
    },
  );

  app.post(
    '/api/claims/:id/review',
    {
      schema: {
        tags,
        security: SESSION,
        summary: '审核：submitted→区镇初审；departmentReview→牵头部门审核（通过即决定，按台账重算金额）；jointReview→一事一议联审',
        description: '`return` and `reject` need `reason`; a joint decision needs `amountFen` and `meetingRef`.',
        params: idParams,
        headers: IDEMPOTENCY_HEADERS,
        body: body(
          {
            action: { type: 'string', enum: ['pass', 'return', 'reject'] },
            reason: LONG_TEXT(2000),
            amountFen: { type: 'integer', minimum: 1, maximum: 9007199254740991, description: '一事一议: amount decided by the joint meeting (fen)' },
            meetingRef: TEXT(200),
          },
          ['action'],
        ),
      },
    },
    async (req, reply) => {
      const user = requireUser(req);
      return idempotent(ctx, req, reply, (c) => reviewClaim(c, user, idParam(req), req.body as never, req.ip));
    },
  );

  app.post(
    '/api/claims/:id/corrections',
    {
      schema: {
        tags,
        security: SESSION,
        summary: '更正已决定的奖励：冲销（拨付前）或追回（拨付后），新增台账记录而不修改原记录（牵头部门）',
        description: 'A clawback opens a recovery to follow (应追回, `dueOn`: the optional deadline to pay back); see /api/recoveries.',
        params: idParams,
        headers: IDEMPOTENCY_HEADERS,
        body: body({ kind: { type: 'string', enum: ['reversal', 'clawback'] }, reason: LONG_TEXT(2000), amountFen: { type: 'integer', minimum: 1, maximum: 9007199254740991 }, dueOn: DATE }, ['kind', 'reason']),
      },
    },
    async (req, reply) => {
      const user = requireUser(req);
      return idempotent(ctx, req, reply, (c) => correctAward(c, user, idParam(req), req.body as never, req.ip), { status: 201 });
    },
  );

  // ── Corrections as the case view shows them, and the clawbacks' follow-up (追回跟踪; src/claims/recoveries.ts) ──
  app.get(
    '/api/claims/:id/corrections',
    { schema: { tags, security: SESSION, summary: '申报的台账与更正：奖励、已作更正、当前余额、可作的更正（冲销/追回）及追回跟踪', params: idParams } },
    async (req) => claimCorrections(ctx, requireUser(req), idParam(req)),
  );

  const recoveryQuery = {
    status: { type: 'string', enum: ['open', 'settled', 'all'], description: 'open: money outstanding (default) · settled · all' },
    measure: TEXT(20),
    q: TEXT(100),
    overdue: { type: 'string', enum: ['true', 'false'], description: 'true: only those past their deadline (缴回期限) with money outstanding' },
  } as const;
  const recoveryFilterOf = (req: { query: unknown }): RecoveryFilter => {
    const q = req.query as { status?: RecoveryFilter['status']; measure?: string; q?: string; overdue?: string };
    return { status: q.status ?? 'open', measure: q.measure || undefined, q: q.q?.trim() || undefined, overdue: q.overdue === 'true' };
  };

  app.get(
    '/api/recoveries',
    { schema: { tags, security: SESSION, summary: '追回跟踪清单：应追回、已到账、尚欠、逾期（牵头部门其条款；财政、审计全部；企业本企业）', querystring: query({ ...recoveryQuery, ...PAGE_QUERY }) } },
    async (req) => {
      const { page, pageSize } = pageOf(req);
      return pageRecoveries(ctx, requireUser(req), recoveryFilterOf(req), page, pageSize);
    },
  );

  // Every row of the caller's scope and filter: a follow-up list must never be cut short.
  app.get(
    '/api/recoveries/export.xlsx',
    { schema: { tags, security: SESSION, summary: '导出追回跟踪清单（Excel）', querystring: query(recoveryQuery) } },
    async (req, reply) => {
      const f = recoveryFilterOf(req);
      const rows = await listRecoveries(ctx, requireUser(req), f);
      const label = f.overdue ? '已逾期' : f.status === 'settled' ? '已追回' : f.status === 'all' ? '全部' : '未追回完毕';
      const file = await recoveryWorkbook(rows, { asOf: ctx.today(), status: label });
      return reply
        .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header('content-disposition', attachment(`追回跟踪-${ctx.today()}.xlsx`, `recoveries-${ctx.today()}.xlsx`))
        .send(file);
    },
  );

  app.post(
    '/api/recoveries/:id/receipts',
    {
      schema: {
        tags,
        security: SESSION,
        summary: '登记追回到账（牵头部门；可分次，累计不超过应追回金额；不另记台账）',
        params: idParams,
        headers: IDEMPOTENCY_HEADERS,
        body: body({ amountFen: { type: 'integer', minimum: 1, maximum: 9007199254740991 }, receivedOn: DATE, reference: TEXT(100), note: LONG_TEXT(1000) }, ['amountFen', 'receivedOn', 'reference']),
      },
    },
    async (req, reply) => {
      const user = requireUser(req);
      return idempotent(ctx, req, reply, (c) => recordRecovery(c, user, idParam(req), req.body as never, req.ip), { status: 201 });
    },
  );
}
