/**
 * Load a policy folder, validate every file against schema.ts, check it against itself (ids, references,
 * verbatim clauses) and resolve it into the engine's model. A bad file fails loudly with the file, the line
 * and what is wrong — the people who edit these files are lawyers and officials as much as engineers.
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, relative, basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import type { z } from 'zod';
import {
  agenciesFileSchema,
  factsFileSchema,
  interpretationsFileSchema,
  measureSchema,
  policyFileSchema,
  targetsFileSchema,
  CONDITION_OPS,
  ONCE_SCOPES,
  type FactDecl,
  type Incentive,
  type Measure,
  type MeasureInput,
  type PolicyFile,
  type Target,
} from './schema.ts';
import { Readings, type Choices } from './readings.ts';
import { numbersNotOfRule, numbersOf, ruleNumbers } from './numbers.ts';
import { parseFraction, parseMoneyFen, QuantityError } from './quantities.ts';
import type { ByFact, Policy, Rate, ResolvedCap, ResolvedCondition, ResolvedIncentive } from './model.ts';
import { KaifangError } from '../errors.ts';
import { parseExpression, identifiersOf, type Expr } from '../engine/expr.ts';

export const POLICIES_DIR = fileURLToPath(new URL('../../policies/', import.meta.url));
export const DEFAULT_POLICY_ID = 'wujiang-2020-open';

export interface PolicyProblem {
  file: string;
  line?: number;
  message: string;
}

export class PolicyLoadError extends KaifangError {
  constructor(readonly problems: PolicyProblem[]) {
    const lines = problems.map((p) => `${p.file}${p.line ? ':' + p.line : ''}: ${p.message}`);
    super({
      code: 'policy_invalid',
      zh: `政策文件有误（${problems.length}处）：\n  ${lines.join('\n  ')}`,
      en: `policy files are invalid (${problems.length} problem(s)):\n  ${lines.join('\n  ')}`,
    });
    this.message = `policy files are invalid (${problems.length}):\n  ${lines.join('\n  ')}`;
  }
}

interface ParsedFile<T> {
  path: string;
  doc: Document;
  lines: LineCounter;
  data: T;
}

class Loader {
  problems: PolicyProblem[] = [];
  constructor(readonly dir: string) {}

  rel(path: string) {
    return relative(process.cwd(), path) || path;
  }

  parse<S extends z.ZodTypeAny>(path: string, schema: S): ParsedFile<z.infer<S>> | undefined {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      this.problems.push({ file: this.rel(path), message: 'file is missing / 文件不存在' });
      return undefined;
    }
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
    if (doc.errors.length) {
      for (const e of doc.errors) {
        this.problems.push({ file: this.rel(path), line: e.linePos?.[0]?.line, message: `YAML syntax: ${e.message.split('\n')[0]}` });
      }
      return undefined;
    }
    const result = schema.safeParse(doc.toJS());
    if (!result.success) {
      for (const issue of result.error.issues) {
        this.problems.push({
          file: this.rel(path),
          line: this.lineOf({ doc, lines }, issue.path as (string | number)[]),
          message: `${issue.path.join('.') || '(root)'}: ${issue.message}`,
        });
      }
      return undefined;
    }
    return { path, doc, lines, data: result.data };
  }

  /** The line of the deepest YAML node that exists along a path (so a missing key points at its parent). */
  lineOf(file: { doc: Document; lines: LineCounter }, path: (string | number)[]): number | undefined {
    for (let n = path.length; n >= 0; n--) {
      const node = file.doc.getIn(path.slice(0, n), true);
      if (isNode(node) && node.range) return file.lines.linePos(node.range[0]).line;
    }
    return undefined;
  }

  problem(file: ParsedFile<unknown> | string, message: string, path: (string | number)[] = []) {
    if (typeof file === 'string') this.problems.push({ file: this.rel(file), message });
    else this.problems.push({ file: this.rel(file.path), line: this.lineOf(file, path), message });
  }
}

