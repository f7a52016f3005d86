/**
 * Readings (interpretations.yaml) substituted into the policy, and the record of where each one is used, so that
 * the loader can refuse a reading that nothing switches and a rule that lists a reading it cannot be switched by.
 *
 * A value written `{ reading: id }` takes the chosen option's value; `{ reading: id, values: { <option>: v } }`
 * says what each option means for this rule. A use is *switchable* when the options do not all give the same value:
 * that is what makes "a reading is changed by changing its choice" true of the rule.
 */
import type { Interpretation } from './schema.ts';

/** Where a reading is used: a rule (incentive id), or the whole policy (policy.yaml, facts.yaml, targets.yaml). */
export interface ReadingUse {
  reading: string;
  incentive?: string;
  /** which file and YAML path, for the message */
  at: unknown;
  path: (string | number)[];
  switchable: boolean;
}

export type Report = (message: string, at: unknown, path: (string | number)[]) => void;

/** Override of the choices in interpretations.yaml (a worked example's `readings:`, a reform, a test's flip). */
export type Choices = Record<string, string>;

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export function isReadingRef(v: unknown): v is { reading: string; values?: Record<string, unknown> } {
  return !!v && typeof v === 'object' && !Array.isArray(v) && typeof (v as { reading?: unknown }).reading === 'string';
}

export class Readings {
  readonly uses: ReadingUse[] = [];
  /** the interpretations with the effective choice (an override replaces `choice`) */
  readonly effective: Map<string, Interpretation>;

  constructor(
    interpretations: Map<string, Interpretation>,
    choices: Choices,
    private readonly report: Report,
    interpretationsAt: unknown,
  ) {
    this.effective = new Map();
    for (const [id, i] of interpretations) this.effective.set(id, id in choices ? { ...i, choice: choices[id] } : i);
    for (const [id, key] of Object.entries(choices)) {
      const i = interpretations.get(id);
      if (!i) report(`no reading "${id}" to choose (not in interpretations.yaml)`, interpretationsAt, ['interpretations']);
      else if (!i.options.some((o) => o.key === key)) {
        report(`reading "${id}" has no option "${key}" (options: ${i.options.map((o) => o.key).join(', ')})`, interpretationsAt, ['interpretations']);
        this.effective.set(id, i);
      }
    }
  }

  /** The chosen option's value of an interpretation. */
  value(id: string): unknown {
    const i = this.effective.get(id);
    if (!i) throw new Error(`unknown interpretation ${id}`);
    return i.options.find((o) => o.key === i.choice)!.value;
  }

  /**
   * `v` with a reading substituted (any other value is returned as it is). `incentive` names the rule that uses it
   * (undefined: policy-wide); `listed` is the rule's `interpretations`, which must name every reading it uses.
   */
  resolve(v: unknown, at: unknown, path: (string | number)[], incentive?: string, listed?: string[]): unknown {
    if (!isReadingRef(v)) return v;
    const i = this.effective.get(v.reading);
    if (!i) {
      this.report(`unknown interpretation "${v.reading}" (not in interpretations.yaml)`, at, path);
      return undefined;
    }
    if (listed && !listed.includes(i.id)) this.report(`uses the reading "${i.id}" but does not list it in interpretations`, at, path);
    if (i.structural) this.report(`uses the reading "${i.id}", which interpretations.yaml marks structural (no value switches by it)`, at, path);
    let byOption: unknown[];
    if (v.values) {
      const missing = i.options.filter((o) => !(o.key in v.values!)).map((o) => o.key);
      const extra = Object.keys(v.values).filter((k) => !i.options.some((o) => o.key === k));
      if (missing.length) this.report(`"${i.id}": say what option(s) ${missing.join(', ')} mean here`, at, [...path, 'values']);
      if (extra.length) this.report(`"${i.id}" has no option(s) ${extra.join(', ')}`, at, [...path, 'values']);
      byOption = i.options.map((o) => v.values![o.key]);
    } else byOption = i.options.map((o) => o.value);
    const switchable = byOption.some((x) => !same(x, byOption[0]));
    if (!switchable) this.report(`"${i.id}" cannot switch this value: every option gives ${JSON.stringify(byOption[0])}`, at, path);
    this.uses.push({ reading: i.id, incentive, at, path, switchable });
    const chosen = i.options.findIndex((o) => o.key === i.choice);
    return byOption[chosen];
  }

  /**
   * What nothing switches: a reading neither used nor marked structural, a structural reading that is used, and a
   * rule that lists a reading whose value nothing in it (or in the whole policy) switches by.
   */
  checkWiring(rules: Array<{ id: string; interpretations: string[]; at: unknown; path: (string | number)[] }>, interpretationsAt: unknown) {
    const policyWide = new Set(this.uses.filter((u) => u.incentive === undefined).map((u) => u.reading));
    const used = new Set(this.uses.map((u) => u.reading));
    [...this.effective.values()].forEach((i, n) => {
      if (!i.structural && !used.has(i.id)) {
        this.report(`reading "${i.id}" is used by nothing: wire it with { reading: ${i.id} } where it decides a value, or mark it structural: <why>`, interpretationsAt, ['interpretations', n, 'id']);
      }
    });
    for (const r of rules) {
      r.interpretations.forEach((id, n) => {
        const i = this.effective.get(id);
        if (!i || i.structural || policyWide.has(id)) return;
        if (!this.uses.some((u) => u.reading === id && u.incentive === r.id)) {
          this.report(`lists the reading "${id}" but nothing in it switches by it: use { reading: ${id} } where it decides a value, or do not list it`, r.at, [...r.path, 'interpretations', n]);
        }
      });
    }
  }
}
