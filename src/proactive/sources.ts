/**
 * 免申即享 (issue 11): which department holds which facts, as data (policies/<id>/fact-sources.yaml). Loaded once and
 * checked: the clause verbatim in source.txt, every department an id of agencies.yaml, every fact a fact of
 * facts.yaml that is not derived from others, each fact held by one source only, the interpretation that says whose
 * value wins present in interpretations.yaml.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { readYamlFile, validateYaml, type FileProblem } from '../calendar/yaml-file.ts';
import { DEFAULT_POLICY_DIR } from '../service-limits/limits.ts';
import { KaifangError } from '../errors.ts';
import type { Policy } from '../policy/model.ts';

const id = z.string().regex(/^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/, 'ids are kebab-case');
const text = z.string().min(1);
const basis = { from: z.enum(['text', 'district']), why: text, whyEn: text };

const sourceSchema = z
  .object({ id, zh: text, en: text, department: id, ...basis, facts: z.array(z.string().min(1)).min(1) })
  .strict();

const fileSchema = z
  .object({
    policy: id,
    measure: z.number().int(),
    clause: text,
    interpretation: id,
    corrections: z.object({ ...basis, answerWorkingDays: z.number().int().min(1).max(60) }).strict(),
    sources: z.array(sourceSchema).min(1),
  })
  .strict();

export type FactSourceRules = z.infer<typeof fileSchema>;
export type FactSource = z.infer<typeof sourceSchema>;

const squash = (s: string) => s.replace(/\s+/g, '');

function yamlList(dir: string, file: string, key: string): Array<Record<string, unknown>> | undefined {
  const f = path.join(dir, file);
  if (!existsSync(f)) return undefined;
  const data = readYamlFile(f, 'fact_sources_invalid').data as Record<string, Array<Record<string, unknown>> | undefined>;
  return data?.[key] ?? [];
}

function check(rules: FactSourceRules, dir: string): FileProblem[] {
  const problems: FileProblem[] = [];
  const sourceFile = path.join(dir, 'source.txt');
  if (existsSync(sourceFile) && !squash(readFileSync(sourceFile, 'utf8')).includes(squash(rules.clause))) {
    problems.push({ path: ['clause'], zh: '条款原文在 source.txt 中找不到（须逐字引用）', en: 'the clause is not found in source.txt (quote it verbatim)' });
  }
  const agencies = yamlList(dir, 'agencies.yaml', 'agencies');
  const agencyIds = agencies && new Set(agencies.map((a) => String(a.id)));
  const factList = yamlList(dir, 'facts.yaml', 'facts');
  const facts = factList && new Map(factList.map((f) => [String(f.name), f]));
  const interpretations = yamlList(dir, 'interpretations.yaml', 'interpretations');
  if (interpretations && !interpretations.some((i) => i.id === rules.interpretation)) {
    problems.push({ path: ['interpretation'], zh: `${rules.interpretation} 不是 interpretations.yaml 中的解释`, en: `${rules.interpretation} is not an interpretation of interpretations.yaml` });
  }
  const owner = new Map<string, string>();
  const seen = new Set<string>();
  rules.sources.forEach((s, i) => {
    if (seen.has(s.id)) problems.push({ path: ['sources', i, 'id'], zh: `数据来源 ${s.id} 重复`, en: `source ${s.id} is listed twice` });
    seen.add(s.id);
    if (agencyIds && !agencyIds.has(s.department)) {
      problems.push({ path: ['sources', i, 'department'], zh: `${s.department} 不是 agencies.yaml 中的单位 id`, en: `${s.department} is not an agency id of agencies.yaml` });
    }
    s.facts.forEach((f, j) => {
      const decl = facts?.get(f);
      if (facts && !decl) problems.push({ path: ['sources', i, 'facts', j], zh: `${f} 不是 facts.yaml 中的事实`, en: `${f} is not a fact of facts.yaml` });
      else if (decl?.derivedFrom) problems.push({ path: ['sources', i, 'facts', j], zh: `${f} 由其他事实计算得出，不由部门报送`, en: `${f} is derived from other facts; no department loads it` });
      const before = owner.get(f);
      if (before) problems.push({ path: ['sources', i, 'facts', j], zh: `${f} 已由数据来源 ${before} 报送（每项事实只有一个来源）`, en: `${f} is already held by source ${before} (one source per fact)` });
      owner.set(f, s.id);
    });
  });
  return problems;
}

/** Load and check `fact-sources.yaml` (or `opts.file`). */
export function loadFactSources(dir: string = DEFAULT_POLICY_DIR, opts: { file?: string } = {}): FactSourceRules {
  const file = opts.file ?? path.join(dir, 'fact-sources.yaml');
  return validateYaml(readYamlFile(file, 'fact_sources_invalid'), fileSchema, 'fact_sources_invalid', (r) => check(r, dir));
}

let cached: FactSourceRules | undefined;
/** The shipped rules, read once per process. */
export function factSources(): FactSourceRules {
  cached ??= loadFactSources();
  return cached;
}

/** A source by id, or a KaifangError naming the sources there are. */
export function sourceById(rules: FactSourceRules, sourceId: string, path = 'source'): FactSource {
  const s = rules.sources.find((x) => x.id === sourceId);
  if (!s) {
    const ids = rules.sources.map((x) => x.id).join(', ');
    throw new KaifangError({ code: 'unknown_source', path, zh: `没有数据来源“${sourceId}”（可选：${ids}）`, en: `no data source "${sourceId}" (there are: ${ids})` });
  }
  return s;
}

/** The source that holds a fact, if a department holds it. */
export function sourceOfFact(rules: FactSourceRules, fact: string): FactSource | undefined {
  return rules.sources.find((s) => s.facts.includes(fact));
}

/** Whose value the 免申即享 scan evaluates where the enterprise's statement and a department's value differ. */
export function winningValue(rules: FactSourceRules, policy: Policy): 'department' | 'enterprise' {
  return policy.interpretations.has(rules.interpretation) && policy.reading(rules.interpretation) === 'enterprise' ? 'enterprise' : 'department';
}
