import { describe, expect, it } from 'vitest';
import { describeDatabases } from '../db/test-databases.ts';
import { Engine } from '../engine/index.ts';
import { KaifangError, ValidationError } from '../errors.ts';
import { failure } from '../test-support.ts';
import { SYSTEM_ACTOR } from '../audit/audit-log.ts';
import { checkPolygon, polygonsOverlap } from './geometry.ts';
import { getFeature, listFeatures, retireFeature, saveFeatures, confirmFeature } from './features.ts';
import { advanceLead, getLead, listLeads, projectKey, registerLead, setLeadReward } from './leads.ts';
import { expectedIncentives, matchSites, parseProject } from './matching.ts';
import { loadInvestmentRules } from './rules.ts';
import { generateMap, seedInvestmentDemo } from './demo.ts';

const engine = Engine.load();
const square = (lon: number, lat: number, d = 0.002) => ({ type: 'Polygon', coordinates: [[[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]] });
const parcel = (code: string, geometry: unknown, over: Record<string, unknown> = {}) => ({
  code,
  name: `地块${code}`,
  areaId: 'songling',
  geometry,
  props: { plannedUse: 'industrial', industries: ['advanced-equipment'], insideProtectionLine: true, soilSurveyDone: true, supplyYear: 2020, supplyStatus: 'available', standard: { investmentIntensity: 300, plotRatioMin: 1.2, plotRatioMax: 2.5 }, powerKva: 5000, waterTonsPerDay: 500, ...over },
});

describe('investment-map.yaml', () => {
  it('loads with every clause verbatim, every unit known and every incentive in the policy', () => {
    const r = loadInvestmentRules(undefined, { incentiveIds: engine.policy.incentivesById.keys() });
    expect(r.heatMap.routes.map((x) => x.zh)).toEqual(['智能制造', '科技创新', '文化创意', '现代商务', '绿色休闲']);
    expect(r.heatMap.availableLand.squareKm).toBe(9.6);
    expect(r.leads.stages.map((s) => s.zh)).toEqual(['接洽', '考察', '签约', '落地']);
  });
});

describe('geometry', () => {
  it('accepts a square in Songling and refuses an open ring, a bow tie and a square outside the district', () => {
    expect(checkPolygon(square(120.64, 31.15)).type).toBe('Polygon');
    const open = { type: 'Polygon', coordinates: [[[120.64, 31.15], [120.642, 31.15], [120.642, 31.152], [120.64, 31.152]]] };
    expect(() => checkPolygon(open)).toThrow(/not closed/);
    const bowTie = { type: 'Polygon', coordinates: [[[120.64, 31.15], [120.642, 31.152], [120.642, 31.15], [120.64, 31.152], [120.64, 31.15]]] };
    expect(() => checkPolygon(bowTie)).toThrow(/crosses itself/);
    expect(() => checkPolygon(square(121.2, 31.15))).toThrow(KaifangError);
  });
  it('parcels that share an edge do not overlap; a shifted one does', () => {
    const a = checkPolygon(square(120.64, 31.15));
    expect(polygonsOverlap(a, checkPolygon(square(120.642, 31.15)))).toBe(false);
    expect(polygonsOverlap(a, checkPolygon(square(120.641, 31.151)))).toBe(true);
  });
  it('the demo generator puts every parcel in its area, none overlapping', () => {
    const m = generateMap({ parcelsPerArea: 4, carriersPerArea: 1, opportunitiesPerArea: 1 });
    expect(m.parcels).toHaveLength(60);
    const polys = m.parcels.map((p) => checkPolygon(p.geometry));
    for (let i = 0; i < polys.length; i++) for (let j = i + 1; j < polys.length; j++) expect(polygonsOverlap(polys[i], polys[j])).toBe(false);
  });
});

describeDatabases('investment map', (t) => {
  it('saves parcels, refuses a lot with one overlapping or bad feature whole, naming each by its number', async () => {
    await saveFeatures(t.db, SYSTEM_ACTOR, 'parcel', [parcel('SL-1', square(120.63, 31.15))]);
    const e = await failure(
      saveFeatures(t.db, SYSTEM_ACTOR, 'parcel', [parcel('SL-2', square(120.634, 31.15)), parcel('SL-3', square(120.631, 31.151)), parcel('SL-4', square(120.64, 31.15), { supplyYear: 'soon' })], { label: (i) => `第${i + 1}个要素` }),
    );
    expect(e).toBeInstanceOf(ValidationError);
    expect((e as ValidationError).errors.map((x) => x.path)).toEqual(['第3个要素.props.supplyYear']);
    const e2 = await failure(saveFeatures(t.db, SYSTEM_ACTOR, 'parcel', [parcel('SL-2', square(120.634, 31.15)), parcel('SL-3', square(120.631, 31.151))], { label: (i) => `第${i + 1}个要素` }));
    expect((e2 as ValidationError).errors.map((x) => [x.path, x.code])).toEqual([['第2个要素.geometry', 'parcels_overlap']]);
    expect((await listFeatures(t.db, { layer: 'parcel' })).map((f) => f.code)).toEqual(['SL-1']);
  });

  it('keeps history: an edit is a new version, the map as of before shows the old one; retired features leave the map', async () => {
    const before = new Date();
    await new Promise((r) => setTimeout(r, 5));
    await saveFeatures(t.db, SYSTEM_ACTOR, 'parcel', [parcel('SL-1', square(120.63, 31.15), { supplyStatus: 'planned' })]);
    const f = await getFeature(t.db, 'parcel', 'SL-1');
    expect(f.version).toBe(2);
    expect(f.history).toHaveLength(2);
    const then = await listFeatures(t.db, { layer: 'parcel', asOf: before });
    expect((then[0].props as { supplyStatus: string }).supplyStatus).toBe('available');
    await saveFeatures(t.db, SYSTEM_ACTOR, 'parcel', [parcel('SL-9', square(120.62, 31.14))]);
    await retireFeature(t.db, SYSTEM_ACTOR, 'parcel', 'SL-9', '已出让');
    expect((await listFeatures(t.db, { layer: 'parcel' })).map((x) => x.code)).toEqual(['SL-1']);
  });

  it('flags a record stale after the layer period (90 days for parcels) and confirming clears it', async () => {
    const in89 = new Date(Date.now() + 89 * 86_400_000);
    const in91 = new Date(Date.now() + 91 * 86_400_000);
    expect((await listFeatures(t.db, { layer: 'parcel' }, { now: in89 }))[0].stale).toBe(false);
    expect((await listFeatures(t.db, { layer: 'parcel' }, { now: in91 }))[0].stale).toBe(true);
    await confirmFeature(t.db, SYSTEM_ACTOR, 'parcel', 'SL-1');
    const after = await listFeatures(t.db, { layer: 'parcel' }, { now: new Date(Date.now() + 89 * 86_400_000) });
    expect(after[0].stale).toBe(false);
  });

  it('ranks sites criterion by criterion and asks the engine for measures 16 and 18', async () => {
    const project = parseProject({ name: '减速机项目', industry: 'advanced-equipment', landAreaSqm: 20_000, floorAreaSqm: 40_000, investmentFen: 1_000_000_000_00 * 3, equipmentFen: 25_000_000_00, powerKva: 3000, waterTonsPerDay: 100, startDate: '2020-09-01', industryClass: 'leading' });
    const features = await listFeatures(t.db, {});
    const ranked = matchSites(project, features);
    expect(ranked[0].code).toBe('SL-1');
    const land = ranked[0].criteria.find((c) => c.id === 'landArea')!;
    // the parcel is ~0.2° × 0.2°/100 … about 4.5 ha: fits 2 ha
    expect(land.fits).toBe(true);
    const tooBig = matchSites({ ...project, landAreaSqm: 100_000 }, features)[0].criteria.find((c) => c.id === 'landArea')!;
    expect(tooBig.fits).toBe(false);
    expect(tooBig.whyZh).toMatch(/项目需 10\.00公顷/);
    const { incentives } = expectedIncentives(engine, project);
    const m16 = incentives.find((i) => i.incentive === 'equipment-investment')!;
    expect(m16.status).toBe('eligible');
    expect(m16.amountFen).toBe(3_000_000_00); // 12 % of 2500万元, leading industry
    const m18 = incentives.find((i) => i.incentive === 'plot-ratio-floor-area')!;
    expect(m18.amountFen).toBe((40_000 - 20_000 * 1.5) * 200 * 100);
    // a plot ratio of exactly 1.5 earns nothing under measure 18 (above 1.5 only)
    const at15 = expectedIncentives(engine, { ...project, floorAreaSqm: 30_000 }).incentives.find((i) => i.incentive === 'plot-ratio-floor-area')!;
    expect(at15.status).toBe('notEligible');
    expect(() => parseProject({ industry: 'mining' })).toThrow(ValidationError);
  });

  it('registers leads with the first reporter, links a duplicate, moves stages one at a time, proposes and sets the reward', async () => {
    const a = await registerLead(t.db, SYSTEM_ACTOR, { enterpriseName: '苏州甲有限公司', projectName: '一期 项目', industry: 'digital-economy', amountFen: 1000, source: 'adviser', firstReporter: '顾问甲' });
    expect(a.duplicate).toBe(false);
    expect(a.auditId).toBeGreaterThan(0);
    const b = await registerLead(t.db, SYSTEM_ACTOR, { enterpriseName: '苏州甲股份有限公司', projectName: '一期项目', industry: 'digital-economy', amountFen: 1000, source: 'agency', firstReporter: '中介乙' });
    expect(b.duplicate).toBe(true);
    expect(b.duplicateOf).toBe(a.id);
    expect(projectKey('苏州甲有限公司', '一期 项目')).toBe(projectKey('苏州甲股份有限公司', '一期项目'));
    expect((await listLeads(t.db)).counts).toEqual({ contact: 1 });
    expect((await failure(advanceLead(t.db, SYSTEM_ACTOR, b.id, { to: 'visit', owner: 'x' }, { today: '2020-06-01' }))).code).toBe('invalid_state');
    expect((await failure(advanceLead(t.db, SYSTEM_ACTOR, a.id, { to: 'signed', owner: 'x' }, { today: '2020-06-01' }))).code).toBe('invalid_state');
    expect((await failure(setLeadReward(t.db, SYSTEM_ACTOR, a.id, { amountFen: 100, note: '早' }))).code).toBe('invalid_state');
    for (const to of ['visit', 'signed', 'landed']) await advanceLead(t.db, SYSTEM_ACTOR, a.id, { to, owner: '招商一科' }, { today: '2020-06-01' });
    const landed = await getLead(t.db, a.id);
    expect(landed.stage).toBe('landed');
    expect(landed.landedOn).toBe('2020-06-01');
    expect(landed.reward).toEqual({ status: 'proposed', amountFen: null, note: null });
    expect(landed.duplicates).toEqual([b.id]);
    const set = await setLeadReward(t.db, SYSTEM_ACTOR, a.id, { amountFen: 50_000_00, note: '局务会议定' });
    expect(set.reward).toEqual({ status: 'set', amountFen: 50_000_00, note: '局务会议定' });
    const audit = await t.db.selectFrom('audit_log').select('action').where('entity', '=', 'lead').where('entity_id', '=', String(a.id)).orderBy('id').execute();
    expect(audit.map((x) => x.action)).toEqual(['lead.register', 'lead.stage', 'lead.stage', 'lead.stage', 'lead.rewardProposed', 'lead.rewardSet']);
  });
});

describeDatabases('investment demo', (t) => {
  it('seeds a few hundred features and leads in every stage', async () => {
    const made = await seedInvestmentDemo(t.db, SYSTEM_ACTOR, { today: '2020-11-30' });
    expect(made.parcels).toBeGreaterThanOrEqual(200);
    expect(made.carriers).toBeGreaterThanOrEqual(100);
    const { counts } = await listLeads(t.db);
    expect(Object.keys(counts).sort()).toEqual(['contact', 'landed', 'signed', 'visit']);
  }, 120_000);
});
