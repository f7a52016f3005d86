/** Read a facts file (YAML or JSON; `-` for stdin) for the CLI. */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { CliError } from './cli-error.ts';

export function readFactsFile(file: string): unknown {
  let text: string;
  try {
    text = file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliError(`无法读取文件 ${file}：${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\ncannot read ${file}`, 2);
  }
  try {
    // YAML 1.2 is a superset of JSON; keep dates as strings so they are validated as civil dates, not parsed in UTC.
    return parse(text, { schema: 'core' });
  } catch (e) {
    throw new CliError(`${file} 不是有效的 YAML/JSON：${(e as Error).message.split('\n')[0]}\n${file} is not valid YAML/JSON`, 2);
  }
}
