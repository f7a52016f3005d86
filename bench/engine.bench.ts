/**
 * npm run bench:engine — 100,000 seeded synthetic enterprise-years through the whole policy, side by side:
 *   1. Kaifang's engine without explanations (the compiled hot path: amounts only)
 *   2. Kaifang's engine with explanations kept as compact records (built on demand)
 *   3. Kaifang's engine with every explanation built in full (what `kaifang calc --json` prints)
 *   4. a hand-written TypeScript function for the same formula incentives (the limit)
 *   5. json-rules-engine and 6. @gorules/zen-engine with the same rules.
 * All must give the same total (the checksum). Each prints enterprise-years per second and its ratio to the
 * hand-written baseline measured in the same run. Policy constants come from the loaded policy, never from here.
 * Parsing and validating the facts is done once beforehand for everyone and measured separately.
 */
import { Engine, type EnterpriseYear } from '../src/engine/index.ts';
import { evaluateCore, type ClaimRecord } from '../src/engine/evaluate.ts';
import { toEntitlement } from '../src/engine/explain.ts';
import { valueFor } from '../src/engine/compile.ts';
import type { Rate, ResolvedIncentive } from '../src/policy/model.ts';
import { mulFracRound } from '../src/policy/quantities.ts';
import { syntheticFacts } from './synthetic.ts';
import { Engine as RulesEngine } from 'json-rules-engine';
import { ZenEngine } from '@gorules/zen-engine';

const N = Number(process.env.BENCH_N ?? 100_000);
const asOf = '2020-12-31';
const engine = Engine.load();
const policy = engine.policy;

// ── the workload ────────────────────────────────────────────────────────────────────────────────────
const raw = syntheticFacts(N);
let t0 = performance.now();
const parsed: EnterpriseYear[] = raw.map((f) => engine.parse(f));
const parseSeconds = (performance.now() - t0) / 1000;
const FORMULAS = ['municipal-high-tech-pool', 'rd-expense-growth', 'equipment-investment', 'plot-ratio-floor-area'];
for (const id of FORMULAS) if (!policy.incentivesById.has(id)) throw new Error(`the policy has no incentive ${id}`);

// ── the policy's constants, read from the policy (the hand-written and library versions share them) ────
const inc = (id: string) => policy.incentivesById.get(id)!;
const cond = (i: ResolvedIncentive, fact: string, op?: string) => i.conditions.find((c) => c.fact === fact && (!op || c.op === op))!.value as number;
const frac = (r: Rate) => (r.kind === 'fraction' ? r.value : { num: r.fenPerUnit, den: 1 });
const pool = inc('municipal-high-tech-pool');
const growth = inc('rd-expense-growth');
const equip = inc('equipment-investment');
const plot = inc('plot-ratio-floor-area');
const C = {
  poolSales: cond(pool, 'annualSales'),
  poolMinAge: cond(pool, 'year - municipalHighTechPoolYear', '>='),
  poolMaxAge: cond(pool, 'year - municipalHighTechPoolYear', '<='),
  poolRate: frac((pool.rate as { kind: 'const'; value: Rate }).value),
  poolCap: (pool.caps[0].amountFen as { value: number }).value,
  growthMin: cond(growth, 'rdExpense - rdExpensePriorYear'),
  growthRate: frac((growth.rate as { kind: 'const'; value: Rate }).value),
  growthCap: (growth.caps[0].amountFen as { value: number }).value,
  equipMin: cond(equip, 'equipmentInvestment'),
  equipRate: Object.fromEntries(Object.entries((equip.rate as { kind: 'byFact'; values: Record<string, Rate> }).values).map(([k, r]) => [k, frac(r)])),
  equipCap: (equip.caps[0].amountFen as { values: Record<string, number> }).values,
  plotTypes: plot.conditions.find((c) => c.fact === 'landProjectType')!.value as string[],
  plotMin: cond(plot, 'plotRatio'),
  plotThreshold: plot.params.plotRatioThreshold,
  plotFenPerM2: frac((plot.rate as { kind: 'const'; value: Rate }).value).num,
};

