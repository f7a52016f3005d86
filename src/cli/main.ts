// Entry point of the `kaifang` command: every sub-command lives in src/cli/commands/ and registers itself here.
import { Command } from 'commander';
import { commands } from './commands/index.ts';
import { CliError } from './cli-error.ts';

const program = new Command();
program
  .name('kaifang')
  .description('Kaifang (开放): 政策即规则 — business-incentive policy as executable, explainable rules')
  .showHelpAfterError();

for (const register of commands) register(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CliError) {
    process.stderr.write(err.message.endsWith('\n') ? err.message : err.message + '\n');
    process.exitCode = err.exitCode;
  } else {
    throw err;
  }
}
