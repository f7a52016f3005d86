/**
 * Worked examples: YAML files in policies/<id>/examples/ that anyone can read — facts in, the expected
 * entitlements out. Run by `kaifang policy test` and by `npm test` (examples.test.ts).
 *
 *   cases:
 *     - name: 设备投入恰好2000万元（“以上”含本数）
 *       asOf: 2021-03-01
 *       facts: { year: 2020, facts: {…}, claims: [ … ], priorAwards: [ … ] }
 *       expect:
 *         total: 120万元                       # optional
 *         entitlements:                        # each listed one must match; unlisted ones are not checked
 *           - { incentive: equipment-investment, item: P1, status: eligible, amount: 120万元, reason: … }
 *     - name: 负数金额被拒绝
 *       facts: { … }
 *       expectError: { code: negative, path: claims[0].facts.equipmentInvestment }
 *     - name: 若“以上”不含本数，恰好2000万元不予奖补
 *       readings: { threshold-inclusive: exclusive }   # run under another option of a reading (as OpenFisca reforms)
 *       facts: { … }
 *
 * A case with `readings:` is evaluated by the policy loaded with those choices, so the casebook shows what each
 * option of a reading costs; readingCoverage asks for one case under every option that is not chosen.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { parseMoneyFen, formatFen } from './quantities.ts';
import { ValidationError, KaifangError } from '../errors.ts';
import { Engine } from '../engine/index.ts';
import { loadPolicy } from './load.ts';
import type { Policy } from './model.ts';

export interface ExampleOutcome {
  file: string;
  name: string;
  ok: boolean;
  problems: string[];
}

interface ExpectedEntitlement {
  incentive: string;
  item?: string;
  claim?: string;
  status?: string;
  amount?: string | number | null;
  reason?: string;
}

export interface ExampleCase {
  name: string;
  /** choices replacing interpretations.yaml's for this case: { <reading id>: <option key> } */
  readings?: Record<string, string>;
  asOf?: string;
  facts: unknown;
  expect?: { total?: string | number; entitlements?: ExpectedEntitlement[] };
  expectError?: { code?: string; path?: string };
}

const fen = (v: string | number) => (typeof v === 'number' ? v : parseMoneyFen(v));

export function exampleFiles(engine: Engine): string[] {
  const dir = join(engine.policy.dir, 'examples');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => n.endsWith('.yaml'))
    .sort()
    .map((n) => join(dir, n));
}

/** The cases of an example file, or the reason it has none. */
export function readExampleFile(file: string): ExampleCase[] | string {
  let doc: { cases?: ExampleCase[] };
  try {
    doc = parse(readFileSync(file, 'utf8')) as { cases?: ExampleCase[] };
  } catch (e) {
    const line = (e as { linePos?: Array<{ line: number }> }).linePos?.[0]?.line;
    return `YAML syntax error${line ? ` at line ${line}` : ''}: ${(e as Error).message.split('\n')[0]}`;
  }
  if (!doc || !Array.isArray(doc.cases)) return 'the file has no "cases:" list';
  return doc.cases;
}

export function runExampleFile(engine: Engine, file: string): ExampleOutcome[] {
  const cases = readExampleFile(file);
  if (typeof cases === 'string') return [{ file, name: '(file)', ok: false, problems: [cases] }];
  return cases.map((c) => runCase(engine, file, c));
}

/** Engines of one policy under other choices, loaded once per set of choices (a run has a few dozen). */
const ENGINES = new WeakMap<Policy, Map<string, Engine>>();

/** The engine for a case: `engine` itself, or its policy loaded with the case's readings over its own choices. */
export function engineFor(engine: Engine, readings: Record<string, string> | undefined): Engine {
  if (!readings || Object.entries(readings).every(([id, key]) => engine.policy.choices[id] === key)) return engine;
  const choices = { ...engine.policy.choices, ...readings };
  const key = JSON.stringify(Object.entries(choices).sort());
  let byChoices = ENGINES.get(engine.policy);
  if (!byChoices) ENGINES.set(engine.policy, (byChoices = new Map()));
  let e = byChoices.get(key);
  if (!e) byChoices.set(key, (e = new Engine(loadPolicy(engine.policy.dir, { choices }))));
  return e;
}

