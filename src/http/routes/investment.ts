/**
 * The investment map over HTTP (issue 13). Public (no login): the base map (district outline, areas, routes, layers),
 * the features as of a date, the heat per area, site matching. A signed-in user sends an expression of interest,
 * which becomes a lead. Officials: the owner of a layer (department reviewer of its owning unit) saves, imports
 * (GeoJSON, all or nothing) and confirms features; the commerce bureau keeps the leads and sets the reward.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { PlatformContext } from '../../claims/context.ts';
import { actorOf } from '../../claims/context.ts';
import { KaifangError } from '../../errors.ts';
import { authorize } from '../../identity/access.ts';
import type { Principal } from '../../identity/users.ts';
import { requireUser } from '../auth.ts';
import { districtOutline, mapAreas } from '../../investment/geometry.ts';
import { confirmFeature, getFeature, listFeatures, saveFeatures } from '../../investment/features.ts';
import { advanceLead, getLead, listLeads, registerLead, setLeadReward } from '../../investment/leads.ts';
import { expectedIncentives, matchSites, parseProject } from '../../investment/matching.ts';
import { investmentRules, LAYERS, type Layer } from '../../investment/rules.ts';

const layerParam = { type: 'string', enum: [...LAYERS] } as const;
const date = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' } as const;
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[1-9][0-9]{0,15}$' } } } as const;

/** The official who owns a layer: a department reviewer of the layer's owning unit (investment-map.yaml). */
function layerOwner(req: FastifyRequest, layer: Layer): Principal {
  const user = requireUser(req);
  authorize(user, 'investmentMap.manage');
  const owner = investmentRules().layers[layer].owner;
  if (user.departmentId !== owner) {
    throw new KaifangError({ code: 'forbidden', zh: `该图层由 ${owner} 维护`, en: `this layer is kept by ${owner}`, details: { owner } });
  }
  return user;
}

function leadKeeper(req: FastifyRequest): Principal {
  const user = requireUser(req);
  authorize(user, 'lead.manage');
  if (user.departmentId !== investmentRules().leads.owner) {
    throw new KaifangError({ code: 'forbidden', zh: '招商线索由区商务局管理', en: 'leads are kept by the commerce bureau' });
  }
  return user;
}

/** '2020-06-30' → the end of that Shanghai day, as an instant. */
const endOfDay = (d: string) => new Date(`${d}T23:59:59.999+08:00`);

