// @vitest-environment node
// English mode shows no raw enum value: every value the policy declares has an English label in the catalogue.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import factsYaml from '../../../policies/wujiang-2020-open/facts.yaml?raw';
import interpretationsYaml from '../../../policies/wujiang-2020-open/interpretations.yaml?raw';
import type { FactDecl } from '../api/types';
import { enumLabel } from '../lib/factForm';
import { translate } from './index';
import { messages, type MessageKey } from './messages';

const facts = (parse(factsYaml) as { facts: FactDecl[] }).facts;

describe('the message catalogue', () => {
  it('labels every enum value of facts.yaml in English, and agrees with the policy in Chinese', () => {
    const enums = facts.filter((f) => f.type === 'enum');
    expect(enums.length).toBeGreaterThan(5);
    for (const f of enums)
      for (const v of f.values ?? []) {
        const pair = (messages as Record<string, readonly [string, string]>)[`enum.${f.name}.${v}`];
        expect(pair, `enum.${f.name}.${v}`).toBeDefined();
        expect(pair[0]).toBe(f.valueLabels?.[v]);
        expect(enumLabel(f, v, 'en')).toBe(pair[1]);
        expect(enumLabel(f, v, 'zh')).toBe(f.valueLabels?.[v]);
      }
    const industry = facts.find((f) => f.name === 'industryClass')!;
    expect(enumLabel(industry, 'leading', 'en')).toBe('leading industry');
  });

  it('names the 就高不重复 reading the policy chose, in both languages', () => {
    const doc = parse(interpretationsYaml) as { interpretations: Array<{ id: string; options?: Array<{ value?: unknown }> }> };
    const overlap = doc.interpretations.find((i) => i.id === 'overlap-city-award-settlement')!;
    for (const o of overlap.options ?? []) {
      const key = `overlap.${String(o.value)}` as MessageKey;
      expect(messages[key], key).toBeDefined();
      expect(translate('en', key)).not.toMatch(/[\u4e00-\u9fff]/);
    }
  });

  it('the policy pages speak English in English: no Chinese left in their messages (万元 aside, a unit people use)', () => {
    // other pages may quote Chinese on purpose (a document number as an example); these pages have no reason to
    const prefixes = ['status.', 'verdict.', 'enum.', 'unit.', 'overlap.', 'kind.', 'calc.', 'profile.', 'exp.', 'policy.'];
    const keys = Object.keys(messages).filter((k) => prefixes.some((p) => k.startsWith(p)));
    expect(keys.length).toBeGreaterThan(100);
    for (const k of keys) {
      const [zh, en] = messages[k as MessageKey];
      expect(zh, k).not.toBe('');
      expect(en.replace(/万元/g, ''), k).not.toMatch(/[\u4e00-\u9fff]/);
    }
  });
});
