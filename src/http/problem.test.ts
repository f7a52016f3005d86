// What the error handler answers and logs: a fault of the server is a 500 with a request id that finds its log line
// (with the stack); the client's mistakes keep their 4xx and are not logged; no error's own message leaks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { Engine } from '../engine/index.ts';
import { KaifangError } from '../errors.ts';
import { logLevelSetting } from '../config.ts';
import { buildApp } from './app.ts';

describe('error handler', () => {
  let app: FastifyInstance;
  const lines: string[] = [];
  const logged = () => lines.map((l) => JSON.parse(l) as Record<string, any>);
  beforeAll(async () => {
    app = await buildApp({
      engine: Engine.load(),
      webRoot: null,
      logger: { level: 'info', stream: { write: (line: string) => void lines.push(line) } },
      plugins: [
        (scope) => {
          // what a bug looks like from outside: an error nobody anticipated, with a message that must not reach the client
          scope.post('/api/test/boom', async () => {
            throw new TypeError('cannot read properties of undefined (secret table users.password_hash)');
          });
          scope.get('/api/test/missing', async () => {
            throw new KaifangError({ code: 'not_found', zh: '找不到该申报', en: 'claim not found' });
          });
          scope.get('/api/test/evidence-gone', async () => {
            throw new KaifangError({ code: 'evidence_missing', zh: '材料文件缺失', en: 'evidence file missing' });
          });
        },
      ],
    });
  });
  afterAll(() => app.close());

  it('an unexpected error is 500 internal_error with a request id in the body, the instance and the header', async () => {
    lines.length = 0;
    const res = await app.inject({ method: 'POST', url: '/api/test/boom?x=1', payload: {} });
    expect(res.statusCode).toBe(500);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const body = res.json();
    expect(body).toMatchObject({ status: 500, code: 'internal_error' });
    expect(body.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers['x-request-id']).toBe(body.requestId);
    expect(body.instance).toBe(`urn:kaifang:request:${body.requestId}`);
    expect(body.messageZh).toContain(`请求编号 ${body.requestId}`);
    expect(body.messageEn).toContain(body.requestId);
    expect(res.body).not.toContain('password_hash');
    expect(res.body).not.toContain('TypeError');

    // logged once, at error level, under the same request id, with the request and the stack
    const errors = logged().filter((l) => l.level === 50);
    expect(errors).toHaveLength(1);
    const [entry] = errors;
    expect(entry.reqId).toBe(body.requestId);
    expect(entry.req).toMatchObject({ method: 'POST', url: '/api/test/boom?x=1' });
    expect(entry.err.type).toBe('TypeError');
    expect(entry.err.message).toContain('password_hash');
    expect(entry.err.stack).toContain('problem.test.ts');
  });

  it('each request has its own id', async () => {
    const a = await app.inject({ method: 'POST', url: '/api/test/boom', payload: {} });
    const b = await app.inject({ method: 'POST', url: '/api/test/boom', payload: {} });
    expect(a.json().requestId).not.toBe(b.json().requestId);
    // a client's own X-Request-Id is not taken over into the log
    const c = await app.inject({ method: 'POST', url: '/api/test/boom', payload: {}, headers: { 'x-request-id': 'forged\n{"level":60}' } });
    expect(c.json().requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("Kaifang's own errors keep their status; a 5xx of ours is logged, a 4xx is not", async () => {
    lines.length = 0;
    const missing = await app.inject({ method: 'GET', url: '/api/test/missing' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: 'not_found', instance: '/api/test/missing' });
    expect(missing.headers['x-request-id']).toBe(missing.json().requestId);
    expect(logged().filter((l) => l.level >= 50)).toEqual([]);
    const gone = await app.inject({ method: 'GET', url: '/api/test/evidence-gone' });
    expect(gone.statusCode).toBe(500);
    expect(gone.json().code).toBe('evidence_missing');
    expect(logged().filter((l) => l.level === 50).map((l) => l.reqId)).toEqual([gone.json().requestId]);
  });

  it('a body that is not JSON, an empty JSON body and a wrong content type are 4xx with their own codes, not logged', async () => {
    lines.length = 0;
    const cases: Array<[Record<string, string>, string, number, string]> = [
      [{ 'content-type': 'application/json' }, '{"year": 2020,', 400, 'malformed_json'],
      [{ 'content-type': 'application/json' }, '', 400, 'malformed_json'],
      [{ 'content-type': 'text/csv' }, 'a,b', 415, 'unsupported_media_type'],
    ];
    for (const [headers, payload, status, code] of cases) {
      const res = await app.inject({ method: 'POST', url: '/api/calc', headers, payload });
      expect(res.statusCode, res.body).toBe(status);
      expect(res.json().code).toBe(code);
    }
    const tooLarge = await app.inject({ method: 'POST', url: '/api/calc', headers: { 'content-type': 'application/json' }, payload: `{"x":"${'a'.repeat(3 * 1024 * 1024)}"}` });
    expect(tooLarge.statusCode).toBe(413);
    expect(tooLarge.json().code).toBe('payload_too_large');
    const proto = await app.inject({ method: 'POST', url: '/api/calc', headers: { 'content-type': 'application/json' }, payload: '{"__proto__": {"x": 1}}' });
    expect(proto.statusCode).toBe(400);
    expect(logged().filter((l) => l.level >= 50)).toEqual([]);
  });

  it('a URL Fastify cannot decode is a problem too, with a request id', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/enterprises/%E0%A4%A' });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().code).toBe('bad_request');
    expect(res.headers['x-request-id']).toBe(res.json().requestId);
  });

  it('the log level comes from KAIFANG_LOG_LEVEL: info by default, warn under tests, a wrong value is an error', () => {
    expect(logLevelSetting({})).toBe('info');
    expect(logLevelSetting({ NODE_ENV: 'test' })).toBe('warn');
    expect(logLevelSetting({ KAIFANG_LOG_LEVEL: 'debug', NODE_ENV: 'test' })).toBe('debug');
    expect(logLevelSetting({ KAIFANG_LOG_LEVEL: 'silent' })).toBe('silent');
    expect(() => logLevelSetting({ KAIFANG_LOG_LEVEL: 'loud' })).toThrow(/KAIFANG_LOG_LEVEL/);
  });
});
