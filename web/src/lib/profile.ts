/**
 * Profile mode of the calculator (企业画像), as government 政策计算器 do it: the enterprise is described once —
 * with the facts the policy declares (facts.yaml, served by GET /api/policy), grouped by the policy's sections —
 * and every incentive is evaluated by POST /api/calc. The answer is sorted for a person: what matches (with the
 * amount), what nearly matches (and what is missing or short), what does not, and how many incentives the
 * description does not touch at all. The profile lives in the URL, so a result can be linked to and reopened.
 */
import type { CalcInput, Entitlement, EvaluationResult, FactDecl, FactValue, IncentiveView, PolicyLibrary } from '../api/types';
import { readEntitlement, type Reading } from './entitlement';
import { allIncentives, formToFacts, isCivilDate, isEmpty, type FormFacts, type FormProblem, type MoneyValue } from './factForm';

type Policy = Pick<PolicyLibrary, 'facts' | 'sections' | 'measures' | 'generalIncentives'>;

export interface ProfileGroup {
  key: string;
  /** the policy's section, or none for the facts no section's incentive reads */
  section?: number;
  title?: string;
  titleEn?: string;
  facts: FactDecl[];
}

/** The profile form: each fact once, under the first section whose incentives read it; the rest under "other". */
export function profileGroups(policy: Policy): ProfileGroup[] {
  const byName = new Map(policy.facts.map((f) => [f.name, f]));
  const seen = new Set<string>();
  const take = (incs: IncentiveView[]) => {
    const out: FactDecl[] = [];
    for (const inc of incs)
      for (const n of inc.facts) {
        const d = byName.get(n);
        if (d && !seen.has(n)) seen.add(n), out.push(d);
      }
    return out;
  };
  const groups: ProfileGroup[] = [];
  for (const s of policy.sections) {
    const incs = s.measures.flatMap((no) => policy.measures.find((m) => m.measure === no)?.incentives ?? []);
    const facts = take(incs);
    if (facts.length) groups.push({ key: `s${s.no}`, section: s.no, title: s.title, titleEn: s.titleEn, facts });
  }
  const rest = [...take(policy.generalIncentives), ...policy.facts.filter((f) => !seen.has(f.name))];
  if (rest.length) groups.push({ key: 'other', facts: rest });
  return groups;
}

export interface ProfileValues {
  year?: number;
  area?: string;
  facts: FormFacts;
}

/**
 * The profile → one POST /api/calc body claiming every incentive, so that each is evaluated and explained (an
 * incentive claimed per item gets one item named `itemName`). Only the facts filled in are sent.
 */
export function profileInput(policy: Policy, v: ProfileValues, year: number, itemName: string): { input: CalcInput; problems: FormProblem[]; filled: number } {
  const { facts, problems } = formToFacts(policy.facts, v.facts, ['facts']);
  const input: CalcInput = {
    year: v.year ?? year,
    facts,
    claims: allIncentives(policy).map((inc) => (inc.item ? { incentive: inc.id, item: itemName } : { incentive: inc.id })),
  };
  if (v.area) input.enterprise = { area: v.area };
  return { input, problems, filled: Object.keys(facts).length };
}

export interface ProfileEntry {
  ent: Entitlement;
  inc?: IncentiveView;
  reading: Reading;
  /** near: the incentive's facts still blank in the profile */
  missing: FactDecl[];
}

export interface ProfileResult {
  /** eligible (with amounts, highest first), claimable up to a cap, case by case, amount not set */
  matches: ProfileEntry[];
  /** a fact is missing while others of the incentive were given, or a number falls short of a threshold */
  near: ProfileEntry[];
  notEligible: ProfileEntry[];
  /** incentives none of whose facts the profile gives: not assessed, only counted */
  untouched: number;
  totalFen: number;
}

const NUMERIC = new Set<FactDecl['type']>(['money', 'area', 'number', 'integer']);
const MATCH_ORDER: Record<string, number> = { eligible: 0, claimable: 1, caseByCase: 2, amountNotSet: 3 };

