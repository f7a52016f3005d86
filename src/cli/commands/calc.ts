// kaifang calc FILE|- [--json] [--as-of DATE] [--policy ID]: what one enterprise-year is entitled to, and why.
import type { Command } from 'commander';
import { Engine } from '../../engine/index.ts';
import { KaifangError } from '../../errors.ts';
import { CliError } from '../cli-error.ts';
import { readFactsFile } from '../read-input.ts';
import { renderError, renderResult } from '../format.ts';

export function register(program: Command) {
  program
    .command('calc')
    .description('计算一个企业年度可享受的奖励及理由 / compute the entitlements of one enterprise-year')
    .argument('<file>', 'facts file (YAML or JSON), or - for stdin')
    .option('--json', 'print the machine-readable result')
    .option('--as-of <date>', 'as-of date YYYY-MM-DD (default: today in Asia/Shanghai)')
    .option('--policy <id>', 'policy id or folder', 'wujiang-2020-open')
    .option('--no-explain', 'leave out explanations in --json output')
    .action((file: string, opts: { json?: boolean; asOf?: string; policy: string; explain: boolean }) => {
      const input = readFactsFile(file);
      const engine = Engine.load(opts.policy);
      try {
        const result = engine.evaluate(input, { asOf: opts.asOf, explain: opts.explain || !opts.json });
        process.stdout.write(opts.json ? JSON.stringify(result, null, 2) + '\n' : renderResult(result));
      } catch (e) {
        if (e instanceof KaifangError) {
          if (opts.json) {
            process.stderr.write(JSON.stringify(errorJson(e), null, 2) + '\n');
            throw new CliError('', 1);
          }
          throw new CliError(renderError(e), 1);
        }
        throw e;
      }
    });
}

export function errorJson(e: KaifangError) {
  const errors = 'errors' in e ? (e as unknown as { errors: KaifangError[] }).errors : [e];
  return { code: e.code, errors: errors.map((x) => ({ code: x.code, path: x.path, zh: x.messageZh, en: x.messageEn })) };
}
