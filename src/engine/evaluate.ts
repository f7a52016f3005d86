/**
 * Evaluate one enterprise-year against a compiled policy.
 *
 * `evaluateCore` is the hot path: compiled incentive functions, then the rules that need the whole year, each a
 * named step below that cites the clause or reading it implements — the policy period, the prior position (earlier
 * awards), one award per event and the maximum number of years, caps per claim / item / enterprise-year /
 * enterprise (counting earlier awards and the earlier claims of the same run), and 就高不重复 against city-level
 * awards. It returns the total in fen and, when asked, one compact record per claim. `evaluate` adds the
 * explanations, built from those records (explain.ts), so both paths always agree on every amount.
 *
 * The steps share two mutable objects per run instead of a dozen locals: `Finding` (this claim, reset per claim)
 * and `Running` (this incentive's earlier claims in the run). Nothing is allocated per claim unless a cap cuts it
 * or a later claim of the same incentive needs the use recorded.
 */
import type { CompiledPolicy } from './compile.ts';
import { failureCode, failureDetail, valueFor, type CompiledIncentive } from './compile.ts';
import type { ClaimInput, EnterpriseYear } from './facts.ts';
import type { CapScope, ResolvedIncentive } from '../policy/model.ts';

export type Status = 'eligible' | 'notEligible' | 'caseByCase' | 'amountNotSet';

export type ReasonCode =
  | 'condition_failed'
  | 'missing_fact'
  | 'unknown_category'
  | 'amount_required'
  | 'outside_period'
  | 'after_as_of'
  | 'already_awarded'
  | 'max_years_reached'
  | 'cap_exhausted'
  | 'city_award_higher'
  | 'zero_amount';

/** What the core found for one claim; explanations are built from this and the claim's facts. */
export interface ClaimRecord {
  claim: ClaimInput;
  status: Status;
  code?: ReasonCode;
  /** condition index (condition_failed) or needed-fact index (missing_fact, unknown_category) */
  detail: number;
  /** the amount before caps (computed, fixed or proposed) */
  rawFen: number;
  /** the amount after every cap and 就高不重复 — what this claim is entitled to */
  amountFen: number;
  /** each cap that cut the amount: index into the incentive's caps, with the room that was left */
  capsApplied: Array<{ index: number; scope: CapScope; limitFen: number; usedBeforeFen: number; roomFen: number }>;
  /** the same-kind city-level award of the year (and item) that 就高不重复 considers */
  cityAwardFen: number;
  /** the part of it set off against this claim (topUp), so the district pays amountFen = gross − offset */
  cityOffsetFen: number;
  /** earlier district awards (gross) counted against this claim's caps and one-time rules: its item's, else its year's or period's */
  priorFen: number;
  /** earlier district awards for the same event (schema.ts `once`: the award won, the plot, the project's year),
   *  gross, deducted from this claim's entitlement: what was already paid for the event is never paid again */
  eventPriorFen: number;
}

const NO_CAPS: ClaimRecord['capsApplied'] = Object.freeze([]) as unknown as ClaimRecord['capsApplied'];

const STATUS_BY_KIND = { caseByCase: 'caseByCase', amountNotSet: 'amountNotSet' } as const;

/** What is found for the claim being evaluated, step by step (one object per run, reset per claim). */
interface Finding {
  status: Status;
  code: ReasonCode | undefined;
  detail: number;
  raw: number;
  amount: number;
  city: number;
  cityOffset: number;
  prior: number;
  eventPrior: number;
  capsApplied: ClaimRecord['capsApplied'];
  // the prior position: earlier district awards (gross) of the year, of the whole period, of the item; the number
  // of other years awarded; the city set-off already made against the year's (and item's) awards
  priorYear: number;
  priorTotal: number;
  priorItem: number;
  priorYears: number;
  priorOffset: number;
}

/** The earlier claims of the same incentive in this run (claims are sorted by incentive; reset when it changes). */
interface Running {
  index: number;
  usedYear: number;
  usedTotal: number;
  usedByItem: Map<string, number> | undefined;
  usedByEvent: Map<string, number> | undefined;
  offsetByGroup: Map<string, number> | undefined;
}