const mulRound = (v: number, num: number, den: number) => mulFracRound(v, { num, den });

// ── 4. the hand-written limit ───────────────────────────────────────────────────────────────────────
function handWritten(ey: EnterpriseYear): number {
  const f = ey.facts as Record<string, never>;
  let total = 0;
  const age = ey.year - f.municipalHighTechPoolYear;
  if (f.annualSales > C.poolSales && f.inMunicipalHighTechPool === true && age >= C.poolMinAge && age <= C.poolMaxAge && f.nationalHighTechEnterprise === false) {
    total += Math.min(mulRound(f.taxableIncome, C.poolRate.num, C.poolRate.den), C.poolCap);
  }
  const years = f.rdSuperDeductionYears as unknown as number[];
  const g = f.rdExpense - f.rdExpensePriorYear;
  if (years.includes(ey.year) && years.includes(ey.year - 1) && g >= C.growthMin) {
    total += Math.min(mulRound(g, C.growthRate.num, C.growthRate.den), C.growthCap);
  }
  for (const c of ey.claims) {
    const cf = c.facts as Record<string, never>;
    if (c.incentive === 'equipment-investment') {
      if (cf.equipmentInvestment >= C.equipMin) {
        const rate = C.equipRate[cf.industryClass];
        total += Math.min(mulRound(cf.equipmentInvestment, rate.num, rate.den), C.equipCap[cf.industryClass]);
      }
    } else if (c.incentive === 'plot-ratio-floor-area') {
      if (C.plotTypes.includes(cf.landProjectType) && cf.compliesWithPlanning === true && cf.plotRatio > C.plotMin) {
        const b = Math.max(0, Math.min(cf.newIndustrialFloorArea, cf.floorArea - cf.landArea * C.plotThreshold));
        total += b * C.plotFenPerM2;
      }
    }
  }
  return total;
}

// ── flat facts for the rule libraries ───────────────────────────────────────────────────────────────
const flat = parsed.map((ey) => {
  const f = ey.facts as Record<string, unknown>;
  const e = ey.claims.find((c) => c.incentive === 'equipment-investment')!.facts;
  const p = ey.claims.find((c) => c.incentive === 'plot-ratio-floor-area')!.facts;
  const years = f.rdSuperDeductionYears as number[];
  return {
    industryClass: f.industryClass,
    annualSales: f.annualSales,
    inPool: f.inMunicipalHighTechPool,
    poolAge: ey.year - (f.municipalHighTechPoolYear as number),
    nationalHighTech: f.nationalHighTechEnterprise,
    taxableIncome: f.taxableIncome,
    rdGrowth: (f.rdExpense as number) - (f.rdExpensePriorYear as number),
    superDeductionTwoYears: years.includes(ey.year) && years.includes(ey.year - 1),
    equipmentInvestment: e.equipmentInvestment,
    landProjectType: p.landProjectType,
    compliesWithPlanning: p.compliesWithPlanning,
    plotRatio: p.plotRatio,
    landArea: p.landArea,
    floorArea: p.floorArea,
    newIndustrialFloorArea: p.newIndustrialFloorArea,
  };
});

