/**
 * 智慧选址 (site matching): an investor's project against every current parcel and carrier, judged criterion by
 * criterion (investment-map.yaml matching.*Criteria — which criteria, in which order, with which weight), each with
 * whether it fits and why, like the engine's why / why-not; and the incentives of the policy the project could expect,
 * asked of the engine with the project's own figures (never re-computed here).
 */
import type { Engine } from '../engine/index.ts';
import { FieldErrors } from '../errors.ts';
import type { CarrierProps, FeatureView, ParcelProps } from './features.ts';
import { SQUARE_METRES_PER_MU } from './geometry.ts';
import { investmentRules, type InvestmentRules } from './rules.ts';

export interface ProjectNeeds {
  name: string;
  industry: string;
  /** land needed, m² (0: the project wants floor space in a carrier only) */
  landAreaSqm: number;
  /** floor area to be built or rented, m² */
  floorAreaSqm: number;
  /** total investment, integer fen */
  investmentFen: number;
  /** of which equipment, integer fen (measure 16) */
  equipmentFen: number;
  powerKva: number;
  waterTonsPerDay: number;
  /** YYYY-MM-DD */
  startDate: string;
  /** 先导 / 高新 / 其他 (measure 16's classes) */
  industryClass: 'leading' | 'highTech' | 'other';
}

export interface CriterionResult {
  id: string;
  fits: boolean;
  zh: string;
  en: string;
  /** why, with the figures (项目需求 2.0公顷，地块 3.1公顷) */
  whyZh: string;
  whyEn: string;
}

export interface SiteMatch {
  layer: 'parcel' | 'carrier';
  code: string;
  name: string;
  areaId: string;
  fits: boolean;
  misses: number;
  score: number;
  criteria: CriterionResult[];
  stale: boolean;
}

export interface IncentiveHint {
  incentive: string;
  measure: number | null;
  status: string;
  amountFen: number | null;
  summaryZh: string;
  summaryEn: string;
}

export function parseProject(input: unknown, rules: InvestmentRules = investmentRules()): ProjectNeeds {
  const c = new FieldErrors();
  const r = (input && typeof input === 'object' ? input : {}) as Record<string, unknown>;
  const n = (k: string, opts: { integer?: boolean; optional?: boolean } = {}) => {
    const v = r[k];
    if ((v === undefined || v === null || v === '') && opts.optional) return 0;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) return c.add(k, 'not_a_number', '须为不小于0的数字', 'must be a number, 0 or more') ?? 0;
    if (opts.integer && !Number.isInteger(v)) return c.add(k, 'not_an_integer', '须为整数（分）', 'must be whole fen') ?? 0;
    return v;
  };
  const industries = rules.heatMap.industries.values.map((i) => i.id);
  const industry = typeof r.industry === 'string' && industries.includes(r.industry) ? r.industry : (c.add('industry', 'unknown_industry', `请选择产业（${industries.join('、')}）`, `choose an industry (${industries.join(', ')})`) ?? '');
  const startDate = typeof r.startDate === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(r.startDate) ? r.startDate : (c.add('startDate', 'invalid_date', '开工日期须为 YYYY-MM-DD', 'start date must be YYYY-MM-DD') ?? '');
  const industryClass = r.industryClass === undefined ? 'other' : (['leading', 'highTech', 'other'] as const).find((x) => x === r.industryClass) ?? (c.add('industryClass', 'not_allowed', '产业类别须为 leading、highTech、other', 'industryClass is leading, highTech or other') as undefined) ?? 'other';
  const name = typeof r.name === 'string' && r.name.trim() ? r.name.trim().slice(0, 200) : '意向项目';
  const p: ProjectNeeds = {
    name,
    industry,
    landAreaSqm: n('landAreaSqm'),
    floorAreaSqm: n('floorAreaSqm'),
    investmentFen: n('investmentFen', { integer: true }),
    equipmentFen: n('equipmentFen', { integer: true, optional: true }),
    powerKva: n('powerKva', { optional: true }),
    waterTonsPerDay: n('waterTonsPerDay', { optional: true }),
    startDate,
    industryClass,
  };
  if (p.equipmentFen > p.investmentFen) c.add('equipmentFen', 'out_of_range', '设备投资不能大于总投资', 'equipment investment exceeds the total');
  c.throwIfAny();
  return p;
}

const ha = (sqm: number) => `${(sqm / 10000).toFixed(2)}公顷`;
const haEn = (sqm: number) => `${(sqm / 10000).toFixed(2)} ha`;
const wan = (fen: number) => `${(fen / 1_000_000).toFixed(0)}万元`;

