/**
 * End-to-end harness: the real server (`kaifang serve --demo`) on a fresh embedded database in a temporary
 * folder, the built web app, and Debian's Chromium driven by playwright-core.
 *
 * Without /usr/bin/chromium the browser suites skip with a message, unless KAIFANG_REQUIRE_BROWSER=1 (CI),
 * where a missing browser is a failure.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The longest a browser test waits for one visible result (KAIFANG_E2E_WAIT_MS; default 30 s). */
export const E2E_WAIT_MS = Number(process.env.KAIFANG_E2E_WAIT_MS) || 30_000;
export const CHROMIUM = process.env.KAIFANG_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOTS = path.join(ROOT, 'artifacts', 'screenshots');

/** Whether the browser suites can run here; throws when CI demands a browser and there is none. */
export function browserAvailable(suite: string): boolean {
  if (existsSync(CHROMIUM)) return true;
  const missing = `no browser at ${CHROMIUM} (install it with: apt-get install -y chromium, or set KAIFANG_CHROMIUM)`;
  if (process.env.KAIFANG_REQUIRE_BROWSER === '1') throw new Error(`[e2e] ${suite}: ${missing}; KAIFANG_REQUIRE_BROWSER=1 requires the browser tests to run`);
  console.warn(`[e2e] ${suite}: skipped — ${missing}`);
  return false;
}

// ── The web build ─────────────────────────────────────────────────────────────────────────────────────
function newestMtime(p: string): number {
  const st = statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let m = st.mtimeMs;
  for (const e of readdirSync(p)) m = Math.max(m, newestMtime(path.join(p, e)));
  return m;
}

/** Build web/dist once when it is missing or older than its sources; concurrent suites wait for one build. */
export async function ensureWebBuild(): Promise<void> {
  const web = path.join(ROOT, 'web');
  const index = path.join(web, 'dist', 'index.html');
  const sources = Math.max(newestMtime(path.join(web, 'src')), newestMtime(path.join(web, 'index.html')), newestMtime(path.join(web, 'vite.config.ts')));
  const fresh = () => existsSync(index) && statSync(index).mtimeMs >= sources;
  if (fresh()) return;
  const lock = path.join(tmpdir(), 'kaifang-web-build.lock');
  for (let waited = 0; ; waited += 500) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // a build killed half-way leaves its lock behind: older than 5 minutes is stale
      try {
        if (Date.now() - statSync(lock).mtimeMs > 300_000) rmSync(lock, { recursive: true, force: true });
      } catch {
        /* gone meanwhile */
      }
      if (waited > 180_000) throw new Error(`another web build holds ${lock} for over 3 minutes; remove it if no build is running`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    if (fresh()) return;
    // vitest sets NODE_ENV=test, which would make Vite build React's development bundle
    const r = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', path.join(web, 'vite.config.ts'), '--logLevel', 'warn'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, NODE_ENV: 'production' },
    });
    if (r.status !== 0) throw new Error(`web build failed (npm run build:web):\n${r.stdout}\n${r.stderr}`);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

// ── The server ────────────────────────────────────────────────────────────────────────────────────────
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface RunningServer {
  baseUrl: string;
  /** the password of every demo account, as the server printed it */
  demoPassword: string;
  dataDir: string;
  /** what the server printed, for failure messages */
  output: () => string;
  stop: () => Promise<void>;
}

/**
 * `kaifang serve` in a child process. `databaseUrl`: a PostgreSQL server database for it (several servers can
 * share one); otherwise the environment's DATABASE_URL, or else PGlite in a fresh temporary folder.
 */
