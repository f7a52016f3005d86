/**
 * The towns' regions on the investment map. No town boundaries are published (README of ../shared/geo), and the
 * server files a feature under the area whose centre is nearest (src/investment/geometry.ts nearestArea, distances
 * with longitude scaled by cos(latitude)). The regions drawn here are exactly those: the district outline cut by the
 * perpendicular bisector between each area's centre and every other one (a Voronoi cell clipped to the district), so
 * what sits in a region on screen is what the server counts for that town.
 */
export type Ring = [number, number][];

interface Centre {
  id: string;
  lon: number;
  lat: number;
}

/** Keep the part of a ring where a·x + b·y ≤ c (Sutherland–Hodgman against one half-plane). */
function clip(ring: Ring, a: number, b: number, c: number): Ring {
  const out: Ring = [];
  const inside = (p: [number, number]) => a * p[0] + b * p[1] <= c + 1e-12;
  for (let i = 0; i < ring.length; i++) {
    const p = ring[i];
    const q = ring[(i + 1) % ring.length];
    const pin = inside(p);
    const qin = inside(q);
    if (pin) out.push(p);
    if (pin !== qin) {
      const fp = a * p[0] + b * p[1] - c;
      const fq = a * q[0] + b * q[1] - c;
      const t = fp / (fp - fq);
      out.push([p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])]);
    }
  }
  return out;
}

/** Each area's region: the district ring cut to the points nearer that area's centre than any other. */
export function areaRegions(district: Ring, centres: Centre[], latRef = 31): Map<string, Ring> {
  const k = Math.cos((latRef * Math.PI) / 180);
  // drop the closing point; clipping works on the open ring
  const base = district.length > 1 && district[0][0] === district.at(-1)![0] && district[0][1] === district.at(-1)![1] ? district.slice(0, -1) : district;
  const out = new Map<string, Ring>();
  for (const a of centres) {
    let ring = base;
    for (const o of centres) {
      if (o === a || ring.length === 0) continue;
      // nearer a than o, in scaled coordinates (x = lon·k): 2(o−a)·p ≤ |o|² − |a|²
      const ax = a.lon * k;
      const ox = o.lon * k;
      const A = 2 * (ox - ax) * k;
      const B = 2 * (o.lat - a.lat);
      const C = ox * ox + o.lat * o.lat - ax * ax - a.lat * a.lat;
      ring = clip(ring, A, B, C);
    }
    if (ring.length >= 3) out.set(a.id, [...ring, ring[0]]);
  }
  return out;
}

/** Nearest centre as the server computes it (for tests and for naming the town under a point). */
export function nearestCentre(lon: number, lat: number, centres: Centre[]): string {
  let best = centres[0]?.id ?? '';
  let bestD = Infinity;
  for (const c of centres) {
    const d = (c.lon - lon) ** 2 * Math.cos((lat * Math.PI) / 180) ** 2 + (c.lat - lat) ** 2;
    if (d < bestD) [best, bestD] = [c.id, d];
  }
  return best;
}

/** Even-odd point in ring. */
export function pointInRing(lon: number, lat: number, ring: Ring): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}