// ── 5. json-rules-engine: conditions as JSON rules, the amount computed from the event's parameters ────
function jsonRulesEngine() {
  const e = new RulesEngine([], { allowUndefinedFacts: true });
  e.addRule({ name: 'pool', conditions: { all: [
    { fact: 'annualSales', operator: 'greaterThan', value: C.poolSales },
    { fact: 'inPool', operator: 'equal', value: true },
    { fact: 'poolAge', operator: 'greaterThanInclusive', value: C.poolMinAge },
    { fact: 'poolAge', operator: 'lessThanInclusive', value: C.poolMaxAge },
    { fact: 'nationalHighTech', operator: 'equal', value: false },
  ] }, event: { type: 'pool', params: { base: 'taxableIncome', ...C.poolRate, cap: C.poolCap } } });
  e.addRule({ name: 'growth', conditions: { all: [
    { fact: 'superDeductionTwoYears', operator: 'equal', value: true },
    { fact: 'rdGrowth', operator: 'greaterThanInclusive', value: C.growthMin },
  ] }, event: { type: 'growth', params: { base: 'rdGrowth', ...C.growthRate, cap: C.growthCap } } });
  for (const cls of Object.keys(C.equipRate)) {
    e.addRule({ name: `equipment-${cls}`, conditions: { all: [
      { fact: 'industryClass', operator: 'equal', value: cls },
      { fact: 'equipmentInvestment', operator: 'greaterThanInclusive', value: C.equipMin },
    ] }, event: { type: 'equipment', params: { base: 'equipmentInvestment', ...C.equipRate[cls], cap: C.equipCap[cls] } } });
  }
  e.addRule({ name: 'plot', conditions: { all: [
    { fact: 'landProjectType', operator: 'in', value: C.plotTypes },
    { fact: 'compliesWithPlanning', operator: 'equal', value: true },
    { fact: 'plotRatio', operator: 'greaterThan', value: C.plotMin },
  ] }, event: { type: 'plot', params: { base: 'plotBase', num: C.plotFenPerM2, den: 1, cap: Number.MAX_SAFE_INTEGER } } });
  return async (facts: (typeof flat)[number]) => {
    const { events } = await e.run(facts);
    let total = 0;
    for (const ev of events) {
      const p = ev.params as { base: string; num: number; den: number; cap: number };
      const base = p.base === 'plotBase' ? Math.max(0, Math.min(facts.newIndustrialFloorArea as number, (facts.floorArea as number) - (facts.landArea as number) * C.plotThreshold)) : (facts[p.base as keyof typeof facts] as number);
      total += Math.min(mulRound(base, p.num, p.den), p.cap);
    }
    return total;
  };
}

// ── 6. zen-engine: one expression node computing the four amounts (JDM) ────────────────────────────────
function zenEngine() {
  const round = (x: string, r: { num: number; den: number }) => `floor((${x}) * ${r.num} / ${r.den} + 0.5)`;
  const eq = Object.keys(C.equipRate)
    .map((k) => `industryClass == "${k}" ? min([${round('equipmentInvestment', C.equipRate[k])}, ${C.equipCap[k]}]) : `)
    .join('');
  const expressions = [
    { key: 'pool', value: `annualSales > ${C.poolSales} and inPool == true and poolAge >= ${C.poolMinAge} and poolAge <= ${C.poolMaxAge} and nationalHighTech == false ? min([${round('taxableIncome', C.poolRate)}, ${C.poolCap}]) : 0` },
    { key: 'growth', value: `superDeductionTwoYears == true and rdGrowth >= ${C.growthMin} ? min([${round('rdGrowth', C.growthRate)}, ${C.growthCap}]) : 0` },
    { key: 'equipment', value: `equipmentInvestment >= ${C.equipMin} ? (${eq}0) : 0` },
    { key: 'plot', value: `landProjectType in [${C.plotTypes.map((t) => `"${t}"`).join(', ')}] and compliesWithPlanning == true and plotRatio > ${C.plotMin} ? max([0, min([newIndustrialFloorArea, floorArea - landArea * ${C.plotThreshold}])]) * ${C.plotFenPerM2} : 0` },
    { key: 'total', value: '$.pool + $.growth + $.equipment + $.plot' },
  ].map((x, i) => ({ id: `e${i}`, ...x }));
  const jdm = {
    nodes: [
      { id: 'in', type: 'inputNode', name: 'facts', position: { x: 0, y: 0 } },
      { id: 'amounts', type: 'expressionNode', name: 'amounts', position: { x: 0, y: 0 }, content: { expressions } },
      { id: 'out', type: 'outputNode', name: 'result', position: { x: 0, y: 0 } },
    ],
    edges: [
      { id: 'a', sourceId: 'in', targetId: 'amounts', type: 'edge' },
      { id: 'b', sourceId: 'amounts', targetId: 'out', type: 'edge' },
    ],
  };
  const decision = new ZenEngine().createDecision(jdm);
  return async (facts: (typeof flat)[number]) => ((await decision.evaluate(facts)).result as { total: number }).total;
}

