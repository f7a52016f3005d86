// Routes anyone may use without logging in: health, the policy library and the calculator (政策计算器).
import type { FastifyInstance } from 'fastify';
import type { Engine } from '../../engine/index.ts';
import { policyCatalog } from '../../policy/catalog.ts';

const asOfQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    asOf: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'as-of date, Asia/Shanghai (default today)' },
    explain: { type: 'string', enum: ['true', 'false'], description: 'include explanations (default true)' },
  },
} as const;

export async function publicRoutes(app: FastifyInstance, opts: { engine: Engine }) {
  const { engine } = opts;
  const catalog = policyCatalog(engine.policy);

  app.get('/api/health', { schema: { tags: ['public'], summary: 'liveness' } }, async () => ({ ok: true, policy: engine.policy.id, version: engine.policy.version }));

  app.get('/api/policy', { schema: { tags: ['public'], summary: '政策库：全部措施、奖励项目、事实定义、解释口径、目标' } }, async () => catalog);

  app.post(
    '/api/calc',
    {
      schema: {
        tags: ['public'],
        summary: '政策计算器：与 `kaifang calc --json` 相同的输入与输出',
        description: 'Body: the facts of one enterprise-year (see README "Facts format"). Returns entitlements with amounts in integer fen and explanations.',
        querystring: asOfQuery,
        body: { type: 'object' },
      },
    },
    async (req) => {
      const q = req.query as { asOf?: string; explain?: string };
      return engine.evaluate(req.body, { asOf: q.asOf, explain: q.explain !== 'false' });
    },
  );
}
