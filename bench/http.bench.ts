/**
 * npm run bench:http — the platform over HTTP on loopback, with autocannon as the load generator:
 *   1. POST /api/calc (public, no database) with one synthetic enterprise-year (bench/synthetic.ts), against
 *      the in-process engine rate for the same body (Engine.evaluate with explanations) measured in this run;
 *   2. the decision path: POST /api/claims/:id/review {action:'pass'} on claims waiting for the lead department
 *      (measure 16, equipment investment): the engine recomputes against the ledger, and the decision, ledger
 *      entry, review, new state and audit record are written under the cap and budget advisory locks
 *      (src/claims/decision.ts; the audit chain sealed by the server meanwhile). Most claims are separate
 *      projects of many enterprises; some projects have several claims that together pass the per-project cap,
 *      so concurrent decisions contend on one cap and the later ones must be refused (409 cap_exceeded).
 * Both run against the real server (`kaifang serve`, a child process, so the load generator does not share its
 * event loop), once on a fresh PGlite data folder and once on a fresh PostgreSQL database (created and dropped
 * here; skipped with a message if the server cannot be reached). Afterwards the ledger is checked: no project
 * past its cap, every 200 one award, every contended project filled exactly to its cap, the audit chain intact.
 *
 * The host's limits, measured in the same run (bench/host-limits.ts), so that a figure can be told from the
 * machine it ran on: before the server starts and again after it stops, through the same driver and pool the
 * server uses, on the same scratch database (PGlite: data folder), BENCH_DECISION_CONNECTIONS callers at a time:
 *   3. a one-round-trip INSERT, and a four-round-trip transaction (BEGIN; INSERT; INSERT; COMMIT).
 * Each HTTP figure is then printed as a ratio to its limit, and its target is a ratio: decisions/s ÷ the
 * four-round-trip transactions/s (a decision is one write transaction plus its reads; both commit once), and
 * /api/calc ÷ the in-process engine rate of the same body (/api/calc touches no database: a database probe would
 * say nothing about it, while the engine rate moves with the same core speed its requests depend on).
 *
 *   BENCH_PROBE_OPS (10000)     operations in each host-limit probe (plus a tenth as warm-up)
 *
 *   BENCH_SECONDS (10)          length of the /api/calc run
 *   BENCH_CONNECTIONS (20)      concurrent connections for /api/calc
 *   BENCH_DECISION_CONNECTIONS (20)
 *   BENCH_ENTERPRISES (2500)    enterprises with separate projects (4 claims each)
 *   BENCH_CONTENDED (100)       projects with 6 claims each sharing one cap
 *   BENCH_DECISION_SECONDS (20) upper bound of the decision run (its size aims at about 8 s)
 *   BENCH_DATABASE_URL          server to create the scratch database on (default DATABASE_URL or
 *                               postgres://postgres@127.0.0.1:5432/test)
 *   BENCH_ONLY=pglite|postgres  run one database only
 *   BENCH_PARTS=calc,decisions,limits  what to run (default all; `limits` alone measures only the host)
 *   BENCH_BUDGET=1              set a budget on measure 16 (large enough for every claim): decisions then also
 *                               take the spend lock and check the budget, first come first served
 *   BENCH_SERVER_ROOT=dir       run the server from another checkout (an A/B comparison; same migrations)
 *   BENCH_CPU_PROF=dir          write the server's CPU profiles (node --cpu-prof) to dir/pglite, dir/postgres
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Engine } from '../src/engine/index.ts';
import { openDatabase, redactUrl, type OpenedDatabase } from '../src/db/open.ts';
import { migratedPGliteTemplate } from '../src/db/test-databases.ts';
import { SYSTEM_ACTOR, verifyAuditChain } from '../src/audit/audit-log.ts';
import { createEnterprise } from '../src/enterprises/enterprises.ts';
import { generateUscc, seededRandom } from '../src/enterprises/uscc.ts';
import { createUser } from '../src/identity/users.ts';
import { FAST_SECURITY, TEST_PASSWORD } from '../src/claims/fixture.ts';
import { createPlatformContext, measureIdOf } from '../src/claims/context.ts';
import { claimFactsDocument, validateClaimInput } from '../src/claims/claims.ts';
import { toJsonb, type IndustryClass } from '../src/db/schema.ts';
import { syntheticFacts } from './synthetic.ts';
import { probeHostLimits, type HostLimits, type ProbeResult } from './host-limits.ts';

// ── autocannon (CommonJS, no type declarations: the part used here, typed locally) ─────────────────────
interface AcRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  setupRequest?: (req: AcRequest, context: object) => AcRequest | null;
  onResponse?: (status: number, body: string, context: object) => void;
}
interface AcOptions {
  url: string;
  connections: number;
  pipelining?: number;
  duration?: number;
  amount?: number;
  timeout?: number;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  requests?: AcRequest[];
}
interface AcResult {
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  latency: { p50: number; p99: number; max: number };
  requests: { total: number };
  statusCodeStats: Record<string, { count: number }>;
}
type AcInstance = Promise<AcResult> & { stop(): void };
const autocannon = createRequire(import.meta.url)('autocannon') as (opts: AcOptions) => AcInstance;

// ── settings ────────────────────────────────────────────────────────────────────────────────────────
const env = (name: string, dflt: number) => {
  const v = Number(process.env[name] ?? dflt);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} must be a positive number`);
  return v;
};
const CALC_SECONDS = env('BENCH_SECONDS', 10);
const CALC_CONNECTIONS = env('BENCH_CONNECTIONS', 20);
const DECISION_CONNECTIONS = env('BENCH_DECISION_CONNECTIONS', 20);
const ENTERPRISES = env('BENCH_ENTERPRISES', 2500);
const PROJECTS_PER_ENTERPRISE = 4;
const CONTENDED = Math.min(env('BENCH_CONTENDED', 100), ENTERPRISES);
const CLAIMS_PER_CONTENDED = 6;
const DECISION_SECONDS = env('BENCH_DECISION_SECONDS', 20);
const DECISION_TARGET_SECONDS = Math.min(8, DECISION_SECONDS);
const WARMUP_DECISIONS = 200;
const PG_URL = process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const ONLY = process.env.BENCH_ONLY;
const WITH_BUDGET = process.env.BENCH_BUDGET === '1';
const PARTS = new Set((process.env.BENCH_PARTS ?? 'calc,decisions,limits').split(',').map((x) => x.trim()));
const PROBE_OPS = env('BENCH_PROBE_OPS', 10_000);
const CPU_PROF = process.env.BENCH_CPU_PROF;
/**
 * The targets as ratios to the limits measured in the same run (see the header); the absolute figures they were
 * first set as are still printed, but they pass or fail with the host. Each ratio is its absolute target
 * translated on the host it was set on (README, Benchmarks): 5,000/s against an engine rate of 25,800–27,500/s
 * there; 1,000 decisions/s against about 6,800 transactions/s there, an estimate (the probe came later): that host
 * spent 1.40 ms of CPU per decision, one measured at 3,843 transactions/s 2.47 ms (3,843 × 2.47 / 1.40).
 */
