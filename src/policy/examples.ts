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
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { parseMoneyFen, formatFen } from './quantities.ts';
import { ValidationError, KaifangError } from '../errors.ts';
import type { Engine } from '../engine/index.ts';

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

interface ExampleCase {
  name: string;
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

export function runExampleFile(engine: Engine, file: string): ExampleOutcome[] {
  let doc: { cases?: ExampleCase[] };
  try {
    doc = parse(readFileSync(file, 'utf8')) as { cases?: ExampleCase[] };
  } catch (e) {
    const line = (e as { linePos?: Array<{ line: number }> }).linePos?.[0]?.line;
    return [{ file, name: '(file)', ok: false, problems: [`YAML syntax error${line ? ` at line ${line}` : ''}: ${(e as Error).message.split('\n')[0]}`] }];
  }
  if (!doc || !Array.isArray(doc.cases)) return [{ file, name: '(file)', ok: false, problems: ['the file has no "cases:" list'] }];
  return doc.cases.map((c) => runCase(engine, file, c));
}

export function runCase(engine: Engine, file: string, c: ExampleCase): ExampleOutcome {
  const problems: string[] = [];
  const name = c.name ?? '(unnamed)';
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
