// The administrator's view of one enterprise: editing the register (audited, the code never changes) and the
// detail page's facts on file, each value with who stated it and when — a value restated unchanged keeps its first
// source — its users, claim count and credit status; officials in scope read it, others not.
import { beforeAll, expect, it } from 'vitest';
import { describeDatabases } from '../db/test-databases.ts';
import { Engine } from '../engine/index.ts';
import { ValidationError } from '../errors.ts';
import { createPlatformContext, type PlatformContext } from '../claims/context.ts';
import { createWorld, type World } from '../claims/fixture.ts';
import { addCreditEntry } from '../credit/credit.ts';
import { putFactsOnFile } from './facts-on-file.ts';
import { getEnterpriseProfile } from './profile.ts';
import { updateEnterprise } from './enterprises.ts';

const engine = Engine.load();

describeDatabases('enterprise profile and edits', (t) => {
  let ctx: PlatformContext;
  let w: World;
  let clock = '2021-03-01';
  beforeAll(async () => {
    ctx = createPlatformContext(t.db, engine, { today: () => clock });
    w = await createWorld(t.db);
  });

  it('edits name, area and class with the change audited; the code never changes; bad input stores nothing', async () => {
    const actor = { userId: w.users.admin.id, name: 'admin' };
    const bad = (await updateEnterprise(t.db, w.enterprises.spare, { name: ' ', areaId: 'atlantis', industryClass: 'big' }, { actor }).catch((e) => e)) as ValidationError;
    expect(bad.errors.map((e) => [e.path, e.code])).toEqual([['name', 'invalid_name'], ['areaId', 'unknown_area'], ['industryClass', 'invalid_industry_class']]);
    const moved = (await updateEnterprise(t.db, w.enterprises.spare, { uscc: w.enterprises.cable }, { actor }).catch((e) => e)) as ValidationError;
    expect(moved.errors[0]).toMatchObject({ path: 'uscc', code: 'uscc_immutable' });
    const row = await t.db.selectFrom('enterprises').selectAll().where('uscc', '=', w.enterprises.spare).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ name: '吴江松陵电子科技有限公司', area_id: 'songling', industry_class: 'highTech' });

    const e = await updateEnterprise(t.db, w.enterprises.spare, { name: '吴江松陵电子科技股份有限公司', industryClass: 'leading' }, { actor });
    expect(e).toMatchObject({ uscc: w.enterprises.spare, name: '吴江松陵电子科技股份有限公司', areaId: 'songling', industryClass: 'leading' });
    const audit = await t.db.selectFrom('audit_log').select('details').where('action', '=', 'enterprise.update').execute();
    expect(audit.map((a) => a.details)).toEqual([{ changes: { name: { from: '吴江松陵电子科技有限公司', to: '吴江松陵电子科技股份有限公司' }, industryClass: { from: 'highTech', to: 'leading' } } }]);
  });

  it('shows each fact with who stated it and when; an unchanged value keeps its first source', async () => {
    await putFactsOnFile(ctx, w.users.cable, w.enterprises.cable, 2020, { rdExpense: '500万元', rdExpensePriorYear: '300万元' });
    const first = await getEnterpriseProfile(ctx, w.users.admin, w.enterprises.cable);
    const firstAt = first.factYears[0].facts.find((f) => f.name === 'rdExpense')!.source.at;
    await new Promise((r) => setTimeout(r, 20));
    await putFactsOnFile(ctx, w.users.cable, w.enterprises.cable, 2020, { rdExpense: '500万元', rdExpensePriorYear: '320万元' });
    await addCreditEntry(t.db, { userId: w.users.admin.id, name: 'admin' }, { uscc: w.enterprises.cable, listName: '失信被执行人名单', reason: '未履行', listedOn: '2021-02-01', source: '吴江区人民法院' });

    const p = await getEnterpriseProfile(ctx, w.users.admin, w.enterprises.cable);
    const facts = Object.fromEntries(p.factYears[0].facts.map((f) => [f.name, f]));
    expect(p.factYears.map((f) => f.year)).toEqual([2020]);
    expect(facts.rdExpense.source).toMatchObject({ name: '长缆光通信', username: 'cable', role: 'enterprise', at: firstAt });
    expect(facts.rdExpensePriorYear).toMatchObject({ value: '320万元' });
    expect(facts.rdExpensePriorYear.source.at! > firstAt!).toBe(true);
    expect(p.users).toEqual([expect.objectContaining({ username: 'cable', status: 'active' })]);
    expect(p.claims.total).toBeGreaterThanOrEqual(0);
    expect(p.credit).toMatchObject({ blocked: true, entries: [expect.objectContaining({ unit: '吴江区人民法院' })] });
    expect(p.canEdit).toBe(true);
  });

  it('officials in scope read it without users or edit; outside the scope it does not exist', async () => {
    const p = await getEnterpriseProfile(ctx, w.users.shengzeReviewer, w.enterprises.cable);
    expect(p).toMatchObject({ users: null, canEdit: false });
    expect((await getEnterpriseProfile(ctx, w.users.auditor, w.enterprises.cable)).users).not.toBeNull();
    await expect(getEnterpriseProfile(ctx, w.users.songlingReviewer, w.enterprises.cable)).rejects.toMatchObject({ code: 'not_found' });
    const reads = await t.db.selectFrom('audit_log').select('actor').where('action', '=', 'enterprise.profile.read').execute();
    expect(reads.map((r) => r.actor)).toEqual(expect.arrayContaining(['admin', 'shengze', 'auditor']));
  });
});
