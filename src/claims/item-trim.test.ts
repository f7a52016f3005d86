// A claim's item is judged as it is stored: trimmed (a whitespace-only item is no item), never as typed.
import { beforeAll, expect, it } from 'vitest';
import { describeDatabases } from '../db/test-databases.ts';
import { Engine } from '../engine/index.ts';
import { KaifangError } from '../errors.ts';
import { createPlatformContext, type PlatformContext } from './context.ts';
import { createWorld, type World } from './fixture.ts';
import { createClaim, getClaimDetail } from './claims.ts';

const engine = Engine.load();

describeDatabases('claim item as stored', (t) => {
  let ctx: PlatformContext;
  let w: World;
  beforeAll(async () => {
    ctx = createPlatformContext(t.db, engine, { today: () => '2021-03-01' });
    w = await createWorld(t.db, 11);
  });

  it('a padded item is stored and evaluated trimmed; a blank one is no item', async () => {
    const c = await createClaim(ctx, w.users.cable, { incentive: 'equipment-investment', year: 2020, item: '  光纤扩产项目  ', facts: { equipmentInvestment: '2500万元' } });
    expect(c.item).toBe('光纤扩产项目');
    const detail = await getClaimDetail(ctx, w.users.cable, c.id);
    expect(JSON.stringify(detail)).not.toContain('  光纤扩产项目');
    const blank = await createClaim(ctx, w.users.cable, { incentive: 'equipment-investment', year: 2020, item: '   ', facts: { equipmentInvestment: '2500万元' } }).catch((e) => e);
    const plain = await createClaim(ctx, w.users.cable, { incentive: 'equipment-investment', year: 2020, facts: { equipmentInvestment: '2500万元' } }).catch((e) => e);
    // Whatever the policy says of a claim without an item, a blank item is treated exactly the same.
    expect(blank instanceof KaifangError ? blank.code : blank.item).toBe(plain instanceof KaifangError ? plain.code : plain.item);
  });
});
