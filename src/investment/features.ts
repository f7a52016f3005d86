/**
 * The features of the investment map (parcels, carriers, opportunities, routes): input checked field by field and
 * geometry by geometry, every version kept (an edit closes the current version and adds the next), the map as of any
 * instant, confirmation that a record is still true (stale after the layer's period, investment-map.yaml), and
 * saving many at once all or nothing (an import): one bad row or feature refuses the whole lot, each problem named by
 * its row or feature number.
 */
import { sql } from 'kysely';
import { appendAudit, type AuditActor } from '../audit/audit-log.ts';
import { inTransaction, type Db } from '../db/transaction.ts';
import { toJsonb, type JsonObject } from '../db/schema.ts';
import { FieldErrors, KaifangError, ValidationError } from '../errors.ts';
import { badCharacter } from '../refused-characters.ts';
import { areaOf, bboxOf, checkPoint, checkPolygon, mapAreas, polygonsOverlap, type BBox, type Polygon } from './geometry.ts';
import { investmentRules, LAYERS, type InvestmentRules, type Layer } from './rules.ts';

export const PLANNED_USES = ['industrial', 'productiveRd', 'mixed'] as const;
export const SUPPLY_STATUSES = ['available', 'planned', 'supplied'] as const;
export const CARRIER_KINDS = ['park', 'building', 'incubator'] as const;

export interface StandardLand {
  /** 万元/亩 */
  investmentIntensity?: number;
  /** 万元/亩 */
  taxPerMu?: number;
  plotRatioMin?: number;
  plotRatioMax?: number;
  /** 吨标煤/万元 */
  energyPerOutput?: number;
}

export interface ParcelProps {
  areaSqm: number;
  plannedUse: (typeof PLANNED_USES)[number];
  industries: string[];
  insideProtectionLine: boolean;
  soilSurveyDone: boolean;
  supplyYear: number;
  supplyStatus: (typeof SUPPLY_STATUSES)[number];
  standard: StandardLand;
  powerKva?: number;
  waterTonsPerDay?: number;
}
export interface CarrierProps {
  kind: (typeof CARRIER_KINDS)[number];
  industries: string[];
  floorAreaTotal: number;
  floorAreaAvailable: number;
  powerKva?: number;
}
export interface OpportunityProps {
  industry: string;
  amountFen: number;
  summary: string;
  partnerWanted: string;
}
export interface RouteStop {
  name: string;
  lon: number;
  lat: number;
  see: string;
}
export interface RouteProps {
  routeId: string;
  stops: RouteStop[];
}

export interface FeatureInput {
  code: string;
  name: string;
  areaId: string;
  geometry: JsonObject;
  props: JsonObject;
}

export interface FeatureView {
  layer: Layer;
  code: string;
  version: number;
  name: string;
  areaId: string;
  geometry: JsonObject;
  props: JsonObject;
  ownerUnit: string;
  validFrom: string;
  updatedBy: number | null;
  confirmedAt: string;
  /** not confirmed within the layer's period (investment-map.yaml layers.*.staleAfterDays) */
  stale: boolean;
}

// ── Input ───────────────────────────────────────────────────────────────────────────────────────────────────