export interface LoadOptions {
  /** choices that replace interpretations.yaml's (a worked example's `readings:`, a test flipping a reading) */
  choices?: Choices;
}

export function loadPolicy(idOrDir: string = DEFAULT_POLICY_ID, opts: LoadOptions = {}): Policy {
  const dir = existsSync(idOrDir) ? idOrDir : join(POLICIES_DIR, idOrDir);
  const L = new Loader(dir);
  const policyFile = L.parse(join(dir, 'policy.yaml'), policyFileSchema);
  const agenciesFile = L.parse(join(dir, 'agencies.yaml'), agenciesFileSchema);
  const factsFile = L.parse(join(dir, 'facts.yaml'), factsFileSchema);
  const interpFile = L.parse(join(dir, 'interpretations.yaml'), interpretationsFileSchema);
  const targetsFile = L.parse(join(dir, 'targets.yaml'), targetsFileSchema);
  let source = '';
  try {
    source = readFileSync(join(dir, 'source.txt'), 'utf8');
  } catch {
    L.problem(join(dir, 'source.txt'), 'the verbatim policy text source.txt is missing / 缺少政策原文 source.txt');
  }
  const measuresDir = join(dir, 'measures');
  const measureFiles: ParsedFile<MeasureInput>[] = [];
  if (existsSync(measuresDir)) {
    for (const name of readdirSync(measuresDir).filter((n) => n.endsWith('.yaml')).sort()) {
      const f = L.parse(join(measuresDir, name), measureSchema);
      if (!f) continue;
      const prefix = Number(name.split('-')[0]);
      if (prefix !== f.data.measure) L.problem(f, `file name starts with ${prefix} but the file is measure ${f.data.measure}`, ['measure']);
      measureFiles.push(f);
    }
  } else {
    L.problem(measuresDir, 'the measures/ folder is missing');
  }
  if (L.problems.length || !policyFile || !agenciesFile || !factsFile || !interpFile || !targetsFile) throw new PolicyLoadError(L.problems);

  const agencies = new Map(agenciesFile.data.agencies.map((a) => [a.id, a]));
  const readings = new Readings(
    new Map(interpFile.data.interpretations.map((i) => [i.id, i])),
    opts.choices ?? {},
    (message, at, path) => L.problem(at as ParsedFile<unknown>, message, path),
    interpFile,
  );
  const interpretations = readings.effective;
  const reading = (id: string) => readings.value(id);
  // Policy-wide readings: the period (policy-period), the settlement rules, a derived fact, the targets' defaults.
  const meta = resolvePolicyFile(L, policyFile, readings);
  const facts = new Map<string, FactDecl>(
    factsFile.data.facts.map((f, i) => {
      const derivedFrom = readings.resolve(f.derivedFrom, factsFile, ['facts', i, 'derivedFrom']);
      if (derivedFrom !== undefined && derivedFrom !== null && typeof derivedFrom !== 'string') L.problem(factsFile, 'derivedFrom is an expression', ['facts', i, 'derivedFrom']);
      return [f.name, { ...f, derivedFrom: (derivedFrom as string | null) ?? undefined }];
    }),
  );
  const targets: Target[] = targetsFile.data.targets.map((t, i) => ({
    ...t,
    value: readings.resolve(t.value, targetsFile, ['targets', i, 'value']) as number | string,
    deadline: readings.resolve(t.deadline, targetsFile, ['targets', i, 'deadline']) as string,
  }));
  // A derived fact (容积率 = 计容建筑面积 ÷ 出让用地面积) is an expression over numeric facts that are not derived themselves.
  for (const [i, f] of [...facts.values()].entries()) {
    if (!f.derivedFrom) continue;
    const at = ['facts', i, 'derivedFrom'];
    try {
      for (const name of identifiersOf(parseExpression(f.derivedFrom))) {
        const g = facts.get(name);
        if (!g) L.problem(factsFile, `unknown fact "${name}" in derivedFrom / 未定义的事实`, at);
        else if (g.derivedFrom || name === f.name) L.problem(factsFile, `"${name}" is derived itself: derive from stated facts only`, at);
        else if (!['number', 'integer', 'area', 'money'].includes(g.type)) L.problem(factsFile, `"${name}" is a ${g.type}, not a number`, at);
      }
    } catch (e) {
      L.problem(factsFile, `derivedFrom: ${(e as Error).message}`, at);
    }
  }

  // --- uniqueness and references ------------------------------------------------------------------
  dupes(L, agenciesFile, agenciesFile.data.agencies.map((a) => a.id), 'agencies', 'agency id');
  dupes(L, factsFile, factsFile.data.facts.map((f) => f.name), 'facts', 'fact name');
  dupes(L, interpFile, interpFile.data.interpretations.map((i) => i.id), 'interpretations', 'interpretation id');
  dupes(L, targetsFile, targetsFile.data.targets.map((t) => t.id), 'targets', 'target id');
  const agencyRef = (file: ParsedFile<unknown>, id: string | null | undefined, path: (string | number)[]) => {
    if (id && !agencies.has(id)) L.problem(file, `unknown agency "${id}" (not in agencies.yaml) / 未知单位`, path);
  };
  for (const [i, a] of agenciesFile.data.agencies.entries()) agencyRef(agenciesFile, a.parent, ['agencies', i, 'parent']);
  for (const [i, issuer] of policyFile.data.issuers.entries()) agencyRef(policyFile, issuer, ['issuers', i]);
  for (const [i, t] of targetsFile.data.targets.entries()) agencyRef(targetsFile, t.owner, ['targets', i, 'owner']);

  // Every measure the sections list has its file, and every file belongs to a section: none silently dropped.
  const measureNos = measureFiles.map((m) => m.data.measure);
  const listed = policyFile.data.sections.flatMap((s) => s.measures);
  for (const n of listed) if (!measureNos.includes(n)) L.problem(measuresDir, `measure ${n} has no file / 缺少措施${n}`);
  for (const mf of measureFiles) if (!listed.includes(mf.data.measure)) L.problem(policyFile, `measure ${mf.data.measure} is in no section`, ['sections']);
  for (const [i, s] of policyFile.data.sections.entries()) {
    for (const m of s.measures) {
      const mf = measureFiles.find((f) => f.data.measure === m);
      if (mf && mf.data.section !== s.no) L.problem(mf, `policy.yaml puts measure ${m} in section ${s.no}, this file says ${mf.data.section}`, ['section']);
    }
    void i;
  }
  const verbatim = (file: ParsedFile<unknown>, clause: string, path: (string | number)[]) => {
    if (source && !normalizedIncludes(source, clause)) {
      L.problem(file, `clause is not verbatim in source.txt / 条文与原文不一致: "${clause.slice(0, 40)}…"`, path);
    }
  };
  for (const [i, gp] of policyFile.data.generalProvisions.entries()) verbatim(policyFile, gp.clause, ['generalProvisions', i, 'clause']);
  for (const [i, t] of targetsFile.data.targets.entries()) verbatim(targetsFile, t.clause, ['targets', i, 'clause']);

  // --- incentives -----------------------------------------------------------------------------------
  const incentives: ResolvedIncentive[] = [];
  const resolveAll = (file: ParsedFile<unknown>, list: Incentive[], basePath: (string | number)[], measure: number | null, leadUnit: string | null) => {
    for (const [i, inc] of list.entries()) {
      const path = [...basePath, i];
      verbatim(file, inc.clause, [...path, 'clause']);
      const r = resolveIncentive(L, file, path, inc, measure, leadUnit, facts, readings);
      if (r) incentives.push(r);
    }
  };
  resolveAll(policyFile, policyFile.data.incentives, ['incentives'], null, null);
  for (const mf of measureFiles) {
    const m = mf.data;
    verbatim(mf, m.clause, ['clause']);
    agencyRef(mf, m.leadUnit, ['leadUnit']);
    m.responsibleUnits.forEach((u, i) => agencyRef(mf, u, ['responsibleUnits', i]));
    resolveAll(mf, m.incentives, ['incentives'], m.measure, m.leadUnit);
  }
  const measures = measureFiles.map((mf) => resolveMeasure(L, mf, readings, incentives, targets)).sort((a, b) => a.measure - b.measure);
  // Every reading switches something, or says why it cannot (structural); every listed reading switches its rule.
  readings.checkWiring(
    [
      ...policyFile.data.incentives.map((inc, i) => ({ id: inc.id, interpretations: inc.interpretations, at: policyFile, path: ['incentives', i] })),
      ...measureFiles.flatMap((mf) => mf.data.incentives.map((inc, i) => ({ id: inc.id, interpretations: inc.interpretations, at: mf, path: ['incentives', i] }))),
    ],
    interpFile,
  );
  const seen = new Set<string>();
  for (const inc of incentives) {
    if (seen.has(inc.id)) L.problems.push({ file: L.rel(dir), message: `incentive id "${inc.id}" is used twice` });
    seen.add(inc.id);
  }

  const extraFiles = new Map<string, { path: string; text: string }>();
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.yaml'))) {
    const path = join(dir, name);
    extraFiles.set(basename(name, '.yaml'), { path, text: readFileSync(path, 'utf8') });
  }

  if (L.problems.length) throw new PolicyLoadError(L.problems);
  return {
    id: policyFile.data.id,
    version: policyFile.data.version,
    meta,
    source,
    agencies,
    facts,
    measures,
    incentives,
    incentivesById: new Map(incentives.map((i) => [i.id, i])),
    interpretations,
    choices: Object.fromEntries([...interpretations].map(([id, i]) => [id, i.choice])),
    targets,
    reading,
    dir,
    extraFiles,
  };
}

