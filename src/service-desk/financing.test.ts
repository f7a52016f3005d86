// 综合金融服务平台 on both databases, over HTTP: 金融办 keeps the products (one branch each; only a bank account may
// own one); an enterprise posts a need, matched to the products that fit with every reason written (amount range,
// term, security — either side of the range's ends); a bank sees only the needs matched to it and never another's;
// it answers and records the amount granted (not above the need, not in the future); the pipeline sums what was
// granted against the policy's 1,000亿元 target.
import { beforeAll, expect, it } from 'vitest';
import { describeDatabases } from '../db/test-databases.ts';
import { createWorld, FAST_SECURITY, TEST_PASSWORD, type World } from '../claims/fixture.ts';
import { login, platformApp, type TestPlatform } from '../http/test-support.ts';
import { createUser } from '../identity/users.ts';
import { SYSTEM_ACTOR } from '../audit/audit-log.ts';
import { matchReasons } from './financing.ts';

const WAN = 1_000_000;

describeDatabases('financing needs', (t) => {
  let p: TestPlatform;
  let w: World;
  const cookie: Record<string, string> = {};
  const banks: Record<string, number> = {};
  beforeAll(async () => {
    w = await createWorld(t.db, 27);
    p = await platformApp(t.db, { today: () => '2020-09-01' });
    for (const [u, name] of [['bank-a', '江苏银行吴江支行'], ['bank-b', '吴江农商行']]) {
      banks[u] = (await createUser(t.db, { username: u, displayName: name, password: TEST_PASSWORD, role: 'bank' }, { actor: SYSTEM_ACTOR, config: FAST_SECURITY })).id;
    }
    await createUser(t.db, { username: 'fin-office', displayName: '区金融办', password: TEST_PASSWORD, role: 'departmentReviewer', departmentId: 'financial-office' }, { actor: SYSTEM_ACTOR, config: FAST_SECURITY });
    for (const u of ['cable', 'textile', 'industry', 'auditor', 'bank-a', 'bank-b', 'fin-office']) cookie[u] = await login(p.app, u);
    return () => p.app.close();
  });
  const send = (who: string, method: 'GET' | 'POST', url: string, payload?: object) => p.app.inject({ method, url, payload, headers: { cookie: cookie[who] } });

  it('the administrator creates a bank account (one per branch) like any other', async () => {
    const admin = await login(p.app, 'admin');
    const res = await p.app.inject({ method: 'POST', url: '/api/users', payload: { username: 'bank-c', displayName: '中国银行吴江支行', role: 'bank' }, headers: { cookie: admin } });
    expect(res.statusCode).toBe(201);
    const scoped = await p.app.inject({ method: 'POST', url: '/api/users', payload: { username: 'bank-d', displayName: '某银行', role: 'bank', areaId: 'shengze' }, headers: { cookie: admin } });
    expect(scoped.json().errors[0].path).toBe('areaId');
  });

  it('matches at both ends of a range and names every reason', () => {
    const product = { min_fen: 100 * WAN, max_fen: 1000 * WAN, max_term_months: 36, securities: ['credit'] };
    expect(matchReasons({ amount_fen: 100 * WAN, term_months: 36, security: 'credit' }, product).fits).toBe(true);
    expect(matchReasons({ amount_fen: 1000 * WAN, term_months: 36, security: 'credit' }, product).fits).toBe(true);
    const over = matchReasons({ amount_fen: 1000 * WAN + 1, term_months: 37, security: 'collateral' }, product);
    expect(over.fits).toBe(false);
    expect(over.reasons.map((r) => r.met)).toEqual([false, false, false]);
    expect(over.reasons[1].zh).toBe('期限37个月超过产品最长36个月');
  });

  it('金融办 keeps the products; a need is matched with reasons; each bank sees only its own', async () => {
    expect((await send('industry', 'POST', '/api/financing/products', { bankUserId: banks['bank-a'], name: 'x', kind: 'talentLoan', minFen: 0, maxFen: 1, maxTermMonths: 1, securities: ['credit'] })).statusCode).toBe(403);
    const bad = await send('fin-office', 'POST', '/api/financing/products', { bankUserId: w.users.finance.id, name: '人才贷', kind: 'nonsense', minFen: 10, maxFen: 5, maxTermMonths: 12, securities: ['magic'] });
    expect(bad.json().errors.map((e: { path: string }) => e.path).sort()).toEqual(['bankUserId', 'kind', 'maxFen', 'securities']);
    expect((await send('fin-office', 'POST', '/api/financing/products', { bankUserId: banks['bank-a'], name: '苏州人才贷', kind: 'talentLoan', minFen: 100 * WAN, maxFen: 1000 * WAN, maxTermMonths: 36, securities: ['credit'] })).statusCode).toBe(201);
    expect((await send('fin-office', 'POST', '/api/financing/products', { bankUserId: banks['bank-b'], name: '抵押贷', kind: 'mortgageLoan', minFen: 500 * WAN, maxFen: 20000 * WAN, maxTermMonths: 60, securities: ['collateral'] })).statusCode).toBe(201);

    const need = await send('textile', 'POST', '/api/financing/needs', { amountFen: 800 * WAN, termMonths: 12, purpose: '技改流动资金', security: 'credit', urgency: 'urgent' });
    expect(need.statusCode).toBe(201);
    const n = need.json();
    expect(n.matches).toHaveLength(1);
    expect(n.matches[0]).toMatchObject({ bankName: '江苏银行吴江支行', status: 'pending' });
    expect(n.matches[0].reasons.every((r: { met: boolean }) => r.met)).toBe(true);
    const other = (await send('cable', 'POST', '/api/financing/needs', { amountFen: 6000 * WAN, termMonths: 60, purpose: '扩产设备', security: 'collateral' })).json();
    expect(other.matches.map((m: { bankName: string }) => m.bankName)).toEqual(['吴江农商行']);

    // a bank never sees a need not addressed to it
    expect((await send('bank-b', 'GET', `/api/financing/needs/${n.id}`)).statusCode).toBe(404);
    expect((await send('bank-a', 'GET', `/api/financing/needs/${other.id}`)).statusCode).toBe(404);
    expect((await send('bank-a', 'GET', '/api/financing/needs')).json().items.map((x: { id: number }) => x.id)).toEqual([n.id]);
    expect((await send('bank-a', 'GET', '/api/financing/products')).json().items.map((x: { name: string }) => x.name)).toEqual(['苏州人才贷']);
    expect((await send('cable', 'GET', `/api/financing/needs/${n.id}`)).statusCode).toBe(404);
    expect((await send('industry', 'GET', '/api/financing/needs')).statusCode).toBe(403);
    expect((await send('bank-a', 'GET', '/api/inbox')).json().items.some((i: { action: string }) => i.action === 'financing.need.post')).toBe(true);
    expect((await send('bank-b', 'GET', '/api/inbox')).json().items.filter((i: { action: string }) => i.action === 'financing.need.post')).toHaveLength(1);

    // answers: another bank's match is not there; the amount granted is at most the need and not in the future
    expect((await send('bank-b', 'POST', `/api/financing/matches/${n.matches[0].id}/respond`, { status: 'interested' })).statusCode).toBe(404);
    const tooMuch = await send('bank-a', 'POST', `/api/financing/matches/${n.matches[0].id}/respond`, { status: 'granted', grantedFen: 800 * WAN + 1, grantedOn: '2020-09-02' });
    expect(tooMuch.json().errors.map((e: { path: string }) => e.path).sort()).toEqual(['grantedFen', 'grantedOn']);
    const granted = (await send('bank-a', 'POST', `/api/financing/matches/${n.matches[0].id}/respond`, { status: 'granted', grantedFen: 800 * WAN, grantedOn: '2020-09-01' })).json();
    expect(granted.matches[0]).toMatchObject({ status: 'granted', grantedFen: 800 * WAN });
    expect((await send('textile', 'GET', '/api/inbox')).json().items.some((i: { action: string }) => i.action === 'financing.match.respond')).toBe(true);
    await send('bank-b', 'POST', `/api/financing/matches/${other.matches[0].id}/respond`, { status: 'declined', note: '抵押物不足' });

    const pipe = (await send('fin-office', 'GET', '/api/financing/pipeline')).json();
    expect(pipe).toMatchObject({ needs: 2, unmatchedNeeds: 0, grantedFen: 800 * WAN, matches: { granted: 1, declined: 1, pending: 0, interested: 0 } });
    expect(pipe.target).toMatchObject({ id: 'm21-platform-financing-2020', value: 1000, unit: '亿元', targetFen: 1000 * 100_000_000 * 100, progressPercent: 0.008 }); // 800万元 of 1,000亿元
    expect((await send('auditor', 'GET', '/api/financing/pipeline')).statusCode).toBe(200);
    expect((await send('bank-a', 'GET', '/api/financing/pipeline')).statusCode).toBe(403);
  });
});
