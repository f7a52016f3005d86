// Idempotency keys: a repeat creates nothing, concurrent repeats create one thing, a failed request leaves no
// key behind, a different request under a used key is refused.
import { beforeAll, expect, it } from 'vitest';
import { describeDatabases } from '../db/test-databases.ts';
import { createWorld, type World } from '../claims/fixture.ts';
import { countRows, login, platformApp, type TestPlatform } from './test-support.ts';
import { pruneIdempotencyKeys } from './idempotency.ts';

describeDatabases('http idempotency', (t) => {
  let p: TestPlatform;
  let w: World;
  let cookie = '';
  beforeAll(async () => {
    w = await createWorld(t.db);
    p = await platformApp(t.db, { today: () => '2021-03-01' });
    cookie = await login(p.app, 'cable');
    return () => p.app.close();
  });
  const draft = (item: string) => ({ incentive: 'equipment-investment', year: 2020, item, facts: { equipmentInvestment: '2500万元' } });
  const post = (payload: object, key?: string, url = '/api/claims') => p.app.inject({ method: 'POST', url, payload, headers: { cookie, ...(key ? { 'idempotency-key': key } : {}) } });

  it('ten concurrent repeats of one request create one claim and all get its answer', async () => {
    const before = await countRows(t.db, ['claims', 'audit_log', 'idempotency_keys']);
    const results = await Promise.all(Array.from({ length: 10 }, () => post(draft('并发'), 'same-key')));
    expect(results.map((r) => r.statusCode)).toEqual(Array(10).fill(201));
    expect(new Set(results.map((r) => r.json().id)).size).toBe(1);
    expect(results.filter((r) => r.headers['idempotent-replayed'] === 'true')).toHaveLength(9);
    const after = await countRows(t.db, ['claims', 'audit_log', 'idempotency_keys']);
    expect(after).toEqual({ claims: before.claims + 1, audit_log: before.audit_log + 1, idempotency_keys: before.idempotency_keys + 1 });
  });

  it('without a key each request is its own', async () => {
    const before = (await countRows(t.db, ['claims'])).claims;
    await post(draft('无键'));
    await post(draft('无键'));
    expect((await countRows(t.db, ['claims'])).claims).toBe(before + 2);
  });

  it('a failed request leaves no key: the corrected request may reuse it', async () => {
    const bad = await post({ ...draft('失败后重试'), facts: { equipmentInvestment: 'lots' } }, 'retry-key');
    expect(bad.statusCode).toBe(422);
    const stored = await t.db.selectFrom('idempotency_keys').selectAll().where('key', '=', 'retry-key').execute();
    expect(stored).toEqual([]);
    const good = await post(draft('失败后重试'), 'retry-key');
    expect(good.statusCode).toBe(201);
    expect((await post(draft('失败后重试'), 'retry-key')).json().id).toBe(good.json().id);
  });

  it('the same key on another endpoint or with another body is 409 idempotency_conflict', async () => {
    const first = await post(draft('冲突'), 'conflict-key');
    expect(first.statusCode).toBe(201);
    const before = await countRows(t.db, ['claims', 'claim_evidence']);
    const body = await post(draft('冲突2'), 'conflict-key');
    expect(body.statusCode).toBe(409);
    expect(body.json()).toMatchObject({ code: 'idempotency_conflict' });
    expect(body.json().messageZh).toContain('Idempotency-Key');
    const endpoint = await post({}, 'conflict-key', `/api/claims/${first.json().id}/submit`);
    expect(endpoint.statusCode).toBe(409);
    expect(await countRows(t.db, ['claims', 'claim_evidence'])).toEqual(before);
    const claim = await t.db.selectFrom('claims').select('state').where('id', '=', first.json().id).executeTakeFirstOrThrow();
    expect(claim.state).toBe('draft');
  });

  it('a malformed key names the header', async () => {
    const res = await post(draft('坏键'), 'x'.repeat(201));
    expect(res.statusCode).toBe(422);
    expect(res.json().errors[0]).toMatchObject({ path: 'headers.idempotency-key', code: 'bad_idempotency_key' });
  });

  it('a repeated state change replays the first answer instead of failing on the new state', async () => {
    const c = (await post(draft('提交重放'))).json();
    const first = await post({}, 'submit-key', `/api/claims/${c.id}/submit`);
    const second = await post({}, 'submit-key', `/api/claims/${c.id}/submit`);
    expect([first.statusCode, second.statusCode]).toEqual([200, 200]);
    expect(second.json()).toEqual(first.json());
    const noBody = await p.app.inject({ method: 'POST', url: `/api/claims/${c.id}/withdraw`, headers: { cookie } }); // no body at all is fine
    expect(noBody.json()).toMatchObject({ state: 'withdrawn' });
    const noKey = await post({}, undefined, `/api/claims/${c.id}/submit`);
    expect(noKey.statusCode).toBe(409);
    expect(noKey.json().code).toBe('invalid_state');
    expect(w.enterprises.cable).toBeTruthy();
  });

  it('forgets keys past their time: the table does not grow without end, and a late repeat runs again', async () => {
    const first = await post(draft('过期键'), 'old-key');
    await post(draft('新键'), 'new-key');
    await t.db.updateTable('idempotency_keys').set({ created_at: new Date(Date.now() - 25 * 3_600_000) }).where('key', '=', 'old-key').execute();
    expect(await pruneIdempotencyKeys(t.db, 24)).toBe(1);
    const keys = (await t.db.selectFrom('idempotency_keys').select('key').execute()).map((k) => k.key);
    expect(keys).toContain('new-key');
    expect(keys).not.toContain('old-key');
    const late = await post(draft('过期键'), 'old-key');
    expect(late.statusCode).toBe(201);
    expect(late.headers['idempotent-replayed']).toBeUndefined();
    expect(late.json().id).not.toBe(first.json().id);
  });

  it('a decision repeated under one key, at once, decides once: one decision, one award, the same answer for all', async () => {
    const c = (await post(draft('决定重放'))).json();
    expect((await post({}, undefined, `/api/claims/${c.id}/submit`)).statusCode).toBe(200);
    const area = await login(p.app, 'shengze');
    const industry = await login(p.app, 'industry');
    const review = (cookie: string, key: string) =>
      p.app.inject({ method: 'POST', url: `/api/claims/${c.id}/review`, payload: { action: 'pass' }, headers: { cookie, 'idempotency-key': key } });
    expect((await review(area, 'first-review')).statusCode).toBe(200);
    const answers = await Promise.all(Array.from({ length: 5 }, () => review(industry, 'decide-once')));
    expect(answers.map((r) => r.statusCode)).toEqual(Array(5).fill(200));
    expect(new Set(answers.map((r) => r.json().decision.id)).size).toBe(1);
    expect(await t.db.selectFrom('decisions').select('id').where('claim_id', '=', c.id).execute()).toHaveLength(1);
    expect(await t.db.selectFrom('ledger_entries').select('amount_fen').where('claim_id', '=', c.id).execute()).toEqual([{ amount_fen: 300_000_000 }]);
  });
});
