// Refused characters and broken uploads over HTTP: each input the acceptance review sent (a NUL in a claim item,
// credit fields, a city-award reference, a service-case reference, a login name; a lone surrogate in text that goes
// into the audit details; a broken multipart boundary) is a 400 naming the field, and nothing is stored. Both sides
// of each rule: what is refused and the nearest thing that is accepted.
import { beforeAll, describe, expect, it } from 'vitest';
import { describeDatabases } from '../db/test-databases.ts';
import { createWorld, type World } from '../claims/fixture.ts';
import { badCharacter, findBadText, MAX_DEPTH } from './input-text.ts';
import { countRows, login, multipartBody, PDF, platformApp, TEST_PASSWORD, type TestPlatform } from './test-support.ts';

const TABLES = ['claims', 'claim_evidence', 'credit_list', 'ledger_entries', 'service_cases', 'enterprises', 'sessions', 'audit_log', 'idempotency_keys'];

describe('badCharacter', () => {
  it('refuses C0 and C1 controls and DEL, and accepts the printable characters beside them', () => {
    for (const c of ['\u0000', '\u0008', '\u001B', '\u001F', '\u007F', '\u0080', '\u009F']) expect(badCharacter(`a${c}b`), JSON.stringify(c)).toBe(c);
    for (const c of [' ', '~', '\u00A0', '\u00E9', '中', '\u3000', '（']) expect(badCharacter(`a${c}b`), JSON.stringify(c)).toBeUndefined();
  });

  it('allows tab, line feed and carriage return only in multi-line text; U+2028/2029 only there too', () => {
    for (const c of ['\t', '\n', '\r', '\u2028', '\u2029']) {
      expect(badCharacter(`第一行${c}第二行`), JSON.stringify(c)).toBe(c);
      expect(badCharacter(`第一行${c}第二行`, true), JSON.stringify(c)).toBeUndefined();
    }
    expect(badCharacter('a\u000Bb', true)).toBe('\u000B'); // vertical tab is no line break of ours
    expect(badCharacter('a\u0000b', true)).toBe('\u0000');
  });

  it('refuses lone surrogates but not a surrogate pair', () => {
    expect(badCharacter('a\uD800b')).toBe('\uD800');
    expect(badCharacter('a\uDC00b')).toBe('\uDC00');
    expect(badCharacter('\uDC00\uD800')).toBe('\uDC00'); // the halves in the wrong order are two lone ones
    expect(badCharacter('设备 😀 𠀀')).toBeUndefined();
  });

  it('refuses bidi overrides and isolates, zero-width characters, the BOM and tag characters; keeps variation selectors', () => {
    for (const c of ['\u202E', '\u202A', '\u2066', '\u2069', '\u200B', '\u200C', '\u200D', '\u200E', '\u200F', '\u2060', '\uFEFF', '\u061C', '\u{E0041}']) {
      expect(badCharacter(`fdp${c}.exe`, true), c.codePointAt(0)!.toString(16)).toBe(c);
    }
    expect(badCharacter('\u2764\uFE0F')).toBeUndefined();
  });

  it('walks nested values and keys, naming each bad one by its path, and refuses nesting past the limit', () => {
    const errors = findBadText({ claims: [{ item: 'a\u0000' }], facts: { ['k\u202E']: 1 } }, 'body');
    expect(errors.map((e) => e.path)).toEqual(['body.claims.0.item', 'body.facts.k\\u{202E}']);
    let deep: unknown = 'x';
    for (let i = 0; i < MAX_DEPTH; i++) deep = [deep];
    expect(findBadText(deep, 'body')).toEqual([]);
    expect(findBadText([deep], 'body').map((e) => e.code)).toEqual(['too_deep']);
  });
});

