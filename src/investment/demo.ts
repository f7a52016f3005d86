/**
 * A believable Wujiang for the demo (and the map's load test): parcels laid out on a grid of cells around each
 * area's centre — each inside the district, nearest to its own area's centre, never overlapping (one rectangle per
 * cell, smaller than the cell) — carriers and opportunities as points, the five routes, and leads in every stage.
 * Deterministic: a seeded generator, so the demo is the same every time.
 */
import type { AuditActor } from '../audit/audit-log.ts';
import type { Db } from '../db/transaction.ts';
import type { JsonObject } from '../db/schema.ts';
import { mapAreas, nearestArea, pointInDistrict } from './geometry.ts';
import { saveFeatures } from './features.ts';
import { advanceLead, registerLead, setLeadReward } from './leads.ts';

/**
 * How far from a town's centre the demo scatters carriers and opportunities, in degrees (about 6 km × 5.5 km at
 * Wujiang's latitude). Demo geometry only — not a figure of the policy, which is why it is not in policies/.
 */
const DEMO_SPREAD_DEG = { lon: 0.06, lat: 0.05 };
import { investmentRules } from './rules.ts';

/** mulberry32: small, fast, deterministic. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CELL = 0.006; // ° ≈ 600 m: one parcel per cell, so parcels never overlap
const round7 = (n: number) => Math.round(n * 1e7) / 1e7;

/** Cells around an area's centre whose whole square is in the district and nearest to that area. */
function cellsOf(areaId: string, centre: { lat: number; lon: number }, rings: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const cx = Math.round(centre.lon / CELL);
  const cy = Math.round(centre.lat / CELL);
  for (let r = 0; r <= rings; r++) {
    for (let dx = -r; dx <= r; dx++) {
      for (let dy = -r; dy <= r; dy++) {
        if (Math.max(Math.abs(dx), Math.abs(dy)) !== r) continue;
        const x0 = (cx + dx) * CELL;
        const y0 = (cy + dy) * CELL;
        const corners: Array<[number, number]> = [[x0, y0], [x0 + CELL, y0], [x0 + CELL, y0 + CELL], [x0, y0 + CELL]];
        if (corners.every(([x, y]) => pointInDistrict(x, y) && nearestArea(x, y).id === areaId)) out.push([x0, y0]);
      }
    }
  }
  return out;
}

/** A rectangle inside the cell: 35–90 % of its side each way, placed at random within it. */
function parcelIn(rand: () => number, [x0, y0]: [number, number]): JsonObject {
  const w = CELL * (0.35 + 0.55 * rand());
  const h = CELL * (0.35 + 0.55 * rand());
  const x = x0 + (CELL - w) * rand();
  const y = y0 + (CELL - h) * rand();
  const ring = [[x, y], [x + w, y], [x + w, y + h], [x, y + h], [x, y]].map(([a, b]) => [round7(a), round7(b)]);
  return { type: 'Polygon', coordinates: [ring] };
}

export interface GeneratedMap {
  parcels: Array<{ code: string; name: string; areaId: string; geometry: JsonObject; props: JsonObject }>;
  carriers: Array<{ code: string; name: string; areaId: string; geometry: JsonObject; props: JsonObject }>;
  opportunities: Array<{ code: string; name: string; areaId: string; geometry: JsonObject; props: JsonObject }>;
}

/** SON, WDZ, FHTZ …: initials of a hyphenated area id, else its first three letters (unique across the 15). */
const prefixOf = (areaId: string) => (areaId.includes('-') ? areaId.split('-').map((w) => w[0]).join('') : areaId.slice(0, 3)).toUpperCase();

const PARK_WORDS = ['智造园', '科创园', '产业园', '创新港', '众创空间', '孵化器', '总部大楼', '商务楼宇'];