function str(c: FieldErrors, v: unknown, path: string, max = 200): string | undefined {
  if (typeof v !== 'string' || !v.trim()) return c.add(path, 'required', '必填', 'required');
  const s = v.trim();
  if (s.length > max) return c.add(path, 'too_long', `不超过${max}个字符`, `at most ${max} characters`);
  const bad = badCharacter(s);
  if (bad) return c.add(path, 'bad_characters', '含有不允许的字符', 'contains a refused character');
  return s;
}
function num(c: FieldErrors, v: unknown, path: string, opts: { min?: number; max?: number; integer?: boolean; optional?: boolean } = {}): number | undefined {
  if ((v === undefined || v === null || v === '') && opts.optional) return undefined;
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n)) return c.add(path, 'not_a_number', '须为数字', 'must be a number');
  if (opts.integer && !Number.isInteger(n)) return c.add(path, 'not_an_integer', '须为整数', 'must be a whole number');
  if (opts.min !== undefined && n < opts.min) return c.add(path, 'out_of_range', `不能小于${opts.min}`, `must be at least ${opts.min}`);
  if (opts.max !== undefined && n > opts.max) return c.add(path, 'out_of_range', `不能大于${opts.max}`, `must be at most ${opts.max}`);
  return n;
}
function bool(c: FieldErrors, v: unknown, path: string): boolean | undefined {
  if (v === true || v === 'true' || v === '是') return true;
  if (v === false || v === 'false' || v === '否') return false;
  return c.add(path, 'not_a_boolean', '须为 是/否（true/false）', 'must be true or false');
}
function oneOf<T extends string>(c: FieldErrors, v: unknown, allowed: readonly T[], path: string): T | undefined {
  if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
  return c.add(path, 'not_allowed', `须为 ${allowed.join('、')} 之一`, `must be one of ${allowed.join(', ')}`);
}
function industries(c: FieldErrors, v: unknown, rules: InvestmentRules, path: string): string[] | undefined {
  const list = typeof v === 'string' ? v.split(/[,，、]/).map((s) => s.trim()).filter(Boolean) : v;
  if (!Array.isArray(list) || list.length === 0) return c.add(path, 'required', '至少一个产业', 'at least one industry');
  const known = rules.heatMap.industries.values.map((i) => i.id);
  const out: string[] = [];
  list.forEach((x, i) => {
    if (typeof x === 'string' && known.includes(x)) out.push(x);
    else c.add(`${path}[${i}]`, 'unknown_industry', `未知产业 ${String(x)}（可选：${known.join('、')}）`, `unknown industry ${String(x)} (known: ${known.join(', ')})`);
  });
  return out;
}

