/**
 * The district's areas (区镇: streets, towns, zones) from reference/wujiang-areas.yaml. An enterprise
 * belongs to one; its area does the first review (初审) of the enterprise's claims.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { KaifangError } from '../errors.ts';

export const AREA_KINDS = ['street', 'town', 'zone'] as const;
export type AreaKind = (typeof AREA_KINDS)[number];

const areaSchema = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9-]*$/, 'id must be lower-case letters, digits and hyphens'),
  nameZh: z.string().min(1),
  shortZh: z.string().min(1).optional(),
  nameEn: z.string().min(1),
  kind: z.enum(AREA_KINDS),
  statsCode: z.string().regex(/^320509\d{3}$/, 'statsCode must be a 9-digit 吴江区 division code').nullable(),
  centre: z.strictObject({ lat: z.number().min(30).max(32), lon: z.number().min(120).max(121.5) }),
});

const fileSchema = z.strictObject({
  district: z.strictObject({ nameZh: z.string(), nameEn: z.string(), statsCode: z.string() }),
  areas: z.array(areaSchema).min(1),
});

export type Area = z.infer<typeof areaSchema>;

export const DEFAULT_AREAS_FILE = fileURLToPath(new URL('../../reference/wujiang-areas.yaml', import.meta.url));

/** Reads and validates an areas file; errors name the file and line. */
export function loadAreas(file = DEFAULT_AREAS_FILE): Area[] {
  const text = readFileSync(file, 'utf8');
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  const where = (offset: number | undefined) => {
    const rel = path.relative(process.cwd(), file) || file;
    return offset === undefined ? rel : `${rel}:${lineCounter.linePos(offset).line}`;
  };
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    throw new Error(`${where(e.pos[0])}: ${e.message}`);
  }
  const parsed = fileSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const node = doc.getIn(issue.path as (string | number)[], true) as { range?: [number, number, number] } | undefined;
    throw new Error(`${where(node?.range?.[0])}: ${issue.path.join('.')}: ${issue.message}`);
  }
  const seen = new Set<string>();
  parsed.data.areas.forEach((area, i) => {
    if (seen.has(area.id)) {
      const node = doc.getIn(['areas', i, 'id'], true) as { range?: [number, number, number] } | undefined;
      throw new Error(`${where(node?.range?.[0])}: duplicate area id "${area.id}"`);
    }
    seen.add(area.id);
  });
  return parsed.data.areas;
}

let cached: { list: Area[]; byId: Map<string, Area> } | undefined;

function registry() {
  if (!cached) {
    const list = loadAreas();
    cached = { list, byId: new Map(list.map((a) => [a.id, a])) };
  }
  return cached;
}

/** Every area of the district, in file order (streets, towns, zones). */
export function listAreas(): readonly Area[] {
  return registry().list;
}

export function findArea(id: string): Area | undefined {
  return registry().byId.get(id);
}

export function isAreaId(id: unknown): id is string {
  return typeof id === 'string' && registry().byId.has(id);
}

/** The area with this id, or a KaifangError `unknown_area` listing the valid ids. */
export function requireArea(id: unknown, fieldPath = 'areaId'): Area {
  const area = typeof id === 'string' ? findArea(id) : undefined;
  if (!area) {
    const ids = listAreas().map((a) => a.id).join(', ');
    throw new KaifangError({
      code: 'unknown_area',
      zh: `区镇“${String(id)}”不存在；可选：${ids}`,
      en: `unknown area "${String(id)}"; valid ids: ${ids}`,
      path: fieldPath,
    });
  }
  return area;
}
