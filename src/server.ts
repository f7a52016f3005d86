/**
 * Start the platform: load the policy, open the database (PGlite by default, a server via DATABASE_URL),
 * build the HTTP app with the platform's API and listen. Shared by `kaifang serve`, `npm start` and the
 * end-to-end tests. `--demo` seeds demo data into an empty database (src/demo/seed.ts).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Engine } from './engine/index.ts';
import { buildApp } from './http/app.ts';
import { platformRoutes } from './http/platform.ts';
import { openDatabase } from './db/open.ts';
import { createPlatformContext, type PlatformContext } from './claims/context.ts';
import { startAuditSealer, type AuditSealer } from './audit/audit-log.ts';
import { anchorSettings, loadAnchorKey, startAuditAnchorer, type AuditAnchorer } from './audit/anchor.ts';
import { pruneIdempotencyKeys } from './http/idempotency.ts';
import { purgeEndedSessions, pruneLoginFailures } from './identity/sessions.ts';
import { logLevelSetting, type LogLevel } from './config.ts';
import { escalateOverdue } from './service-desk/requests.ts';

export interface ServerOptions {
  port: number;
  host?: string;
  dataDir?: string;
  demo?: boolean;
  /** pino log level; default KAIFANG_LOG_LEVEL (config.ts logLevelSetting) */
  logLevel?: LogLevel;
}

const DEMO_MODULE = new URL('./demo/seed.ts', import.meta.url);

async function seedDemoIfAvailable(ctx: PlatformContext): Promise<void> {
  if (!existsSync(fileURLToPath(DEMO_MODULE))) {
    process.stderr.write('warning: --demo given but src/demo/seed.ts is not there; starting without demo data\n');
    return;
  }
  const demo = (await import(DEMO_MODULE.href)) as {
    seedDemo(ctx: PlatformContext): Promise<unknown>;
    formatDemoCredentials?: (summary: never) => string;
  };
  const summary = await demo.seedDemo(ctx);
  if (demo.formatDemoCredentials && summary) process.stdout.write(demo.formatDemoCredentials(summary as never));
}

const HOUR = 3_600_000;

function startHousekeeping(ctx: PlatformContext): NodeJS.Timeout {
  const run = () =>
    // escalateOverdue: a request past its answer due date reaches its liaison leader's inbox within the hour
    Promise.all([purgeEndedSessions(ctx.db), pruneLoginFailures(ctx.db), pruneIdempotencyKeys(ctx.db, ctx.config.idempotencyHours), escalateOverdue(ctx)]).catch((e) =>
      process.stderr.write(`housekeeping: ${(e as Error).message}\n`),
    );
  void run();
  const timer = setInterval(run, HOUR);
  timer.unref();
  return timer;
}

export async function startServer(opts: ServerOptions) {
  const engine = Engine.load();
  // DATABASE_URL selects a server; otherwise PGlite in --data-dir (default $KAIFANG_DATA_DIR or ./data/pglite).
  const database = await openDatabase(process.env.DATABASE_URL ? {} : { dataDir: opts.dataDir });
  let app: Awaited<ReturnType<typeof buildApp>> | undefined;
  let sealer: AuditSealer | undefined;
  let anchorer: AuditAnchorer | undefined;
  try {
    const ctx = createPlatformContext(database.db, engine);
    if (opts.demo) await seedDemoIfAvailable(ctx);
    // Housekeeping every hour: ended sessions, login failures past their lockout and idempotency keys past their time are deleted.
    const housekeeping = startHousekeeping(ctx);
    // The audit chain is sealed after commit (src/audit/audit-log.ts): every moment while the server runs.
    // A database that is down fails every round (five a second): say so once a minute, not every time.
    let lastReported = 0;
    const reportSealerError = (e: unknown) => {
      if (Date.now() - lastReported < 60_000) return;
      lastReported = Date.now();
      process.stderr.write(`audit sealer: ${(e as Error).message} (records wait unsealed until it succeeds)\n`);
    };
    sealer = startAuditSealer(database.db, { onError: reportSealerError });
    // Anchors (src/audit/anchor.ts): with KAIFANG_ANCHOR_DIR, the chain's head signed into that folder once per
    // KAIFANG_ANCHOR_HOURS, for auditors to keep where the database's owner cannot rewrite it.
    const anchoring = anchorSettings();
    if (anchoring.dir) {
      anchorer = startAuditAnchorer(database.db, {
        key: loadAnchorKey(anchoring.keyFile!),
        dir: anchoring.dir,
        intervalHours: anchoring.intervalHours,
        onError: (e) => process.stderr.write(`audit anchor: ${(e as Error).message}\n`),
      });
    }
    // The log (pino, JSON lines on stdout): server faults with their stack and request id, start and stop.
    app = await buildApp({ engine, logger: { level: opts.logLevel ?? logLevelSetting() }, plugins: platformRoutes(ctx, { demo: opts.demo }) });
    // Closing the app (shutdown, or a test that started it), after the last request: seal what is left, then
    // close the database.
    app.addHook('onClose', async () => {
      clearInterval(housekeeping);
      await anchorer?.stop();
      await sealer!.stop().catch((e) => process.stderr.write(`audit sealer: ${(e as Error).message}\n`));
      await database.close();
    });
    await app.listen({ port: opts.port, host: opts.host ?? '0.0.0.0' });
  } catch (err) {
    if (app) await app.close().catch(() => {});
    else {
      await anchorer?.stop();
      await sealer?.stop().catch(() => {});
      await database.close();
    }
    throw err;
  }
  const bound = app!.server.address();
  const address = `http://localhost:${typeof bound === 'object' && bound ? bound.port : opts.port}`;
  process.stdout.write(
    `Kaifang 开放 — ${engine.policy.meta.title} ${engine.policy.version}\n  database: ${database.kind} ${database.location}\n  web:  ${address}/\n  api:  ${address}/api\n  docs: ${address}/docs\n`,
  );
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await app!.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return app!;
}
