/**
 * The service time limits of the policy (policies/<id>/service-limits.yaml): their shape, and the checks that keep
 * the file honest — every clause quoted verbatim from source.txt, every department an id of agencies.yaml, units
 * that fit the kind of limit (a share is a percentage, an annual total is in hours), half days only for working days.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { KaifangError } from '../errors.ts';
import { isCivilDate } from '../civil-date.ts';
import { readYamlFile, validateYaml, type FileProblem } from '../calendar/yaml-file.ts';

export const DEFAULT_POLICY_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'policies', 'wujiang-2020-open');

const id = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'ids are kebab-case: lower-case letters, digits and "-"');
const text = z.string().min(1);
const bilingual = z.object({ zh: text, en: text }).strict();

export const limitKinds = ['perCase', 'average', 'share', 'annualTotal'] as const;
export const limitUnits = ['workingDays', 'calendarDays', 'months', 'hours', 'percent'] as const;

const limitSchema = z
  .object({
    id,
    measure: z.number().int().min(1),
    service: z.object({ id, zh: text, en: text }).strict(),
    /** which cases of the service the limit is for (无增设管线的 …) */
    category: bilingual.optional(),
    /** the words of the policy, verbatim */
    clause: text,
    kind: z.enum(limitKinds),
    comparator: z.enum(['<=', '>=']),
    value: z.number().positive().optional(),
    /** a target relative to a baseline the text does not quantify (通关时间同比2017年底压缩三分之一) */
    relative: z
      .object({
        reduction: z.string().regex(/^[1-9][0-9]*\/[1-9][0-9]*$/, 'a fraction like "1/3"'),
        baseline: bilingual,
        zh: text,
        en: text,
      })
      .strict()
      .optional(),
    unit: z.enum(limitUnits),
    /** the date by which the target is to be reached (到2020年底) */
    deadline: z.string().refine(isCivilDate, { message: 'a real date written YYYY-MM-DD' }).optional(),
    /** the events between which the clause measures time, when it says so */
    clock: z.object({ from: bilingual, to: bilingual }).strict().optional(),
    share: z
      .object({ population: id, criterion: z.enum(['simplifiedProcedure']), zh: text, en: text })
      .strict()
      .optional(),
    annualTotal: z.object({ subject: bilingual, zh: text, en: text }).strict().optional(),
    owners: z.array(id).min(1),
    clauseUnits: z.array(id).min(1),
    ownersNote: text.optional(),
    partOf: id.optional(),
  })
  .strict();

const fileSchema = z.object({ policy: id, limits: z.array(limitSchema).min(1) }).strict();

export type ServiceLimit = z.infer<typeof limitSchema>;
export type LimitKind = ServiceLimit['kind'];
export type LimitUnit = ServiceLimit['unit'];

export interface ServiceLimits {
  policy: string;
  limits: ServiceLimit[];
  /** the limit with this id, or an `unknown_limit` error */
  get(id: string): ServiceLimit;
}

const UNITS_BY_KIND: Record<LimitKind, readonly LimitUnit[]> = {
  perCase: ['workingDays', 'calendarDays', 'months'],
  average: ['workingDays', 'calendarDays', 'months', 'hours'],
  share: ['percent'],
  annualTotal: ['hours'],
};

/** Whitespace differs between the PDF-derived text and a YAML line; nothing else may. */
const squash = (s: string) => s.replace(/\s+/g, '');

