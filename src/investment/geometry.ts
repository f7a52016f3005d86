/**
 * Geometry of the investment map, as GeoJSON (stored as jsonb; no PostGIS, so PGlite and PostgreSQL behave alike):
 * the district outline (reference/geo/, copied from ../shared/geo/), the areas as points, and the checks a parcel,
 * carrier or opportunity passes before it is stored — a valid polygon (closed ring, no self-intersection), inside
 * the district, not overlapping another parcel. Checks use @turf (MIT); areas are in m² on the WGS-84 sphere.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { area as turfArea } from '@turf/area';
import { booleanValid } from '@turf/boolean-valid';
import { intersect } from '@turf/intersect';
import type { Feature, FeatureCollection, Point, Polygon } from 'geojson';
import { KaifangError } from '../errors.ts';
import { loadAreas, type Area } from '../enterprises/areas.ts';

export type { Point, Polygon } from 'geojson';
export type Geometry = Point | Polygon;

export const DISTRICT_FILE = fileURLToPath(new URL('../../reference/geo/wujiang-district.geojson', import.meta.url));

/** 1 亩 = 10000/15 m² (666.67 m²): investment intensity and tax per mu are stated per 亩 in China. */
export const SQUARE_METRES_PER_MU = 10000 / 15;

let district: Feature<Polygon> | undefined;
/** The outline of 吴江区 (one Polygon, lon/lat degrees). */
export function districtOutline(): Feature<Polygon> {
  if (!district) {
    const fc = JSON.parse(readFileSync(DISTRICT_FILE, 'utf8')) as FeatureCollection<Polygon>;
    district = fc.features[0];
  }
  return district;
}

let areas: Area[] | undefined;
export function mapAreas(): Area[] {
  areas ??= loadAreas();
  return areas;
}

function bad(code: string, zh: string, en: string, path: string, details?: Record<string, unknown>): KaifangError {
  return new KaifangError({ code, zh, en, path, details });
}

const isPosition = (p: unknown): p is [number, number] =>
  Array.isArray(p) && p.length >= 2 && p.length <= 3 && p.every((n) => typeof n === 'number' && Number.isFinite(n));

/** A GeoJSON Point inside the district, or the reason it is not. */
export function checkPoint(input: unknown, path = 'geometry'): Point {
  const g = input as { type?: unknown; coordinates?: unknown } | null;
  if (!g || typeof g !== 'object' || g.type !== 'Point' || !isPosition(g.coordinates)) {
    throw bad('invalid_geometry', '位置须为 GeoJSON Point（[经度, 纬度]）', 'the location must be a GeoJSON Point ([lon, lat])', path);
  }
  const point: Point = { type: 'Point', coordinates: [g.coordinates[0], g.coordinates[1]] };
  if (!pointInDistrict(point.coordinates[0], point.coordinates[1])) {
    throw bad('outside_district', '位置不在吴江区范围内', 'the location is outside Wujiang district', path, { coordinates: point.coordinates });
  }
  return point;
}

/**
 * A GeoJSON Polygon (one outer ring, no holes — a parcel is one piece of land) that is valid and inside the district.
 * Coordinates are kept to 7 decimals (~1 cm), so that what is stored is what was checked.
 */
export function checkPolygon(input: unknown, path = 'geometry'): Polygon {
  const g = input as { type?: unknown; coordinates?: unknown } | null;
  if (!g || typeof g !== 'object' || g.type !== 'Polygon' || !Array.isArray(g.coordinates) || g.coordinates.length !== 1) {
    throw bad('invalid_geometry', '地块须为 GeoJSON Polygon（一个外环，无内洞）', 'a parcel must be a GeoJSON Polygon with one outer ring and no holes', path);
  }
  const ring = g.coordinates[0] as unknown[];
  if (!Array.isArray(ring) || ring.length < 4 || !ring.every(isPosition)) {
    throw bad('invalid_geometry', '外环至少需要4个 [经度, 纬度] 点', 'the ring needs at least 4 [lon, lat] positions', path);
  }
  const round = (n: number) => Math.round(n * 1e7) / 1e7;
  const coords = (ring as [number, number][]).map(([x, y]) => [round(x), round(y)]);
  const [first, last] = [coords[0], coords[coords.length - 1]];
  if (first[0] !== last[0] || first[1] !== last[1]) {
    throw bad('invalid_geometry', '外环未闭合（首末点须相同）', 'the ring is not closed (first and last positions must be equal)', path);
  }
  const polygon: Polygon = { type: 'Polygon', coordinates: [coords] };
  if (!booleanValid(polygon) || turfArea(polygon) < 1) {
    throw bad('invalid_geometry', '地块边界自相交或面积为零', 'the parcel boundary crosses itself or encloses no area', path);
  }
  if (!polygonInDistrict(coords as [number, number][])) {
    throw bad('outside_district', '地块不完全在吴江区范围内', 'the parcel is not entirely inside Wujiang district', path);
  }
  return polygon;
}

