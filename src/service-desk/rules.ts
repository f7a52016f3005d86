/**
 * The service desk's rules as data (policies/<id>/service-desk.yaml, measure 21): request categories and the unit
 * each is routed to, the acknowledge and answer limits in working days, reopening, the satisfaction threshold, the
 * 无事不扰 visit rule and the financing target. Loaded once and checked: every clause verbatim in source.txt, every
 * unit an id of agencies.yaml, category ids unique.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { readYamlFile, validateYaml, type FileProblem } from '../calendar/yaml-file.ts';
import { DEFAULT_POLICY_DIR } from '../service-limits/limits.ts';

const id = z.string().regex(/^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/, 'ids are kebab-case');
const text = z.string().min(1);
const basis = { from: z.enum(['text', 'district']), why: text, whyEn: text };
const workingDays = z.number().int().min(0).max(60);

/** `area`: the enterprise's own street, town or zone; otherwise a department of agencies.yaml. */
export const AREA_UNIT = 'area';

const categorySchema = z.object({ id, zh: text, en: text, unit: id, answerWorkingDays: workingDays.optional() }).strict();
const stepSchema = z.object({ id, zh: text, en: text }).strict();
const assistanceItemSchema = z.object({ id, zh: text, en: text, unit: id, steps: z.array(stepSchema).min(1) }).strict();

const fileSchema = z
  .object({
    policy: id,
    measure: z.literal(21),
    requests: z
      .object({
        clause: text,
        limits: z.object({ ...basis, acknowledgeWorkingDays: workingDays, answerWorkingDays: workingDays }).strict(),
        reopen: z.object({ ...basis, times: z.number().int().min(0).max(10) }).strict(),
        satisfaction: z.object({ ...basis, scale: z.number().int().min(2).max(10), satisfiedFrom: z.number().int().min(1) }).strict(),
        routing: z.object(basis).strict(),
        categories: z.array(categorySchema).min(1),
      })
      .strict(),
    liaison: z
      .object({
        clause: text,
        visits: z.object({ ...basis, period: z.enum(['month', 'quarter', 'year']), withoutReason: z.number().int().min(0).max(100) }).strict(),
      })
      .strict(),
    assistance: z.object({ clause: text, catalogue: z.object(basis).strict(), items: z.array(assistanceItemSchema).min(1) }).strict(),
    financing: z.object({ clause: text, target: text, owner: id }).strict(),
  })
  .strict();

export type ServiceDeskRules = z.infer<typeof fileSchema>;
export type RequestCategory = z.infer<typeof categorySchema>;
export type AssistanceItem = z.infer<typeof assistanceItemSchema>;

const squash = (s: string) => s.replace(/\s+/g, '');