/** The text uses full-width punctuation and the YAML folds lines: compare without whitespace. */
function normalizedIncludes(source: string, clause: string) {
  const strip = (s: string) => s.replace(/\s+/g, '');
  return strip(source).includes(strip(clause));
}

function dupes(L: Loader, file: ParsedFile<unknown>, ids: string[], key: string, what: string) {
  const seen = new Set<string>();
  ids.forEach((id, i) => {
    if (seen.has(id)) L.problem(file, `${what} "${id}" is used twice`, [key, i]);
    seen.add(id);
  });
}

function resolveIncentive(
  L: Loader,
  file: ParsedFile<unknown>,
  path: (string | number)[],
  inc: Incentive,
  measure: number | null,
  leadUnit: string | null,
  facts: Policy['facts'],
  readings: Readings,
): ResolvedIncentive | undefined {
  const before = L.problems.length;
  const at = (...p: (string | number)[]) => [...path, ...p];
  const readingOf = (v: unknown, p: (string | number)[]): unknown => readings.resolve(v, file, p, inc.id, inc.interpretations);
  const interpretations = readings.effective;
  const fact = (name: string, p: (string | number)[]) => {
    const f = facts.get(name);
    if (!f) L.problem(file, `unknown fact "${name}" (not in facts.yaml) / 未定义的事实`, p);
    return f;
  };
  const money = (v: unknown, p: (string | number)[]): number => {
    try {
      return parseMoneyFen(String(v));
    } catch (e) {
      L.problem(file, e instanceof QuantityError ? e.message : String(e), p);
      return 0;
    }
  };
  // The values of an enum fact that the incentive's own conditions let through (`in` / `==`): a value chosen by that
  // fact is needed for these only (measure 8: a listing on the NEEQ never reaches the amount).
  const admitted = (by: string, all: string[]) => {
    let out = all;
    for (const c of inc.conditions) {
      if (c.fact !== by) continue;
      if (c.op === 'in' && Array.isArray(c.value)) out = out.filter((x) => (c.value as string[]).includes(x));
      if (c.op === '==' && typeof c.value === 'string') out = out.filter((x) => x === c.value);
    }
    return out;
  };
  const byFact = <T>(v: unknown, p: (string | number)[], conv: (x: unknown, p: (string | number)[]) => T): ByFact<T> => {
    const r = readingOf(v, p);
    if (r && typeof r === 'object' && 'by' in r) {
      const { by, values } = r as { by: string; values: Record<string, unknown> };
      const f = fact(by, [...p, 'by']);
      if (f && f.type !== 'enum') L.problem(file, `"${by}" must be an enum fact to choose a value by it`, [...p, 'by']);
      if (f?.values) {
        for (const k of admitted(by, f.values)) if (!(k in values)) L.problem(file, `no value for ${by} = ${k}`, [...p, 'values']);
        for (const k of Object.keys(values)) if (!f.values.includes(k)) L.problem(file, `${by} has no value "${k}"`, [...p, 'values', k]);
      }
      return { kind: 'byFact', fact: by, values: Object.fromEntries(Object.entries(values).map(([k, x]) => [k, conv(readingOf(x, [...p, 'values', k]), [...p, 'values', k])])) };
    }
    return { kind: 'const', value: conv(r, p) };
  };
  const rateOf = (v: unknown, p: (string | number)[]): Rate => {
    const s = String(v);
    if (/(元|万元|亿元)$/.test(s)) return { kind: 'perUnit', fenPerUnit: money(s, p), text: s };
    try {
      return { kind: 'fraction', value: parseFraction(s), text: s };
    } catch (e) {
      L.problem(file, String((e as Error).message), p);
      return { kind: 'fraction', value: { num: 0, den: 1 }, text: s };
    }
  };

  const params: Record<string, number> = {};
  for (const [k, v] of Object.entries(inc.params ?? {})) {
    const r = readingOf(v, at('params', k));
    const s = String(r);
    if (/(元|万元|亿元)$/.test(s)) params[k] = money(s, at('params', k));
    else {
      try {
        const f = parseFraction(s);
        params[k] = f.num / f.den;
      } catch (e) {
        L.problem(file, (e as Error).message, at('params', k));
      }
    }
  }

  const conditions: ResolvedCondition[] = [];
  inc.conditions.forEach((c, ci) => {
    const p = at('conditions', ci);
    // A condition one reading has and another has not (m10-pool-years: the three years from pool entry).
    const applies = readingOf(c.applies, [...p, 'applies']) ?? true;
    if (typeof applies !== 'boolean') L.problem(file, 'applies is true or false', [...p, 'applies']);
    const op = readingOf(c.op, [...p, 'op']) as ResolvedCondition['op'];
    if (!(CONDITION_OPS as readonly string[]).includes(op)) L.problem(file, `op "${String(op)}" is not one of ${CONDITION_OPS.join(' ')}`, [...p, 'op']);
    if (applies === false) return;
    // A condition may test an expression (measure 10: the growth rdExpense - rdExpensePriorYear ≥ 20万元);
    // it then has the type of its facts, which must agree.
    let expr: Expr | undefined;
    let unitFact: string | undefined;
    if (!/^[a-z][A-Za-z0-9]*$/.test(c.fact)) {
      try {
        expr = parseExpression(c.fact);
      } catch (e) {
        L.problem(file, `condition: ${(e as Error).message}`, [...p, 'fact']);
      }
      const names = expr ? [...identifiersOf(expr)].filter((n) => !(n in params)) : [];
      const types = new Set(names.map((n) => fact(n, [...p, 'fact'])?.type));
      if (types.size > 1) L.problem(file, `the facts of "${c.fact}" have different types`, [...p, 'fact']);
      unitFact = names[0];
    }
    const f = expr ? (unitFact ? facts.get(unitFact) : undefined) : fact(c.fact, [...p, 'fact']);
    const raw = readingOf(c.value, [...p, 'value']);
    let value: ResolvedCondition['value'] = raw as ResolvedCondition['value'];
    if (f && ['>=', '>', '<=', '<', '==', '!='].includes(op)) {
      if (f.type === 'money') value = money(raw, [...p, 'value']);
      else if (['number', 'integer', 'area', 'year'].includes(f.type) && typeof raw !== 'number') {
        L.problem(file, `${c.fact} is a ${f.type}: compare it with a number`, [...p, 'value']);
      } else if (f.type === 'enum' && !f.values!.includes(String(raw))) {
        L.problem(file, `${c.fact} has no value "${String(raw)}"`, [...p, 'value']);
      }
    }
    if (f && op === 'in') {
      if (!Array.isArray(raw)) L.problem(file, '"in" takes a list of values', [...p, 'value']);
      else if (f.type === 'enum') for (const x of raw) if (!f.values!.includes(x)) L.problem(file, `${c.fact} has no value "${x}"`, [...p, 'value']);
    }
    if (f && op === 'isTrue' && f.type !== 'boolean') L.problem(file, `isTrue needs a boolean fact, ${c.fact} is ${f.type}`, [...p, 'op']);
    if (op === 'includesYears') {
      // n consecutive years ending with the evaluated one are the years back 0 … n−1
      const back = typeof raw === 'number' ? Array.from({ length: raw }, (_, k) => k) : raw;
      if (f?.type !== 'yearList' || !Array.isArray(back) || back.length === 0 || !back.every((k) => Number.isInteger(k) && k >= 0)) {
        L.problem(file, 'includesYears needs a yearList fact and a number of consecutive years (or the list of years back)', [...p, 'op']);
      }
      value = back as number[];
    }
    conditions.push({ fact: c.fact, expr, unitFact, op, value, label: c.label, labelEn: c.labelEn });
  });

  const caps: ResolvedCap[] = inc.caps.map((c, ci) => {
    const scope = readingOf(c.scope, at('caps', ci, 'scope')) as ResolvedCap['scope'];
    if (!['claim', 'item', 'enterpriseYear', 'enterprise'].includes(scope)) L.problem(file, `cap scope "${String(scope)}" is not one of claim, item, enterpriseYear, enterprise`, at('caps', ci, 'scope'));
    if (scope === 'item' && !inc.item) L.problem(file, 'a cap per item needs the incentive to declare its item', at('caps', ci, 'scope'));
    return { scope, amountFen: byFact(c.amount, at('caps', ci, 'amount'), money), label: c.label, labelEn: c.labelEn };
  });

  const kind = inc.kind;
  let fixed: ByFact<number> | undefined;
  let rate: ByFact<Rate> | undefined;
  if (kind === 'fixed') {
    if (!inc.amount?.fixed) L.problem(file, 'a fixed incentive states amount.fixed', at('kind'));
    else fixed = byFact(inc.amount.fixed, at('amount', 'fixed'), money);
  }
  const base = readingOf(inc.amount?.base, at('amount', 'base')) as string | undefined;
  if (kind === 'formula') {
    if (!base || inc.amount?.rate === undefined) L.problem(file, 'a formula incentive states amount.base and amount.rate', at('kind'));
    else {
      try {
        const ast = parseExpression(base);
        for (const name of identifiersOf(ast)) if (!(name in params)) fact(name, at('amount', 'base'));
      } catch (e) {
        L.problem(file, `amount.base: ${(e as Error).message}`, at('amount', 'base'));
      }
      rate = byFact(inc.amount.rate, at('amount', 'rate'), (x) => rateOf(x, at('amount', 'rate')));
    }
  }
  if (kind === 'cappedClaim' && caps.length === 0) L.problem(file, 'a capped claim states at least one cap (最高…)', at('caps'));
  // null: the reading chosen has no one-award rule for this incentive (m18-once-per-plot: per-claim)
  const once = (readingOf(inc.once, at('once')) ?? undefined) as ResolvedIncentive['once'];
  if (once !== undefined && !(ONCE_SCOPES as readonly string[]).includes(once)) L.problem(file, `once "${String(once)}" is not one of ${ONCE_SCOPES.join(', ')}`, at('once'));
  if ((once === 'item' || once === 'itemYear') && !inc.item) L.problem(file, 'once per item needs the incentive to declare its item', at('once'));
  const period = (readingOf(inc.period, at('period')) ?? 'event') as ResolvedIncentive['period'];
  if (period !== 'event' && period !== 'claim') L.problem(file, `period "${String(period)}" is event or claim`, at('period'));
  const formula = readingOf(inc.amount?.formula, at('amount', 'formula')) as string | undefined;
  const formulaEn = readingOf(inc.amount?.formulaEn, at('amount', 'formulaEn')) as string | undefined;
  for (const s of inc.scanWhen ?? []) fact(s, at('scanWhen'));
  for (const id of inc.interpretations) if (!interpretations.has(id)) L.problem(file, `unknown interpretation "${id}"`, at('interpretations'));
  const maxYears = readingOf(inc.maxYears, at('maxYears')) as number | undefined;

  const summary = readingOf(inc.summary, at('summary')) as string;
  const summaryEn = readingOf(inc.summaryEn, at('summaryEn')) as string | undefined;
  if (L.problems.length > before) return undefined;
  const resolved: ResolvedIncentive = {
    id: inc.id,
    measure,
    title: inc.title,
    titleEn: inc.titleEn,
    clause: inc.clause,
    summary,
    summaryEn,
    kind,
    beneficiary: inc.beneficiary,
    item: inc.item,
    conditions,
    fixed,
    fixedFen: fixed?.kind === 'const' ? fixed.value : undefined,
    base,
    rate,
    params,
    formula,
    formulaEn,
    caps,
    once,
    period,
    maxYears,
    highestNotBoth: inc.highestNotBoth,
    scanWhen: inc.scanWhen,
    interpretations: inc.interpretations,
    leadUnit,
  };
  staleNumbers(L, file, path, inc, resolved, interpretations);
  return resolved;
}