export function areaOf(polygon: Polygon): number {
  return turfArea(polygon);
}

export type BBox = [number, number, number, number];
export function bboxOf(g: Geometry): BBox {
  const pts = g.type === 'Point' ? [g.coordinates] : g.coordinates[0];
  let [a, b, c, d] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const [x, y] of pts) {
    a = Math.min(a, x);
    b = Math.min(b, y);
    c = Math.max(c, x);
    d = Math.max(d, y);
  }
  return [a, b, c, d];
}

/** Interiors overlap by more than 1 m² (parcels that only share an edge do not overlap). */
export function polygonsOverlap(a: Polygon, b: Polygon, boxA = bboxOf(a), boxB = bboxOf(b)): boolean {
  if (boxA[2] <= boxB[0] || boxB[2] <= boxA[0] || boxA[3] <= boxB[1] || boxB[3] <= boxA[1]) return false;
  const common = intersect({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: a }, { type: 'Feature', properties: {}, geometry: b }] });
  return !!common && turfArea(common) > 1;
}

export function centroidOf(g: Geometry): [number, number] {
  if (g.type === 'Point') return [g.coordinates[0], g.coordinates[1]];
  const ring = g.coordinates[0].slice(0, -1);
  const sx = ring.reduce((s, p) => s + p[0], 0);
  const sy = ring.reduce((s, p) => s + p[1], 0);
  return [sx / ring.length, sy / ring.length];
}

/** The area whose centre is nearest (no boundaries of towns are published; README of ../shared/geo). */
export function nearestArea(lon: number, lat: number): Area {
  let best = mapAreas()[0];
  let bestD = Infinity;
  for (const a of mapAreas()) {
    const d = (a.centre.lon - lon) ** 2 * Math.cos((lat * Math.PI) / 180) ** 2 + (a.centre.lat - lat) ** 2;
    if (d < bestD) [best, bestD] = [a, d];
  }
  return best;
}

/** Inside the district outline (a point): even-odd ray casting over the outline's ring. */
export function pointInDistrict(lon: number, lat: number): boolean {
  const ring = districtOutline().geometry.coordinates[0];
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function segmentsCross(a: number[], b: number[], c: number[], d: number[]): boolean {
  const o = (p: number[], q: number[], r: number[]) => Math.sign((q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0]));
  return o(a, b, c) * o(a, b, d) <= 0 && o(c, d, a) * o(c, d, b) <= 0;
}

/**
 * A simple polygon lies inside the (simple) district outline when every vertex does and no edge meets the outline.
 * turf's booleanWithin answers the same but takes ~20 ms against the outline's 1,030 vertices; this takes
 * microseconds, which matters for an import of thousands of parcels. A parcel touching the outline is refused.
 */
export function polygonInDistrict(ring: [number, number][]): boolean {
  if (!ring.every(([x, y]) => pointInDistrict(x, y))) return false;
  const outline = districtOutline().geometry.coordinates[0];
  const [minX, minY, maxX, maxY] = bboxOf({ type: 'Polygon', coordinates: [ring] });
  for (let i = 1; i < outline.length; i++) {
    const c = outline[i - 1];
    const d = outline[i];
    if (Math.max(c[0], d[0]) < minX || Math.min(c[0], d[0]) > maxX || Math.max(c[1], d[1]) < minY || Math.min(c[1], d[1]) > maxY) continue;
    for (let k = 1; k < ring.length; k++) if (segmentsCross(ring[k - 1], ring[k], c, d)) return false;
  }
  return true;
}
