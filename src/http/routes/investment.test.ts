// The investment map over HTTP: public reads and matching without an account, an expression of interest only when
// signed in, features kept only by the owning unit (all or nothing, GeoJSON features numbered), leads by commerce.
import { beforeAll, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../audit/audit-log.ts';
import { describeDatabases } from '../../db/test-databases.ts';
import { DEFAULT_SECURITY_CONFIG } from '../../identity/security-config.ts';
import { createUser } from '../../identity/users.ts';
import { login, platformApp, type TestPlatform } from '../test-support.ts';

const FAST = { ...DEFAULT_SECURITY_CONFIG, scrypt: { N: 1024, r: 8, p: 1, keyLength: 32 } };
const PW = 'kaifang-test-2020';
const square = (lon: number, lat: number, d = 0.002) => ({ type: 'Polygon', coordinates: [[[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]] });
const props = { plannedUse: 'industrial', industries: 'advanced-equipment', insideProtectionLine: true, soilSurveyDone: true, supplyYear: 2020, supplyStatus: 'available', standard: { investmentIntensity: 300 }, powerKva: 5000, waterTonsPerDay: 500 };
const feature = (code: string, geometry: unknown, extra: Record<string, unknown> = {}) => ({ type: 'Feature', geometry, properties: { code, name: code, areaId: 'songling', ...props, ...extra } });

describeDatabases('investment map HTTP', (t) => {
  let p: TestPlatform;
  const cookies: Record<string, string> = {};
  beforeAll(async () => {
    p = await platformApp(t.db, { today: () => '2020-08-01', security: FAST });
    const mk = (username: string, role: string, scope: Record<string, string> = {}) => createUser(t.db, { username, displayName: username, password: PW, role, ...scope } as never, { actor: SYSTEM_ACTOR, config: FAST });
    await mk('land', 'departmentReviewer', { departmentId: 'natural-resources-planning-bureau' });
    await mk('commerce', 'departmentReviewer', { departmentId: 'commerce-bureau' });
    await mk('science', 'departmentReviewer', { departmentId: 'science-technology-bureau' });
    for (const u of ['land', 'commerce', 'science']) cookies[u] = await login(p.app, u, PW);
  });

  it('refuses a GeoJSON import whole, naming the feature; only the owning unit may import', async () => {
    const bad = { type: 'FeatureCollection', features: [feature('P-1', square(120.63, 31.15)), feature('P-2', square(120.631, 31.151))] };
    const res = await p.app.inject({ method: 'POST', url: '/api/map/features/parcel', headers: { cookie: cookies.land }, payload: bad });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors.map((e: { path: string }) => e.path)).toEqual(['第2个要素.geometry']);
    expect((await p.app.inject({ url: '/api/map/features?layer=parcel' })).json().total).toBe(0);
    const other = await p.app.inject({ method: 'POST', url: '/api/map/features/parcel', headers: { cookie: cookies.science }, payload: bad });
    expect(other.statusCode).toBe(403);
    const good = { type: 'FeatureCollection', features: [feature('P-1', square(120.63, 31.15)), feature('P-2', square(120.633, 31.15))] };
    const ok = await p.app.inject({ method: 'POST', url: '/api/map/features/parcel', headers: { cookie: cookies.land }, payload: good });
    expect(ok.json()).toMatchObject({ created: 2 });
  });

  it('serves the map and matches sites without a login; interest needs one and becomes a lead', async () => {
    expect((await p.app.inject({ url: '/api/map/base' })).json().routes).toHaveLength(5);
    const project = { name: '减速机项目', industry: 'advanced-equipment', landAreaSqm: 20000, floorAreaSqm: 40000, investmentFen: 300_000_000_00, equipmentFen: 25_000_000_00, powerKva: 1000, waterTonsPerDay: 100, startDate: '2020-09-01', industryClass: 'leading' };
    const m = (await p.app.inject({ method: 'POST', url: '/api/map/match', payload: project })).json();
    expect(m.sites.map((s: { code: string }) => s.code)).toEqual(['P-1', 'P-2']);
    expect(m.incentives.find((i: { incentive: string }) => i.incentive === 'equipment-investment').amountFen).toBe(3_000_000_00);
    const anon = await p.app.inject({ method: 'POST', url: '/api/map/interest', payload: { project, siteCode: 'P-1', enterpriseName: '德国施耐克', contact: '138' } });
    expect(anon.statusCode).toBe(401);
    const mine = await p.app.inject({ method: 'POST', url: '/api/map/interest', headers: { cookie: cookies.science }, payload: { project, siteCode: 'P-1', enterpriseName: '德国施耐克', contact: '138' } });
    expect(mine.statusCode).toBe(201);
    const leads = (await p.app.inject({ url: '/api/leads', headers: { cookie: cookies.commerce } })).json();
    expect(leads.items[0]).toMatchObject({ source: 'heatMap', siteCode: 'P-1', areaId: 'songling', stage: 'contact' });
    const id = leads.items[0].id;
    for (const to of ['visit', 'signed', 'landed']) {
      const r = await p.app.inject({ method: 'POST', url: `/api/leads/${id}/stage`, headers: { cookie: cookies.commerce }, payload: { to, owner: '招商一科' } });
      expect(r.statusCode).toBe(200);
    }
    expect((await p.app.inject({ method: 'POST', url: `/api/leads/${id}/stage`, headers: { cookie: cookies.land }, payload: { to: 'landed', owner: 'x' } })).statusCode).toBe(403);
    const reward = await p.app.inject({ method: 'POST', url: `/api/leads/${id}/reward`, headers: { cookie: cookies.commerce }, payload: { amountFen: 1_000_000, note: '局务会' } });
    expect(reward.json().reward).toEqual({ status: 'set', amountFen: 1_000_000, note: '局务会' });
    const heat = (await p.app.inject({ url: '/api/map/heat' })).json();
    expect(heat.areas.find((a: { areaId: string }) => a.areaId === 'songling')).toMatchObject({ parcels: 2, leads: 1 });
  });
});
