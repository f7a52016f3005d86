// The audit log (auditors, administrators): the whole trail (filtered, a page at a time, and as Excel), one claim's
// trail, the action catalogue, the chain check as a job, and a signed anchor of the chain.
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AUDIT_ACTIONS, AUDIT_DOMAINS } from '../../audit/actions.ts';
import { anchorSettings, createAuditAnchor, loadAnchorKey, type AnchorKey, type AuditAnchor } from '../../audit/anchor.ts';
import { sealAuditChain, verifyAuditChain } from '../../audit/audit-log.ts';
import { browseAuditTrail, claimAuditTrail, exportAuditTrail, type AuditTrailQuery } from '../../audit/listing.ts';
import { actorOf, type PlatformContext } from '../../claims/context.ts';
import { KaifangError } from '../../errors.ts';
import { authorize } from '../../identity/access.ts';
import { requireUser } from '../auth.ts';
import { attachment, DATE, ID, idParam, PAGE_QUERY, pageOf, params, query, SESSION, TEXT } from '../schemas.ts';

const tags = ['audit'];
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The most records one export holds (KAIFANG_AUDIT_EXPORT_MAX_ROWS): beyond it the file says so and stops. */
export function auditExportMaxRows(env: Record<string, string | undefined> = process.env): number {
  const v = env.KAIFANG_AUDIT_EXPORT_MAX_ROWS?.trim();
  const n = v ? Number(v) : 100_000;
  // an .xlsx sheet holds 1,048,576 rows
  if (!Number.isSafeInteger(n) || n < 1 || n > 1_000_000) throw new Error(`KAIFANG_AUDIT_EXPORT_MAX_ROWS must be a whole number from 1 to 1000000, not "${v}"`);
  return n;
}

const TRAIL_QUERY = {
  actor: { ...TEXT(100), description: 'the username as recorded (also system, cli)' },
  action: { ...TEXT(2000), description: "one action, several separated by commas, or a prefix ending in '.' (claim.)" },
  entity: TEXT(50),
  entityId: TEXT(100),
  from: { ...DATE, description: 'first civil date (Asia/Shanghai), included' },
  to: { ...DATE, description: 'last civil date (Asia/Shanghai), included' },
  ip: { ...TEXT(64), description: "client address: exact, or a prefix ending in '.' or ':'" },
  actorUserId: ID,
} as const;

function trailQueryOf(req: FastifyRequest): AuditTrailQuery {
  const q = req.query as Record<string, string | undefined>;
  const action = q.action?.trim();
  const actions = action && !action.endsWith('.') ? action.split(',').map((a) => a.trim()).filter(Boolean) : undefined;
  return {
    actor: q.actor?.trim() || undefined,
    actions,
    actionPrefix: action?.endsWith('.') ? action : undefined,
    entity: q.entity?.trim() || undefined,
    entityId: q.entityId?.trim() || undefined,
    from: q.from || undefined,
    to: q.to || undefined,
    ip: q.ip?.trim() || undefined,
    actorUserId: q.actorUserId ? Number(q.actorUserId) : undefined,
  };
}

/** The chain check run from the audit page: one at a time per server, its progress and its last result kept. */
interface VerifyJob {
  state: 'running' | 'done' | 'failed';
  startedAt: string;
  finishedAt: string | null;
  startedBy: string;
  /** records verified so far, and the sealed records there are to verify */
  verified: number;
  total: number | null;
  result: Record<string, unknown> | null;
  error: { code: string; messageZh: string; messageEn: string } | null;
}

