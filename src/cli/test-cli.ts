/**
 * Running `kaifang` in tests: the real process (proves a command is wired into bin/kaifang.js and sets the exit
 * code) or a command module in this process (fast), both returning { code, stdout, stderr }.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { CliError } from './cli-error.ts';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

const bin = fileURLToPath(new URL('../../bin/kaifang.js', import.meta.url));

/** The real process, without DATABASE_URL so the command uses the folder or URL the test gives it. */
export function kaifangProcess(args: string[], timeoutMs = 120_000): Promise<CliRun> {
  return new Promise((resolve) => {
    const env = { ...process.env };
    delete env.DATABASE_URL;
    execFile(process.execPath, [bin, ...args], { env, timeout: timeoutMs }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** A command module run in this process, as src/cli/main.ts runs it. */
export async function runCommand(register: (program: Command) => void, args: string[]): Promise<CliRun> {
  const program = new Command().exitOverride();
  register(program);
  let stdout = '';
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string) => ((stdout += chunk), true)) as typeof process.stdout.write;
  try {
    await program.parseAsync(['node', 'kaifang', ...args]);
    return { code: 0, stdout, stderr: '' };
  } catch (e) {
    if (e instanceof CliError) return { code: e.exitCode, stdout, stderr: e.message };
    throw e;
  } finally {
    process.stdout.write = write;
  }
}