const TARGET = { calcVsEngine: 0.18, calcP99: 20, decisionsVsTx: 0.15, calcRps: 5000, decisionsPg: 1000 };

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Where the server runs from: this checkout, or another one of the same schema to compare (A/B). */
const SERVER_ROOT = process.env.BENCH_SERVER_ROOT ? path.resolve(process.env.BENCH_SERVER_ROOT) : ROOT;
const HOST = '127.0.0.1';
const YEAR = 2020;
const WAN = 1_000_000; // 1万元 in fen
const INCENTIVE = 'equipment-investment';
const REVIEWER = 'bench-industry';

const engine = Engine.load();
const policy = engine.policy;
const inc = policy.incentivesById.get(INCENTIVE);
if (!inc) throw new Error(`the policy has no incentive ${INCENTIVE}`);
const MEASURE_ID = measureIdOf(inc.measure);
const leadUnit = policy.measures.find((m) => String(m.measure) === MEASURE_ID)?.leadUnit;
if (!leadUnit) throw new Error(`measure ${MEASURE_ID} has no lead unit`);
const fmt = (x: number, digits = 0) => x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const log = (s: string) => process.stderr.write(`${s}\n`);

interface Row {
  target: string;
  database: string;
  rps: number;
  p50: number;
  p99: number;
  errors: string;
  verdict: string;
  /** the figure as a ratio to the host limit it is judged against */
  ratio?: string;
  /** a limit (the engine baseline, a host probe), listed first for its database */
  limit?: boolean;
  /** CPU seconds per request: server, plus the PostgreSQL backends when measured */
  cpuPerOp?: number;
  /** short, in the table */
  note?: string;
  /** longer, below it */
  detail?: string;
}
const rows: Row[] = [];

// ── the calc body and the in-process baseline ───────────────────────────────────────────────────────
const calcFacts = syntheticFacts(1)[0];
const calcBody = JSON.stringify(calcFacts);
const asOf = `${YEAR}-12-31`;

function measureEngine(fn: () => unknown, seconds: number): number {
  const until = performance.now() + seconds * 1000;
  let n = 0;
  const start = performance.now();
  while (performance.now() < until) {
    for (let i = 0; i < 100; i++) fn();
    n += 100;
  }
  return n / ((performance.now() - start) / 1000);
}
// Each call parses the raw body, as the route does (the server gets its JSON already parsed by Fastify).
const evaluateCalc = () => engine.evaluate(JSON.parse(calcBody), { asOf, explain: true });
const sample = evaluateCalc();
if (!sample.entitlements?.length) throw new Error('the calc body entitles to nothing: a poor benchmark');
measureEngine(evaluateCalc, 0.5); // warm-up
/** The baseline, taken right before each /api/calc run so that both see the machine in the same state. */
function baseline(label: string) {
  const rate = measureEngine(evaluateCalc, 2);
  const withJson = measureEngine(() => JSON.stringify(evaluateCalc()), 1);
  rows.push({ target: 'Engine.evaluate in process (baseline)', database: label, rps: rate, p50: NaN, p99: NaN, errors: '–', verdict: '(the limit)', limit: true, note: `${fmt(withJson)}/s + stringify` });
  return rate;
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); NaN elsewhere. */
function cpuSeconds(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return NaN;
  }
}

/**
 * Runs `fn` and reports the share of one core used meanwhile by the server process, by the PostgreSQL
 * backends serving it (`dbPids`, when the server is local) and by this process (the load generator).
 * `active`: the seconds the work really took, when `fn` waits after it (autocannon's once-a-second stop).
 */
async function withCpu<T>(server: Server, dbPids: number[], fn: () => Promise<T>, active?: (value: T) => number): Promise<{ value: T; cpu: Cpu }> {
  const sum = (pids: number[]) => pids.reduce((s, p) => s + cpuSeconds(p), 0);
  const s0 = cpuSeconds(server.child.pid);
  const d0 = sum(dbPids);
  const l0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  const seconds = active?.(value) ?? (performance.now() - t0) / 1000;
  const l = process.cpuUsage(l0);
  return { value, cpu: { server: (cpuSeconds(server.child.pid) - s0) / seconds, db: dbPids.length ? (sum(dbPids) - d0) / seconds : NaN, load: (l.user + l.system) / 1e6 / seconds } };
}
interface Cpu {
  server: number;
  db: number;
  load: number;
}