export function evaluateCore(cp: CompiledPolicy, ey: EnterpriseYear, asOf: string, records?: ClaimRecord[]): number {
  const claims = ey.claims;
  const year = ey.year;
  const yearInPeriod = year >= cp.fromYear && year <= cp.toYear;
  // The scratch objects are the module's own: evaluateCore is synchronous and never re-entered, and an allocation
  // per enterprise-year was measurable on the hot path.
  const run = RUN;
  const found = FOUND;
  run.index = -1;
  let total = 0;
  for (let i = 0; i < claims.length; i++) {
    const c = claims[i];
    if (c.incentiveIndex !== run.index) startIncentive(run, c.incentiveIndex);
    const ci = cp.incentives[c.incentiveIndex];
    // A claim outside the period, refused by its compiled rule, or without an amount in the text touches nothing
    // of the year: it is recorded (when asked) and skipped — half the claims of a typical run.
    // (The period is tested only for a dated claim or a year outside it: most claims are neither.)
    const early = c.date === undefined && yearInPeriod ? undefined : periodStep(cp, ci.def, c, year, asOf);
    const raw = early === undefined ? ci.fn(c.facts, c.amountFen, year) : -1;
    if (raw < 0 || ci.def.kind === 'caseByCase' || ci.def.kind === 'amountNotSet') {
      if (records) records.push(unpaidRecord(c, ci, early, raw));
      continue;
    }
    // Whether another claim of this incentive follows: only then is this one's use per event worth recording.
    const followed = i + 1 < claims.length && claims[i + 1].incentiveIndex === run.index;
    settleClaim(cp, ey, c, ci, raw, run, found, followed);
    total += found.amount;
    if (records) records.push(recordOf(c, found));
  }
  return total;
}

const RUN: Running = { index: -1, usedYear: 0, usedTotal: 0, usedByItem: undefined, usedByEvent: undefined, offsetByGroup: undefined };
const FOUND: Finding = newFinding();

/** The record of a claim that pays nothing before the year's rules: outside the period, refused, or no amount set. */
function unpaidRecord(c: ClaimInput, ci: CompiledIncentive, early: ReasonCode | undefined, raw: number): ClaimRecord {
  const refused = early === undefined && raw < 0;
  const status: Status = early !== undefined || refused ? 'notEligible' : STATUS_BY_KIND[ci.def.kind as keyof typeof STATUS_BY_KIND];
  const code = refused ? failureCode(raw) : early;
  const detail = refused ? failureDetail(raw) : -1;
  const rawFen = early === undefined && raw > 0 ? raw : 0;
  return record(c, status, code, detail, rawFen, 0, NO_CAPS, 0, 0, 0, 0);
}

/** A claim with an amount before caps, through the year's rules in the order the text applies them. */
function settleClaim(cp: CompiledPolicy, ey: EnterpriseYear, c: ClaimInput, ci: CompiledIncentive, raw: number, run: Running, found: Finding, followed: boolean): void {
  const def = ci.def;
  resetFinding(found, raw);
  if (ey.priorAwards.length) {
    priorPosition(ey, ci, c.item, found);
    found.prior = priorCounted(def, c.item, found);
  }
  oncePerEventStep(cp, ci, c.item, run, found);
  if (!found.code) maxYearsStep(def, found);
  if (!found.code) capsStep(def, c, run, found);
  if (found.code) found.amount = 0;
  const gross = found.amount;
  if (!found.code && found.city > 0 && def.highestNotBoth) cityAwardStep(cp, c.item, run, found);
  if (found.code) found.status = 'notEligible';
  recordUse(ci, c.item, run, gross, followed);
}

/**
 * The policy period (附则1 "自2020年1月1日起试行,试行期一年"; reading policy-period): the claim's event date, or its
 * year, in the period, and not after the as-of date. qualifying-event-in-period: under `period: claim` an event
 * before the period qualifies too, so only the end of the period is tested.
 */
function periodStep(cp: CompiledPolicy, def: ResolvedIncentive, c: ClaimInput, year: number, asOf: string): ReasonCode | undefined {
  const early = def.period === 'event';
  if (c.date !== undefined) {
    if ((early && c.date < cp.effectiveFrom) || c.date > cp.effectiveTo) return 'outside_period';
    if (c.date > asOf) return 'after_as_of';
    return undefined;
  }
  return (early && year < cp.fromYear) || year > cp.toYear ? 'outside_period' : undefined;
}

/**
 * Earlier awards of this incentive (ey.priorAwards): district ones, gross of any city set-off (caps count the
 * district entitlement before 就高不重复), by year, item and period; same-kind city awards of the year and item
 * (附则1 就高不重复, overlap-city-award-settlement); and, under `once`, the district awards for the same event
 * (award-once-per-event).
 */