/** `anchorKey`: the signing key (tests); by default the file KAIFANG_ANCHOR_KEY names, or none. */
export async function auditRoutes(app: FastifyInstance, opts: { ctx: PlatformContext; anchorKey?: AnchorKey | null; exportMaxRows?: number }) {
  const { ctx } = opts;
  const exportMaxRows = opts.exportMaxRows ?? auditExportMaxRows();
  let job: VerifyJob | null = null;
  // Read once when the server starts: a wrong path stops the server instead of failing the first auditor.
  const anchorKey = opts.anchorKey !== undefined ? opts.anchorKey : ((file) => (file ? loadAnchorKey(file) : null))(anchorSettings().keyFile);
  // Requests that arrive while an anchor is being made (it verifies the whole chain) share that one.
  let making: Promise<AuditAnchor> | undefined;

  app.get(
    '/api/audit/anchor',
    {
      schema: {
        tags,
        security: SESSION,
        summary: '签发审计链锚点：链头序号与哈希，以库外密钥签名（审计方留存，日后以 kaifang audit verify --anchor 核对）',
        description:
          'Seals what waits, verifies the whole chain, and signs its head (seq, hash) with the Ed25519 key of KAIFANG_ANCHOR_KEY. Keep the anchor where the database owner cannot rewrite it. 409 invalid_state without a key, 409 audit_chain_tampered for a chain that does not verify.',
      },
    },
    async (req, reply) => {
      const user = requireUser(req);
      authorize(user, 'audit.verify');
      if (!anchorKey) {
        throw new KaifangError({ code: 'invalid_state', zh: '未配置锚点签名密钥（KAIFANG_ANCHOR_KEY）', en: 'no anchor signing key is configured (KAIFANG_ANCHOR_KEY)' });
      }
      making ??= createAuditAnchor(ctx.db, anchorKey, actorOf(user, req.ip)).finally(() => (making = undefined));
      const anchor = await making;
      reply.header('content-disposition', `attachment; filename="kaifang-audit-anchor-${anchor.seq}.json"`);
      reply.header('cache-control', 'no-store');
      return anchor;
    },
  );

  app.get(
    '/api/audit',
    {
      schema: {
        tags,
        security: SESSION,
        summary: '审计日志（最新在前；按编号续页，不计总数）',
        description:
          'The whole trail, newest first, filtered; a page at a time: pass the previous page\'s `next` as `before`. No total (the trail holds millions of records): `more` says whether another page follows. Each record carries its reading: actionZh/En, summaryZh/En (who did what to what), actorView.',
        querystring: query({ ...TRAIL_QUERY, before: { ...ID, description: 'records written before this id (the previous page\'s next)' }, pageSize: PAGE_QUERY.pageSize }),
      },
    },
    async (req) => {
      const before = (req.query as { before?: string }).before;
      const { pageSize } = pageOf(req, 50);
      return browseAuditTrail(ctx.db, requireUser(req), ctx.engine.policy.agencies, { ...trailQueryOf(req), before: before ? Number(before) : undefined, limit: pageSize });
    },
  );

  app.get('/api/audit/actions', { schema: { tags, security: SESSION, summary: '审计动作目录（中英文名称，按业务分组）' } }, async (req) => {
    authorize(requireUser(req), 'audit.read');
    return {
      domains: Object.entries(AUDIT_DOMAINS).map(([id, [zh, en]]) => ({ id, zh, en })),
      actions: AUDIT_ACTIONS.map(({ action, domain, zh, en, legacy }) => ({ action, domain, zh, en, legacy: !!legacy })),
    };
  });

  app.get(
    '/api/audit/export.xlsx',
    { schema: { tags, security: SESSION, summary: '导出筛选后的审计日志（Excel，流式生成，有行数上限）', querystring: query({ ...TRAIL_QUERY }) } },
    async (req, reply) => {
      const user = requireUser(req);
      const trail = exportAuditTrail(ctx.db, user, ctx.engine.policy.agencies, trailQueryOf(req), exportMaxRows);
      // The first batch before any byte is sent: a refusal or a bad filter is still an ordinary problem answer.
      const first = await trail.next();
      const out = new PassThrough();
      const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
      const ws = wb.addWorksheet('审计日志');
      ws.columns = [
        { header: '编号 id', key: 'id', width: 10 },
        { header: '链序号 seq', key: 'seq', width: 10 },
        { header: '时间（北京时间）', key: 'at', width: 20 },
        { header: '操作人', key: 'actor', width: 16 },
        { header: '单位', key: 'unit', width: 20 },
        { header: '动作', key: 'actionZh', width: 22 },
        { header: '说明', key: 'summary', width: 60 },
        { header: '对象', key: 'entity', width: 12 },
        { header: '对象编号', key: 'entityId', width: 20 },
        { header: '来源地址', key: 'ip', width: 16 },
        { header: '动作代码', key: 'action', width: 30 },
        { header: '详情（JSON）', key: 'details', width: 60 },
        { header: '哈希', key: 'hash', width: 66 },
      ];
      ws.getRow(1).font = { bold: true };
      ws.getRow(1).commit();
      const shanghai = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
      const write = (items: Awaited<ReturnType<typeof browseAuditTrail>>['items']) => {
        for (const e of items) {
          ws.addRow({
            id: e.id, seq: e.seq, at: shanghai.format(e.at), actor: e.actorView.displayName ? `${e.actorView.displayName}（${e.actor}）` : e.actor, unit: e.actorView.unitZh ?? '',
            actionZh: e.actionZh, summary: e.summaryZh, entity: e.entity, entityId: e.entityId ?? '', ip: e.ip ?? '', action: e.action, details: JSON.stringify(e.details), hash: e.hash ?? '（待封存）',
          }).commit();
        }
      };
      (async () => {
        let step = first;
        let rows = 0;
        while (!step.done) {
          write(step.value);
          rows += step.value.length;
          step = await trail.next();
        }
        if (step.value.truncated) {
          ws.addRow({ id: '', summary: `仅导出了最新的 ${rows} 条（上限 ${exportMaxRows} 条）；更多记录符合筛选条件：请缩小日期范围或增加筛选条件后分批导出。Only the newest ${rows} records were exported (limit ${exportMaxRows}); narrow the filter and export in parts.` }).commit();
        } else if (rows === 0) {
          ws.addRow({ summary: '没有符合筛选条件的审计记录。No records match the filter.' }).commit();
        }
        ws.commit();
        await wb.commit();
      })().catch((e) => {
        req.log.error(e, 'audit export failed');
        out.destroy(e as Error);
      });
      const stamp = ctx.today();
      return reply.header('content-type', XLSX).header('cache-control', 'no-store').header('content-disposition', attachment(`审计日志-${stamp}.xlsx`, `audit-trail-${stamp}.xlsx`)).send(out);
    },
  );

  const jobView = () => ({ job, anchorKeyConfigured: !!anchorKey });

  app.get('/api/audit/verify', { schema: { tags, security: SESSION, summary: '审计链校验：进度与最近一次结果' } }, async (req) => {
    authorize(requireUser(req), 'audit.verify');
    return jobView();
  });

  app.post(
    '/api/audit/verify',
    {
      schema: {
        tags,
        security: SESSION,
        summary: '校验审计链（后台运行；GET 查看进度与结果）',
        description:
          'Seals what waits, then walks the whole chain (verifyAuditChain) in the background: 202 with the job; GET /api/audit/verify for progress and the result — intact or the first broken record, records waiting to be sealed, the head seq and hash to write down, the newest anchor. A check already running is joined, not started twice.',
      },
    },
    async (req, reply) => {
      const user = requireUser(req);
      authorize(user, 'audit.verify');
      if (job?.state !== 'running') {
        const running: VerifyJob = { state: 'running', startedAt: new Date().toISOString(), finishedAt: null, startedBy: user.username, verified: 0, total: null, result: null, error: null };
        job = running;
        (async () => {
          await sealAuditChain(ctx.db).catch(() => 0); // a refused seal (a tampered chain) is what the check reports
          const head = await ctx.db.selectFrom('audit_log').select((eb) => eb.fn.max('seq').as('seq')).executeTakeFirst();
          running.total = head?.seq == null ? 0 : Number(head.seq);
          const report = await verifyAuditChain(ctx.db, { onProgress: (n) => (running.verified = n) });
          if (report.ok) {
            const headRow = report.headSeq === null ? undefined : await ctx.db.selectFrom('audit_log').select('at').where('seq', '=', report.headSeq).executeTakeFirst();
            running.verified = report.records;
            running.result = { ...report, headAt: headRow?.at ?? null };
          } else running.result = { ...report };
          running.state = 'done';
        })()
          .catch((e) => {
            running.state = 'failed';
            running.error = e instanceof KaifangError ? { code: e.code, messageZh: e.messageZh, messageEn: e.messageEn } : { code: 'internal_error', messageZh: '校验中断，请稍后重试', messageEn: 'the check stopped; try again' };
            req.log.error(e, 'audit chain check failed');
          })
          .finally(() => (running.finishedAt = new Date().toISOString()));
      }
      return reply.status(202).send(jobView());
    },
  );

  app.get(
    '/api/claims/:id/audit',
    { schema: { tags, security: SESSION, summary: '申报的审计轨迹（时间顺序）', params: params({ id: ID }), querystring: query({ ...PAGE_QUERY }) } },
    async (req) => {
      const { page, pageSize } = pageOf(req, 100);
      return claimAuditTrail(ctx.db, requireUser(req), idParam(req), page, pageSize);
    },
  );
}
