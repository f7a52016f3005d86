// Every number once: a label, formula text or summary that states a number the rule does not hold is refused by
// `policy check` with its file and line; the texts may state the rule's values and its chosen readings' numbers.
import { describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { numbersNotOfRule, ruleNumbers, statedNumbers } from './numbers.ts';
import { loadPolicy, POLICIES_DIR } from './load.ts';

const WAN = 1_000_000;

describe('the numbers a text states', () => {
  it('reads money in 万元, 亿元, 元 and in English, and percentages, but not US dollars or areas', () => {
    const money = (t: string) => statedNumbers(t).map((n) => (n.kind === 'money' ? n.fen : `${n.value}`));
    expect(money('设备投入2000万元以上，最高1000万元、1亿元、200元/平方米')).toEqual([2000 * WAN, 1000 * WAN, 10_000 * WAN, 20_000]);
    expect(money('年销售收入超过2000万')).toEqual([2000 * WAN]);
    expect(money('at most 10M / 8M / 6M yuan, or 200,000 yuan')).toEqual([1000 * WAN, 800 * WAN, 600 * WAN, 20 * WAN]);
    expect(money('年到账外资金额超过1亿美元，新建1000平方米')).toEqual([]);
    expect(money('先导产业12%、其他6%')).toEqual(['0.12', '0.06']);
  });
});

describe('policy check refuses a stale number', () => {
  it('accepts the policy as it is', () => {
    const p = loadPolicy();
    const m16 = p.incentivesById.get('equipment-investment')!;
    expect(numbersNotOfRule(m16.conditions[0].label, ruleNumbers(m16))).toEqual([]);
  });

  it('names the file and line of a label left at 2000万元 after the value became 3000万元', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'kaifang-numbers-')), 'policy');
    cpSync(join(POLICIES_DIR, 'wujiang-2020-open'), dir, { recursive: true });
    const file = join(dir, 'measures/16-equipment-investment.yaml');
    const text = readFileSync(file, 'utf8');
    const changed = text.replace(/(fact: equipmentInvestment\n(?:.*\n)*? {8}value: )2000万元/, '$13000万元');
    expect(changed).not.toBe(text);
    writeFileSync(file, changed);
    const labelLine = changed.split('\n').findIndex((l) => l.includes('label: 当年度单个项目设备投入2000万元以上')) + 1;
    const bin = fileURLToPath(new URL('../../bin/kaifang.js', import.meta.url));
    let out = '';
    try {
      execFileSync(process.execPath, [bin, 'policy', 'check', '--policy', dir], { encoding: 'utf8', stdio: 'pipe' });
    } catch (e) {
      out = String((e as { stderr?: string; stdout?: string }).stderr ?? '') + String((e as { stdout?: string }).stdout ?? '');
    }
    expect(out).toContain(`measures/16-equipment-investment.yaml:${labelLine}: incentives.0.conditions.0.label states 2000万元`);
    // the summary says 2000万元 too, and is refused on its own line
    expect(out).toMatch(/16-equipment-investment\.yaml:\d+: incentives\.0\.summary states 2000万元/);
  }, 60_000);
});
