/**
 * The investment map's rules as data (policies/<id>/investment-map.yaml): routes, layers with their owning unit and
 * stale period, 标准地 conditions, the matching criteria, the lead stages and sources, the 产业定制地 steps. Loaded once
 * and checked: every clause verbatim in source.txt, every unit an id of agencies.yaml, ids unique.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { readYamlFile, validateYaml, type FileProblem } from '../calendar/yaml-file.ts';
import { DEFAULT_POLICY_DIR } from '../service-limits/limits.ts';

const id = z.string().regex(/^[a-zA-Z][a-zA-Z0-9]*(?:-[a-z0-9]+)*$/, 'ids are kebab-case or camelCase');
const text = z.string().min(1);
const named = z.object({ id, zh: text, en: text }).strict();
const basis = z.object({ from: z.enum(['text', 'district']), why: text, whyEn: text.optional() }).strict();
const criterion = named.extend({ weight: z.number().int().min(0).max(100) }).strict();

export const LAYERS = ['parcel', 'carrier', 'opportunity', 'route'] as const;
export type Layer = (typeof LAYERS)[number];

const layerSchema = z.object({ zh: text, en: text, owner: id, staleAfterDays: z.number().int().min(1).max(3650) }).strict();

const fileSchema = z
  .object({
    policy: id,
    heatMap: z
      .object({
        measure: z.literal(17),
        clause: text,
        routes: z.array(named).length(5),
        availableLand: z.object({ clause: text, squareKm: z.number().positive() }).strict(),
        supplyPlan: z.object({ clause: text }).strict(),
        industries: z.object({ clause: text, values: z.array(named).min(1) }).strict(),
      })
      .strict(),
    layers: z.object({ parcel: layerSchema, carrier: layerSchema, opportunity: layerSchema, route: layerSchema }).strict(),
    staleness: basis,
    protectionLine: z.object({ measure: z.literal(18), clause: text }).strict(),
    standardLand: z
      .object({
        measure: z.literal(30),
        clause: text,
        conditions: z.array(
          named.extend({ unit: z.string(), compare: z.enum(['projectAtLeast', 'projectAtMost', 'projectWithinRange']) }).strict(),
        ),
      })
      .strict(),
    matching: z
      .object({
        clause: text,
        ranking: z.object({ from: z.enum(['text', 'district']), why: text }).strict(),
        parcelCriteria: z.array(criterion).min(1),
        carrierCriteria: z.array(criterion).min(1),
        incentives: z.array(id),
      })
      .strict(),
    leads: z
      .object({
        measure: z.literal(15),
        clause: text,
        rewardIncentive: id,
        owner: id,
        stages: z.array(named).min(2),
        sourcesClause: text,
        sources: z.array(named).min(1),
      })
      .strict(),
    customLand: z
      .object({
        measure: z.literal(30),
        clause: text,
        limitsFrom: z.object({ from: z.enum(['text', 'district']), why: text }).strict(),
        steps: z.array(named.extend({ workingDays: z.number().int().min(1).max(250) }).strict()).min(1),
      })
      .strict(),
  })
  .strict();

export type InvestmentRules = z.infer<typeof fileSchema>;

/** The criteria the matcher knows how to judge; a criterion in the file outside these is refused at load. */
export const PARCEL_CRITERIA = ['industry', 'landArea', 'protectionLine', 'readyByStart', 'power', 'water', 'investmentIntensity', 'plotRatio'] as const;
export const CARRIER_CRITERIA = ['industry', 'floorArea', 'power'] as const;

const squash = (s: string) => s.replace(/\s+/g, '');

