// The encoded Wujiang 2020 policy: it loads cleanly, covers every measure and every quantified incentive of the
// text, and every worked example in policies/wujiang-2020-open/examples/ gives what the example says.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, cpSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../engine/index.ts';
import { exampleFiles, runExampleFile } from './examples.ts';
import { PolicyLoadError, loadPolicy, POLICIES_DIR } from './load.ts';

const engine = Engine.load();
const policy = engine.policy;

describe('the Wujiang 2020 policy as data', () => {
  it('has all 6 sections and all 30 measures, each with its lead and responsible units', () => {
    expect(policy.meta.sections).toHaveLength(6);
    expect(policy.measures.map((m) => m.measure)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    for (const m of policy.measures) expect(m.leadUnit !== null || m.responsibleUnits.length > 0).toBe(true);
  });

  it('is in force 2020-01-01 to 2020-12-31', () => {
    expect(policy.meta.effective).toEqual({ from: '2020-01-01', to: '2020-12-31' });
  });

  it('encodes every quantified incentive the text names', () => {
    const byMeasure = (n: number) => policy.incentives.filter((i) => i.measure === n);
    const fixed = (n: number) => byMeasure(n).flatMap((i) => [...(i.fixed ? (i.fixed.kind === 'const' ? [i.fixed.value] : Object.values(i.fixed.values)) : []), ...i.caps.flatMap((c) => (c.amountFen.kind === 'const' ? [c.amountFen.value] : Object.values(c.amountFen.values)))]);
    const WAN = 1_000_000;
    expect(fixed(7)).toEqual(expect.arrayContaining([50 * WAN, 30 * WAN, 10 * WAN]));
    // the STAR Market extra is part of the one listing award: 700万元, on the STAR Market 700万 + 100万
    expect(fixed(8)).toEqual(expect.arrayContaining([700 * WAN, (700 + 100) * WAN, 500 * WAN]));
    expect(fixed(9)).toEqual(expect.arrayContaining([10_000 * WAN]));
    expect(fixed(10)).toEqual(expect.arrayContaining([200 * WAN, 300 * WAN]));
    expect(fixed(11)).toEqual(expect.arrayContaining([5000 * WAN, 1000 * WAN, 100 * WAN, 50 * WAN, 200 * WAN]));
    expect(fixed(12)).toEqual(expect.arrayContaining([200 * WAN, 100 * WAN, 300 * WAN]));
    expect(fixed(14)).toEqual(expect.arrayContaining([1000 * WAN, 200 * WAN]));
    expect(fixed(16)).toEqual(expect.arrayContaining([1000 * WAN, 800 * WAN, 600 * WAN]));
    expect(byMeasure(18).some((i) => i.kind === 'formula')).toBe(true);
    expect(byMeasure(20).some((i) => i.kind === 'caseByCase')).toBe(true);
    expect(byMeasure(15).some((i) => i.kind === 'amountNotSet')).toBe(true);
    expect(byMeasure(12).some((i) => i.kind === 'amountNotSet')).toBe(true); // PCT / Madrid: 一定奖励
    expect(policy.incentives.some((i) => i.measure === null && i.kind === 'caseByCase')).toBe(true); // 附则2
  });

  it('takes every open reading from interpretations.yaml', () => {
    for (const inc of policy.incentives) for (const id of inc.interpretations) expect(policy.interpretations.has(id)).toBe(true);
    expect(policy.reading('overlap-city-award-settlement')).toBe('topUp');
  });

  it('has targets for the 2022 goals', () => {
    expect(policy.targets.length).toBeGreaterThanOrEqual(15);
  });
});

describe('a bad policy file fails with the file, the line and what is wrong', () => {
  const copy = () => {
    const dir = mkdtempSync(join(tmpdir(), 'kaifang-policy-'));
    cpSync(join(POLICIES_DIR, 'wujiang-2020-open'), dir, { recursive: true });
    return dir;
  };
  it('reports a wrong type with its line', () => {
    const dir = copy();
    const file = join(dir, 'measures', '16-equipment-investment.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('measure: 16', 'measure: sixteen'));
    try {
      loadPolicy(dir);
      throw new Error('expected a failure');
    } catch (e) {
      expect(e).toBeInstanceOf(PolicyLoadError);
      expect((e as Error).message).toMatch(/16-equipment-investment\.yaml:2: measure:/);
    }
  });
  it('reports a clause that is not verbatim, an unknown fact and an unknown reading', () => {
    const dir = copy();
    const file = join(dir, 'measures', '16-equipment-investment.yaml');
    writeFileSync(
      file,
      readFileSync(file, 'utf8')
        .replace('其他产业奖励6%。三类产业', '其他产业奖励7%。三类产业')
        .replace('fact: equipmentInvestment', 'fact: equipmentInvestmnt')
        .replace('interpretations: [', 'interpretations: [no-such-reading, '),
    );
    const msg = (() => {
      try {
        loadPolicy(dir);
        return '';
      } catch (e) {
        return (e as Error).message;
      }
    })();
    expect(msg).toMatch(/not verbatim/);
    expect(msg).toMatch(/unknown fact "equipmentInvestmnt"/);
    expect(msg).toMatch(/unknown interpretation "no-such-reading"/);
  });
  it('reports YAML syntax errors with their line', () => {
    const dir = copy();
    writeFileSync(join(dir, 'targets.yaml'), 'targets:\n  - id: x\n   bad: [\n');
    expect(() => loadPolicy(dir)).toThrow(/targets\.yaml:\d+: YAML syntax/);
  });
});

describe('worked examples', () => {
  const files = exampleFiles(engine);
  it('exist for the payable incentives', () => {
    expect(files.length).toBeGreaterThan(0);
  });
  for (const file of files) {
    describe(file.split('/').pop()!, () => {
      for (const outcome of runExampleFile(engine, file)) {
        it(outcome.name, () => {
          expect(outcome.problems).toEqual([]);
        });
      }
    });
  }
});