function checkLimits(limits: ServiceLimit[], source: string | undefined, agencyIds: Set<string> | undefined): FileProblem[] {
  const problems: FileProblem[] = [];
  const byId = new Map<string, ServiceLimit>();
  const serviceIds = new Set(limits.map((l) => l.service.id));
  const squashedSource = source === undefined ? undefined : squash(source);

  limits.forEach((l, i) => {
    const p = ['limits', i] as const;
    if (byId.has(l.id)) problems.push({ path: [...p, 'id'], zh: `id ${l.id} 重复`, en: `id ${l.id} is used twice` });
    byId.set(l.id, l);

    if ((l.value === undefined) === (l.relative === undefined)) {
      problems.push({
        path: p,
        zh: '应当且只能给出 value（数值）或 relative（相对基准的目标）之一',
        en: 'give exactly one of value (a number) or relative (a target against a baseline)',
      });
    }
    if (!UNITS_BY_KIND[l.kind].includes(l.unit)) {
      problems.push({
        path: [...p, 'unit'],
        zh: `${l.kind} 类时限的单位只能是 ${UNITS_BY_KIND[l.kind].join('、')}，而非 ${l.unit}`,
        en: `a ${l.kind} limit is counted in ${UNITS_BY_KIND[l.kind].join(' or ')}, not ${l.unit}`,
      });
    }
    if (l.unit === 'hours' && l.kind === 'average' && !l.relative) {
      problems.push({ path: [...p, 'unit'], zh: '以小时计的平均时限仅用于相对目标', en: 'an average in hours is only used for a relative target' });
    }
    const wantComparator = l.kind === 'share' ? '>=' : '<=';
    if (l.comparator !== wantComparator) {
      problems.push({
        path: [...p, 'comparator'],
        zh: `${l.kind} 类目标的比较符应为 ${wantComparator}`,
        en: `a ${l.kind} target uses ${wantComparator}`,
      });
    }
    if (l.value !== undefined) {
      const whole = l.unit === 'calendarDays' || l.unit === 'months';
      if (whole && !Number.isInteger(l.value)) {
        problems.push({ path: [...p, 'value'], zh: `${l.unit} 必须是整数`, en: `${l.unit} must be a whole number` });
      }
      if (l.unit === 'workingDays' && !Number.isInteger(l.value * 2)) {
        problems.push({ path: [...p, 'value'], zh: '工作日只能是整数或半天', en: 'working days are whole or half days' });
      }
      if (l.unit === 'percent' && l.value > 100) {
        problems.push({ path: [...p, 'value'], zh: '百分比不能超过100', en: 'a percentage cannot exceed 100' });
      }
    }
    if (l.relative) {
      const [num, den] = l.relative.reduction.split('/').map(Number);
      if (num >= den) problems.push({ path: [...p, 'relative', 'reduction'], zh: '压缩比例应小于1', en: 'a reduction must be less than 1' });
    }
    if (l.kind === 'share' && !l.share) problems.push({ path: p, zh: 'share 类目标须说明统计范围（share）', en: 'a share target needs its population (share)' });
    if (l.kind !== 'share' && l.share) problems.push({ path: [...p, 'share'], zh: '只有 share 类目标才有 share', en: 'only a share target has share' });
    if (l.kind === 'annualTotal' && !l.annualTotal) {
      problems.push({ path: p, zh: 'annualTotal 类时限须说明累计对象（annualTotal）', en: 'an annual total needs annualTotal (what is summed, per whom)' });
    }
    if (l.share && !serviceIds.has(l.share.population)) {
      problems.push({
        path: [...p, 'share', 'population'],
        zh: `统计范围 ${l.share.population} 不是任何时限的 service.id`,
        en: `the population ${l.share.population} is not the service.id of any limit`,
      });
    }
    if (squashedSource !== undefined && !squashedSource.includes(squash(l.clause))) {
      problems.push({
        path: [...p, 'clause'],
        zh: '条款原文在 source.txt 中找不到（须逐字引用）',
        en: 'the clause is not found in source.txt (quote it verbatim)',
      });
    }
    if (agencyIds) {
      for (const key of ['owners', 'clauseUnits'] as const) {
        l[key].forEach((a, j) => {
          if (!agencyIds.has(a)) {
            problems.push({ path: [...p, key, j], zh: `${a} 不是 agencies.yaml 中的单位 id`, en: `${a} is not an agency id of agencies.yaml` });
          }
        });
      }
    }
  });

  limits.forEach((l, i) => {
    if (!l.partOf) return;
    const parent = byId.get(l.partOf);
    const p = ['limits', i, 'partOf'];
    if (!parent) {
      problems.push({ path: p, zh: `partOf 指向不存在的时限 ${l.partOf}`, en: `partOf names no limit: ${l.partOf}` });
    } else if (parent.service.id !== l.service.id || parent.unit !== l.unit) {
      problems.push({ path: p, zh: '环节时限须与所属时限同一服务、同一单位', en: 'a stage limit shares the service and unit of the limit it is part of' });
    } else if (l.value !== undefined && parent.value !== undefined && l.value > parent.value) {
      problems.push({ path: p, zh: '环节时限不能长于整体时限', en: 'a stage cannot have a longer limit than the whole' });
    }
  });
  return problems;
}

function agencyIdsIn(dir: string): Set<string> | undefined {
  const file = path.join(dir, 'agencies.yaml');
  if (!existsSync(file)) return undefined;
  const data = readYamlFile(file, 'service_limits_invalid').data as { agencies?: Array<{ id?: unknown }> };
  return new Set((data?.agencies ?? []).map((a) => String(a?.id)));
}

/**
 * Load and check `service-limits.yaml` of a policy folder. source.txt and agencies.yaml in the same folder, when
 * present, are used to check the clauses and the department ids.
 */
export function loadServiceLimits(dir: string = DEFAULT_POLICY_DIR, file = path.join(dir, 'service-limits.yaml')): ServiceLimits {
  const sourceFile = path.join(dir, 'source.txt');
  const source = existsSync(sourceFile) ? readFileSync(sourceFile, 'utf8') : undefined;
  const agencyIds = agencyIdsIn(dir);
  const parsed = validateYaml(readYamlFile(file, 'service_limits_invalid'), fileSchema, 'service_limits_invalid', (f) =>
    checkLimits(f.limits, source, agencyIds),
  );
  const byId = new Map(parsed.limits.map((l) => [l.id, l]));
  return {
    policy: parsed.policy,
    limits: parsed.limits,
    get(limitId: string) {
      const l = byId.get(limitId);
      if (!l) {
        throw new KaifangError({
          code: 'unknown_limit',
          zh: `没有 id 为 ${limitId} 的服务时限`,
          en: `there is no service limit with id ${limitId}`,
          path: 'limitId',
          details: { limitId, known: [...byId.keys()] },
        });
      }
      return l;
    },
  };
}
