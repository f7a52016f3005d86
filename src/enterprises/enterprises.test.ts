import { expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../audit/audit-log.ts';
import { describeDatabases } from '../db/test-databases.ts';
import { ValidationError } from '../errors.ts';
import { createEnterprise, getEnterprise, listEnterprises } from './enterprises.ts';
import { generateUscc, seededRandom } from './uscc.ts';

const random = seededRandom(11);
const actor = { userId: null, name: 'test', ip: '127.0.0.1' };

describeDatabases('enterprises', (t) => {
  it('registers an enterprise, normalising its code, and audits it in the same transaction', async () => {
    const uscc = generateUscc({ random });
    const created = await createEnterprise(t.db, { uscc: ` ${uscc.toLowerCase()} `, name: ' 吴江某某纺织有限公司 ', areaId: 'shengze', industryClass: 'leading' }, { actor });
    expect(created).toMatchObject({ uscc, name: '吴江某某纺织有限公司', areaId: 'shengze', industryClass: 'leading' });
    expect(await getEnterprise(t.db, uscc.toLowerCase())).toEqual(created);
    const audit = await t.db.selectFrom('audit_log').selectAll().where('entity_id', '=', uscc).execute();
    expect(audit).toMatchObject([{ action: 'enterprise.create', entity: 'enterprise', actor: 'test', ip: '127.0.0.1' }]);
  });

  it('reports every bad field at once and stores nothing', async () => {
    const before = await t.db.selectFrom('enterprises').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const auditBefore = await t.db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const attempt = createEnterprise(t.db, { uscc: '91440300708461136U', name: '', areaId: 'nowhere', industryClass: 'steel' }, { actor: SYSTEM_ACTOR });
    await expect(attempt).rejects.toBeInstanceOf(ValidationError);
    const err = (await attempt.catch((e) => e)) as ValidationError;
    expect(err.errors.map((e) => [e.path, e.code])).toEqual([
      ['uscc', 'invalid_uscc'],
      ['name', 'invalid_name'],
      ['areaId', 'unknown_area'],
      ['industryClass', 'invalid_industry_class'],
    ]);
    expect(err.messageZh).toContain('按前17位计算应为“T”');
    const after = await t.db.selectFrom('enterprises').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const auditAfter = await t.db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
    expect(Number(auditAfter.n)).toBe(Number(auditBefore.n));
  });

  it('refuses a second registration of the same code, also when both arrive at once', async () => {
    const uscc = generateUscc({ random });
    const input = { uscc, name: '重复企业', areaId: 'lili', industryClass: 'other' };
    const results = await Promise.allSettled([createEnterprise(t.db, input, { actor }), createEnterprise(t.db, input, { actor })]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason).toMatchObject({ code: 'enterprise_exists', path: 'uscc' });
    await expect(createEnterprise(t.db, input, { actor })).rejects.toMatchObject({ code: 'enterprise_exists' });
  });

  it('lists by area, industry class and search text, with pagination and a total', async () => {
    const area = 'qidu';
    for (let i = 0; i < 5; i++) {
      await createEnterprise(t.db, { uscc: generateUscc({ random }), name: `七都测试${i}号_有限公司`, areaId: area, industryClass: i < 2 ? 'highTech' : 'other' }, { actor });
    }
    const page = await listEnterprises(t.db, { areaId: area, limit: 2, offset: 2 });
    expect(page.total).toBe(5);
    expect(page.items.map((e) => e.name)).toEqual(['七都测试2号_有限公司', '七都测试3号_有限公司']);
    expect((await listEnterprises(t.db, { areaId: area, industryClass: 'highTech' })).total).toBe(2);
    expect((await listEnterprises(t.db, { search: '测试4号' })).items.map((e) => e.name)).toEqual(['七都测试4号_有限公司']);
    // '_' typed by a person is a literal underscore, not a one-character wildcard.
    expect((await listEnterprises(t.db, { search: '4号_' })).total).toBe(1);
    expect((await listEnterprises(t.db, { search: '4号x' })).total).toBe(0);
  });
});