/** The pids of the backends connected to `database` (local server only: their CPU is read from /proc). */
async function backendPids(adminUrl: string, database: string): Promise<number[]> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    const r = await client.query<{ pid: number }>('select pid from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [database]);
    return r.rows.map((x) => x.pid).filter((pid) => !Number.isNaN(cpuSeconds(pid)));
  } finally {
    await client.end();
  }
}

// ── helpers: free port, child server, scratch PostgreSQL database ───────────────────────────────────
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, HOST, () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

interface Server {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

async function startChildServer(kind: string, dataDir: string, databaseUrl: string | undefined, tmp: string): Promise<Server> {
  const port = await freePort();
  const childEnv: NodeJS.ProcessEnv = { ...process.env, KAIFANG_EVIDENCE_DIR: path.join(tmp, 'evidence'), KAIFANG_SCRYPT_LOG2_N: '10', NODE_ENV: 'production' };
  delete childEnv.DATABASE_URL;
  if (databaseUrl) childEnv.DATABASE_URL = databaseUrl;
  const nodeArgs = CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(CPU_PROF, kind)}`] : [];
  const child = spawn(process.execPath, [...nodeArgs, 'bin/kaifang.js', 'serve', '--port', String(port), '--host', HOST, '--data-dir', dataDir], {
    cwd: SERVER_ROOT,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the ${kind} server did not start within 60 s:\n${out}${err}`)), 60_000);
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('api:')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the ${kind} server exited (${code}) before listening:\n${out}${err}`));
    });
  });
  return {
    url: `http://${HOST}:${port}`,
    child,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(t);
    },
  };
}

async function adminQuery(url: string, statement: string) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

// ── the decision workload ───────────────────────────────────────────────────────────────────────────
interface Prepared {
  /** claim ids in the order the load generator takes them */
  warmup: number[];
  measured: number[];
  contendedProjects: number;
  /** claim id → its contended project (absent: a project of its own) */
  groupOf: Map<number, number>;
  /** the amount the engine gives one claim of a contended project on its own, by industry class */
  contendedClaimFen: Record<string, number>;
}

/**
 * Enterprises (through the enterprise service, audited) and the reviewer (FAST_SECURITY) go through the
 * services; the claims are inserted in bulk straight in the state departmentReview, with their 初审 review row
 * (submitting and first-reviewing thousands of claims through the services would take longer than the benchmark).
 * Every claim's input is validated by the same function createClaim uses.
 */
async function prepare(db: OpenedDatabase['db']): Promise<Prepared> {
  const ctx = createPlatformContext(db, engine);
  const random = seededRandom(20200520);
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const classes: IndustryClass[] = ['leading', 'highTech', 'other'];
  const areas = ['shengze', 'songling'];
  await createUser(db, { username: REVIEWER, displayName: '区工信局（压测）', password: TEST_PASSWORD, role: 'departmentReviewer', departmentId: leadUnit }, { actor: SYSTEM_ACTOR, config: FAST_SECURITY });
  const areaReviewer: Record<string, number> = {};
  for (const a of areas) areaReviewer[a] = (await createUser(db, { username: `bench-${a}`, displayName: `${a}（压测）`, password: TEST_PASSWORD, role: 'areaReviewer', areaId: a }, { actor: SYSTEM_ACTOR, config: FAST_SECURITY })).id;

  const enterprises: Array<{ uscc: string; name: string; area_id: string; industry_class: IndustryClass }> = [];
  const seen = new Set<string>();
  // One transaction for all of them (the service joins it): one commit instead of a thousand.
  await db.transaction().execute(async (trx) => {
    while (enterprises.length < ENTERPRISES) {
      const uscc = generateUscc({ random });
      if (seen.has(uscc)) continue;
      seen.add(uscc);
      const i = enterprises.length;
      const e = { uscc, name: `压测企业${i}`, area_id: areas[i % areas.length], industry_class: classes[i % classes.length] };
      await createEnterprise(trx, { uscc, name: e.name, areaId: e.area_id, industryClass: e.industry_class }, { actor: SYSTEM_ACTOR });
      enterprises.push(e);
    }
  });

  type Row = { e: (typeof enterprises)[number]; item: string; investmentFen: number; group: number | null };
  const independent: Row[] = [];
  for (const e of enterprises) {
    for (let p = 0; p < PROJECTS_PER_ENTERPRISE; p++) independent.push({ e, item: `设备项目${p + 1}`, investmentFen: int(2000, 9000) * WAN, group: null });
  }
  // Contended: one project, several claims of 5000万元 each; together they pass the per-project cap.
  const groups: Row[][] = [];
  for (let g = 0; g < CONTENDED; g++) {
    const e = enterprises[(g * 7) % enterprises.length];
    groups.push(Array.from({ length: CLAIMS_PER_CONTENDED }, () => ({ e, item: `共享项目${g + 1}`, investmentFen: 5000 * WAN, group: g })));
  }
  // The order requests will be made in: shuffled separate projects, each contended project's claims together
  // (so they are in flight at the same time), the warm-up first and from separate projects only.
  for (let i = independent.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [independent[i], independent[j]] = [independent[j], independent[i]];
  }
  const warmRows = independent.splice(0, WARMUP_DECISIONS);
  const order: Row[][] = independent.map((r) => [r]);
  for (const g of groups) order.splice(Math.floor(random() * (order.length + 1)), 0, g);
  const rows = [...warmRows, ...order.flat()];

  // Every claim's input validated as createClaim does; and what the engine gives one contended claim on its own.
  const contendedClaimFen: Record<string, number> = {};
  for (const r of rows) validateClaimInput(ctx, { incentive: INCENTIVE, year: YEAR, item: r.item, facts: { equipmentInvestment: r.investmentFen } }, r.e);
  for (const cls of classes) {
    const e = enterprises.find((x) => x.industry_class === cls)!;
    const doc = claimFactsDocument(ctx, { incentive: INCENTIVE, year: YEAR, item: 'x', facts: { equipmentInvestment: 5000 * WAN } }, e, []);
    contendedClaimFen[cls] = engine.evaluate(doc, { asOf }).entitlements.find((x) => x.claim === 'this-claim')!.amountFen ?? 0;
  }

  const now = new Date();
  const ids: number[] = [];
  const groupOf = new Map<number, number>();
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = rows.slice(i, i + 500);
    const inserted = await db
      .insertInto('claims')
      .values(
        chunk.map((r) => ({
          enterprise_uscc: r.e.uscc,
          area_id: r.e.area_id,
          policy_id: policy.id,
          measure_id: MEASURE_ID,
          incentive_id: INCENTIVE,
          item: r.item,
          year: YEAR,
          facts: toJsonb({ equipmentInvestment: r.investmentFen }),
          amount_claimed_fen: null,
          state: 'departmentReview' as const,
          created_by: null,
          submitted_at: now,
          version: 3,
        })),
      )
      .returning('id')
      .execute();
    ids.push(...inserted.map((x) => x.id));
    chunk.forEach((r, k) => {
      if (r.group !== null) groupOf.set(inserted[k].id, r.group);
    });
    await db.insertInto('reviews').values(inserted.map((x, k) => ({ claim_id: x.id, stage: 'firstReview' as const, actor_id: areaReviewer[chunk[k].e.area_id], action: 'pass' as const }))).execute();
  }
  // Room for every claim at its largest: the budget is checked on every decision and never refuses one.
  if (WITH_BUDGET) await db.insertInto('budgets').values({ policy_id: policy.id, measure_id: MEASURE_ID, year: YEAR, amount_fen: ids.length * 1000 * WAN, set_by: null }).execute();
  return { warmup: ids.slice(0, WARMUP_DECISIONS), measured: ids.slice(WARMUP_DECISIONS), contendedProjects: groups.length, groupOf, contendedClaimFen };
}

