/**
 * Evaluate one enterprise-year against a compiled policy.
 *
 * `evaluateCore` is the hot path: compiled incentive functions, then the rules that need the whole year — the
 * policy period, one-time awards, the maximum number of years, caps per claim / item / enterprise-year /
 * enterprise (counting earlier awards and the earlier claims of the same run), and 就高不重复 against city-level
 * awards. It returns the total in fen and, when asked, one compact record per claim. `evaluate` adds the
 * explanations, built from those records (explain.ts), so both paths always agree on every amount.
 */
import type { CompiledPolicy } from './compile.ts';
import { CODE_AMOUNT_REQUIRED, CODE_BAD_CATEGORY, CODE_MISSING, valueFor } from './compile.ts';
import type { ClaimInput, EnterpriseYear } from './facts.ts';
import type { CapScope } from '../policy/model.ts';

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

export function evaluateCore(cp: CompiledPolicy, ey: EnterpriseYear, asOf: string, records?: ClaimRecord[]): number {
  let total = 0;
  const claims = ey.claims;
  const year = ey.year;
  const yearInPeriod = year >= cp.fromYear && year <= cp.toYear;
  // Accumulators of the current incentive; claims are sorted by incentive, so they reset on change.
  let current = -1;
  let usedYear = 0;
  let usedTotal = 0;
  let usedByItem: Map<string, number> | undefined;
  let usedByEvent: Map<string, number> | undefined;
  let offsetByGroup: Map<string, number> | undefined;

  for (let i = 0; i < claims.length; i++) {
    const c = claims[i];
    const ci = cp.incentives[c.incentiveIndex];
    const def = ci.def;
    if (c.incentiveIndex !== current) {
      current = c.incentiveIndex;
      usedYear = 0;
      usedTotal = 0;
      usedByItem = undefined;
      usedByEvent = undefined;
      offsetByGroup = undefined;
    }
    let status: Status = 'eligible';
    let code: ReasonCode | undefined;
    let detail = -1;
    let raw = 0;
    let amount = 0;
    let city = 0;
    let cityOffset = 0;
    let prior = 0;
    let eventPrior = 0;
    // Most claims are cut by no cap: share one empty list instead of allocating one per claim.
    let capsApplied: ClaimRecord['capsApplied'] = NO_CAPS;

    if (c.date !== undefined ? c.date < cp.effectiveFrom || c.date > cp.effectiveTo : !yearInPeriod) {
      status = 'notEligible';
      code = 'outside_period';
    } else if (c.date !== undefined && c.date > asOf) {
      status = 'notEligible';
      code = 'after_as_of';
    } else {
      raw = ci.fn(c.facts, c.amountFen, year);
      if (raw < 0) {
        status = 'notEligible';
        if (raw === CODE_AMOUNT_REQUIRED) code = 'amount_required';
        else if (raw <= CODE_BAD_CATEGORY) (code = 'unknown_category'), (detail = CODE_BAD_CATEGORY - raw);
        else if (raw <= CODE_MISSING) (code = 'missing_fact'), (detail = CODE_MISSING - raw);
        else (code = 'condition_failed'), (detail = -1 - raw);
        raw = 0;
      } else if (def.kind === 'caseByCase' || def.kind === 'amountNotSet') {
        status = STATUS_BY_KIND[def.kind];
      } else {
        amount = raw;
        const item = c.item;
        const once = def.once;
        // One award per event: the event of this claim within the run (one year) is its item, or the enterprise.
        const eventKey = once === 'item' || once === 'itemYear' ? (item ?? '') : '';
        // Earlier awards under this policy (district level) and same-kind city awards (就高不重复).
        let priorYear = 0;
        let priorTotal = 0;
        let priorItem = 0;
        let priorYears = 0;
        let priorOffset = 0;
        if (ey.priorAwards.length) {
          const years = new Set<number>();
          for (const a of ey.priorAwards) {
            if (a.incentive !== def.id) continue;
            const sameKind = a.year === year && (item === undefined || a.item === item);
            if (a.level === 'city') {
              if (sameKind) city += a.amountFen;
              continue;
            }
            // Caps count the district entitlement before a city award was set off against it (gross).
            const offset = a.cityOffsetFen ?? 0;
            const gross = a.amountFen + offset;
            if (sameKind) priorOffset += offset;
            priorTotal += gross;
            if (a.year === year) priorYear += gross;
            if (item !== undefined && a.item === item) priorItem += gross;
            if (a.year !== year && gross > 0) years.add(a.year);
            if (
              once !== undefined &&
              (once === 'enterprise' || (once === 'enterpriseYear' ? a.year === year : once === 'item' ? a.item === item : a.year === year && a.item === item))
            ) {
              eventPrior += gross;
            }
          }
          priorYears = years.size;
        }
        // The earlier awards this claim's limits count, so that the figure agrees with the caps beside it: a claim
        // for an item (a project, a plot, a trademark) is limited by that item's awards only — other items' awards
        // are not "already received for this"; otherwise yearly limits count the year, the rest the whole period.
        prior = priorTotal === 0 ? 0 : item !== undefined ? priorItem : def.caps.length > 0 && def.caps.every((k) => k.scope === 'enterpriseYear') ? priorYear : priorTotal;
        const itemUsed = item !== undefined && usedByItem ? (usedByItem.get(item) ?? 0) : 0;

        if (once !== undefined) {
          // What was already awarded for the same event (earlier decisions, earlier claims of this run) is deducted
          // from the event's entitlement. A capped claim's amount is its own ask, not the event's whole entitlement,
          // so a second one for the same event is refused outright.
          eventPrior += usedByEvent?.get(eventKey) ?? 0;
          if (eventPrior > 0 && amount > 0) {
            if (def.kind === 'cappedClaim' || eventPrior >= amount) code = 'already_awarded';
            else amount -= eventPrior;
          }
        }
        if (code) {
          // already awarded for this event
        } else if (def.maxYears !== undefined && priorYears >= def.maxYears) {
          // Awarded in maxYears other years already (measure 10: 最长不超过三年); this year's claims share one year.
          code = 'max_years_reached';
        } else {
          for (let k = 0; k < def.caps.length; k++) {
            const cap = def.caps[k];
            const limit = valueFor(cap.amountFen, c.facts);
            if (limit === undefined) continue; // the fact that selects the cap was checked by the rate already
            const used =
              cap.scope === 'claim' ? 0 : cap.scope === 'item' ? priorItem + itemUsed : cap.scope === 'enterpriseYear' ? priorYear + usedYear : priorTotal + usedTotal;
            const room = limit - used > 0 ? limit - used : 0;
            if (amount > room) {
              if (capsApplied === NO_CAPS) capsApplied = [];
              capsApplied.push({ index: k, scope: cap.scope, limitFen: limit, usedBeforeFen: used, roomFen: room });
              amount = room;
            }
          }
          if (amount === 0) code = capsApplied.length ? 'cap_exhausted' : 'zero_amount';
        }
        if (code) amount = 0;
        const gross = amount;
        if (!code && city > 0 && def.highestNotBoth) {
          // 就高不重复: the enterprise gets the higher of the two levels, never both. topUp sets the city award off
          // against the district entitlement once per year and item, across claims and earlier decisions.
          const groupKey = item ?? '';
          const usedOffset = priorOffset + (offsetByGroup?.get(groupKey) ?? 0);
          if (cp.overlapMode === 'topUp') {
            const left = city - usedOffset > 0 ? city - usedOffset : 0;
            cityOffset = amount < left ? amount : left;
            amount -= cityOffset;
            offsetByGroup ??= new Map();
            offsetByGroup.set(groupKey, (offsetByGroup.get(groupKey) ?? 0) + cityOffset);
          } else if (city >= amount) {
            cityOffset = amount;
            amount = 0;
          }
          if (amount === 0) code = 'city_award_higher';
        }
        if (code) status = 'notEligible';
        usedYear += gross;
        usedTotal += gross;
        // Recorded only when another claim of this incentive follows: most enterprise-years claim an incentive once,
        // and a Map per enterprise-year was measurable on the hot path.
        if (once !== undefined && gross > 0 && i + 1 < claims.length && claims[i + 1].incentiveIndex === current) {
          usedByEvent ??= new Map();
          usedByEvent.set(eventKey, (usedByEvent.get(eventKey) ?? 0) + gross);
        }
        if (item !== undefined && gross > 0) {
          usedByItem ??= new Map();
          usedByItem.set(item, itemUsed + gross);
        }
        total += amount;
      }
    }
    if (records) records.push({ claim: c, status, code, detail, rawFen: raw, amountFen: amount, capsApplied, cityAwardFen: city, cityOffsetFen: cityOffset, priorFen: prior, eventPriorFen: eventPrior });
  }
  return total;
}