export function runCase(base: Engine, file: string, c: ExampleCase): ExampleOutcome {
  const problems: string[] = [];
  const name = c.name ?? '(unnamed)';
  let engine: Engine;
  try {
    engine = engineFor(base, c.readings);
  } catch (e) {
    return { file, name, ok: false, problems: [`readings ${JSON.stringify(c.readings)}: ${(e as Error).message}`] };
  }
  let result;
  try {
    result = engine.evaluate(c.facts, { asOf: c.asOf ?? engine.policy.meta.effective.to });
  } catch (e) {
    if (!c.expectError) return { file, name, ok: false, problems: [`unexpected error: ${(e as Error).message}`] };
    const errs = e instanceof ValidationError ? e.errors : e instanceof KaifangError ? [e] : [];
    const hit = errs.some((x) => (!c.expectError!.code || x.code === c.expectError!.code) && (!c.expectError!.path || x.path === c.expectError!.path));
    if (!hit) problems.push(`expected error ${JSON.stringify(c.expectError)}, got ${errs.map((x) => `${x.code}@${x.path}`).join(', ') || (e as Error).message}`);
    return { file, name, ok: problems.length === 0, problems };
  }
  if (c.expectError) return { file, name, ok: false, problems: [`expected error ${JSON.stringify(c.expectError)}, but the facts were accepted`] };
  if (c.expect?.total !== undefined && result.totalFen !== fen(c.expect.total)) {
    problems.push(`total: expected ${formatFen(fen(c.expect.total))}, got ${formatFen(result.totalFen)}`);
  }
  for (const exp of c.expect?.entitlements ?? []) {
    const got = result.entitlements.filter((e) => e.incentive === exp.incentive && (exp.item === undefined || e.item === String(exp.item)) && (exp.claim === undefined || e.claim === exp.claim));
    const label = `${exp.incentive}${exp.item !== undefined ? '/' + exp.item : ''}`;
    if (got.length !== 1) {
      problems.push(`${label}: expected one entitlement, found ${got.length}`);
      continue;
    }
    const e = got[0];
    if (exp.status !== undefined && e.status !== exp.status) problems.push(`${label}: status expected ${exp.status}, got ${e.status} (${e.explanation?.summary.zh})`);
    if (exp.amount !== undefined) {
      const want = exp.amount === null ? null : fen(exp.amount);
      if (e.amountFen !== want) problems.push(`${label}: amount expected ${want === null ? 'null' : formatFen(want)}, got ${e.amountFen === null ? 'null' : formatFen(e.amountFen)} (${e.explanation?.summary.zh})`);
    }
    if (exp.reason !== undefined && !e.explanation?.reasons.some((r) => r.code === exp.reason)) {
      problems.push(`${label}: reason expected ${exp.reason}, got ${e.explanation?.reasons.map((r) => r.code).join(', ') || 'none'}`);
    }
  }
  return { file, name, ok: problems.length === 0, problems };
}

/**
 * Readings whose cost the casebook does not show: for every reading some rule switches by (not structural, not
 * only a target's), each option other than the chosen one needs at least one case run under it (`readings:`).
 */
export function readingCoverage(engine: Engine): string[] {
  const policy = engine.policy;
  const under = new Map<string, number>();
  for (const file of exampleFiles(engine)) {
    const cases = readExampleFile(file);
    if (typeof cases === 'string') continue;
    for (const c of cases) for (const [id, key] of Object.entries(c.readings ?? {})) under.set(`${id}=${key}`, (under.get(`${id}=${key}`) ?? 0) + 1);
  }
  const forRules = new Set(policy.incentives.flatMap((i) => i.interpretations));
  const problems: string[] = [];
  for (const i of policy.interpretations.values()) {
    if (i.structural || !forRules.has(i.id)) continue;
    for (const o of i.options) {
      if (o.key !== i.choice && !under.has(`${i.id}=${o.key}`)) problems.push(`reading ${i.id}: no worked example under option ${o.key} (add a case with readings: { ${i.id}: ${o.key} })`);
    }
  }
  return problems;
}
