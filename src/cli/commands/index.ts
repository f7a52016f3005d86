// One line per sub-command module. Each module exports `register(program)`.
import type { Command } from 'commander';
import { register as calc } from './calc.ts';
import { register as policy } from './policy.ts';
import { register as audit } from './audit.ts';
import { register as deadline } from './deadline.ts';
import { register as cases } from './cases.ts';
import { register as serve } from './serve.ts';
import { register as data } from './data.ts';

export const commands: Array<(program: Command) => void> = [
  calc,
  policy,
  audit,
  deadline,
  cases,
  serve,
  data,
];