/** Check one feature of a layer; problems are added to `c` under `path`. Returns the checked feature or undefined. */
export function checkFeature(c: FieldErrors, layer: Layer, raw: unknown, path: string, rules: InvestmentRules = investmentRules()): FeatureInput | undefined {
  const p = (k: string) => (path ? `${path}.${k}` : k);
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return c.add(path || 'body', 'invalid', '须为对象', 'must be an object');
  const r = raw as Record<string, unknown>;
  const before = c.errors.length;
  const code = str(c, r.code, p('code'), 60);
  if (code && !/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(code)) c.add(p('code'), 'invalid_code', '编号只能由字母、数字、-、_ 组成', 'a code is letters, digits, - and _');
  const name = str(c, r.name, p('name'));
  const areaId = typeof r.areaId === 'string' && mapAreas().some((a) => a.id === r.areaId) ? r.areaId : c.add(p('areaId'), 'unknown_area', `未知区镇 ${String(r.areaId)}`, `unknown area ${String(r.areaId)}`);
  const pr = (r.props && typeof r.props === 'object' && !Array.isArray(r.props) ? r.props : {}) as Record<string, unknown>;
  const pp = (k: string) => p(`props.${k}`);
  let geometry: JsonObject | undefined;
  let props: JsonObject | undefined;
  const geo = (f: () => JsonObject) => {
    try {
      return f();
    } catch (e) {
      if (e instanceof KaifangError) c.push(e);
      else throw e;
      return undefined;
    }
  };

  if (layer === 'parcel') {
    const poly = geo(() => checkPolygon(r.geometry, p('geometry')) as unknown as JsonObject) as Polygon | undefined;
    geometry = poly as unknown as JsonObject | undefined;
    const s = (pr.standard && typeof pr.standard === 'object' ? pr.standard : {}) as Record<string, unknown>;
    const standard: StandardLand = {
      investmentIntensity: num(c, s.investmentIntensity, pp('standard.investmentIntensity'), { min: 0, optional: true }),
      taxPerMu: num(c, s.taxPerMu, pp('standard.taxPerMu'), { min: 0, optional: true }),
      plotRatioMin: num(c, s.plotRatioMin, pp('standard.plotRatioMin'), { min: 0, max: 20, optional: true }),
      plotRatioMax: num(c, s.plotRatioMax, pp('standard.plotRatioMax'), { min: 0, max: 20, optional: true }),
      energyPerOutput: num(c, s.energyPerOutput, pp('standard.energyPerOutput'), { min: 0, optional: true }),
    };
    if (standard.plotRatioMin !== undefined && standard.plotRatioMax !== undefined && standard.plotRatioMin > standard.plotRatioMax) {
      c.add(pp('standard.plotRatioMax'), 'out_of_range', '容积率上限不能小于下限', 'the plot-ratio maximum is below the minimum');
    }
    for (const k of Object.keys(standard) as (keyof StandardLand)[]) if (standard[k] === undefined) delete standard[k];
    const parcel: Partial<ParcelProps> = {
      areaSqm: poly ? Math.round(areaOf(poly)) : 0,
      plannedUse: oneOf(c, pr.plannedUse, PLANNED_USES, pp('plannedUse')),
      industries: industries(c, pr.industries, rules, pp('industries')),
      insideProtectionLine: bool(c, pr.insideProtectionLine, pp('insideProtectionLine')),
      soilSurveyDone: bool(c, pr.soilSurveyDone, pp('soilSurveyDone')),
      supplyYear: num(c, pr.supplyYear, pp('supplyYear'), { integer: true, min: 2000, max: 2100 }),
      supplyStatus: oneOf(c, pr.supplyStatus, SUPPLY_STATUSES, pp('supplyStatus')),
      standard,
      powerKva: num(c, pr.powerKva, pp('powerKva'), { min: 0, optional: true }),
      waterTonsPerDay: num(c, pr.waterTonsPerDay, pp('waterTonsPerDay'), { min: 0, optional: true }),
    };
    props = JSON.parse(JSON.stringify(parcel)) as JsonObject;
  } else if (layer === 'carrier') {
    geometry = geo(() => checkPoint(r.geometry, p('geometry')) as unknown as JsonObject);
    const total = num(c, pr.floorAreaTotal, pp('floorAreaTotal'), { min: 0 });
    const available = num(c, pr.floorAreaAvailable, pp('floorAreaAvailable'), { min: 0 });
    if (total !== undefined && available !== undefined && available > total) c.add(pp('floorAreaAvailable'), 'out_of_range', '可用面积不能大于总面积', 'available floor space exceeds the total');
    const carrier: Partial<CarrierProps> = {
      kind: oneOf(c, pr.kind, CARRIER_KINDS, pp('kind')),
      industries: industries(c, pr.industries, rules, pp('industries')),
      floorAreaTotal: total,
      floorAreaAvailable: available,
      powerKva: num(c, pr.powerKva, pp('powerKva'), { min: 0, optional: true }),
    };
    props = JSON.parse(JSON.stringify(carrier)) as JsonObject;
  } else if (layer === 'opportunity') {
    geometry = geo(() => checkPoint(r.geometry, p('geometry')) as unknown as JsonObject);
    const known = rules.heatMap.industries.values.map((i) => i.id);
    const opp: Partial<OpportunityProps> = {
      industry: oneOf(c, pr.industry, known, pp('industry')),
      amountFen: num(c, pr.amountFen, pp('amountFen'), { min: 0, integer: true, max: Number.MAX_SAFE_INTEGER }),
      summary: str(c, pr.summary, pp('summary'), 500),
      partnerWanted: str(c, pr.partnerWanted, pp('partnerWanted'), 200),
    };
    props = opp as unknown as JsonObject;
  } else {
    const routeId = oneOf(c, pr.routeId, rules.heatMap.routes.map((x) => x.id), pp('routeId'));
    const stopsRaw = Array.isArray(pr.stops) ? pr.stops : [];
    if (stopsRaw.length < 2) c.add(pp('stops'), 'too_few_stops', '路线至少需要2个站点', 'a route needs at least two stops');
    const stops: RouteStop[] = [];
    stopsRaw.forEach((sr, i) => {
      const s = (sr ?? {}) as Record<string, unknown>;
      const sp = pp(`stops[${i}]`);
      const nm = str(c, s.name, `${sp}.name`);
      const see = str(c, s.see, `${sp}.see`, 500);
      const lon = num(c, s.lon, `${sp}.lon`);
      const lat = num(c, s.lat, `${sp}.lat`);
      if (lon !== undefined && lat !== undefined) geo(() => checkPoint({ type: 'Point', coordinates: [lon, lat] }, sp) as unknown as JsonObject);
      if (nm && see && lon !== undefined && lat !== undefined) stops.push({ name: nm, see, lon, lat });
    });
    geometry = { type: 'LineString', coordinates: stops.map((s) => [s.lon, s.lat]) };
    props = { routeId: routeId ?? '', stops: stops as unknown as JsonObject[] } as unknown as JsonObject;
  }
  if (c.errors.length > before) return undefined;
  return { code: code!, name: name!, areaId: areaId!, geometry: geometry!, props: props! };
}