function priorPosition(ey: EnterpriseYear, ci: CompiledIncentive, item: string | undefined, found: Finding): void {
  const id = ci.def.id;
  const once = ci.once;
  const year = ey.year;
  const years = new Set<number>();
  for (const a of ey.priorAwards) {
    if (a.incentive !== id) continue;
    const sameKind = a.year === year && (item === undefined || a.item === item);
    if (a.level === 'city') {
      if (sameKind) found.city += a.amountFen;
      continue;
    }
    const offset = a.cityOffsetFen ?? 0;
    const gross = a.amountFen + offset;
    if (sameKind) found.priorOffset += offset;
    found.priorTotal += gross;
    if (a.year === year) found.priorYear += gross;
    if (item !== undefined && a.item === item) found.priorItem += gross;
    if (a.year !== year && gross > 0) years.add(a.year);
    if (once !== undefined && sameEvent(once, a, year, item)) found.eventPrior += gross;
  }
  found.priorYears = years.size;
}

/** Whether an earlier award was for the same event as this claim: what `once` names (schema.ts). */
function sameEvent(once: NonNullable<CompiledIncentive['once']>, a: { year: number; item?: string }, year: number, item: string | undefined): boolean {
  switch (once) {
    case 'enterprise':
      return true;
    case 'enterpriseYear':
      return a.year === year;
    case 'item':
      return a.item === item;
    case 'itemYear':
      return a.year === year && a.item === item;
  }
}

/**
 * The earlier awards this claim's limits count, so that the figure agrees with the caps beside it: a claim for an
 * item (a project, a plot, a trademark) is limited by that item's awards only — other items' awards are not
 * "already received for this"; otherwise yearly limits count the year, the rest the whole period.
 */
function priorCounted(def: ResolvedIncentive, item: string | undefined, found: Finding): number {
  if (found.priorTotal === 0) return 0;
  if (item !== undefined) return found.priorItem;
  return def.caps.length > 0 && def.caps.every((k) => k.scope === 'enterpriseYear') ? found.priorYear : found.priorTotal;
}

/** The event of a claim within the run (one year): its item, or the enterprise. */
function eventKeyOf(once: CompiledIncentive['once'], item: string | undefined): string {
  return once === 'item' || once === 'itemYear' ? (item ?? '') : '';
}

/**
 * One award per event (award-once-per-event; the event per `once`, e.g. m18-once-per-plot, m12-quality-award-per-award,
 * one-time-scope): what was already awarded for the same event — earlier decisions, earlier claims of this run — is
 * deducted from the event's entitlement (deduct), or any earlier award refuses the claim (firstOnly). A capped
 * claim's amount is its own ask, not the event's whole entitlement, so a second one is refused outright.
 */
function oncePerEventStep(cp: CompiledPolicy, ci: CompiledIncentive, item: string | undefined, run: Running, found: Finding): void {
  if (ci.once === undefined) return;
  found.eventPrior += run.usedByEvent?.get(eventKeyOf(ci.once, item)) ?? 0;
  if (found.eventPrior > 0 && found.amount > 0) {
    if (cp.onceMode === 'firstOnly' || ci.def.kind === 'cappedClaim' || found.eventPrior >= found.amount) found.code = 'already_awarded';
    else found.amount -= found.eventPrior;
  }
}

/** At most maxYears distinct years of award (measure 10: "最长不超过三年"; m10-pool-years); this year's claims share one. */
function maxYearsStep(def: ResolvedIncentive, found: Finding): void {
  if (def.maxYears !== undefined && found.priorYears >= def.maxYears) found.code = 'max_years_reached';
}

/**
 * Caps ("最高…", "每年不超过…") by scope — per claim, per item over the period, per enterprise-year, per enterprise over
 * the period (cap-scope-unstated, m10-pool-cap-scope, incubation-sales-reward-period say which) — counting earlier
 * awards and this run's earlier claims. An amount cut to nothing is cap_exhausted; a formula giving nothing is zero_amount.
 */
function capsStep(def: ResolvedIncentive, c: ClaimInput, run: Running, found: Finding): void {
  const item = c.item;
  const itemUsed = item !== undefined && run.usedByItem ? (run.usedByItem.get(item) ?? 0) : 0;
  for (let k = 0; k < def.caps.length; k++) {
    const cap = def.caps[k];
    const limit = valueFor(cap.amountFen, c.facts);
    if (limit === undefined) continue; // the fact that selects the cap was checked by the rate already
    const used =
      cap.scope === 'claim' ? 0 : cap.scope === 'item' ? found.priorItem + itemUsed : cap.scope === 'enterpriseYear' ? found.priorYear + run.usedYear : found.priorTotal + run.usedTotal;
    const room = limit - used > 0 ? limit - used : 0;
    if (found.amount > room) {
      if (found.capsApplied === NO_CAPS) found.capsApplied = [];
      found.capsApplied.push({ index: k, scope: cap.scope, limitFen: limit, usedBeforeFen: used, roomFen: room });
      found.amount = room;
    }
  }
  if (found.amount === 0) found.code = found.capsApplied.length ? 'cap_exhausted' : 'zero_amount';
}