export async function startServer(opts: { demo?: boolean; timeoutMs?: number; databaseUrl?: string } = {}): Promise<RunningServer> {
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'kaifang-e2e-'));
  const args = [path.join(ROOT, 'bin', 'kaifang.js'), 'serve', '--port', String(port), '--host', '127.0.0.1', '--data-dir', dataDir];
  if (opts.demo !== false) args.splice(2, 0, '--demo');
  let out = '';
  const env = { ...process.env, NODE_ENV: 'test', ...(opts.databaseUrl ? { DATABASE_URL: opts.databaseUrl } : {}) };
  const child: ChildProcess = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  let exited: number | null = null;
  child.on('exit', (code) => (exited = code ?? -1));
  const baseUrl = `http://127.0.0.1:${port}`;

  const stop = async () => {
    if (exited === null) {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(timer);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + (opts.timeoutMs ?? 90_000);
  for (;;) {
    if (exited !== null) {
      await stop();
      throw new Error(`kaifang serve exited (${exited}) before it was ready:\n${out}`);
    }
    try {
      const res = await fetch(`${baseUrl}/api/health`);
      if (res.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`kaifang serve did not answer /api/health within ${(opts.timeoutMs ?? 90_000) / 1000}s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  // the seed prints the demo password once; the constant is the fallback for a quiet seed
  const demoPassword = /password of every demo account[^:]*:\s*(\S+)/.exec(out)?.[1] ?? 'kaifang2020!';
  return { baseUrl, dataDir, demoPassword, output: () => out, stop };
}

// ── The browser ───────────────────────────────────────────────────────────────────────────────────────
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export const DESKTOP = { width: 1366, height: 768 };
export const PHONE = { width: 390, height: 844 };

export interface Tab {
  context: BrowserContext;
  page: Page;
  /** uncaught exceptions in the page: a test should end with none */
  pageErrors: string[];
}

/** A fresh browser context (own cookies) at the given viewport, collecting uncaught page errors. */
export async function openTab(browser: Browser, baseUrl: string, viewport = DESKTOP): Promise<Tab> {
  const context = await browser.newContext({ baseURL: baseUrl, viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', deviceScaleFactor: 1 });
  const page = await context.newPage();
  // What a person waits for, on a shared 2-core machine that may be running every other suite at once (CI runs them
  // together): a step that takes longer than this is a failure, not a slow pass. Waits are for visible results only.
  page.setDefaultTimeout(E2E_WAIT_MS);
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  return { context, page, pageErrors };
}

/** Save a full-page screenshot as artifacts/screenshots/<name>.png (gitignored; kept as a CI artifact). */
export async function screenshot(page: Page, name: string, opts: { fullPage?: boolean } = {}): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  // from the top, so the sticky header sits where a person sees it
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: file, fullPage: opts.fullPage ?? true, animations: 'disabled' });
  return file;
}

// ── Waiting for what a person would see (vitest's expect has no locator matchers) ─────────────────────
/** Wait until the first match is visible. */
export async function see(l: Locator, timeout?: number): Promise<void> {
  await l.first().waitFor({ state: 'visible', timeout });
}

/** Wait until nothing matches. */
export async function gone(l: Locator, timeout?: number): Promise<void> {
  await l.first().waitFor({ state: 'detached', timeout });
}

/** Wait until the element's visible text contains `want`; fails showing the text it had. */
export async function waitForText(l: Locator, want: string | RegExp, timeout = E2E_WAIT_MS): Promise<string> {
  const deadline = Date.now() + timeout;
  let last = '';
  for (;;) {
    try {
      last = await l.first().innerText({ timeout: Math.max(1, deadline - Date.now()) });
      if (typeof want === 'string' ? last.includes(want) : want.test(last)) return last;
    } catch {
      /* not there yet */
    }
    if (Date.now() > deadline) throw new Error(`expected text ${String(want)} in ${String(l)}; it had:\n${last.slice(0, 2000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A tab signed in as `username` (its own cookies), on the page the app lands on. */
export async function signIn(browser: Browser, server: RunningServer, username: string, viewport = DESKTOP): Promise<Tab> {
  const tab = await openTab(browser, server.baseUrl, viewport);
  const { page } = tab;
  await page.goto('/login');
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(server.demoPassword);
  await page.getByRole('button', { name: /^登\s*录$/ }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
  return tab;
}

/**
 * The button (or button-looking link) with this text: antd puts a space between two Chinese characters ("通 过"), and an icon adds its
 * name in front ("check 通 过").
 */
export function button(scope: Page | Locator, text: string): Locator {
  const re = new RegExp(`^(?:[a-z-]+ )?\\s*${[...text].map((c) => c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('\\s*')}\\s*$`);
  // a button that navigates is a link (antd renders Button with href as <a>)
  return scope.getByRole('button', { name: re }).or(scope.getByRole('link', { name: re }));
}