/** Generate `parcelsPerArea` parcels and `pointsPerArea` carriers/opportunities per area (deterministic). */
export function generateMap(opts: { parcelsPerArea: number; carriersPerArea: number; opportunitiesPerArea: number; seed?: number }): GeneratedMap {
  const rand = seeded(opts.seed ?? 2020);
  const rules = investmentRules();
  const industries = rules.heatMap.industries.values.map((i) => i.id);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
  const out: GeneratedMap = { parcels: [], carriers: [], opportunities: [] };
  for (const area of mapAreas()) {
    const short = area.shortZh ?? area.nameZh.replace(/(街道|镇|区)$/, '');
    let rings = 2;
    let cells = cellsOf(area.id, area.centre, rings);
    while (cells.length < opts.parcelsPerArea && rings < 40) cells = cellsOf(area.id, area.centre, ++rings);
    for (let i = 0; i < Math.min(opts.parcelsPerArea, cells.length); i++) {
      const year = 2020 + Math.floor(rand() * 3);
      const status = rand() < 0.6 ? 'available' : rand() < 0.7 ? 'planned' : 'supplied';
      const ratioMin = pick([1.0, 1.2, 1.5]);
      out.parcels.push({
        code: `${prefixOf(area.id)}-${String(i + 1).padStart(4, '0')}`,
        name: `${short}${pick(['工业', '产业', '研发'])}地块${i + 1}号`,
        areaId: area.id,
        geometry: parcelIn(rand, cells[i]),
        props: {
          plannedUse: pick(['industrial', 'industrial', 'productiveRd', 'mixed']),
          industries: [...new Set([pick(industries), pick(industries)])],
          insideProtectionLine: rand() < 0.85,
          soilSurveyDone: rand() < 0.7,
          supplyYear: year,
          supplyStatus: status,
          standard: { investmentIntensity: pick([300, 350, 400, 500]), taxPerMu: pick([20, 30, 40]), plotRatioMin: ratioMin, plotRatioMax: ratioMin + pick([1.0, 1.5, 2.0]), energyPerOutput: pick([0.1, 0.2, 0.3]) },
          powerKva: pick([2000, 5000, 10000, 20000]),
          waterTonsPerDay: pick([200, 500, 1000, 3000]),
        },
      });
    }
    const pointNear = (): [number, number] => {
      for (;;) {
        const lon = area.centre.lon + (rand() - 0.5) * DEMO_SPREAD_DEG.lon;
        const lat = area.centre.lat + (rand() - 0.5) * DEMO_SPREAD_DEG.lat;
        if (pointInDistrict(lon, lat)) return [round7(lon), round7(lat)];
      }
    };
    for (let i = 0; i < opts.carriersPerArea; i++) {
      const kind = pick(['park', 'building', 'incubator'] as const);
      const total = kind === 'park' ? 50_000 + Math.floor(rand() * 250_000) : kind === 'building' ? 10_000 + Math.floor(rand() * 60_000) : 3_000 + Math.floor(rand() * 15_000);
      out.carriers.push({
        code: `C-${prefixOf(area.id)}-${String(i + 1).padStart(4, '0')}`,
        name: `${short}${pick(PARK_WORDS)}${i + 1}`,
        areaId: area.id,
        geometry: { type: 'Point', coordinates: pointNear() },
        props: { kind, industries: [pick(industries)], floorAreaTotal: total, floorAreaAvailable: Math.floor(total * rand() * 0.6), powerKva: pick([500, 1000, 3000, 8000]) },
      });
    }
    for (let i = 0; i < opts.opportunitiesPerArea; i++) {
      const industry = pick(industries);
      const label = rules.heatMap.industries.values.find((x) => x.id === industry)!.zh;
      out.opportunities.push({
        code: `O-${prefixOf(area.id)}-${String(i + 1).padStart(4, '0')}`,
        name: `${short}${label}合作项目${i + 1}`,
        areaId: area.id,
        geometry: { type: 'Point', coordinates: pointNear() },
        props: { industry, amountFen: (5_000 + Math.floor(rand() * 200_000)) * 1_000_000, summary: `${short}${label}项目寻求合作伙伴`, partnerWanted: pick(['战略投资方', '技术合作方', '上下游配套企业', '运营合作方']) },
      });
    }
  }
  return out;
}

const ROUTES: Array<{ routeId: string; code: string; name: string; stops: Array<[string, string, string]> }> = [
  { routeId: 'smart-manufacturing', code: 'R-SM', name: '智能制造线路', stops: [['wujiang-development-zone', '吴江开发区智能装备产业园', '工业机器人与智能产线'], ['shengze', '盛泽光电线缆产业基地', '光纤预制棒与特种线缆'], ['pingwang', '平望智能物流园', '智能仓储与多式联运']] },
  { routeId: 'sci-tech-innovation', code: 'R-ST', name: '科技创新线路', stops: [['fenhu-high-tech-zone', '汾湖高新区科创中心', '长三角一体化示范区科创平台'], ['songling', '松陵科技创业园', '研发孵化与科技服务'], ['wujiang-high-tech-zone', '吴江高新区半导体产业园', '新一代半导体']] },
  { routeId: 'cultural-creative', code: 'R-CC', name: '文化创意线路', stops: [['shengze', '盛泽丝绸文化创意园', '纺织设计与丝绸文创'], ['zhenze', '震泽丝绸小镇', '蚕桑文化与丝绸品牌'], ['tongli', '同里古镇文创街区', '古镇文旅与数字文创']] },
  { routeId: 'modern-business', code: 'R-MB', name: '现代商务线路', stops: [['east-taihu-resort', '太湖新城商务区', '总部经济与商务楼宇'], ['songling', '松陵中心商务区', '金融与专业服务'], ['jiangling', '江陵运河商务带', '现代服务业集聚区']] },
  { routeId: 'green-leisure', code: 'R-GL', name: '绿色休闲线路', stops: [['east-taihu-resort', '东太湖生态旅游度假区', '湖滨生态与休闲度假'], ['qidu', '七都太湖溇港', '太湖生态与乡村旅游'], ['lili', '黎里古镇', '江南水乡与精品民宿']] },
];