describeDatabases('http refused characters', (t) => {
  let p: TestPlatform;
  let w: World;
  const as: Record<string, string> = {};
  beforeAll(async () => {
    w = await createWorld(t.db);
    p = await platformApp(t.db, { today: () => '2021-03-01' });
    for (const u of ['cable', 'industry', 'admin']) as[u] = await login(p.app, u);
    return () => p.app.close();
  });

  const call = (who: string, method: string, url: string, payload?: unknown, headers: Record<string, string> = {}) =>
    p.app.inject({ method: method as 'POST', url, payload: payload as object, headers: { ...(who ? { cookie: as[who] } : {}), ...headers } });

  /** The request is a 400 with `code`, naming `path` when there is a field to name, and no table gained or lost a row. */
  async function refused(request: () => ReturnType<typeof call>, path: string | null, code = 'bad_characters') {
    const before = await countRows(t.db, TABLES);
    const res = await request();
    expect(res.statusCode, res.body).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    if (path !== null) expect(res.json().errors.map((e: { path: string }) => e.path)).toContain(path);
    expect(res.json().code).toBe(code);
    expect(await countRows(t.db, TABLES), 'nothing stored').toEqual(before);
    return res;
  }

  const draft = { incentive: 'equipment-investment', year: 2020, item: '光纤预制棒扩产项目', facts: { equipmentInvestment: '2500万元' } };

  it('a NUL in a claim item, and a lone surrogate there or in a fact, are refused naming the field', async () => {
    const res = await refused(() => call('cable', 'POST', '/api/claims', { ...draft, item: '光纤\u0000项目' }), 'body.item');
    expect(res.json().messageZh).toContain('U+0000');
    await refused(() => call('cable', 'POST', '/api/claims', { ...draft, item: '光纤\uD800项目' }), 'body.item');
    await refused(() => call('cable', 'POST', '/api/claims', { ...draft, facts: { equipmentInvestment: '2500万元\uDFFF' } }), 'body.facts.equipmentInvestment');
    // the same item without it is a claim
    expect((await call('cable', 'POST', '/api/claims', draft)).statusCode).toBe(201);
  });

  it('a NUL in credit fields is refused, whichever field', async () => {
    const entry = { uscc: w.enterprises.textile, listName: '失信被执行人名单', reason: '未履行生效判决', listedOn: '2020-06-01', source: '吴江区人民法院' };
    for (const field of ['listName', 'reason', 'source', 'uscc'] as const) {
      await refused(() => call('admin', 'POST', '/api/credit', { ...entry, [field]: `${entry[field]}\u0000` }), `body.${field}`);
    }
  });

  it('a NUL in a city-award reference is refused', async () => {
    await refused(() => call('industry', 'POST', '/api/city-awards', { uscc: w.enterprises.cable, incentive: 'equipment-investment', item: '市级项目', year: 2020, amountFen: 100, reference: '苏工信\u0000〔2020〕9号' }), 'body.reference');
  });

  it('a NUL in a service-case reference is refused', async () => {
    await refused(() => call('admin', 'POST', '/api/service-cases', { limitId: 'water-no-new-pipeline', reference: 'W-\u00001', subject: '吴江丝韵纺织有限公司', acceptedOn: '2020-05-20' }), 'body.reference');
  });

  it('a NUL in a login name is refused before any password is checked, and no attempt is counted', async () => {
    await refused(() => p.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'finance\u0000', password: TEST_PASSWORD } }), 'body.username');
    expect(await t.db.selectFrom('login_failures').selectAll().execute()).toEqual([]);
  });

  it('a lone surrogate in a reason that would go into the audit details is refused; line breaks in a reason are kept', async () => {
    const created = await call('cable', 'POST', '/api/claims', { ...draft, item: '撤回用项目' });
    const id = created.json().id;
    await refused(() => call('cable', 'POST', `/api/claims/${id}/withdraw`, { reason: '重复申报\uD83D' }), 'body.reason');
    await refused(() => call('cable', 'POST', `/api/claims/${id}/withdraw`, { reason: '重复申报\u0000' }), 'body.reason');
    const ok = await call('cable', 'POST', `/api/claims/${id}/withdraw`, { reason: '重复申报。\r\n\t详见另一申报 😀' });
    expect(ok.statusCode, ok.body).toBe(200);
    const audit = await t.db.selectFrom('audit_log').select('details').where('action', 'like', 'claim.withdraw%').executeTakeFirstOrThrow();
    expect(JSON.stringify(audit.details)).toContain('详见另一申报 😀');
  });

  it('a line break in a one-line field (an item, a name) is refused', async () => {
    await refused(() => call('cable', 'POST', '/api/claims', { ...draft, item: '第一行\n第二行' }), 'body.item');
    await refused(() => call('admin', 'POST', '/api/enterprises', { uscc: w.enterprises.spare, name: '吴江\n电子', areaId: 'songling', industryClass: 'other' }), 'body.name');
  });

  it('an RTL override or a zero-width character in a name or a reason is refused', async () => {
    await refused(() => call('admin', 'POST', '/api/enterprises', { uscc: '91320509MA1XK7C3XN', name: '苏州\u200B澜川', areaId: 'shengze', industryClass: 'leading' }), 'body.name');
    await refused(() => call('admin', 'POST', '/api/credit', { uscc: w.enterprises.textile, listName: '名单\u202E', reason: 'r', listedOn: '2020-06-01' }), 'body.listName');
  });

  it('query strings and path parameters are checked too', async () => {
    const before = await countRows(t.db, TABLES);
    const q = await call('industry', 'GET', '/api/claims?q=%E5%85%89%00');
    expect(q.statusCode).toBe(400);
    expect(q.json().errors[0]).toMatchObject({ path: 'querystring.q', code: 'bad_characters' });
    const param = await call('industry', 'GET', '/api/enterprises/91%00');
    expect(param.statusCode).toBe(400);
    expect(param.json().errors[0]).toMatchObject({ path: 'params.uscc', code: 'bad_characters' });
    expect(await countRows(t.db, TABLES)).toEqual(before);
  });

  it('an id or version past the database\'s range is a 422 naming it, not a server fault', async () => {
    const id = (await call('cable', 'POST', '/api/claims', { ...draft, item: '版本用项目' })).json().id;
    const before = await countRows(t.db, TABLES);
    const cases: Array<[string, string, string, unknown, string]> = [
      ['cable', 'PATCH', `/api/claims/${id}`, { item: '新名称', expectedVersion: 1e15 }, 'body.expectedVersion'],
      ['industry', 'POST', '/api/publicity', { title: '公示', claimIds: [1e19], startsOn: '2021-03-01' }, 'body.claimIds.0'],
      ['industry', 'POST', '/api/publicity/1/objections', { claimId: 1e19, objector: '张三', content: '异议', receivedOn: '2021-03-01' }, 'body.claimId'],
    ];
    for (const [who, method, url, payload, path] of cases) {
      const res = await call(who, method, url, payload);
      expect(res.statusCode, res.body).toBe(422);
      expect(res.json().errors.map((e: { path: string }) => e.path)).toContain(path);
    }
    expect(await countRows(t.db, TABLES)).toEqual(before);
    // the largest version the column holds is an ordinary conflict
    expect((await call('cable', 'PATCH', `/api/claims/${id}`, { item: '新名称', expectedVersion: 2147483647 })).json().code).toBe('conflict');
  });

  it('anonymous requests are still 401 before any input is looked at', async () => {
    const res = await p.app.inject({ method: 'POST', url: '/api/claims', payload: { ...draft, item: '\u0000' } });
    expect(res.statusCode).toBe(401);
  });

  describe('uploads', () => {
    let claimId = 0;
    beforeAll(async () => {
      claimId = (await call('cable', 'POST', '/api/claims', { ...draft, item: '附件用项目' })).json().id;
    });

    it('a broken multipart boundary is 400 bad_multipart, with nothing stored', async () => {
      const m = multipartBody('营业执照.pdf', PDF);
      const res = await refused(() => call('cable', 'POST', `/api/claims/${claimId}/evidence`, m.payload, { 'content-type': 'multipart/form-data; boundary=not-the-boundary' }), null, 'bad_multipart');
      expect(res.json().messageZh).toContain('multipart/form-data');
    });

    it('every way of breaking the body is the client’s fault (400), never a server fault', async () => {
      const m = multipartBody('营业执照.pdf', PDF);
      const before = await countRows(t.db, TABLES);
      const bodies: Array<[string, Buffer | string]> = [
        ['multipart/form-data; boundary=not-the-boundary', m.payload],
        ['multipart/form-data', m.payload],
        [m.headers['content-type'], m.payload.subarray(0, m.payload.length - 30)],
        [m.headers['content-type'], '--' + m.headers['content-type'].split('boundary=')[1] + '\r\nContent-Disposition: garbage\r\n\r\nx'],
      ];
      for (const [type, payload] of bodies) {
        const res = await call('cable', 'POST', `/api/claims/${claimId}/evidence`, payload, { 'content-type': type });
        expect(res.statusCode, `${type}: ${res.body}`).toBe(400);
        expect(res.json().code).toBe('bad_multipart');
      }
      const xlsx = await call('admin', 'POST', '/api/service-cases/import', m.payload, { 'content-type': 'multipart/form-data; boundary=not-the-boundary' });
      expect(xlsx.statusCode, xlsx.body).toBe(400);
      expect(xlsx.json().code).toBe('bad_multipart');
      expect(await countRows(t.db, TABLES)).toEqual(before);
      // the well-formed upload is stored
      expect((await call('cable', 'POST', `/api/claims/${claimId}/evidence`, m.payload, m.headers)).statusCode).toBe(201);
    });

    it('a file name with an RTL override or a control character is refused naming file.name', async () => {
      for (const name of ['营业执照\u202Efdp.exe', '营业\u0007执照.pdf']) {
        const m = multipartBody(name, PDF);
        await refused(() => call('cable', 'POST', `/api/claims/${claimId}/evidence`, m.payload, m.headers), 'file.name');
      }
    });
  });
});
