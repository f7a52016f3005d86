import { describe, expect, it } from 'vitest';
import { areaRegions, nearestCentre, pointInRing, type Ring } from './mapRegions';

const square: Ring = [
  [120, 31],
  [121, 31],
  [121, 32],
  [120, 32],
  [120, 31],
];
const centres = [
  { id: 'west', lon: 120.25, lat: 31.5 },
  { id: 'east', lon: 120.75, lat: 31.5 },
  { id: 'north', lon: 120.5, lat: 31.9 },
];

describe('areaRegions (towns as the server assigns them: nearest centre)', () => {
  const regions = areaRegions(square, centres, 31.5);
  it('gives every centre a closed region inside the district', () => {
    expect([...regions.keys()].sort()).toEqual(['east', 'north', 'west']);
    for (const r of regions.values()) {
      expect(r[0]).toEqual(r.at(-1));
      for (const [x, y] of r) expect(x >= 120 - 1e-9 && x <= 121 + 1e-9 && y >= 31 - 1e-9 && y <= 32 + 1e-9).toBe(true);
    }
  });
  it('puts a point in the region of its nearest centre, on both sides of a boundary', () => {
    for (const [lon, lat] of [
      [120.49, 31.2],
      [120.51, 31.2],
      [120.5, 31.85],
      [120.1, 31.9],
      [120.95, 31.05],
    ] as const) {
      const want = nearestCentre(lon, lat, centres);
      const holders = [...regions].filter(([, r]) => pointInRing(lon, lat, r)).map(([id]) => id);
      expect(holders).toEqual([want]);
    }
  });
});
