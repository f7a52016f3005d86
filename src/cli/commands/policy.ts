// kaifang policy check | test | list: validate the encoded policy, run its worked examples, list its incentives.
import type { Command } from 'commander';
import { Engine } from '../../engine/index.ts';
import { exampleFiles, readingCoverage, runExampleFile } from '../../policy/examples.ts';
import { PolicyLoadError, loadPolicy } from '../../policy/load.ts';
import { formatFen } from '../../policy/quantities.ts';
import { CliError } from '../cli-error.ts';

const KIND_ZH = { formula: '按公式', fixed: '定额', cappedClaim: '据实申报·设上限', caseByCase: '一事一议', amountNotSet: '金额未定' } as const;

function load(id: string) {
  try {
    return new Engine(loadPolicy(id));
  } catch (e) {
    if (e instanceof PolicyLoadError) throw new CliError(e.message, 1);
    throw e;
  }
}

export function register(program: Command) {
  const policy = program.command('policy').description('政策数据：校验、样例、清单 / the encoded policy');
  policy
    .command('check')
    .description('校验政策文件 / validate every policy file')
    .option('--policy <id>', 'policy id or folder', 'wujiang-2020-open')
    .action((opts: { policy: string }) => {
      const e = load(opts.policy);
      const p = e.policy;
      // The loader refused what contradicts itself; the casebook must show every open reading's other options.
      const uncovered = readingCoverage(e);
      if (uncovered.length) throw new CliError(`policy examples do not cover every reading (${uncovered.length}):\n  ${uncovered.join('\n  ')}`, 1);
      const byKind = new Map<string, number>();
      for (const i of p.incentives) byKind.set(i.kind, (byKind.get(i.kind) ?? 0) + 1);
      process.stdout.write(
        `✔ ${p.meta.title} ${p.version}: ${p.measures.length} measures, ${p.incentives.length} incentives (` +
          [...byKind].map(([k, n]) => `${KIND_ZH[k as keyof typeof KIND_ZH]} ${n}`).join(', ') +
          `), ${p.agencies.size} agencies, ${p.facts.size} facts, ${p.targets.length} targets, ${p.interpretations.size} interpretations\n`,
      );
    });
  policy
    .command('test')
    .description('运行政策样例 / run the worked examples')
    .option('--policy <id>', 'policy id or folder', 'wujiang-2020-open')
    .action((opts: { policy: string }) => {
      const engine = load(opts.policy);
      let passed = 0;
      let failed = 0;
      for (const file of exampleFiles(engine)) {
        for (const o of runExampleFile(engine, file)) {
          if (o.ok) passed++;
          else {
            failed++;
            process.stdout.write(`✘ ${file.split('/').pop()} — ${o.name}\n${o.problems.map((p) => '    ' + p).join('\n')}\n`);
          }
        }
      }
      process.stdout.write(`${passed} passed, ${failed} failed\n`);
      if (failed) throw new CliError('', 1);
    });
  policy
    .command('list')
    .description('列出全部奖励项目 / list every incentive')
    .option('--policy <id>', 'policy id or folder', 'wujiang-2020-open')
    .action((opts: { policy: string }) => {
      const p = load(opts.policy).policy;
      for (const i of p.incentives) {
        const caps = i.caps.map((c) => (c.amountFen.kind === 'const' ? formatFen(c.amountFen.value) : Object.values(c.amountFen.values).map((v) => formatFen(v)).join('/'))).join('，');
        process.stdout.write(`措施${i.measure ?? '附则'}\t${i.id}\t${i.title}\t${KIND_ZH[i.kind]}${i.fixedFen ? ' ' + formatFen(i.fixedFen) : ''}${caps ? '\t上限 ' + caps : ''}\n`);
      }
    });
}