function check(rules: ServiceDeskRules, source: string | undefined, agencyIds: Set<string> | undefined, targetIds: Set<string> | undefined): FileProblem[] {
  const problems: FileProblem[] = [];
  const squashed = source === undefined ? undefined : squash(source);
  for (const [p, clause] of [
    [['requests', 'clause'], rules.requests.clause],
    [['liaison', 'clause'], rules.liaison.clause],
    [['assistance', 'clause'], rules.assistance.clause],
    [['financing', 'clause'], rules.financing.clause],
  ] as Array<[PropertyKey[], string]>) {
    if (squashed !== undefined && !squashed.includes(squash(clause))) {
      problems.push({ path: p, zh: '条款原文在 source.txt 中找不到（须逐字引用）', en: 'the clause is not found in source.txt (quote it verbatim)' });
    }
  }
  const seen = new Set<string>();
  rules.requests.categories.forEach((c, i) => {
    if (seen.has(c.id)) problems.push({ path: ['requests', 'categories', i, 'id'], zh: `类别 ${c.id} 重复`, en: `category ${c.id} is used twice` });
    seen.add(c.id);
    if (c.unit !== AREA_UNIT && agencyIds && !agencyIds.has(c.unit)) {
      problems.push({ path: ['requests', 'categories', i, 'unit'], zh: `${c.unit} 不是 agencies.yaml 中的单位 id（属地事项写 area）`, en: `${c.unit} is not an agency id of agencies.yaml (write area for the enterprise's own area)` });
    }
  });
  const seenItems = new Set<string>();
  rules.assistance.items.forEach((item, i) => {
    if (seenItems.has(item.id)) problems.push({ path: ['assistance', 'items', i, 'id'], zh: `事项 ${item.id} 重复`, en: `item ${item.id} is used twice` });
    seenItems.add(item.id);
    if (item.unit !== AREA_UNIT && agencyIds && !agencyIds.has(item.unit)) {
      problems.push({ path: ['assistance', 'items', i, 'unit'], zh: `${item.unit} 不是 agencies.yaml 中的单位 id`, en: `${item.unit} is not an agency id of agencies.yaml` });
    }
    const steps = new Set<string>();
    item.steps.forEach((st, j) => {
      if (steps.has(st.id)) problems.push({ path: ['assistance', 'items', i, 'steps', j, 'id'], zh: `步骤 ${st.id} 重复`, en: `step ${st.id} is used twice` });
      steps.add(st.id);
    });
  });
  if (agencyIds && !agencyIds.has(rules.financing.owner)) {
    problems.push({ path: ['financing', 'owner'], zh: `${rules.financing.owner} 不是 agencies.yaml 中的单位 id`, en: `${rules.financing.owner} is not an agency id of agencies.yaml` });
  }
  if (targetIds && !targetIds.has(rules.financing.target)) {
    problems.push({ path: ['financing', 'target'], zh: `${rules.financing.target} 不是 targets.yaml 中的目标`, en: `${rules.financing.target} is not a target of targets.yaml` });
  }
  if (rules.requests.satisfaction.satisfiedFrom > rules.requests.satisfaction.scale) {
    problems.push({ path: ['requests', 'satisfaction', 'satisfiedFrom'], zh: '满意分数线不能高于满分', en: 'the satisfied threshold is above the scale' });
  }
  if (rules.requests.limits.acknowledgeWorkingDays > rules.requests.limits.answerWorkingDays) {
    problems.push({ path: ['requests', 'limits', 'acknowledgeWorkingDays'], zh: '签收时限不能长于答复时限', en: 'the acknowledge limit is longer than the answer limit' });
  }
  return problems;
}

function idsIn(dir: string, file: string, key: string): Set<string> | undefined {
  const f = path.join(dir, file);
  if (!existsSync(f)) return undefined;
  const data = readYamlFile(f, 'service_desk_rules_invalid').data as Record<string, Array<{ id?: unknown }> | undefined>;
  return new Set((data?.[key] ?? []).map((a) => String(a?.id)));
}

/** Load and check `service-desk.yaml` (or `opts.file`). */
export function loadServiceDeskRules(dir: string = DEFAULT_POLICY_DIR, opts: { file?: string } = {}): ServiceDeskRules {
  const file = opts.file ?? path.join(dir, 'service-desk.yaml');
  const sourceFile = path.join(dir, 'source.txt');
  const source = existsSync(sourceFile) ? readFileSync(sourceFile, 'utf8') : undefined;
  return validateYaml(readYamlFile(file, 'service_desk_rules_invalid'), fileSchema, 'service_desk_rules_invalid', (r) =>
    check(r, source, idsIn(dir, 'agencies.yaml', 'agencies'), idsIn(dir, 'targets.yaml', 'targets')),
  );
}

let cached: ServiceDeskRules | undefined;
/** The shipped rules, read once per process. */
export function serviceDeskRules(): ServiceDeskRules {
  cached ??= loadServiceDeskRules();
  return cached;
}

/** A category by id, or undefined. */
export function categoryOf(rules: ServiceDeskRules, categoryId: string): RequestCategory | undefined {
  return rules.requests.categories.find((c) => c.id === categoryId);
}

/** The answer limit of a category: its own, or the general one. */
export function answerLimitOf(rules: ServiceDeskRules, category: RequestCategory): number {
  return category.answerWorkingDays ?? rules.requests.limits.answerWorkingDays;
}