function judgeParcel(p: ProjectNeeds, f: FeatureView, rules: InvestmentRules): CriterionResult[] {
  const props = f.props as unknown as ParcelProps;
  const startYear = Number(p.startDate.slice(0, 4));
  const mu = p.landAreaSqm / SQUARE_METRES_PER_MU;
  const intensity = mu > 0 ? p.investmentFen / 1_000_000 / mu : 0; // 万元/亩
  const ratio = p.landAreaSqm > 0 ? p.floorAreaSqm / p.landAreaSqm : 0;
  const std = props.standard ?? {};
  return rules.matching.parcelCriteria.map((c) => {
    let fits: boolean;
    let whyZh: string;
    let whyEn: string;
    switch (c.id) {
      case 'industry':
        fits = props.industries.includes(p.industry);
        whyZh = fits ? '规划产业包含项目产业' : `规划产业为 ${props.industries.join('、')}`;
        whyEn = fits ? "the project's industry is planned here" : `planned for ${props.industries.join(', ')}`;
        break;
      case 'landArea':
        fits = props.areaSqm >= p.landAreaSqm;
        whyZh = `项目需 ${ha(p.landAreaSqm)}，地块 ${ha(props.areaSqm)}`;
        whyEn = `needs ${haEn(p.landAreaSqm)}, parcel ${haEn(props.areaSqm)}`;
        break;
      case 'protectionLine':
        fits = props.insideProtectionLine;
        whyZh = fits ? '在工业用地保障线内' : '不在工业用地保障线内';
        whyEn = fits ? 'inside the protection line' : 'outside the protection line';
        break;
      case 'readyByStart':
        fits = props.soilSurveyDone && props.supplyYear <= startYear && props.supplyStatus !== 'supplied';
        whyZh = props.supplyStatus === 'supplied' ? '地块已供应' : `${props.soilSurveyDone ? '土壤调查已完成' : '土壤调查未完成'}，供应年度 ${props.supplyYear}，项目开工 ${startYear}`;
        whyEn = props.supplyStatus === 'supplied' ? 'already supplied' : `soil survey ${props.soilSurveyDone ? 'done' : 'not done'}, supply year ${props.supplyYear}, start ${startYear}`;
        break;
      case 'power':
        fits = props.powerKva === undefined ? p.powerKva === 0 : props.powerKva >= p.powerKva;
        whyZh = `项目需 ${p.powerKva} kVA，可供 ${props.powerKva ?? '未登记'}${props.powerKva === undefined ? '' : ' kVA'}`;
        whyEn = `needs ${p.powerKva} kVA, available ${props.powerKva ?? 'not recorded'}`;
        break;
      case 'water':
        fits = props.waterTonsPerDay === undefined ? p.waterTonsPerDay === 0 : props.waterTonsPerDay >= p.waterTonsPerDay;
        whyZh = `项目需 ${p.waterTonsPerDay} 吨/日，可供 ${props.waterTonsPerDay ?? '未登记'}`;
        whyEn = `needs ${p.waterTonsPerDay} t/day, available ${props.waterTonsPerDay ?? 'not recorded'}`;
        break;
      case 'investmentIntensity':
        fits = std.investmentIntensity === undefined || intensity >= std.investmentIntensity;
        whyZh = std.investmentIntensity === undefined ? '地块未设亩均投资要求' : `项目亩均投资 ${intensity.toFixed(0)} 万元/亩，要求不低于 ${std.investmentIntensity}`;
        whyEn = std.investmentIntensity === undefined ? 'no requirement set' : `project ${intensity.toFixed(0)} 万元/mu, required at least ${std.investmentIntensity}`;
        break;
      case 'plotRatio':
        fits = (std.plotRatioMin === undefined || ratio >= std.plotRatioMin) && (std.plotRatioMax === undefined || ratio <= std.plotRatioMax);
        whyZh = `项目容积率 ${ratio.toFixed(2)}，要求 ${std.plotRatioMin ?? '—'}～${std.plotRatioMax ?? '—'}`;
        whyEn = `project plot ratio ${ratio.toFixed(2)}, required ${std.plotRatioMin ?? '—'} to ${std.plotRatioMax ?? '—'}`;
        break;
      default:
        throw new Error(`unknown parcel criterion ${c.id}`); // refused when the rules are loaded
    }
    return { id: c.id, fits, zh: c.zh, en: c.en, whyZh, whyEn };
  });
}

