// The platform wired as `kaifang serve` runs it: a real listening server on an embedded database with the demo
// data, real HTTP with cookies, the OpenAPI document, and a clean shutdown that closes the database.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer } from '../server.ts';
import { openDatabase } from '../db/open.ts';

describe('kaifang serve', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'kaifang-serve-'));
  const dataDir = path.join(root, 'pglite');
  const savedUrl = process.env.DATABASE_URL;
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
    if (savedUrl !== undefined) process.env.DATABASE_URL = savedUrl;
  });

  it('serves the API with the demo data, documents it, and closes the database on shutdown', { timeout: 180_000 }, async () => {
    delete process.env.DATABASE_URL; // the embedded database, as `npm start` runs
    const app = await startServer({ port: 0, host: '127.0.0.1', dataDir, demo: true });
    const { port } = app.server.address() as { port: number };
    const base = `http://127.0.0.1:${port}`;
    try {
      const { DEMO_PASSWORD } = await import('../demo/seed.ts');
      const res = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'finance', password: DEMO_PASSWORD }) });
      expect(res.status).toBe(200);
      const cookie = res.headers.get('set-cookie')!.split(';')[0];
      expect(cookie).toMatch(/^kaifang_session=/);
      expect(res.headers.get('set-cookie')).toMatch(/HttpOnly/i);
      const claims = (await (await fetch(`${base}/api/claims?pageSize=5`, { headers: { cookie } })).json()) as { total: number; items: unknown[] };
      expect(claims.total).toBeGreaterThan(0);
      expect(claims.items).toHaveLength(5);
      expect((await fetch(`${base}/api/claims`)).status).toBe(401);

      const doc = (await (await fetch(`${base}/docs/json`)).json()) as { paths: Record<string, any> };
      for (const p of ['/api/auth/login', '/api/me', '/api/claims', '/api/claims/{id}/review', '/api/claims/{id}/evidence', '/api/publicity/{id}/export.xlsx', '/api/payments/export.xlsx', '/api/budgets/{measure}/{year}', '/api/stats/overview', '/api/audit', '/api/city-awards', '/api/enterprises/{uscc}/entitlements']) {
        expect(doc.paths[p], p).toBeDefined();
      }
      expect(doc.paths['/api/claims'].post.security).toEqual([{ session: [] }]);
      expect(doc.paths['/api/claims'].post.requestBody.content['application/json'].schema.additionalProperties).toBe(false);
      expect(doc.paths['/api/claims'].get.parameters.map((x: { name: string }) => x.name)).toEqual(expect.arrayContaining(['page', 'pageSize', 'state', 'queue']));
    } finally {
      await app.close();
    }
    // The database was closed with the app: the folder can be opened again, with the demo data in it.
    const reopened = await openDatabase({ dataDir });
    try {
      const n = await reopened.db.selectFrom('claims').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      expect(Number(n.n)).toBeGreaterThan(0);
    } finally {
      await reopened.close();
    }
  });
});