/**
 * Every number once (numbers.ts): a label, formula text or summary may state the rule's own numbers, and those of
 * the chosen option of a reading it lists — nothing else; a text left behind after a value changed is refused here.
 */
function staleNumbers(L: Loader, file: ParsedFile<unknown>, path: (string | number)[], inc: Incentive, r: ResolvedIncentive, interpretations: Policy['interpretations']) {
  const chosen = r.interpretations.flatMap((id) => {
    const i = interpretations.get(id);
    const o = i?.options.find((x) => x.key === i.choice);
    return o ? [o.label, o.labelEn] : [];
  });
  // a condition a reading drops (applies: false) keeps its number in the rule: a summary may still describe it
  const dropped = inc.conditions.filter((c) => !r.conditions.some((x) => x.label === c.label)).map((c) => String(c.value));
  const own = ruleNumbers(r, [...chosen, ...dropped]);
  const check = (text: string | undefined, p: (string | number)[]) => {
    const stale = text ? numbersNotOfRule(text, own) : [];
    if (stale.length) L.problem(file, `${p.join('.')} states ${stale.join(', ')}, which is not a number of this rule (its values: conditions, caps, amount, rate, params) / 数字与规则的取值不一致`, p);
  };
  const at = (...p: (string | number)[]) => [...path, ...p];
  check(r.summary, at('summary'));
  check(r.summaryEn, at('summaryEn'));
  check(r.formula, at('amount', 'formula'));
  check(r.formulaEn, at('amount', 'formulaEn'));
  inc.conditions.forEach((c, i) => (check(c.label, at('conditions', i, 'label')), check(c.labelEn, at('conditions', i, 'labelEn'))));
  inc.caps.forEach((c, i) => (check(c.label, at('caps', i, 'label')), check(c.labelEn, at('caps', i, 'labelEn'))));
}

