import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { parse } from 'yaml';
import type { FastifyInstance } from 'fastify';
import { Engine } from '../engine/index.ts';
import { buildApp } from './app.ts';

let app: FastifyInstance;
beforeAll(async () => {
  app = await buildApp({ engine: Engine.load(), webRoot: null });
});
afterAll(() => app.close());

const facts = {
  year: 2020,
  facts: { industryClass: 'leading' },
  claims: [{ incentive: 'equipment-investment', item: '光纤预制棒扩产', facts: { equipmentInvestment: '2500万元' } }],
};

describe('public API', () => {
  it('POST /api/calc computes like the engine, with explanations', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/calc?asOf=2020-12-31', payload: facts });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.totalFen).toBe(300_000_000);
    expect(body.entitlements[0]).toMatchObject({ measure: 16, incentive: 'equipment-investment', status: 'eligible', amountFen: 300_000_000 });
    expect(body.entitlements[0].explanation.clause).toContain('2000万元以上');
  });

  it('POST /api/calc refuses an invalid USCC and an unknown area, with the engine\'s own findings at once', async () => {
    const withEnterprise = (enterprise: object, extra: object = {}) => app.inject({ method: 'POST', url: '/api/calc?asOf=2020-12-31', payload: { ...facts, enterprise, ...extra } });
    const bad = await withEnterprise({ uscc: '91320509MA1XK7C3XM', name: '测试', area: 'atlantis' }, { year: 'nonsense' });
    expect(bad.statusCode).toBe(422);
    const errors = bad.json().errors.map((e: { path: string; code: string }) => [e.path, e.code]);
    expect(errors).toEqual(expect.arrayContaining([['enterprise.uscc', 'invalid_uscc'], ['enterprise.area', 'unknown_area'], ['year', expect.any(String)]]));
    expect((await withEnterprise({ uscc: 'bad' })).json().errors[0]).toMatchObject({ path: 'enterprise.uscc', code: 'invalid_uscc' });
    expect((await withEnterprise({ area: 'atlantis' })).json().errors[0]).toMatchObject({ path: 'enterprise.area', code: 'unknown_area' });
    // a real code and area, in either case of letters, and no enterprise at all, are calculated
    for (const enterprise of [{ uscc: '91320509MA1XK7C3XN', area: 'shengze' }, { uscc: '91320509ma1xk7c3xn', name: '苏州澜川光电线缆有限公司' }, {}]) {
      const ok = await withEnterprise(enterprise);
      expect(ok.statusCode, ok.body).toBe(200);
      expect(ok.json().totalFen).toBe(300_000_000);
    }
  });

  it('returns the same JSON as kaifang calc --json', async () => {
    const file = new URL('../../examples/optical-cable-2020.yaml', import.meta.url);
    let input: unknown;
    try {
      input = parse(readFileSync(file, 'utf8'), { schema: 'core' });
    } catch {
      input = facts;
    }
    const res = await app.inject({ method: 'POST', url: '/api/calc?asOf=2021-03-01', payload: input as object });
    const cli = execFileSync('node', ['bin/kaifang.js', 'calc', '-', '--json', '--as-of', '2021-03-01'], { input: JSON.stringify(input), cwd: new URL('../..', import.meta.url).pathname });
    expect(res.json()).toEqual(JSON.parse(cli.toString()));
  });

  it('bad facts: 422 problem+json naming the field, in Chinese and English', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/calc', payload: { year: 2020, claims: [{ incentive: 'equipment-investment', item: 'x', facts: { equipmentInvestment: -1 } }] } });
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const p = res.json();
    expect(p).toMatchObject({ status: 422, code: 'negative' });
    expect(p.errors[0]).toMatchObject({ path: 'claims[0].facts.equipmentInvestment', code: 'negative' });
    expect(p.errors[0].messageZh).toContain('不能为负数');
    expect(p.errors[0].messageEn).toContain('negative');
  });

  it('a bad query parameter names the parameter', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/calc?asOf=yesterday', payload: facts });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors[0].path).toBe('querystring.asOf');
  });

  it('an unknown API path is a 404 problem', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('not_found');
  });

  it('serves the policy library and the OpenAPI document', async () => {
    const lib = (await app.inject({ method: 'GET', url: '/api/policy' })).json();
    expect(lib.measures).toHaveLength(30);
    expect(lib.measures[15].incentives[0].amountText).toContain('12%');
    const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
    expect(doc.paths['/api/calc']).toBeDefined();
  });
});