/**
 * 就高不重复 (附则1 "按照就高不重复原则享受"; overlap-city-award-settlement): the enterprise gets the higher of the two
 * levels, never both. topUp sets the city award off against the district entitlement once per year and item, across
 * claims and earlier decisions; higherOnly pays nothing when the city award is at least the district amount.
 */
function cityAwardStep(cp: CompiledPolicy, item: string | undefined, run: Running, found: Finding): void {
  const groupKey = item ?? '';
  if (cp.overlapMode === 'topUp') {
    const usedOffset = found.priorOffset + (run.offsetByGroup?.get(groupKey) ?? 0);
    const left = found.city - usedOffset > 0 ? found.city - usedOffset : 0;
    found.cityOffset = found.amount < left ? found.amount : left;
    found.amount -= found.cityOffset;
    run.offsetByGroup ??= new Map();
    run.offsetByGroup.set(groupKey, (run.offsetByGroup.get(groupKey) ?? 0) + found.cityOffset);
  } else if (found.city >= found.amount) {
    found.cityOffset = found.amount;
    found.amount = 0;
  }
  if (found.amount === 0) found.code = 'city_award_higher';
}

/**
 * What this claim used (gross of the city set-off), for the caps and the one-award rule of the incentive's later
 * claims. Per event only when another claim of the incentive follows: most enterprise-years claim an incentive
 * once, and a Map per enterprise-year was measurable on the hot path.
 */
function recordUse(ci: CompiledIncentive, item: string | undefined, run: Running, gross: number, followed: boolean): void {
  run.usedYear += gross;
  run.usedTotal += gross;
  if (gross <= 0) return;
  if (ci.once !== undefined && followed) {
    const key = eventKeyOf(ci.once, item);
    run.usedByEvent ??= new Map();
    run.usedByEvent.set(key, (run.usedByEvent.get(key) ?? 0) + gross);
  }
  if (item !== undefined) {
    run.usedByItem ??= new Map();
    run.usedByItem.set(item, (run.usedByItem.get(item) ?? 0) + gross);
  }
}

function startIncentive(run: Running, index: number): void {
  run.index = index;
  run.usedYear = 0;
  run.usedTotal = 0;
  run.usedByItem = undefined;
  run.usedByEvent = undefined;
  run.offsetByGroup = undefined;
}

function newFinding(): Finding {
  // a literal with every field, so that V8 gives the object one fixed shape with in-object fields
  return {
    status: 'eligible',
    code: undefined,
    detail: -1,
    raw: 0,
    amount: 0,
    city: 0,
    cityOffset: 0,
    prior: 0,
    eventPrior: 0,
    capsApplied: NO_CAPS,
    priorYear: 0,
    priorTotal: 0,
    priorItem: 0,
    priorYears: 0,
    priorOffset: 0,
  };
}

function resetFinding(found: Finding, raw: number): void {
  found.status = 'eligible';
  found.code = undefined;
  found.detail = -1;
  found.raw = raw;
  found.amount = raw;
  found.city = 0;
  found.cityOffset = 0;
  found.prior = 0;
  found.eventPrior = 0;
  found.capsApplied = NO_CAPS;
  found.priorYear = 0;
  found.priorTotal = 0;
  found.priorItem = 0;
  found.priorYears = 0;
  found.priorOffset = 0;
}

function recordOf(c: ClaimInput, found: Finding): ClaimRecord {
  return record(c, found.status, found.code, found.detail, found.raw, found.amount, found.capsApplied, found.city, found.cityOffset, found.prior, found.eventPrior);
}

/** Every record is built here, so that all have one shape (two literal sites were measurably slower to build). */
function record(
  claim: ClaimInput,
  status: Status,
  code: ReasonCode | undefined,
  detail: number,
  rawFen: number,
  amountFen: number,
  capsApplied: ClaimRecord['capsApplied'],
  cityAwardFen: number,
  cityOffsetFen: number,
  priorFen: number,
  eventPriorFen: number,
): ClaimRecord {
  return { claim, status, code, detail, rawFen, amountFen, capsApplied, cityAwardFen, cityOffsetFen, priorFen, eventPriorFen };
}