// ── Reading ─────────────────────────────────────────────────────────────────────────────────────────────────

function staleCut(layer: Layer, now: Date, rules: InvestmentRules): Date {
  return new Date(now.getTime() - rules.layers[layer].staleAfterDays * 86_400_000);
}

type Row = {
  layer: Layer;
  code: string;
  version: number;
  name: string;
  area_id: string;
  geometry: JsonObject;
  props: JsonObject;
  owner_unit: string;
  valid_from: Date;
  updated_by: number | null;
  confirmed_at: Date;
};

function view(r: Row, now: Date, rules: InvestmentRules): FeatureView {
  return {
    layer: r.layer,
    code: r.code,
    version: r.version,
    name: r.name,
    areaId: r.area_id,
    geometry: r.geometry,
    props: r.props,
    ownerUnit: r.owner_unit,
    validFrom: r.valid_from.toISOString(),
    updatedBy: r.updated_by,
    confirmedAt: r.confirmed_at.toISOString(),
    stale: r.confirmed_at < staleCut(r.layer, now, rules),
  };
}

export interface FeatureQuery {
  layer?: Layer;
  /** an instant: the map as it stood then (default: now) */
  asOf?: Date;
  areaId?: string;
  q?: string;
  staleOnly?: boolean;
  limit?: number;
}

