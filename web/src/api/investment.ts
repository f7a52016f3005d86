/**
 * The investment map (issue 13): calls and shapes as docs/api.md "Investment map" gives them, through the one
 * `request` of client.ts. Public: base map, features, heat, site matching. Signed in: an expression of interest.
 * 区商务局: leads, their stages and the first reporter's reward.
 */
import { qs, request } from './client';

export type Layer = 'parcel' | 'carrier' | 'opportunity' | 'route';
export type SupplyStatus = 'available' | 'planned' | 'supplied';

export interface Named {
  id: string;
  zh: string;
  en: string;
}
export interface LonLat {
  lon: number;
  lat: number;
}
export type Ring = [number, number][];
export interface PolygonGeometry {
  type: 'Polygon';
  coordinates: Ring[];
}
export interface PointGeometry {
  type: 'Point';
  coordinates: [number, number];
}

export interface MapArea {
  id: string;
  nameZh: string;
  nameEn: string;
  centre: LonLat;
}

export interface MapBase {
  district: { type: 'Feature'; properties: { name: string; centre: [number, number] }; geometry: PolygonGeometry };
  areas: MapArea[];
  routes: Named[];
  industries: Named[];
  layers: Record<Layer, { zh: string; en: string; owner: string; staleAfterDays: number }>;
  availableLandSqKm: number;
  leadStages: Named[];
  leadSources: Named[];
  notice: { zh: string; en: string };
}

export interface ParcelProps {
  areaSqm: number;
  plannedUse: string;
  industries: string[];
  insideProtectionLine: boolean;
  soilSurveyDone: boolean;
  supplyYear: number;
  supplyStatus: SupplyStatus;
  standard: { investmentIntensity?: number; taxPerMu?: number; plotRatioMin?: number; plotRatioMax?: number; energyPerOutput?: number };
  powerKva?: number;
  waterTonsPerDay?: number;
}
export interface CarrierProps {
  kind: string;
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
export interface RouteProps {
  routeId: string;
  stops: { name: string; lon: number; lat: number; see: string }[];
}

export interface MapFeature {
  layer: Layer;
  code: string;
  version: number;
  name: string;
  areaId: string;
  geometry: PolygonGeometry | PointGeometry | { type: string; coordinates: unknown };
  props: Record<string, unknown>;
  ownerUnit: string;
  validFrom: string;
  confirmedAt: string;
  stale: boolean;
}

export interface HeatRow {
  areaId: string;
  parcels: number;
  availableLandSqm: number;
  carriers: number;
  opportunities: number;
  leads: number;
  leadAmountFen: number;
}
export interface Heat {
  areas: HeatRow[];
  land: { availableSqm: number; plannedSqm: number; suppliedSqm: number; targetSqKm: number };
}

export interface ProjectNeeds {
  name?: string;
  industry: string;
  landAreaSqm: number;
  floorAreaSqm: number;
  investmentFen: number;
  equipmentFen: number;
  powerKva: number;
  waterTonsPerDay: number;
  startDate: string;
  industryClass: 'leading' | 'highTech' | 'other';
}
export interface CriterionResult {
  id: string;
  fits: boolean;
  zh: string;
  en: string;
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
export interface MatchResult {
  project: ProjectNeeds;
  sites: SiteMatch[];
  year: number;
  incentives: IncentiveHint[];
}

export interface Lead {
  id: number;
  projectName: string;
  enterpriseName: string;
  industry: string;
  amountFen: number;
  source: string;
  firstReporter: string;
  reporterContact: string | null;
  reportedAt: string;
  auditId: number | null;
  duplicateOf: number | null;
  stage: string;
  owners: Record<string, string>;
  opportunityCode: string | null;
  siteCode: string | null;
  areaId: string | null;
  landedOn: string | null;
  reward: { status: 'proposed' | 'set'; amountFen: number | null; note: string | null } | null;
  version: number;
}

export const investmentApi = {
  base: () => request<MapBase>('/api/map/base'),
  features: (q: { layer?: Layer; area?: string; q?: string; asOf?: string } = {}) => request<{ items: MapFeature[]; total: number }>(`/api/map/features${qs(q)}`),
  feature: (layer: Layer, code: string) => request<MapFeature & { versions?: unknown[] }>(`/api/map/features/${layer}/${encodeURIComponent(code)}`),
  heat: () => request<Heat>('/api/map/heat'),
  match: (p: ProjectNeeds) => request<MatchResult>('/api/map/match', { method: 'POST', body: p }),
  interest: (b: { project: ProjectNeeds; siteCode?: string; enterpriseName: string; contact: string }) =>
    request<{ id: number; duplicate: boolean; reportedAt: string }>('/api/map/interest', { method: 'POST', body: b, idempotent: true }),
  leads: (q: { stage?: string; q?: string; duplicates?: 'true' } = {}) => request<{ items: Lead[]; counts: Record<string, number> }>(`/api/leads${qs(q)}`),
  advance: (id: number, b: { to: string; owner: string; note?: string; expectedVersion?: number }) =>
    request<Lead>(`/api/leads/${id}/stage`, { method: 'POST', body: b, idempotent: true }),
  reward: (id: number, b: { amountFen: number; note: string }) => request<Lead>(`/api/leads/${id}/reward`, { method: 'POST', body: b, idempotent: true }),
};
