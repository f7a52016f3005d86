// Cross-site request forgery: with an official's or an enterprise's session cookie, a page of another site makes the
// browser send the request — what the review did with `Origin: http://evil.example` (a body-less withdraw and an
// evidence upload). Refused: 403 csrf_origin, nothing changed. The platform's own pages, allowed origins and clients
// outside a browser (no Origin, no Referer: the CLI, curl) keep working.
import { beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { describeDatabases } from '../db/test-databases.ts';
import { createWorld } from '../claims/fixture.ts';
import { allowedOriginsSetting } from '../config.ts';
import { countRows, login, multipartBody, PDF, platformApp, TEST_PASSWORD, type TestPlatform } from './test-support.ts';

const HOST = 'kaifang.wujiang.example';
const OWN = `http://${HOST}`;
const EVIL = 'http://evil.example';
const TABLES = ['claims', 'claim_evidence', 'reviews', 'sessions', 'audit_log', 'idempotency_keys'];

describe('KAIFANG_ALLOWED_ORIGINS', () => {
  it('takes origins separated by commas, and refuses anything with a path or another scheme', () => {
    expect(allowedOriginsSetting({})).toEqual([]);
    expect(allowedOriginsSetting({ KAIFANG_ALLOWED_ORIGINS: 'https://kaifang.wujiang.gov.cn, http://10.0.0.5:8080' })).toEqual(['https://kaifang.wujiang.gov.cn', 'http://10.0.0.5:8080']);
    expect(allowedOriginsSetting({ KAIFANG_ALLOWED_ORIGINS: 'https://kaifang.wujiang.gov.cn/' })).toEqual(['https://kaifang.wujiang.gov.cn']);
    for (const bad of ['https://kaifang.wujiang.gov.cn/app', 'kaifang.wujiang.gov.cn', 'ftp://x.example', '*']) {
      expect(() => allowedOriginsSetting({ KAIFANG_ALLOWED_ORIGINS: bad }), bad).toThrow(/KAIFANG_ALLOWED_ORIGINS/);
    }
  });
});

describeDatabases('http cross-site requests', (t) => {
  let p: TestPlatform;
  let cable = '';
  beforeAll(async () => {
    await createWorld(t.db);
    p = await platformApp(t.db, { today: () => '2021-03-01', allowedOrigins: ['https://portal.wujiang.example'] });
    cable = await login(p.app, 'cable');
    return () => p.app.close();
  });

  const newDraft = async () => {
    const res = await p.app.inject({ method: 'POST', url: '/api/claims', headers: { cookie: cable, host: HOST, origin: OWN }, payload: { incentive: 'equipment-investment', year: 2020, item: `项目${Math.random()}`, facts: { equipmentInvestment: '2500万元' } } });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id as number;
  };
  const withdraw = (id: number, headers: Record<string, string>) => p.app.inject({ method: 'POST', url: `/api/claims/${id}/withdraw`, headers: { cookie: cable, host: HOST, ...headers } });
  const stateOf = async (id: number) => (await t.db.selectFrom('claims').select('state').where('id', '=', id).executeTakeFirstOrThrow()).state;

  async function refusedAndUnchanged(send: () => Promise<LightMyRequestResponse>) {
    const before = await countRows(t.db, TABLES);
    const res = await send();
    expect(res.statusCode, res.body).toBe(403);
    expect(res.json()).toMatchObject({ code: 'csrf_origin', status: 403 });
    expect(await countRows(t.db, TABLES), 'nothing stored').toEqual(before);
    return res;
  }

  it('a body-less withdraw from another site is refused and the claim stays a draft', async () => {
    const id = await newDraft();
    const res = await refusedAndUnchanged(() => withdraw(id, { origin: EVIL }));
    expect(res.json().messageEn).toContain('evil.example');
    expect(await stateOf(id)).toBe('draft');
  });

  it('an evidence upload from another site is refused and nothing is attached', async () => {
    const id = await newDraft();
    const m = multipartBody('营业执照.pdf', PDF);
    await refusedAndUnchanged(() => p.app.inject({ method: 'POST', url: `/api/claims/${id}/evidence`, payload: m.payload, headers: { ...m.headers, cookie: cable, host: HOST, origin: EVIL } }));
    // the same upload from the platform's own page is stored
    const own = await p.app.inject({ method: 'POST', url: `/api/claims/${id}/evidence`, payload: m.payload, headers: { ...m.headers, cookie: cable, host: HOST, origin: OWN } });
    expect(own.statusCode, own.body).toBe(201);
  });

  it('a sibling subdomain (same site, which SameSite=Lax lets through), Origin: null and a look-alike are refused', async () => {
    const id = await newDraft();
    for (const origin of [`http://files.${HOST}`, 'null', `http://${HOST}.evil.example`, `http://${HOST}:8443`]) {
      await refusedAndUnchanged(() => withdraw(id, { origin }));
    }
    expect(await stateOf(id)).toBe('draft');
  });

  it('without Origin, the Referer decides; without both, Sec-Fetch-Site does', async () => {
    const id = await newDraft();
    await refusedAndUnchanged(() => withdraw(id, { referer: `${EVIL}/claims.html` }));
    await refusedAndUnchanged(() => withdraw(id, { referer: 'not a url' }));
    await refusedAndUnchanged(() => withdraw(id, { 'sec-fetch-site': 'cross-site' }));
    await refusedAndUnchanged(() => withdraw(id, { 'sec-fetch-site': 'same-site' }));
    expect(await stateOf(id)).toBe('draft');
    const res = await withdraw(id, { referer: `${OWN}/portal/claims/${id}` });
    expect(res.statusCode, res.body).toBe(200);
    expect(await stateOf(id)).toBe('withdrawn');
  });

  it("the platform's own origin, its https form behind a TLS proxy, and an allowed origin pass", async () => {
    const passing: Array<Record<string, string>> = [{ origin: OWN }, { origin: `https://${HOST}` }, { origin: 'https://portal.wujiang.example' }, { 'sec-fetch-site': 'same-origin' }];
    for (const headers of passing) {
      const id = await newDraft();
      const res = await withdraw(id, headers);
      expect(res.statusCode, `${JSON.stringify(headers)}: ${res.body}`).toBe(200);
    }
  });

  it('a client outside a browser — no Origin, no Referer — keeps working with its cookie', async () => {
    const id = await newDraft();
    const res = await p.app.inject({ method: 'POST', url: `/api/claims/${id}/withdraw`, headers: { cookie: cable } });
    expect(res.statusCode, res.body).toBe(200);
  });

  it('reads are not checked: a GET from another site is answered as usual', async () => {
    const res = await p.app.inject({ method: 'GET', url: '/api/claims', headers: { cookie: cable, host: HOST, origin: EVIL } });
    expect(res.statusCode).toBe(200);
  });

  it('a login posted from another site is refused (it would sign the browser into the attacker’s account), and sets no cookie', async () => {
    const res = await refusedAndUnchanged(() => p.app.inject({ method: 'POST', url: '/api/auth/login', headers: { host: HOST, origin: EVIL }, payload: { username: 'cable', password: TEST_PASSWORD } }));
    expect(res.cookies.find((c) => c.name === 'kaifang_session')).toBeUndefined();
    const own = await p.app.inject({ method: 'POST', url: '/api/auth/login', headers: { host: HOST, origin: OWN }, payload: { username: 'cable', password: TEST_PASSWORD } });
    expect(own.statusCode).toBe(200);
  });
});
