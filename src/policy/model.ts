/**
 * A loaded, validated and resolved policy: readings substituted, money in fen, rates as fractions.
 * This is what the engine compiles; nothing here knows about YAML or files.
 */
import type { Fraction } from './quantities.ts';
import type { Expr } from '../engine/expr.ts';
import type { Agency, FactDecl, Interpretation, Measure, PolicyFile, Target } from './schema.ts';

/** A value that may depend on an enum fact of the enterprise (measure 16: by industry class). */
export type ByFact<T> = { kind: 'const'; value: T } | { kind: 'byFact'; fact: string; values: Record<string, T> };

export type CapScope = 'claim' | 'item' | 'enterpriseYear' | 'enterprise';

/** What one award is for (schema.ts `once`): the enterprise, its year, the item, or the item's year. */
export type OnceScope = 'enterprise' | 'enterpriseYear' | 'item' | 'itemYear';

export interface ResolvedCondition {
  /** a fact name, or an arithmetic expression over facts and params (e.g. `rdExpense - rdExpensePriorYear`) */
  fact: string;
  /** set when `fact` is an expression: its parsed form, and the fact whose type (unit) the expression has */
  expr?: Expr;
  unitFact?: string;
  op: '>=' | '>' | '<=' | '<' | '==' | '!=' | 'in' | 'isTrue' | 'includesYears';
  /** money in fen, numbers, strings, string lists, booleans — already converted from the text's form */
  value: number | string | boolean | string[] | number[] | undefined;
  label: string;
  labelEn: string;
}

export interface ResolvedCap {
  scope: CapScope;
  amountFen: ByFact<number>;
  label: string;
  labelEn: string;
}

/** A rate is a fraction ("6%") or money per unit of the base ("200元" per m²). */
export type Rate = { kind: 'fraction'; value: Fraction; text: string } | { kind: 'perUnit'; fenPerUnit: number; text: string };

export interface ResolvedIncentive {
  id: string;
  measure: number | null; // null for the general provisions (附则)
  title: string;
  titleEn: string;
  clause: string;
  summary: string;
  summaryEn?: string;
  kind: 'formula' | 'fixed' | 'cappedClaim' | 'caseByCase' | 'amountNotSet';
  beneficiary: 'enterprise' | 'carrier' | 'organisation' | 'person';
  item?: { label: string; labelEn: string };
  conditions: ResolvedCondition[];
  /** the amount of a fixed incentive, possibly chosen by a fact */
  fixed?: ByFact<number>;
  /** the amount of a fixed incentive when it is one number (no fact chooses it) */
  fixedFen?: number;
  base?: string;
  rate?: ByFact<Rate>;
  params: Record<string, number>;
  formula?: string;
  formulaEn?: string;
  caps: ResolvedCap[];
  once?: OnceScope;
  /** event: the qualifying event's date (or year) must fall in the policy period; claim: an earlier event qualifies
   *  too (qualifying-event-in-period) */
  period: 'event' | 'claim';
  maxYears?: number;
  highestNotBoth: boolean;
  scanWhen?: string[];
  interpretations: string[];
  leadUnit: string | null;
}

export interface Policy {
  id: string;
  version: string;
  meta: PolicyFile;
  /** source.txt, verbatim */
  source: string;
  agencies: Map<string, Agency>;
  facts: Map<string, FactDecl>;
  measures: Measure[];
  incentives: ResolvedIncentive[];
  incentivesById: Map<string, ResolvedIncentive>;
  interpretations: Map<string, Interpretation>;
  targets: Target[];
  /** the chosen value of an interpretation, by id */
  reading(id: string): unknown;
  /** the chosen option of every interpretation (interpretations.yaml's, or the choices the policy was loaded with) */
  choices: Record<string, string>;
  /** the folder it was loaded from */
  dir: string;
  /** other YAML files of the folder that other modules read (service-limits.yaml) keyed by base name */
  extraFiles: Map<string, { path: string; text: string }>;
}