async function loginCookie(base: string): Promise<string> {
  const res = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: REVIEWER, password: TEST_PASSWORD }), signal: AbortSignal.timeout(10_000) });
  if (res.status !== 200) throw new Error(`login: ${res.status} ${await res.text()}`);
  const set = res.headers.getSetCookie().find((c) => c.startsWith('kaifang_session='));
  if (!set) throw new Error('login: no session cookie');
  return set.split(';')[0];
}

interface DecisionRun {
  result: AcResult;
  passed: number;
  capRefused: number;
  other: Record<string, number>;
  /** ids answered 200 / 409 cap_exceeded */
  passedIds: Set<number>;
  refusedIds: Set<number>;
  /** from the first request to the last answer */
  seconds: number;
  /** stopped by the time bound: up to `connections` requests were in flight, their answers unseen */
  cutOff: boolean;
  connections: number;
}

/**
 * Reviews the first `amount` of `ids` (each once, in order) with `connections` concurrent connections; stops
 * after `seconds` at the latest.
 */
async function driveDecisions(base: string, cookie: string, ids: number[], amount: number, connections: number, seconds: number): Promise<DecisionRun> {
  let next = 0;
  let passed = 0;
  let capRefused = 0;
  const other: Record<string, number> = {};
  const passedIds = new Set<number>();
  const refusedIds = new Set<number>();
  // autocannon builds each connection's next request before it knows whether it will send it, so one spare
  // id per connection stays unused: `amount` stops it before the list runs out.
  amount = Math.max(connections, Math.min(amount, ids.length - connections));
  // autocannon notices the end of an `amount` run only at its next once-a-second sample, so its own duration
  // rounds up to whole seconds; the rate here is over the time from the start to the last answer.
  const startedAt = performance.now();
  let lastAnswerAt = startedAt;
  const instance = autocannon({
    url: base,
    connections,
    pipelining: 1,
    amount,
    timeout: 30,
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie },
    body: JSON.stringify({ action: 'pass' }),
    requests: [
      {
        setupRequest(req, context) {
          const id = ids[Math.min(next++, ids.length - 1)];
          (context as { id: number }).id = id;
          return { ...req, path: `/api/claims/${id}/review` };
        },
        onResponse(status, body, context) {
          lastAnswerAt = performance.now();
          const id = (context as { id: number }).id;
          if (status === 200) {
            passed++;
            passedIds.add(id);
            return;
          }
          let code = String(status);
          try {
            code = `${status} ${(JSON.parse(body) as { code?: string }).code}`;
          } catch {
            // not JSON: keep the status
          }
          if (code === '409 cap_exceeded') {
            capRefused++;
            refusedIds.add(id);
          } else other[code] = (other[code] ?? 0) + 1;
        },
      },
    ],
  });
  let cutOff = false;
  const timer = setTimeout(() => {
    cutOff = true;
    instance.stop();
  }, seconds * 1000);
  const result = await instance;
  clearTimeout(timer);
  return { result, seconds: (lastAnswerAt - startedAt) / 1000, passed, capRefused, other, passedIds, refusedIds, cutOff, connections };
}

