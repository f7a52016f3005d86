// Readings switch: every reading a rule lists is wired to a value, flipping its choice in interpretations.yaml
// changes the amounts the examples written for that option say it should, and the loader refuses a reading that
// nothing uses or a rule whose listed reading switches nothing.
import { describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../engine/index.ts';
import { exampleFiles, readExampleFile, readingCoverage, runCase, type ExampleCase } from './examples.ts';
import { PolicyLoadError, loadPolicy, POLICIES_DIR } from './load.ts';

const SOURCE = join(POLICIES_DIR, 'wujiang-2020-open');
const base = Engine.load();

/** A copy of the policy folder whose interpretations.yaml is edited by `edit`. */
function copyWith(edit: (files: { read: (f: string) => string; write: (f: string, text: string) => void }) => void): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'kaifang-readings-')), 'policy');
  cpSync(SOURCE, dir, { recursive: true });
  edit({ read: (f) => readFileSync(join(dir, f), 'utf8'), write: (f, text) => writeFileSync(join(dir, f), text) });
  return dir;
}

/** interpretations.yaml with the choice of one reading replaced, as a person would edit it. */
function flip(text: string, id: string, option: string): string {
  const start = text.indexOf(`  - id: ${id}\n`);
  const end = text.indexOf('\n  - id: ', start + 1);
  const block = text.slice(start, end < 0 ? undefined : end);
  const flipped = block.replace(/\n {4}choice: [a-z0-9-]+\n/, `\n    choice: ${option}\n`);
  expect(flipped, `${id} has a choice line to flip`).not.toBe(block);
  return text.slice(0, start) + flipped + (end < 0 ? '' : text.slice(end));
}

function casesUnder(id: string, option: string): Array<{ file: string; c: ExampleCase }> {
  return exampleFiles(base).flatMap((file) => {
    const cases = readExampleFile(file);
    return typeof cases === 'string' ? [] : cases.filter((c) => c.readings?.[id] === option).map((c) => ({ file, c }));
  });
}

const open = [...base.policy.interpretations.values()].filter((i) => !i.structural && base.policy.incentives.some((r) => r.interpretations.includes(i.id)));

describe('every reading switches', () => {
  it('covers every open reading with a worked example under each option not chosen', () => {
    expect(readingCoverage(base)).toEqual([]);
    expect(open.length).toBeGreaterThanOrEqual(15);
  });

  for (const reading of open) {
    for (const option of reading.options.filter((o) => o.key !== reading.choice)) {
      it(`${reading.id}: choosing ${option.key} in interpretations.yaml gives what its examples say, and changes them`, () => {
        const dir = copyWith((f) => f.write('interpretations.yaml', flip(f.read('interpretations.yaml'), reading.id, option.key)));
        const flipped = new Engine(loadPolicy(dir));
        expect(flipped.policy.choices[reading.id]).toBe(option.key);
        const cases = casesUnder(reading.id, option.key);
        expect(cases.length).toBeGreaterThan(0);
        for (const { file, c } of cases) {
          // under the flipped file the case's readings are the policy's own: it runs on the flipped engine itself
          const outcome = runCase(flipped, file, c);
          expect(outcome.problems, `${c.name}`).toEqual([]);
        }
        // the same cases with the old choice: at least one amount differs, so the reading is not dead
        const under = cases.map(({ file, c }) => runCase(base, file, { ...c, readings: undefined }));
        expect(under.some((o) => !o.ok)).toBe(true);
      });
    }
  }

  it('switches the targets too: the default deadline and measure 4 clusters', () => {
    const dir = copyWith((f) => {
      let t = flip(f.read('interpretations.yaml'), 'target-deadline-default', 'goal-year');
      t = flip(t, 'm4-four-pillar-clusters', 'one-combined');
      f.write('interpretations.yaml', t);
    });
    const p = loadPolicy(dir);
    const m4 = p.targets.find((t) => t.id === 'm4-four-pillar-clusters')!;
    expect(m4).toMatchObject({ value: 1, deadline: '2022-12-31' });
    // a target whose text gives a date keeps it
    expect(p.targets.find((t) => t.id === 'm25-clearance-time-cut-2020')!.deadline).toBe('2020-12-31');
    expect(base.policy.targets.find((t) => t.id === 'm4-four-pillar-clusters')).toMatchObject({ value: 4, deadline: '2020-12-31' });
  });
});

describe('policy check refuses dead readings', () => {
  const problemsOf = (dir: string) => {
    try {
      loadPolicy(dir);
      return [];
    } catch (e) {
      if (!(e instanceof PolicyLoadError)) throw e;
      return e.problems.map((p) => `${p.file.split('/').slice(-2).join('/')}:${p.line}: ${p.message}`);
    }
  };

  it('refuses a rule that lists a reading nothing in it switches (measure 16 hard-coding >=)', () => {
    const dir = copyWith((f) => {
      const m = f.read('measures/16-equipment-investment.yaml');
      f.write('measures/16-equipment-investment.yaml', m.replace(/op: \{ reading: threshold-inclusive[^}]*\} \}/, "op: '>='"));
    });
    const problems = problemsOf(dir);
    expect(problems).toContainEqual(expect.stringMatching(/measures\/16-equipment-investment\.yaml:\d+: lists the reading "threshold-inclusive" but nothing in it switches/));
    expect(problems).toContainEqual(expect.stringMatching(/interpretations\.yaml:\d+: reading "threshold-inclusive" is used by nothing/));
  });

  it('refuses a use that every option gives the same value, and one that forgets an option', () => {
    const dir = copyWith((f) => {
      const m = f.read('measures/18-land.yaml');
      f.write('measures/18-land.yaml', m.replace('values: { once-per-plot: item, per-claim: null }', 'values: { once-per-plot: item, per-claim: item }'));
      const m16 = f.read('measures/16-equipment-investment.yaml');
      f.write('measures/16-equipment-investment.yaml', m16.replace("values: { inclusive: '>=', exclusive: '>' }", "values: { inclusive: '>=' }"));
    });
    const problems = problemsOf(dir);
    expect(problems).toContainEqual(expect.stringMatching(/18-land\.yaml:\d+: "m18-once-per-plot" cannot switch this value: every option gives "item"/));
    expect(problems).toContainEqual(expect.stringMatching(/16-equipment-investment\.yaml:\d+: "threshold-inclusive": say what option\(s\) exclusive mean here/));
  });

  it('accepts a reading marked structural with its reason, and refuses one that is structural yet used', () => {
    expect(base.policy.interpretations.get('m14-fdi-paid-in')!.structural).toMatch(/figure/);
    const dir = copyWith((f) => {
      const t = f.read('interpretations.yaml');
      f.write('interpretations.yaml', t.replace('  - id: m18-once-per-plot\n', '  - id: m18-once-per-plot\n    structural: not really\n'));
    });
    expect(problemsOf(dir)).toContainEqual(expect.stringMatching(/18-land\.yaml:\d+: uses the reading "m18-once-per-plot", which interpretations\.yaml marks structural/));
  });

  it('refuses an example reading that does not exist', () => {
    const outcome = runCase(base, 'x.yaml', { name: 'bad', readings: { 'threshold-inclusive': 'sometimes' }, facts: { year: 2020 } });
    expect(outcome.ok).toBe(false);
    expect(outcome.problems.join()).toMatch(/has no option "sometimes"/);
  });
});