/** policy.yaml with its readings substituted: the period (policy-period) and the settlement rules. */
function resolvePolicyFile(L: Loader, file: ParsedFile<z.infer<typeof policyFileSchema>>, readings: Readings): PolicyFile {
  const d = file.data;
  const effective = readings.resolve(d.effective, file, ['effective']) as PolicyFile['effective'];
  const iso = /^\d{4}-\d{2}-\d{2}$/;
  if (!effective || !iso.test(String(effective.from)) || !iso.test(String(effective.to))) L.problem(file, 'effective is { from: YYYY-MM-DD, to: YYYY-MM-DD }', ['effective']);
  const cityAwardSettlement = (readings.resolve(d.cityAwardSettlement, file, ['cityAwardSettlement']) ?? 'topUp') as PolicyFile['cityAwardSettlement'];
  if (cityAwardSettlement !== 'topUp' && cityAwardSettlement !== 'higherOnly') L.problem(file, `cityAwardSettlement must be topUp or higherOnly, not ${String(cityAwardSettlement)}`, ['cityAwardSettlement']);
  const onceSettlement = (readings.resolve(d.onceSettlement, file, ['onceSettlement']) ?? 'deduct') as PolicyFile['onceSettlement'];
  if (!['deduct', 'firstOnly', 'perClaim'].includes(onceSettlement)) L.problem(file, `onceSettlement must be deduct, firstOnly or perClaim, not ${String(onceSettlement)}`, ['onceSettlement']);
  return { ...d, effective, cityAwardSettlement, onceSettlement };
}