async function driveCalc(base: string, seconds: number): Promise<AcResult> {
  return autocannon({
    url: `${base}/api/calc?asOf=${asOf}`,
    connections: CALC_CONNECTIONS,
    pipelining: 1,
    duration: seconds,
    timeout: 10,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: calcBody,
  });
}

// ── checks after the run ────────────────────────────────────────────────────────────────────────────
interface Checks {
  lines: string[];
  ok: boolean;
}

async function check(db: OpenedDatabase['db'], prepared: Prepared, runs: DecisionRun[]): Promise<Checks> {
  const lines: string[] = [];
  let ok = true;
  const cap = inc!.caps[0];
  if (!cap || cap.scope !== 'item' || typeof cap.amountFen !== 'object' || !('values' in cap.amountFen)) throw new Error(`expected ${INCENTIVE} to have a per-item cap by industry class`);
  const capOf = (cap.amountFen as { values: Record<string, number> }).values;
  const projects = await db
    .selectFrom('ledger_entries')
    .innerJoin('enterprises', 'enterprises.uscc', 'ledger_entries.enterprise_uscc')
    .select((eb) => ['ledger_entries.enterprise_uscc', 'ledger_entries.item', 'ledger_entries.year', 'enterprises.industry_class', eb.fn.sum<number>('ledger_entries.amount_fen').as('sum')])
    .where('ledger_entries.incentive_id', '=', INCENTIVE)
    .groupBy(['ledger_entries.enterprise_uscc', 'ledger_entries.item', 'ledger_entries.year', 'enterprises.industry_class'])
    .execute();
  const over = projects.filter((g) => Number(g.sum) > capOf[g.industry_class]);
  ok &&= over.length === 0;
  lines.push(`${over.length === 0 ? '✔' : '✘'} caps: ${fmt(projects.length)} projects (enterprise + ${INCENTIVE} + year + item) in the ledger, ${over.length} above the policy's per-project cap`);

  // Contended projects whose every claim was answered: the ledger holds exactly min(cap, answered × one claim's amount).
  const passedIds = new Set(runs.flatMap((r) => [...r.passedIds]));
  const refusedIds = new Set(runs.flatMap((r) => [...r.refusedIds]));
  const members = new Map<number, number[]>();
  for (const [id, g] of prepared.groupOf) members.set(g, [...(members.get(g) ?? []), id]);
  const rows = await db
    .selectFrom('ledger_entries')
    .innerJoin('enterprises', 'enterprises.uscc', 'ledger_entries.enterprise_uscc')
    .select(['ledger_entries.claim_id', 'ledger_entries.amount_fen', 'enterprises.industry_class'])
    .where('ledger_entries.claim_id', 'in', [...prepared.groupOf.keys()])
    .execute();
  const sumOf = new Map<number, number>();
  const classOf = new Map<number, string>();
  for (const r of rows) {
    const g = prepared.groupOf.get(r.claim_id!)!;
    sumOf.set(g, (sumOf.get(g) ?? 0) + r.amount_fen);
    classOf.set(g, r.industry_class);
  }
  let complete = 0;
  let exact = 0;
  for (const [g, ids] of members) {
    const answered = ids.filter((id) => passedIds.has(id) || refusedIds.has(id)).length;
    if (answered !== ids.length) continue;
    complete++;
    const cls = classOf.get(g)!;
    if (sumOf.get(g) === Math.min(capOf[cls], answered * prepared.contendedClaimFen[cls])) exact++;
  }
  ok &&= exact === complete;
  lines.push(`${exact === complete ? '✔' : '✘'} contended projects: ${exact} of ${complete} fully decided ones filled exactly to their cap (${CLAIMS_PER_CONTENDED} claims of 5000万元 each)`);
  const strayRefusals = [...refusedIds].filter((id) => !prepared.groupOf.has(id)).length;
  ok &&= strayRefusals === 0;
  lines.push(`${strayRefusals === 0 ? '✔' : '✘'} ${fmt(refusedIds.size)} refusals (409 cap_exceeded), ${strayRefusals} of them outside the contended projects`);

  const count = async (table: 'decisions' | 'ledger_entries') => Number((await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const decisions = await count('decisions');
  const awards = await count('ledger_entries');
  const passed = passedIds.size;
  const unseen = runs.reduce((s, r) => s + (r.cutOff ? r.connections : 0), 0);
  const same = awards === decisions && decisions >= passed && decisions - passed <= unseen;
  ok &&= same;
  lines.push(`${same ? '✔' : '✘'} every 200 is one decision and one award: ${fmt(passed)} × 200, ${fmt(decisions)} decisions, ${fmt(awards)} ledger entries${unseen ? ` (the time bound cut off up to ${unseen} answers)` : ''}`);
  // The server sealed the chain while it ran and what was left when it stopped: nothing may wait.
  const chain = await verifyAuditChain(db);
  const decideRecords = Number((await db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).where('action', '=', 'claim.departmentReview.decide').where('seq', 'is not', null).executeTakeFirstOrThrow()).n);
  const chainOk = chain.ok && chain.pending.count === 0 && decideRecords === decisions;
  ok &&= chainOk;
  lines.push(
    `${chainOk ? '✔' : '✘'} audit chain: ${chain.ok ? `${fmt(chain.records)} records verify, ${fmt(chain.pending.count)} left unsealed, ${fmt(decideRecords)} sealed decision records for ${fmt(decisions)} decisions` : chain.message}`,
  );
  return { lines, ok };
}

// ── one database ────────────────────────────────────────────────────────────────────────────────────
const checkLines: string[] = [];
let allOk = true;

const pct = (x: number) => `${Math.round(x * 100)}%`;
const cpuNote = (cpu: Cpu, rps: number) =>
  Number.isNaN(cpu.server)
    ? ''
    : `${rps > 0 ? '; ' : ''}CPU (one core = 100%): server ${pct(cpu.server)} = ${fmt(rps / Math.max(cpu.server, 0.01))}/s per server core${Number.isNaN(cpu.db) ? '' : `, PostgreSQL backends ${pct(cpu.db)}`}, autocannon ${pct(cpu.load)}; per request ${fmt((cpu.server / rps) * 1000, 2)} ms server${Number.isNaN(cpu.db) ? '' : ` + ${fmt((cpu.db / rps) * 1000, 2)} ms PostgreSQL`} CPU`;

async function runOn(kind: 'pglite' | 'postgres') {
  const label = kind === 'pglite' ? 'PGlite' : 'PostgreSQL';
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'kaifang-bench-http-'));
  const dataDir = path.join(tmp, 'pglite');
  let scratch: { url: string; name: string; drop(): Promise<void> } | undefined;
  let server: Server | undefined;
  let db: OpenedDatabase | undefined;
  try {
    if (kind === 'postgres') {
      const name = `kaifang_bench_${process.pid}_${randomBytes(4).toString('hex')}`;
      try {
        await adminQuery(PG_URL, `create database ${name}`);
      } catch (e) {
        const msg = `PostgreSQL part skipped: cannot create a database on ${redactUrl(PG_URL)} (${(e as Error).message}); set BENCH_DATABASE_URL`;
        log(msg);
        checkLines.push(`– ${msg}`);
        return;
      }
      const u = new URL(PG_URL);
      u.pathname = `/${name}`;
      scratch = { url: u.toString(), name, drop: () => adminQuery(PG_URL, `drop database if exists ${name} with (force)`) };
    }
    let t0 = performance.now();
    // PGlite: a fresh folder from the test suites' cached dump of a freshly migrated cluster (initdb and the
    // migrations take many seconds and are not what is measured here).
    db = await openDatabase(kind === 'pglite' ? { dataDir, pgliteLoadDataDir: await migratedPGliteTemplate() } : { url: scratch!.url });
    const prepared = await prepare(db.db);
    log(`[${label}] prepared ${fmt(ENTERPRISES)} enterprises, ${fmt(prepared.warmup.length + prepared.measured.length)} claims in departmentReview in ${fmt((performance.now() - t0) / 1000, 1)} s`);
    // The host's limits before the server starts (PGlite: the server will hold the folder) and after it stops,
    // on the same database, so that they bracket the HTTP runs in time on a machine whose load changes.
    const limitsBefore = PARTS.has('limits') ? await probe(db, label, 'before', scratch) : undefined;
    await db.close(); // PGlite: one process per data folder; the server takes it over
    db = undefined;

    let decisionRow: Row | undefined;
    if (PARTS.has('calc') || PARTS.has('decisions')) {
      t0 = performance.now();
      server = await startChildServer(kind, dataDir, scratch?.url, tmp);
      log(`[${label}] server at ${server.url} (started in ${fmt((performance.now() - t0) / 1000, 1)} s)`);

      // /api/calc (warm-up, the in-process baseline, the measured run), then the decision path
      if (PARTS.has('calc')) await runCalc(server, label);
      if (PARTS.has('decisions')) decisionRow = await runDecisions(server, label, kind, prepared, scratch);

      await server.stop();
      server = undefined;
    }
    // The same options as the server's own open (src/server.ts): the same pool.
    db = await openDatabase(kind === 'pglite' ? { dataDir } : { url: scratch!.url });
    if (limitsBefore) {
      const limitsAfter = await probe(db, label, 'after', scratch);
      const tx = limitRows(label, limitsBefore, limitsAfter);
      if (decisionRow) judgeDecisions(decisionRow, kind, tx);
    }
    if (PARTS.has('decisions')) {
      const c = await check(db.db, prepared, decisionRuns);
      checkLines.push(`${label}:`, ...c.lines.map((l) => `  ${l}`));
      allOk &&= c.ok;
    }
  } finally {
    await server?.stop().catch(() => {});
    await db?.close().catch(() => {});
    await scratch?.drop().catch((e) => log(`could not drop the scratch database: ${(e as Error).message}`));
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** The host-limit probes on `db` (bench/host-limits.ts), with the CPU of the scratch database's backends when local. */
async function probe(db: OpenedDatabase, label: string, when: string, scratch: { name: string } | undefined): Promise<HostLimits> {
  const backends = scratch
    ? async () => {
        const pids = await backendPids(PG_URL, scratch.name).catch(() => []);
        return { count: pids.length || NaN, cpu: () => (pids.length ? pids.reduce((s, p) => s + cpuSeconds(p), 0) : NaN) };
      }
    : undefined;
  const limits = await probeHostLimits(db.db, { ops: PROBE_OPS, workers: DECISION_CONNECTIONS, backends });
  log(`[${label}] host limits ${when}: 1-round-trip INSERT ${fmt(limits.insert.rps)}/s, 4-round-trip transaction ${fmt(limits.tx.rps)}/s`);
  return limits;
}

/**
 * The two probes' rows. The limit is the better of the runs before and after the HTTP runs: other work on the
 * machine only ever lowers a rate, so the better one is nearer what the host can do, and a ratio to it errs
 * towards a missed target rather than a false pass. Both are shown, and a warning when they differ by more than
 * a fifth (the load changed during the run: compare such a run with care). Returns the transaction probe's
 * rate and CPU per transaction, which the decisions are judged against.
 */
function limitRows(label: string, before: HostLimits, after: HostLimits): { txRate: number; txCpu: number } {
  const row = (target: string, a: ProbeResult, b: ProbeResult) => {
    const rps = Math.max(a.rps, b.rps);
    const drift = Math.abs(a.rps - b.rps) / rps > 0.2;
    if (drift) warnings.push(`${target}, ${label}: ${fmt(a.rps)}/s before the HTTP runs, ${fmt(b.rps)}/s after — the machine's load changed; its ratios are unreliable`);
    const ms = (x: number) => fmt(x * 1000, 3);
    const cpu = (r: ProbeResult) => (label === 'PGlite' ? ms(r.cpuClient) : `${ms(r.cpuClient)} + ${ms(r.cpuDb)}`);
    const cpuWhere = label === 'PGlite' ? 'in this process (Kysely + PGlite, statements one at a time)' : 'in this process (Kysely + pg) + in the PostgreSQL backends';
    rows.push({
      target,
      database: label,
      rps,
      p50: Math.max(a.p50, b.p50),
      p99: Math.max(a.p99, b.p99),
      errors: '0',
      verdict: '(the limit)',
      limit: true,
      note: `${fmt(a.rps)} before, ${fmt(b.rps)} after${drift ? ' (!)' : ''}`,
      detail: `${fmt(a.ops)} operations, ${DECISION_CONNECTIONS} callers${Number.isNaN(before.connections) ? '' : ` on ${before.connections} pooled connections (the server's pool size)`}; CPU per operation ${cpuWhere}: ${cpu(a)} ms before, ${cpu(b)} ms after`,
    });
    const cpuOf = (r: ProbeResult) => r.cpuClient + (label === 'PGlite' ? 0 : r.cpuDb);
    return { rate: rps, cpu: (cpuOf(a) + cpuOf(b)) / 2 };
  };
  row('host limit: INSERT, 1 round trip', before.insert, after.insert);
  const tx = row('host limit: BEGIN; 2 × INSERT; COMMIT (4 RT)', before.tx, after.tx);
  return { txRate: tx.rate, txCpu: tx.cpu };
}
const warnings: string[] = [];

/**
 * The decision row judged as a ratio to the four-round-trip transaction rate measured in the same run; and,
 * less disturbed by other work than any rate, its CPU (server + PostgreSQL) as a multiple of one transaction's.
 */
function judgeDecisions(row: Row, kind: 'pglite' | 'postgres', tx: { txRate: number; txCpu: number }) {
  const ratio = row.rps / tx.txRate;
  row.ratio = `${ratio.toFixed(2)}× 4-RT tx`;
  if (row.cpuPerOp !== undefined && !Number.isNaN(row.cpuPerOp) && !Number.isNaN(tx.txCpu)) {
    row.detail += `; CPU per decision = ${(row.cpuPerOp / tx.txCpu).toFixed(1)}× a 4-round-trip transaction's (${fmt(tx.txCpu * 1000, 3)} ms)`;
  }
  if (kind !== 'postgres') return;
  const meets = ratio >= TARGET.decisionsVsTx;
  row.verdict = `${meets ? '✔' : '✘'} ≥${TARGET.decisionsVsTx}× 4-RT tx (${row.rps >= TARGET.decisionsPg ? '✔' : '✘'} ≥${fmt(TARGET.decisionsPg)}/s)`;
}

async function runCalc(server: Server, label: string) {
  await driveCalc(server.url, 2);
  const engineRate = baseline(label);
  const { value: calc, cpu: calcCpu } = await withCpu(server, [], () => driveCalc(server.url, CALC_SECONDS));
  const calcOk = calc.statusCodeStats['200']?.count ?? 0;
  const calcRps = calcOk / calc.duration;
  const calcBad = calc.errors + calc.timeouts + calc.non2xx;
  allOk &&= calcBad === 0;
  const calcMeets = calcRps / engineRate >= TARGET.calcVsEngine && calc.latency.p99 < TARGET.calcP99;
  rows.push({
    target: 'POST /api/calc',
    database: label,
    rps: calcRps,
    p50: calc.latency.p50,
    p99: calc.latency.p99,
    errors: String(calcBad),
    verdict: `${calcMeets ? '✔' : '✘'} ≥${TARGET.calcVsEngine}× engine, p99<${TARGET.calcP99} ms (${calcRps > TARGET.calcRps ? '✔' : '✘'} >${fmt(TARGET.calcRps)}/s)`,
    ratio: `${(calcRps / engineRate).toFixed(2)}× engine`,
    detail: cpuNote(calcCpu, calcRps),
  });
  log(`[${label}] /api/calc ${fmt(calcRps)} req/s, p99 ${calc.latency.p99} ms`);
}

/** The warm-up and the measured decision run of the database being benchmarked, for the checks after it. */
let decisionRuns: DecisionRun[] = [];
async function runDecisions(server: Server, label: string, kind: 'pglite' | 'postgres', prepared: Prepared, scratch: { name: string } | undefined): Promise<Row> {
  const cookie = await loginCookie(server.url);
  const warm = await driveDecisions(server.url, cookie, prepared.warmup, prepared.warmup.length, Math.min(DECISION_CONNECTIONS, 10), 15);
  // Size the measured run from the warm-up's rate to last about DECISION_TARGET_SECONDS; the time bound stays.
  const warmRate = (warm.passed + warm.capRefused) / warm.seconds;
  const dbPids = scratch ? await backendPids(PG_URL, scratch.name).catch(() => []) : [];
  const { value: run, cpu: runCpu } = await withCpu(server, dbPids, () => driveDecisions(server.url, cookie, prepared.measured, Math.ceil(warmRate * 1.5 * DECISION_TARGET_SECONDS), DECISION_CONNECTIONS, DECISION_SECONDS), (v) => v.seconds);
  const r = run.result;
  const decided = run.passed + run.capRefused;
  const rps = decided / run.seconds;
  const otherCount = Object.values(run.other).reduce((s, n) => s + n, 0) + r.errors + r.timeouts;
  allOk &&= otherCount === 0 && Object.keys(warm.other).length === 0 && warm.result.errors + warm.result.timeouts === 0;
  const meets = kind === 'postgres' ? rps >= TARGET.decisionsPg : undefined;
  const row: Row = {
    target: WITH_BUDGET ? 'review pass (decision, budget set)' : 'review pass (decision)',
    database: label,
    rps,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: `${otherCount}${Object.keys(run.other).length ? ` (${Object.entries(run.other).map(([k, v]) => `${k}×${v}`).join(', ')})` : ''}`,
    verdict: meets === undefined ? '(no target)' : `${meets ? '✔' : '✘'} ≥${fmt(TARGET.decisionsPg)}/s`,
    note: `${fmt(run.passed)} × 200, ${fmt(run.capRefused)} × 409 cap`,
    detail: `${fmt(run.passed + run.capRefused)} decisions in ${fmt(run.seconds, 2)} s${run.cutOff ? ' (stopped by the time bound)' : ''}${cpuNote(runCpu, rps)}`,
    cpuPerOp: (runCpu.server + (kind === 'postgres' ? runCpu.db : 0)) / rps,
  };
  rows.push(row);
  log(`[${label}] decisions ${fmt(rps)}/s (${run.passed} passed, ${run.capRefused} refused by a cap), p99 ${r.latency.p99} ms`);
  decisionRuns = [warm, run];
  return row;
}

const started = performance.now();
const loadBefore = os.loadavg()[0];
if (ONLY !== 'postgres') await runOn('pglite');
if (ONLY !== 'pglite') await runOn('postgres');

// ── report ──────────────────────────────────────────────────────────────────────────────────────────
const cpus = os.cpus();
console.log(`\nbench:http — loopback ${HOST}, server = \`kaifang serve\` in a child process, load = autocannon in this one (${cpus.length} × ${cpus[0]?.model.trim()}), Node ${process.version}`);
if (SERVER_ROOT !== ROOT) console.log(`server run from ${SERVER_ROOT}`);
console.log(`policy ${policy.id} ${policy.version}; /api/calc: one synthetic enterprise-year, ${CALC_CONNECTIONS} connections × ${CALC_SECONDS} s; decisions: ${DECISION_CONNECTIONS} connections, ${fmt(ENTERPRISES * PROJECTS_PER_ENTERPRISE - WARMUP_DECISIONS)} separate projects + ${CONTENDED} projects × ${CLAIMS_PER_CONTENDED} claims sharing a cap\n`);
console.log('limits: Engine.evaluate with explanations of the same body in this process (one core), measured right before each /api/calc run;');
if (PARTS.has('limits'))
  console.log(
    `host limits: through the server's driver and pool (openDatabase, as \`kaifang serve\` opens it), ${DECISION_CONNECTIONS} callers, ${fmt(PROBE_OPS)} operations each, on a scratch table, before the server starts and after it stops (the better of the two is the limit)`,
  );
console.log('targets are ratios to these limits: decisions ÷ the 4-round-trip transaction rate, /api/calc ÷ the engine rate; the absolute targets they were set as are in brackets\n');
const header = ['target', 'database', 'req/s', 'p50 ms', 'p99 ms', 'errors', '÷ host limit', 'vs target (absolute)', ''];
const ms = (x: number) => (Number.isNaN(x) ? '–' : String(x));
// Each database's limits first, then its figures, in the order they ran.
const databases = [...new Set(rows.map((r) => r.database))];
rows.sort((a, b) => databases.indexOf(a.database) - databases.indexOf(b.database) || Number(!!b.limit) - Number(!!a.limit));
const table = rows.map((r) => [r.target, r.database, fmt(r.rps), ms(r.p50), ms(r.p99), r.errors, r.ratio ?? '', r.verdict, r.note ?? '']);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((t) => t[i].length)));
const line = (cells: string[]) => cells.map((c, i) => (i >= 2 && i <= 4 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
console.log(line(header));
console.log(widths.map((w) => '─'.repeat(w)).join('  '));
for (const t of table) console.log(line(t));
console.log('');
for (const r of rows) if (r.detail) console.log(`${`${r.target}, ${r.database}:`.padEnd(widths[0] + widths[1] + 3)} ${r.detail.replace(/^; /, '')}`);
// On a busy machine every process gets a share of the cores, the bench's own baseline included: the rates fall
// and the ratios shift unpredictably (the engine baseline and the probes run here, the HTTP server apart).
// (After the run the load average includes the benchmark's own three busy processes, so only before is judged.)
if (loadBefore > cpus.length * 0.75)
  warnings.push(`other work kept the machine busy (1-minute load average ${loadBefore.toFixed(1)} before the run, on ${cpus.length} cores): no figure or ratio of this run is comparable with another`);
if (warnings.length) console.log(`\n${warnings.map((w) => `! ${w}`).join('\n')}`);
console.log(`\nchecks after the decision runs:\n${checkLines.join('\n')}`);
console.log(`\ntotal ${fmt((performance.now() - started) / 1000, 0)} s; 1-minute load average ${loadBefore.toFixed(1)} before, ${os.loadavg()[0].toFixed(1)} after (on ${cpus.length} cores: other work on the machine skews every figure)`);
if (!allOk) {
  console.error('\nsomething failed: errors, unexpected responses, or a ledger check (see above)');
  process.exit(1);
}