export function classifyProfile(policy: Policy, result: EvaluationResult, given: Record<string, FactValue>): ProfileResult {
  const incs = new Map(allIncentives(policy).map((i) => [i.id, i]));
  const decls = new Map(policy.facts.map((f) => [f.name, f]));
  const out: ProfileResult = { matches: [], near: [], notEligible: [], untouched: 0, totalFen: result.totalFen };
  for (const ent of result.entitlements) {
    const inc = incs.get(ent.incentive);
    const reading = readEntitlement(ent);
    const blank = (inc?.facts ?? []).filter((n) => given[n] === undefined).flatMap((n) => decls.get(n) ?? []);
    const entry: ProfileEntry = { ent, inc, reading, missing: [] };
    if (reading.verdict in MATCH_ORDER) out.matches.push(entry);
    else if (reading.verdict === 'needsInfo') {
      const touched = (inc?.facts ?? []).some((n) => given[n] !== undefined);
      if (touched) out.near.push({ ...entry, missing: blank });
      else out.untouched += 1;
    } else {
      const r = ent.explanation?.reasons[0];
      const d = r?.fact ? decls.get(r.fact) : undefined;
      // short of a threshold on a number ("还差150万元"): nearly there; a condition on a yes/no or a category is not
      if (r?.code === 'condition_failed' && d && NUMERIC.has(d.type) && ent.explanation?.whatWouldQualify) out.near.push(entry);
      else out.notEligible.push(entry);
    }
  }
  out.matches.sort((a, b) => MATCH_ORDER[a.reading.verdict] - MATCH_ORDER[b.reading.verdict] || (b.ent.amountFen ?? 0) - (a.ent.amountFen ?? 0));
  return out;
}

// ── The profile in the URL ────────────────────────────────────────────────────────────────────────────
const RESERVED = new Set(['mode', 'year', 'area', 'incentive']);
const UNIT_SUFFIX = { wan: '万', yuan: '元' } as const;

/** "?mode=profile&year=2020&industryClass=leading&equipmentInvestment=2500万&rdSuperDeductionYears=2019,2020" */
export function profileToSearch(decls: FactDecl[], v: ProfileValues): URLSearchParams {
  const p = new URLSearchParams({ mode: 'profile' });
  if (v.year) p.set('year', String(v.year));
  if (v.area) p.set('area', v.area);
  for (const d of decls) {
    const x = v.facts[d.name];
    if (RESERVED.has(d.name) || isEmpty(x)) continue;
    if (d.type === 'money' && typeof x === 'object' && !Array.isArray(x)) {
      const m = x as MoneyValue;
      p.set(d.name, `${String(m.amount).trim()}${UNIT_SUFFIX[m.unit]}`);
    } else p.set(d.name, Array.isArray(x) ? x.join(',') : String(x));
  }
  return p;
}

/** The URL back into form values; a value that does not fit its fact is named in `ignored`, never guessed. */
export function searchToProfile(decls: FactDecl[], p: URLSearchParams): ProfileValues & { ignored: string[] } {
  const facts: FormFacts = {};
  const ignored: string[] = [];
  for (const d of decls) {
    const raw = p.get(d.name);
    if (raw === null || RESERVED.has(d.name)) continue;
    const v = factFromText(d, raw.trim());
    if (v === undefined) ignored.push(d.name);
    else facts[d.name] = v;
  }
  const year = Number(p.get('year'));
  return { year: Number.isInteger(year) && year > 0 ? year : undefined, area: p.get('area') || undefined, facts, ignored };
}

function factFromText(d: FactDecl, s: string): FormFacts[string] | undefined {
  if (s === '') return undefined;
  switch (d.type) {
    case 'money': {
      const m = /^(\d+(?:\.\d+)?)(万|元)$/.exec(s);
      return m ? { amount: m[1], unit: m[2] === '万' ? 'wan' : 'yuan' } : undefined;
    }
    case 'area':
    case 'number':
    case 'integer': {
      const n = Number(s);
      return Number.isFinite(n) && n >= 0 && (d.type !== 'integer' || Number.isInteger(n)) ? n : undefined;
    }
    case 'year': {
      const n = Number(s);
      return Number.isInteger(n) && n >= 1949 && n <= 2100 ? n : undefined;
    }
    case 'yearList': {
      const ys = s.split(',').map(Number);
      return ys.every((y) => Number.isInteger(y) && y >= 1949 && y <= 2100) ? ys : undefined;
    }
    case 'boolean':
      return s === 'true' ? true : s === 'false' ? false : undefined;
    case 'enum':
      return (d.values ?? []).includes(s) ? s : undefined;
    case 'date':
      return isCivilDate(s) ? s : undefined;
    default:
      return s;
  }
}