/**
 * A measure with its summary's readings substituted, and the summary's numbers checked against its incentives'
 * (and their chosen readings') and its targets' numbers (numbers.ts).
 */
function resolveMeasure(L: Loader, mf: ParsedFile<MeasureInput>, readings: Readings, incentives: ResolvedIncentive[], targets: Target[]): Measure {
  const m = mf.data;
  const own = incentives.filter((i) => i.measure === m.measure);
  const listed = [...new Set(own.flatMap((i) => i.interpretations))];
  const summary = readings.resolve(m.summary, mf, ['summary'], `measure ${m.measure}`, listed) as string;
  const summaryEn = readings.resolve(m.summaryEn, mf, ['summaryEn'], `measure ${m.measure}`, listed) as string | undefined;
  const stated = [
    ...listed.flatMap((id) => {
      const i = readings.effective.get(id)!;
      const o = i.options.find((x) => x.key === i.choice)!;
      return [o.label, o.labelEn];
    }),
    ...targets.filter((t) => t.measure === m.measure).map((t) => `${t.value}${t.unit}`),
    // a condition a reading drops keeps its number in the measure (m10-pool-sales-year: sales above 2000万 at entry)
    ...m.incentives.flatMap((i) => i.conditions.map((c) => String(c.value))),
  ];
  const union = numbersOf(stated);
  for (const n of own.map((i) => ruleNumbers(i))) (n.money.forEach((v) => union.money.add(v)), n.rates.forEach((v) => union.rates.add(v)));
  for (const [key, text] of [['summary', summary], ['summaryEn', summaryEn]] as const) {
    const stale = text ? numbersNotOfRule(text, union) : [];
    if (stale.length) L.problem(mf, `${key} states ${stale.join(', ')}, which is not a number of the measure's incentives or targets / 数字与规则的取值不一致`, [key]);
  }
  return { ...m, summary, summaryEn };
}