// ── run ─────────────────────────────────────────────────────────────────────────────────────────────
interface Row { name: string; perSecond: number; checksum: number; n: number }
const rows: Row[] = [];

function measureSync(name: string, n: number, fn: (i: number) => number, repeats = 5) {
  let best = Infinity;
  let checksum = 0;
  for (let r = 0; r < repeats; r++) {
    checksum = 0;
    const start = performance.now();
    for (let i = 0; i < n; i++) checksum += fn(i);
    best = Math.min(best, performance.now() - start);
  }
  rows.push({ name, perSecond: n / (best / 1000), checksum, n });
}
async function measureAsync(name: string, n: number, fn: (i: number) => Promise<number>) {
  let checksum = 0;
  const start = performance.now();
  for (let i = 0; i < n; i++) checksum += await fn(i);
  rows.push({ name, perSecond: n / ((performance.now() - start) / 1000), checksum, n });
}

const cp = engine.compiled;
// Warm up every contender first so the JIT sees all of them before anything is timed.
for (let i = 0; i < Math.min(N, 20_000); i++) handWritten(parsed[i]) + engine.total(parsed[i], asOf);

measureSync('hand-written TypeScript (baseline)', N, (i) => handWritten(parsed[i]));
measureSync('Kaifang engine, no explanations', N, (i) => engine.total(parsed[i], asOf));
measureSync('Kaifang engine, explanations as records (built on demand)', N, (i) => {
  const recs: ClaimRecord[] = [];
  return evaluateCore(cp, parsed[i], asOf, recs);
});
measureSync('Kaifang engine, every explanation built in full', N, (i) => {
  const recs: ClaimRecord[] = [];
  const total = evaluateCore(cp, parsed[i], asOf, recs);
  for (const r of recs) toEntitlement(cp, r, parsed[i].year, true);
  return total;
}, 1);
const libN = Number(process.env.BENCH_LIB_N ?? N);
const jre = jsonRulesEngine();
await measureAsync('json-rules-engine', libN, (i) => jre(flat[i]));
const zen = zenEngine();
await measureAsync('@gorules/zen-engine', libN, (i) => zen(flat[i]));

const base = rows[0];
const sumOf = (n: number) => {
  let s = 0;
  for (let i = 0; i < n; i++) s += handWritten(parsed[i]);
  return s;
};
const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
console.log(`\nbench:engine — ${fmt(N)} synthetic enterprise-years, policy ${policy.id} ${policy.version}, ${FORMULAS.length} formula incentives each`);
console.log(`(parse + validate of the facts, done once beforehand: ${fmt(N / parseSeconds)} enterprise-years/s)\n`);
console.log('contender'.padEnd(62) + 'enterprise-years/s'.padStart(20) + 'vs hand-written'.padStart(18) + '   checksum (fen)');
let ok = true;
for (const r of rows) {
  const expected = r.n === N ? base.checksum : sumOf(r.n);
  const same = r.checksum === expected;
  ok &&= same;
  console.log(r.name.padEnd(62) + fmt(r.perSecond).padStart(20) + `${(base.perSecond / r.perSecond).toFixed(2)}× slower`.padStart(18) + `   ${r.checksum}${same ? '' : '  ✘ MISMATCH'}`);
}
const engineFast = rows[1];
console.log(`\nKaifang (no explanations) is ${(engineFast.perSecond / rows.find((r) => r.name === 'json-rules-engine')!.perSecond).toFixed(0)}× json-rules-engine and ${(engineFast.perSecond / rows.find((r) => r.name.includes('zen'))!.perSecond).toFixed(0)}× zen-engine.`);
if (!ok) {
  console.error('checksums differ: the contenders do not compute the same amounts');
  process.exit(1);
}
