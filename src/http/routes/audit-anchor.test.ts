// GET /api/audit/anchor: an auditor (or administrator) takes a signed anchor of the audit chain to keep outside
// the database; nobody else may, no anchor is signed without a key or for a chain that does not verify.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { anchorSignatureValid, checkAuditAnchor, loadAnchorKey, parseAnchor, writeAnchorKeyFiles, type AuditAnchor } from '../../audit/anchor.ts';
import { SYSTEM_ACTOR } from '../../audit/audit-log.ts';
import { createPlatformContext } from '../../claims/context.ts';
import { FAST_SECURITY } from '../../claims/fixture.ts';
import { describeDatabases } from '../../db/test-databases.ts';
import { createUser, type Principal } from '../../identity/users.ts';
import { buildApp } from '../app.ts';
import { testEngine } from '../test-support.ts';
import { auditRoutes } from './audit.ts';

describeDatabases('GET /api/audit/anchor', (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kaifang-anchor-route-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let app: FastifyInstance;
  let keyless: FastifyInstance;
  let current: Principal | undefined;
  const users: Record<string, Principal> = {};
  const get = (as: string | undefined, on = app) => {
    current = as === undefined ? undefined : users[as];
    return on.inject({ method: 'GET', url: '/api/audit/anchor', remoteAddress: '10.1.2.3' });
  };
  const problem = (res: LightMyRequestResponse) => ({ status: res.statusCode, code: res.json().code });
  const anchorRows = async () => Number((await sql<{ n: number }>`select count(*)::int as n from audit_anchors`.execute(t.db)).rows[0].n);

  beforeAll(async () => {
    const mk = (username: string, role: string, scope: Record<string, string> = {}) =>
      createUser(t.db, { username, displayName: username, password: 'kaifang-test-2020', role, ...scope }, { actor: SYSTEM_ACTOR, config: FAST_SECURITY });
    users.auditor = await mk('auditor', 'auditor');
    users.admin = await mk('admin', 'admin');
    users.finance = await mk('finance', 'finance');
    users.area = await mk('area', 'areaReviewer', { areaId: 'shengze' });
    writeAnchorKeyFiles(path.join(dir, 'key.pem'));
    const ctx = createPlatformContext(t.db, testEngine());
    const build = (anchorKey: ReturnType<typeof loadAnchorKey> | null) =>
      buildApp({
        engine: testEngine(),
        webRoot: null,
        plugins: [
          async (scope) => {
            scope.addHook('preHandler', async (req) => {
              (req as unknown as { user?: Principal }).user = current;
            });
            await auditRoutes(scope, { ctx, anchorKey });
          },
        ],
      });
    app = await build(loadAnchorKey(path.join(dir, 'key.pem')));
    keyless = await build(null);
  });
  afterAll(async () => {
    await app?.close();
    await keyless?.close();
  });

  it('only auditors and administrators take an anchor; refusals sign and store nothing', async () => {
    const before = await anchorRows();
    expect(problem(await get(undefined))).toEqual({ status: 401, code: 'unauthenticated' });
    expect(problem(await get('finance'))).toEqual({ status: 403, code: 'forbidden' });
    expect(problem(await get('area'))).toEqual({ status: 403, code: 'forbidden' });
    expect(await anchorRows()).toBe(before);
    for (const who of ['auditor', 'admin']) expect((await get(who)).statusCode, who).toBe(200);
    expect(await anchorRows()).toBe(before + 2);
  });

  it('the anchor is signed, names the head, checks out against the database, and its making is audited', async () => {
    const res = await get('auditor');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="kaifang-audit-anchor-\d+\.json"$/);
    const anchor: AuditAnchor = parseAnchor(res.body);
    expect(anchorSignatureValid(anchor)).toBe(true);
    expect(anchor.publicKey).toBe(loadAnchorKey(path.join(dir, 'key.pem')).publicKey);
    expect(await checkAuditAnchor(t.db, anchor, { publicKey: anchor.publicKey })).toMatchObject({ ok: true });
    const made = await t.db.selectFrom('audit_log').selectAll().where('action', '=', 'audit.anchor').where('actor', '=', 'auditor').orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow();
    expect(made).toMatchObject({ actor_user_id: users.auditor.id, ip: '10.1.2.3', details: { seq: anchor.seq, hash: anchor.hash } });
  });

  it('without a signing key: 409 invalid_state', async () => {
    expect(problem(await get('auditor', keyless))).toEqual({ status: 409, code: 'invalid_state' });
  });

  it('for a chain that does not verify: 409 audit_chain_tampered, and no anchor', async () => {
    await t.db.transaction().execute(async (trx) => {
      await sql`alter table audit_log disable trigger audit_log_append_only`.execute(trx);
      await sql`update audit_log set details = '{"forged": true}' where seq = 1`.execute(trx);
      await sql`alter table audit_log enable trigger audit_log_append_only`.execute(trx);
    });
    const before = await anchorRows();
    expect(problem(await get('auditor'))).toEqual({ status: 409, code: 'audit_chain_tampered' });
    expect(await anchorRows()).toBe(before);
  });
});