/** The features of the map as they stood at `asOf` (default now), retired ones left out. */
export async function listFeatures(db: Db, query: FeatureQuery = {}, opts: { now?: Date; rules?: InvestmentRules } = {}): Promise<FeatureView[]> {
  const now = opts.now ?? new Date();
  const rules = opts.rules ?? investmentRules();
  let qb = db
    .selectFrom('investment_features')
    .select(['layer', 'code', 'version', 'name', 'area_id', 'geometry', 'props', 'owner_unit', 'valid_from', 'updated_by', 'confirmed_at'])
    .where('retired', '=', false);
  if (query.asOf) {
    const at = query.asOf;
    qb = qb.where('valid_from', '<=', at).where((eb) => eb.or([eb('valid_to', 'is', null), eb('valid_to', '>', at)]));
  } else {
    qb = qb.where('valid_to', 'is', null);
  }
  if (query.layer) qb = qb.where('layer', '=', query.layer);
  if (query.areaId) qb = qb.where('area_id', '=', query.areaId);
  if (query.q) {
    const like = `%${query.q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
    qb = qb.where((eb) => eb.or([eb('name', 'like', like), eb('code', 'like', like)]));
  }
  const rows = (await qb.orderBy('layer').orderBy('code').limit(query.limit ?? 100_000).execute()) as Row[];
  const out = rows.map((r) => view(r, now, rules));
  return query.staleOnly ? out.filter((f) => f.stale) : out;
}

export async function getFeature(db: Db, layer: Layer, code: string, opts: { now?: Date } = {}): Promise<FeatureView & { history: Array<{ version: number; validFrom: string; validTo: string | null; retired: boolean; updatedBy: number | null }> }> {
  const rows = await db.selectFrom('investment_features').selectAll().where('layer', '=', layer).where('code', '=', code).orderBy('version').execute();
  const current = rows.find((r) => r.valid_to === null && !r.retired);
  if (!current) throw new KaifangError({ code: 'not_found', zh: `没有编号为 ${code} 的要素`, en: `no ${layer} with code ${code}`, path: 'code' });
  return {
    ...view(current as unknown as Row, opts.now ?? new Date(), investmentRules()),
    history: rows.map((r) => ({ version: r.version, validFrom: r.valid_from.toISOString(), validTo: r.valid_to ? r.valid_to.toISOString() : null, retired: r.retired, updatedBy: r.updated_by })),
  };
}

// ── Writing ─────────────────────────────────────────────────────────────────────────────────────────────────

export interface SaveResult {
  created: number;
  updated: number;
  codes: string[];
}

/**
 * Save features of one layer all or nothing: each is checked (problems named `${label(i)}.field`), parcels against
 * each other and against every other current parcel (no overlap), codes unique within the lot. One audit record for
 * the lot, in the same transaction. `label(i)` names an item as its row or feature number for an import.
 */
export async function saveFeatures(
  db: Db,
  actor: AuditActor,
  layer: Layer,
  raws: unknown[],
  opts: { label?: (i: number) => string; source?: string; rules?: InvestmentRules } = {},
): Promise<SaveResult> {
  if (!LAYERS.includes(layer)) throw new KaifangError({ code: 'unknown_layer', zh: `未知图层 ${layer}`, en: `unknown layer ${layer}`, path: 'layer' });
  const rules = opts.rules ?? investmentRules();
  const label = opts.label ?? ((i: number) => (raws.length === 1 ? '' : `features[${i}]`));
  const c = new FieldErrors();
  const checked: Array<FeatureInput & { at: string }> = [];
  const seen = new Map<string, string>();
  raws.forEach((raw, i) => {
    const f = checkFeature(c, layer, raw, label(i), rules);
    if (!f) return;
    const at = label(i);
    const dup = seen.get(f.code);
    if (dup !== undefined) c.add(at ? `${at}.code` : 'code', 'duplicate_code', `编号 ${f.code} 与 ${dup} 重复`, `code ${f.code} repeats ${dup}`);
    seen.set(f.code, at);
    checked.push({ ...f, at });
  });
  c.throwIfAny();
  if (checked.length === 0) throw new KaifangError({ code: 'empty_import', zh: '没有要保存的要素', en: 'nothing to save' });

  return inTransaction(db, async (trx) => {
    // Parcels: serialise writers of the layer, so that two imports cannot each miss the other's overlapping parcel.
    if (layer === 'parcel') await sql`select pg_advisory_xact_lock(7412633019001)`.execute(trx);
    const current = await trx
      .selectFrom('investment_features')
      .select(['id', 'code', 'version', 'geometry'])
      .where('layer', '=', layer)
      .where('valid_to', 'is', null)
      .where('code', 'in', checked.map((f) => f.code))
      .execute();
    const byCode = new Map(current.map((r) => [r.code, r]));
    if (layer === 'parcel') {
      const others = (await trx
        .selectFrom('investment_features')
        .select(['code', 'geometry'])
        .where('layer', '=', 'parcel')
        .where('valid_to', 'is', null)
        .where('retired', '=', false)
        .execute()) as Array<{ code: string; geometry: unknown }>;
      const mine = new Set(checked.map((f) => f.code));
      const pool: Array<{ code: string; at: string | null; poly: Polygon; box: BBox }> = others
        .filter((o) => !mine.has(o.code))
        .map((o) => ({ code: o.code, at: null, poly: o.geometry as Polygon, box: bboxOf(o.geometry as Polygon) }));
      for (const f of checked) {
        const poly = f.geometry as unknown as Polygon;
        const box = bboxOf(poly);
        const hit = pool.find((o) => polygonsOverlap(poly, o.poly, box, o.box));
        if (hit) {
          const what = hit.at === null ? `现有地块 ${hit.code}` : `${hit.at || '本批'} 的地块 ${hit.code}`;
          c.add(f.at ? `${f.at}.geometry` : 'geometry', 'parcels_overlap', `与${what}重叠`, `overlaps ${hit.at === null ? `existing parcel ${hit.code}` : `parcel ${hit.code} of ${hit.at || 'this lot'}`}`);
        }
        pool.push({ code: f.code, at: f.at, poly, box });
      }
      c.throwIfAny();
    }
    const now = new Date();
    let created = 0;
    let updated = 0;
    for (const f of checked) {
      const prev = byCode.get(f.code);
      if (prev) {
        await trx.updateTable('investment_features').set({ valid_to: now }).where('id', '=', prev.id).execute();
        updated++;
      } else created++;
      await trx
        .insertInto('investment_features')
        .values({
          layer,
          code: f.code,
          version: prev ? prev.version + 1 : 1,
          name: f.name,
          area_id: f.areaId,
          geometry: toJsonb(f.geometry),
          props: toJsonb(f.props),
          owner_unit: rules.layers[layer].owner,
          valid_from: now,
          updated_by: actor.userId,
          confirmed_at: now,
        })
        .execute();
    }
    await appendAudit(trx, actor, {
      action: 'investmentMap.save',
      entity: 'investmentFeature',
      entityId: checked.length === 1 ? `${layer}:${checked[0].code}` : layer,
      details: { layer, created, updated, codes: checked.slice(0, 50).map((f) => f.code), source: opts.source ?? 'form' },
    });
    return { created, updated, codes: checked.map((f) => f.code) };
  });
}

/** The owner confirms a record is still true: its stale clock starts again. No new version (nothing changed). */
export async function confirmFeature(db: Db, actor: AuditActor, layer: Layer, code: string): Promise<void> {
  await inTransaction(db, async (trx) => {
    const r = await trx.updateTable('investment_features').set({ confirmed_at: new Date() }).where('layer', '=', layer).where('code', '=', code).where('valid_to', 'is', null).where('retired', '=', false).executeTakeFirst();
    if (!r.numUpdatedRows) throw new KaifangError({ code: 'not_found', zh: `没有编号为 ${code} 的要素`, en: `no ${layer} with code ${code}`, path: 'code' });
    await appendAudit(trx, actor, { action: 'investmentMap.confirm', entity: 'investmentFeature', entityId: `${layer}:${code}` });
  });
}

/** A feature taken off the map (sold, let, withdrawn): a last version marked retired; history keeps the rest. */
export async function retireFeature(db: Db, actor: AuditActor, layer: Layer, code: string, reason: string): Promise<void> {
  if (!reason.trim()) throw new ValidationError([new KaifangError({ code: 'required', zh: '请说明原因', en: 'give a reason', path: 'reason' })]);
  await inTransaction(db, async (trx) => {
    const prev = await trx.selectFrom('investment_features').selectAll().where('layer', '=', layer).where('code', '=', code).where('valid_to', 'is', null).where('retired', '=', false).forUpdate().executeTakeFirst();
    if (!prev) throw new KaifangError({ code: 'not_found', zh: `没有编号为 ${code} 的要素`, en: `no ${layer} with code ${code}`, path: 'code' });
    const now = new Date();
    await trx.updateTable('investment_features').set({ valid_to: now }).where('id', '=', prev.id).execute();
    await trx
      .insertInto('investment_features')
      .values({ layer, code, version: prev.version + 1, name: prev.name, area_id: prev.area_id, geometry: toJsonb(prev.geometry), props: toJsonb(prev.props), owner_unit: prev.owner_unit, retired: true, valid_from: now, updated_by: actor.userId, confirmed_at: now })
      .execute();
    await appendAudit(trx, actor, { action: 'investmentMap.retire', entity: 'investmentFeature', entityId: `${layer}:${code}`, details: { reason } });
  });
}
