#!/usr/bin/env node
// Build the web app (web/dist) when it is missing or older than its sources, so `npm start` on a fresh clone
// serves the real app without a separate build step, and a second start does not rebuild for nothing.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const web = path.join(root, 'web');
const index = path.join(web, 'dist', 'index.html');

function newest(p) {
  const s = statSync(p);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(s.mtimeMs, ...readdirSync(p).filter((n) => n !== 'dist' && n !== 'node_modules').map((n) => newest(path.join(p, n))));
}

const sources = [path.join(web, 'src'), path.join(web, 'index.html'), path.join(web, 'vite.config.ts')].filter(existsSync);
if (existsSync(index) && statSync(index).mtimeMs >= Math.max(...sources.map(newest))) process.exit(0);

process.stdout.write('Building the web app (web/dist)…\n');
const r = spawnSync(process.execPath, [path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', path.join(web, 'vite.config.ts'), '--logLevel', 'warn'], {
  cwd: root,
  stdio: 'inherit',
  // a test runner's NODE_ENV=test would make Vite bundle React's development build
  env: { ...process.env, NODE_ENV: 'production' },
});
process.exit(r.status ?? 1);
