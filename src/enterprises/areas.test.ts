import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findArea, listAreas, loadAreas, requireArea } from './areas.ts';

describe('吴江区 areas', () => {
  it('lists the 4 streets, 7 towns and 4 zones of the district', () => {
    const byKind = (kind: string) => listAreas().filter((a) => a.kind === kind).map((a) => a.shortZh ?? a.nameZh);
    expect(byKind('street')).toEqual(['松陵街道', '江陵街道', '横扇街道', '八坼街道']);
    expect(byKind('town')).toEqual(['同里镇', '平望镇', '盛泽镇', '七都镇', '震泽镇', '桃源镇', '黎里镇']);
    expect(byKind('zone')).toEqual(['吴江开发区', '汾湖高新区', '吴江高新区', '东太湖度假区']);
  });

  it('carries statistics codes and approximate centres', () => {
    expect(findArea('songling')).toMatchObject({ statsCode: '320509001', centre: { lat: 31.16, lon: 120.64 } });
    expect(findArea('fenhu-high-tech-zone')?.statsCode).toBeNull();
  });

  it('rejects an unknown area id with the valid ids', () => {
    expect(() => requireArea('suzhou')).toThrow(/unknown area "suzhou"; valid ids: songling, /);
  });

  it('reports a bad file with its line', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kaifang-areas-'));
    const file = path.join(dir, 'areas.yaml');
    writeFileSync(
      file,
      [
        'district: { nameZh: 吴江区, nameEn: Wujiang, statsCode: "320509" }',
        'areas:',
        '  - id: a',
        '    nameZh: 甲',
        '    nameEn: A',
        '    kind: village',
        '    statsCode: null',
        '    centre: { lat: 31, lon: 120.5 }',
      ].join('\n'),
    );
    expect(() => loadAreas(file)).toThrow(/areas\.yaml:6: areas\.0\.kind/);
  });
});