/** Seed the map and the leads (called from src/demo/seed.ts). Returns what it made. */
export async function seedInvestmentDemo(db: Db, actor: AuditActor, opts: { today: string }): Promise<{ parcels: number; carriers: number; opportunities: number; routes: number; leads: number }> {
  const map = generateMap({ parcelsPerArea: 16, carriersPerArea: 10, opportunitiesPerArea: 3 });
  await saveFeatures(db, actor, 'parcel', map.parcels, { source: 'demo' });
  await saveFeatures(db, actor, 'carrier', map.carriers, { source: 'demo' });
  await saveFeatures(db, actor, 'opportunity', map.opportunities, { source: 'demo' });
  const areas = new Map(mapAreas().map((a) => [a.id, a]));
  const routes = ROUTES.map((r) => ({
    code: r.code,
    name: r.name,
    areaId: r.stops[0][0],
    geometry: {},
    props: { routeId: r.routeId, stops: r.stops.map(([areaId, name, see]) => ({ name, see, lon: areas.get(areaId)!.centre.lon, lat: areas.get(areaId)!.centre.lat })) },
  }));
  await saveFeatures(db, actor, 'route', routes, { source: 'demo' });

  // Leads in every stage, one landed with its reward set, one landed waiting for the bureau, one duplicate report.
  const stages = investmentRules().leads.stages.map((s) => s.id);
  const leads: Array<[string, string, string, number, string, string, number]> = [
    ['苏州澜芯半导体有限公司', '12英寸功率器件封测项目', 'smart-equipment-semiconductor', 8_000_000_000, 'adviser', '招商顾问 王建国', 3],
    ['上海数衍科技有限公司', '长三角数据中心二期', 'digital-economy', 3_500_000_000, 'heatMap', '热力图用户 李女士', 2],
    ['江苏恒锦纺织集团', '高端面料设计研发中心', 'textile-design', 600_000_000, 'enterprise', '盛泽镇 恒力化纤', 3],
    ['德国施耐克机械有限公司', '精密减速机生产基地', 'advanced-equipment', 2_200_000_000, 'agency', '德中投资促进中心', 1],
    ['浙江绿环再生资源有限公司', '废旧纺织品循环利用项目', 'circular-economy', 900_000_000, 'chamber', '吴江浙江商会', 0],
    ['苏州智研创新有限公司', '新型显示材料研发中试', 'innovation-rd', 400_000_000, 'official', '区商务局 陈科长', 2],
    ['南京云帆智能科技有限公司', '工业互联网平台华东总部', 'digital-economy', 1_200_000_000, 'adviser', '招商顾问 赵敏', 1],
    ['昆山精工模具有限公司', '汽车模具扩产项目', 'advanced-equipment', 700_000_000, 'enterprise', '松陵街道 吴江精工', 0],
  ];
  let made = 0;
  const ids: number[] = [];
  for (const [enterpriseName, projectName, industry, amountFen, source, firstReporter, reach] of leads) {
    const lead = await registerLead(db, actor, { enterpriseName, projectName, industry, amountFen, source, firstReporter, owner: '区商务局 招商一科' });
    ids.push(lead.id);
    made++;
    for (let s = 1; s <= reach; s++) await advanceLead(db, actor, lead.id, { to: stages[s], owner: s >= 2 ? '区商务局 项目推进科' : '区商务局 招商一科' }, { today: opts.today });
  }
  await setLeadReward(db, actor, ids[0], { amountFen: 5_000_000, note: '区商务局局务会议定（演示）' });
  await registerLead(db, actor, { enterpriseName: '苏州澜芯半导体股份有限公司', projectName: '12英寸功率器件封测项目', industry: 'smart-equipment-semiconductor', amountFen: 8_000_000_000, source: 'agency', firstReporter: '某中介机构（晚于首报）' });
  made++;
  return { parcels: map.parcels.length, carriers: map.carriers.length, opportunities: map.opportunities.length, routes: routes.length, leads: made };
}