export async function investmentRoutes(app: FastifyInstance, opts: { ctx: PlatformContext }) {
  const { ctx } = opts;
  const open = { public: true } as const;

  app.get('/api/map/base', { config: open, schema: { tags: ['investment'], summary: '投资热力图底图：区界、区镇、产业路线、图层与产业（无需登录）' } }, async () => {
    const r = investmentRules();
    return {
      district: districtOutline(),
      areas: mapAreas().map((a) => ({ id: a.id, nameZh: a.nameZh, nameEn: a.nameEn, centre: a.centre })),
      routes: r.heatMap.routes,
      industries: r.heatMap.industries.values,
      layers: r.layers,
      availableLandSqKm: r.heatMap.availableLand.squareKm,
      leadStages: r.leads.stages,
      leadSources: r.leads.sources,
      notice: { zh: '示意图，非正式地图；公开发布须取得审图号', en: 'Schematic only; publishing it needs a map review number (审图号)' },
    };
  });

  app.get(
    '/api/map/features',
    { config: open, schema: { tags: ['investment'], summary: '热力图要素（按图层、区镇、关键词、日期）', querystring: { type: 'object', additionalProperties: false, properties: { layer: layerParam, area: { type: 'string', maxLength: 60 }, q: { type: 'string', maxLength: 100 }, asOf: date, stale: { type: 'string', enum: ['true', 'false'] } } } } },
    async (req) => {
      const q = req.query as { layer?: Layer; area?: string; q?: string; asOf?: string; stale?: string };
      const items = await listFeatures(ctx.db, { layer: q.layer, areaId: q.area, q: q.q, asOf: q.asOf ? endOfDay(q.asOf) : undefined, staleOnly: q.stale === 'true' });
      return { items, total: items.length };
    },
  );

  app.get('/api/map/features/:layer/:code', { config: open, schema: { tags: ['investment'], summary: '一个要素及其历史版本', params: { type: 'object', required: ['layer', 'code'], properties: { layer: layerParam, code: { type: 'string', maxLength: 60 } } } } }, async (req) => {
    const p = req.params as { layer: Layer; code: string };
    return getFeature(ctx.db, p.layer, p.code);
  });

  app.get('/api/map/heat', { config: open, schema: { tags: ['investment'], summary: '各区镇的投资热度：地块、载体、机会、线索（重复报告不计）、意向投资额' } }, async () => {
    const features = await listFeatures(ctx.db, {});
    const leads = await ctx.db.selectFrom('investment_leads').select(['area_id', 'amount_fen', 'site_code']).where('duplicate_of', 'is', null).execute();
    const siteArea = new Map(features.map((f) => [f.code, f.areaId]));
    const byArea = new Map(mapAreas().map((a) => [a.id, { areaId: a.id, parcels: 0, availableLandSqm: 0, carriers: 0, opportunities: 0, leads: 0, leadAmountFen: 0 }]));
    let available = 0;
    let planned = 0;
    let supplied = 0;
    for (const f of features) {
      const row = byArea.get(f.areaId);
      if (!row) continue;
      if (f.layer === 'parcel') {
        const p = f.props as { areaSqm: number; supplyStatus: string };
        row.parcels++;
        if (p.supplyStatus === 'available') (row.availableLandSqm += p.areaSqm), (available += p.areaSqm);
        else if (p.supplyStatus === 'planned') planned += p.areaSqm;
        else supplied += p.areaSqm;
      } else if (f.layer === 'carrier') row.carriers++;
      else if (f.layer === 'opportunity') row.opportunities++;
    }
    for (const l of leads) {
      const row = byArea.get(l.area_id ?? siteArea.get(l.site_code ?? '') ?? '');
      if (row) (row.leads++, (row.leadAmountFen += l.amount_fen));
    }
    return { areas: [...byArea.values()], land: { availableSqm: available, plannedSqm: planned, suppliedSqm: supplied, targetSqKm: investmentRules().heatMap.availableLand.squareKm } };
  });

  app.post('/api/map/match', { config: open, schema: { tags: ['investment'], summary: '智慧选址：项目需求 → 排序的地块或载体（逐条符合/不符合）与可期政策奖励', body: { type: 'object' } } }, async (req) => {
    const project = parseProject(req.body);
    const features = await listFeatures(ctx.db, { layer: project.landAreaSqm > 0 ? 'parcel' : 'carrier' });
    return { project, sites: matchSites(project, features), ...expectedIncentives(ctx.engine, project) };
  });

  app.post(
    '/api/map/interest',
    { schema: { tags: ['investment'], summary: '投资意向：登录用户就一个选址结果提出意向，成为招商线索', body: { type: 'object', required: ['project', 'enterpriseName', 'contact'], properties: { project: { type: 'object' }, siteCode: { type: 'string', maxLength: 60 }, enterpriseName: { type: 'string', maxLength: 200 }, contact: { type: 'string', maxLength: 100 } } } } },
    async (req, reply) => {
      const user = requireUser(req);
      const b = req.body as { project: unknown; siteCode?: string; enterpriseName: string; contact: string };
      const project = parseProject(b.project);
      const site = b.siteCode ? (await listFeatures(ctx.db, {})).find((f) => f.code === b.siteCode) : undefined;
      if (b.siteCode && !site) throw new KaifangError({ code: 'not_found', zh: `没有编号为 ${b.siteCode} 的地块或载体`, en: `no site ${b.siteCode}`, path: 'siteCode' });
      const lead = await registerLead(ctx.db, actorOf(user, req.ip), {
        projectName: project.name,
        enterpriseName: b.enterpriseName,
        industry: project.industry,
        amountFen: project.investmentFen,
        source: 'heatMap',
        firstReporter: user.displayName ?? user.username,
        reporterContact: b.contact,
        siteCode: b.siteCode,
        areaId: site?.areaId,
        project: project as unknown as Record<string, unknown>,
      });
      reply.code(201);
      return { id: lead.id, duplicate: lead.duplicate, reportedAt: lead.reportedAt };
    },
  );

  // ── Officials ──
  app.post('/api/map/features/:layer', { schema: { tags: ['investment'], summary: '保存一个或多个要素（GeoJSON FeatureCollection 或 {features:[…]}；全部成功或全部拒绝，逐项指明错误）', params: { type: 'object', required: ['layer'], properties: { layer: layerParam } }, body: { type: 'object' } } }, async (req) => {
    const layer = (req.params as { layer: Layer }).layer;
    const user = layerOwner(req, layer);
    const body = req.body as { type?: string; features?: unknown[] };
    const isGeoJson = body.type === 'FeatureCollection';
    const items = Array.isArray(body.features) ? body.features : [body];
    // A GeoJSON feature carries its fields in `properties`; its number is the one a GIS shows (1-based).
    const raws = isGeoJson
      ? items.map((f) => {
          const x = (f ?? {}) as { geometry?: unknown; properties?: Record<string, unknown> };
          const { code, name, areaId, ...props } = x.properties ?? {};
          return { code, name, areaId, geometry: x.geometry, props };
        })
      : items;
    return saveFeatures(ctx.db, actorOf(user, req.ip), layer, raws, { source: isGeoJson ? 'geojson' : 'form', label: isGeoJson ? (i) => `第${i + 1}个要素` : undefined });
  });

  app.post('/api/map/features/:layer/:code/confirm', { schema: { tags: ['investment'], summary: '确认要素仍然真实（重置过期计时）', params: { type: 'object', required: ['layer', 'code'], properties: { layer: layerParam, code: { type: 'string', maxLength: 60 } } } } }, async (req, reply) => {
    const p = req.params as { layer: Layer; code: string };
    const user = layerOwner(req, p.layer);
    await confirmFeature(ctx.db, actorOf(user, req.ip), p.layer, p.code);
    reply.code(204);
  });

  app.get('/api/leads', { schema: { tags: ['investment'], summary: '招商线索（重复报告默认不列）', querystring: { type: 'object', additionalProperties: false, properties: { stage: { type: 'string', maxLength: 30 }, q: { type: 'string', maxLength: 100 }, duplicates: { type: 'string', enum: ['true', 'false'] } } } } }, async (req) => {
    const user = requireUser(req);
    authorize(user, 'lead.read');
    const q = req.query as { stage?: string; q?: string; duplicates?: string };
    return listLeads(ctx.db, { stage: q.stage, search: q.q, includeDuplicates: q.duplicates === 'true' });
  });

  app.post('/api/leads', { schema: { tags: ['investment'], summary: '登记招商线索（首报人，审计链时间戳；同一项目的重复报告自动关联）', body: { type: 'object' } } }, async (req, reply) => {
    const user = leadKeeper(req);
    const lead = await registerLead(ctx.db, actorOf(user, req.ip), req.body as never);
    reply.code(201);
    return lead;
  });

  app.get('/api/leads/:id', { schema: { tags: ['investment'], summary: '一条线索及其历程', params: idParams } }, async (req) => {
    const user = requireUser(req);
    authorize(user, 'lead.read');
    return getLead(ctx.db, Number((req.params as { id: string }).id));
  });

  app.post('/api/leads/:id/stage', { schema: { tags: ['investment'], summary: '推进阶段（接洽 → 考察 → 签约 → 落地）或指定本阶段负责人；落地时提出首报奖励', params: idParams, body: { type: 'object', required: ['to', 'owner'], properties: { to: { type: 'string' }, owner: { type: 'string' }, on: date, note: { type: 'string', maxLength: 1000, 'x-multiline': true }, expectedVersion: { type: 'integer' } } } } }, async (req) => {
    const user = leadKeeper(req);
    return advanceLead(ctx.db, actorOf(user, req.ip), Number((req.params as { id: string }).id), req.body as never, { today: ctx.today() });
  });

  app.post('/api/leads/:id/reward', { schema: { tags: ['investment'], summary: '区商务局确定首报奖励金额（文本未定金额）', params: idParams, body: { type: 'object', required: ['amountFen', 'note'], properties: { amountFen: { type: 'integer', minimum: 0 }, note: { type: 'string', maxLength: 1000, 'x-multiline': true } } } } }, async (req) => {
    const user = leadKeeper(req);
    return setLeadReward(ctx.db, actorOf(user, req.ip), Number((req.params as { id: string }).id), req.body as never);
  });
}