function judgeCarrier(p: ProjectNeeds, f: FeatureView, rules: InvestmentRules): CriterionResult[] {
  const props = f.props as unknown as CarrierProps;
  return rules.matching.carrierCriteria.map((c) => {
    let fits: boolean;
    let whyZh: string;
    let whyEn: string;
    switch (c.id) {
      case 'industry':
        fits = props.industries.includes(p.industry);
        whyZh = fits ? '主导产业包含项目产业' : `主导产业为 ${props.industries.join('、')}`;
        whyEn = fits ? "the project's industry is hosted here" : `hosts ${props.industries.join(', ')}`;
        break;
      case 'floorArea':
        fits = props.floorAreaAvailable >= p.floorAreaSqm;
        whyZh = `项目需 ${p.floorAreaSqm} 平方米，可用 ${props.floorAreaAvailable} 平方米`;
        whyEn = `needs ${p.floorAreaSqm} m², available ${props.floorAreaAvailable} m²`;
        break;
      case 'power':
        fits = props.powerKva === undefined ? p.powerKva === 0 : props.powerKva >= p.powerKva;
        whyZh = `项目需 ${p.powerKva} kVA，可供 ${props.powerKva ?? '未登记'}`;
        whyEn = `needs ${p.powerKva} kVA, available ${props.powerKva ?? 'not recorded'}`;
        break;
      default:
        throw new Error(`unknown carrier criterion ${c.id}`);
    }
    return { id: c.id, fits, zh: c.zh, en: c.en, whyZh, whyEn };
  });
}

/**
 * Rank sites: a parcel when the project needs land, a carrier when it needs floor space and no land. Fewest misses
 * first, then the weight of the criteria that fit, then the code (a stable order).
 */
export function matchSites(project: ProjectNeeds, features: FeatureView[], opts: { rules?: InvestmentRules; limit?: number } = {}): SiteMatch[] {
  const rules = opts.rules ?? investmentRules();
  const weights = new Map<string, number>();
  const out: SiteMatch[] = [];
  for (const f of features) {
    let criteria: CriterionResult[];
    let list: ReadonlyArray<{ id: string; weight: number }>;
    if (f.layer === 'parcel' && project.landAreaSqm > 0) {
      if ((f.props as unknown as ParcelProps).supplyStatus === 'supplied') continue;
      criteria = judgeParcel(project, f, rules);
      list = rules.matching.parcelCriteria;
    } else if (f.layer === 'carrier' && project.landAreaSqm === 0) {
      criteria = judgeCarrier(project, f, rules);
      list = rules.matching.carrierCriteria;
    } else continue;
    for (const c of list) weights.set(`${f.layer}:${c.id}`, c.weight);
    const misses = criteria.filter((c) => !c.fits).length;
    const score = criteria.reduce((s, c) => s + (c.fits ? (weights.get(`${f.layer}:${c.id}`) ?? 0) : 0), 0);
    out.push({ layer: f.layer, code: f.code, name: f.name, areaId: f.areaId, fits: misses === 0, misses, score, criteria, stale: f.stale });
  }
  out.sort((a, b) => a.misses - b.misses || b.score - a.score || a.code.localeCompare(b.code));
  return out.slice(0, opts.limit ?? 20);
}

/**
 * What the policy could give the project, from the engine: measure 16 for its equipment, measure 18 for its floor
 * area above plot ratio 1.5 (on the land it asks for, as newly built industrial production floor space), for the
 * policy's own year: the answer says which year it was asked for.
 */
export function expectedIncentives(engine: Engine, project: ProjectNeeds, rules: InvestmentRules = investmentRules()): { year: number; incentives: IncentiveHint[] } {
  // The policy covers one year (policy.yaml effective); the estimate is for a project in that year.
  const year = Number(engine.policy.meta.effective.from.slice(0, 4));
  const claims: Array<Record<string, unknown>> = [];
  for (const inc of rules.matching.incentives) {
    if (inc === 'equipment-investment' && project.equipmentFen > 0) {
      claims.push({ incentive: inc, item: project.name, facts: { equipmentInvestment: project.equipmentFen } });
    }
    if (inc === 'plot-ratio-floor-area' && project.landAreaSqm > 0 && project.floorAreaSqm > 0) {
      claims.push({
        incentive: inc,
        item: project.name,
        facts: { landProjectType: 'industrialManufacturing', compliesWithPlanning: true, landArea: project.landAreaSqm, floorArea: project.floorAreaSqm, newIndustrialFloorArea: project.floorAreaSqm },
      });
    }
  }
  if (claims.length === 0) return { year, incentives: [] };
  const result = engine.evaluate({ year, enterprise: { name: project.name }, facts: { industryClass: project.industryClass }, claims }, { asOf: `${year}-12-31` });
  return {
    year,
    incentives: result.entitlements.map((e) => ({
      incentive: e.incentive,
      measure: e.measure,
      status: e.status,
      amountFen: e.amountFen,
      summaryZh: e.explanation?.summary.zh ?? '',
      summaryEn: e.explanation?.summary.en ?? '',
    })),
  };
}