function check(rules: InvestmentRules, source: string | undefined, agencyIds: Set<string> | undefined, incentiveIds: Set<string> | undefined): FileProblem[] {
  const problems: FileProblem[] = [];
  const squashed = source === undefined ? undefined : squash(source);
  const clauses: Array<[ReadonlyArray<PropertyKey>, string]> = [
    [['heatMap', 'clause'], rules.heatMap.clause],
    [['heatMap', 'availableLand', 'clause'], rules.heatMap.availableLand.clause],
    [['heatMap', 'supplyPlan', 'clause'], rules.heatMap.supplyPlan.clause],
    [['heatMap', 'industries', 'clause'], rules.heatMap.industries.clause],
    [['protectionLine', 'clause'], rules.protectionLine.clause],
    [['standardLand', 'clause'], rules.standardLand.clause],
    [['matching', 'clause'], rules.matching.clause],
    [['leads', 'clause'], rules.leads.clause],
    [['leads', 'sourcesClause'], rules.leads.sourcesClause],
    [['customLand', 'clause'], rules.customLand.clause],
  ];
  for (const [p, clause] of clauses) {
    if (squashed !== undefined && !squashed.includes(squash(clause))) {
      problems.push({ path: p, zh: '条款原文在 source.txt 中找不到（须逐字引用）', en: 'the clause is not found in source.txt (quote it verbatim)' });
    }
  }
  if (!rules.heatMap.availableLand.clause.includes(String(rules.heatMap.availableLand.squareKm))) {
    problems.push({ path: ['heatMap', 'availableLand', 'squareKm'], zh: '面积与条款不一致', en: 'the area differs from the clause' });
  }
  const units: Array<[ReadonlyArray<PropertyKey>, string]> = [
    ...Object.entries(rules.layers).map(([k, l]) => [['layers', k, 'owner'], l.owner] as [ReadonlyArray<PropertyKey>, string]),
    [['leads', 'owner'], rules.leads.owner],
  ];
  if (agencyIds) {
    for (const [p, u] of units) {
      if (!agencyIds.has(u)) problems.push({ path: p, zh: `${u} 不是 agencies.yaml 中的单位 id`, en: `${u} is not an agency id of agencies.yaml` });
    }
  }
  const known = (list: ReadonlyArray<{ id: string }>, allowed: readonly string[], at: string[]) =>
    list.forEach((c, i) => {
      if (!allowed.includes(c.id)) problems.push({ path: [...at, i, 'id'], zh: `未知的条件 ${c.id}`, en: `unknown criterion ${c.id} (known: ${allowed.join(', ')})` });
    });
  known(rules.matching.parcelCriteria, PARCEL_CRITERIA, ['matching', 'parcelCriteria']);
  known(rules.matching.carrierCriteria, CARRIER_CRITERIA, ['matching', 'carrierCriteria']);
  if (incentiveIds) {
    rules.matching.incentives.forEach((inc, i) => {
      if (!incentiveIds.has(inc)) problems.push({ path: ['matching', 'incentives', i], zh: `未知的奖励项目 ${inc}`, en: `unknown incentive ${inc}` });
    });
    if (!incentiveIds.has(rules.leads.rewardIncentive)) {
      problems.push({ path: ['leads', 'rewardIncentive'], zh: `未知的奖励项目 ${rules.leads.rewardIncentive}`, en: `unknown incentive ${rules.leads.rewardIncentive}` });
    }
  }
  const unique = (list: ReadonlyArray<{ id: string }>, at: string[]) => {
    const seen = new Set<string>();
    list.forEach((x, i) => {
      if (seen.has(x.id)) problems.push({ path: [...at, i, 'id'], zh: `id ${x.id} 重复`, en: `id ${x.id} is used twice` });
      seen.add(x.id);
    });
  };
  unique(rules.heatMap.routes, ['heatMap', 'routes']);
  unique(rules.heatMap.industries.values, ['heatMap', 'industries', 'values']);
  unique(rules.leads.stages, ['leads', 'stages']);
  unique(rules.leads.sources, ['leads', 'sources']);
  unique(rules.customLand.steps, ['customLand', 'steps']);
  return problems;
}

function idsIn(dir: string, file: string, key: string): Set<string> | undefined {
  const f = path.join(dir, file);
  if (!existsSync(f)) return undefined;
  const data = readYamlFile(f, 'investment_rules_invalid').data as Record<string, Array<{ id?: unknown }> | undefined>;
  return new Set((data?.[key] ?? []).map((a) => String(a?.id)));
}

/** Load and check `investment-map.yaml`; `incentiveIds` (from the loaded policy) checks the incentives it names. */
export function loadInvestmentRules(
  dir: string = DEFAULT_POLICY_DIR,
  opts: { file?: string; incentiveIds?: Iterable<string> } = {},
): InvestmentRules {
  const file = opts.file ?? path.join(dir, 'investment-map.yaml');
  const sourceFile = path.join(dir, 'source.txt');
  const source = existsSync(sourceFile) ? readFileSync(sourceFile, 'utf8') : undefined;
  const agencyIds = idsIn(dir, 'agencies.yaml', 'agencies');
  const incentiveIds = opts.incentiveIds ? new Set(opts.incentiveIds) : undefined;
  return validateYaml(readYamlFile(file, 'investment_rules_invalid'), fileSchema, 'investment_rules_invalid', (r) => check(r, source, agencyIds, incentiveIds));
}

let cached: InvestmentRules | undefined;
/** The shipped rules, read once per process. */
export function investmentRules(): InvestmentRules {
  cached ??= loadInvestmentRules();
  return cached;
}
