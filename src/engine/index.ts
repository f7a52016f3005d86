/**
 * The engine's front: load + compile a policy once, then evaluate enterprise-years one at a time or in batches.
 * Knows nothing of storage or HTTP; services and faces call this.
 */
import { loadPolicy } from '../policy/load.ts';
import type { Policy } from '../policy/model.ts';
import { todayInShanghai } from '../civil-date.ts';
import { KaifangError } from '../errors.ts';
import { compilePolicy, type CompiledPolicy } from './compile.ts';
import { evaluateCore, type ClaimRecord } from './evaluate.ts';
import { toEntitlement, type Entitlement } from './explain.ts';
import { isCivilDate, isParsedEnterpriseYear, parseEnterpriseYear, type EnterpriseYear } from './facts.ts';

export type { Entitlement, Explanation, Reason } from './explain.ts';
export type { EnterpriseYear, ClaimInput, PriorAward, FactValue } from './facts.ts';
export type { Status, ReasonCode, ClaimRecord } from './evaluate.ts';

export interface EvaluationResult {
  policy: { id: string; version: string; title: string };
  year: number;
  asOf: string;
  enterprise: EnterpriseYear['enterprise'];
  /** the sum of every payable amount, integer fen */
  totalFen: number;
  entitlements: Entitlement[];
}

export interface EvaluateOptions {
  /** YYYY-MM-DD in Asia/Shanghai; defaults to today */
  asOf?: string;
  /** default true; false skips building explanations */
  explain?: boolean;
}

export class Engine {
  readonly compiled: CompiledPolicy;
  constructor(readonly policy: Policy) {
    this.compiled = compilePolicy(policy);
  }

  static load(policyId?: string): Engine {
    return new Engine(loadPolicy(policyId));
  }

  /** Validate raw facts (from YAML/JSON) into an enterprise-year; throws ValidationError naming every bad field. */
  parse(input: unknown): EnterpriseYear {
    return parseEnterpriseYear(this.policy, input);
  }

  /**
   * Evaluate raw facts (validated here) or an enterprise-year this engine's `parse` returned. Whether input is
   * already validated is known by identity (facts.ts isParsedEnterpriseYear), never guessed from its shape: JSON
   * from a request that looks parsed is validated like any other.
   */
  evaluate(input: unknown | EnterpriseYear, opts: EvaluateOptions = {}): EvaluationResult {
    const ey = isParsedEnterpriseYear(input, this.policy) ? input : this.parse(input);
    const asOf = checkAsOf(opts.asOf);
    const records: ClaimRecord[] = [];
    const totalFen = evaluateCore(this.compiled, ey, asOf, records);
    const explainIt = opts.explain !== false;
    return {
      policy: { id: this.policy.id, version: this.policy.version, title: this.policy.meta.title },
      year: ey.year,
      asOf,
      enterprise: ey.enterprise,
      totalFen,
      entitlements: records.map((r) => toEntitlement(this.compiled, r, ey.year, explainIt)),
    };
  }

  /** The hot path: the total of one parsed enterprise-year, no records, no explanations. */
  total(ey: EnterpriseYear, asOf: string): number {
    return evaluateCore(this.compiled, ey, asOf);
  }

  evaluateBatch(inputs: Array<unknown | EnterpriseYear>, opts: EvaluateOptions = {}): EvaluationResult[] {
    return inputs.map((i) => this.evaluate(i, opts));
  }
}

export function checkAsOf(asOf: string | undefined): string {
  if (asOf === undefined) return todayInShanghai();
  if (!isCivilDate(asOf)) {
    throw new KaifangError({ code: 'bad_date', path: 'asOf', zh: `计算基准日不是有效日期：${asOf}（应为 YYYY-MM-DD）`, en: `as-of date is not a real date: ${asOf} (use YYYY-MM-DD)` });
  }
  return asOf;
}
