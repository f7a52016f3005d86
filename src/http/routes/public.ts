// Routes anyone may use without logging in: health, the policy library and the calculator (政策计算器).
import type { FastifyInstance } from 'fastify';
import type { Engine } from '../../engine/index.ts';
import { requireArea } from '../../enterprises/areas.ts';
import { parseUscc } from '../../enterprises/uscc.ts';
import { KaifangError, ValidationError } from '../../errors.ts';
import { policyCatalog } from '../../policy/catalog.ts';

/**
 * The calculator's `enterprise` says who is asking: when it names a USCC or an area they must be real ones — a
 * result printed for "91XXXX" in "atlantis" reads as if the platform had checked them. The engine checks the
 * shape (text, known keys); the code's check character and the district's areas are checked here, and reported
 * together with the engine's own findings so that the caller sees every problem at once.
 */
function enterpriseProblems(body: unknown): KaifangError[] {
  const ent = body && typeof body === 'object' && !Array.isArray(body) ? (body as { enterprise?: unknown }).enterprise : undefined;
  if (!ent || typeof ent !== 'object' || Array.isArray(ent)) return [];
  const { uscc, area } = ent as { uscc?: unknown; area?: unknown };
  const problems: KaifangError[] = [];
  const check = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      if (e instanceof KaifangError) problems.push(e);
      else throw e;
    }
  };
  if (typeof uscc === 'string') check(() => parseUscc(uscc, 'enterprise.uscc'));
  if (typeof area === 'string') check(() => requireArea(area, 'enterprise.area'));
  return problems;
}

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
        description: 'Body: the facts of one enterprise-year (see README "Facts format"). Returns entitlements with amounts in integer fen and explanations. A given `enterprise.uscc` must be a valid code (422 `invalid_uscc`) and `enterprise.area` a district area id (422 `unknown_area`).',
        querystring: asOfQuery,
        body: { type: 'object' },
      },
    },
    async (req) => {
      const q = req.query as { asOf?: string; explain?: string };
      const problems = enterpriseProblems(req.body);
      let result;
      try {
        result = engine.evaluate(req.body, { asOf: q.asOf, explain: q.explain !== 'false' });
      } catch (e) {
        if (problems.length && e instanceof ValidationError) throw new ValidationError([...problems, ...e.errors]);
        throw e;
      }
      if (problems.length) throw new ValidationError(problems);
      return result;
    },
  );
}
