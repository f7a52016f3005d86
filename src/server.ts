/**
 * Start the platform: load the policy, open the database (PGlite by default, a server via DATABASE_URL),
 * build the HTTP app and listen. Shared by `kaifang serve`, `npm start` and the end-to-end tests.
 */
import { Engine } from './engine/index.ts';
import { buildApp } from './http/app.ts';

export interface ServerOptions {
  port: number;
  host?: string;
  dataDir?: string;
  demo?: boolean;
  logger?: boolean;
}

export async function startServer(opts: ServerOptions) {
  const engine = Engine.load();
  const app = await buildApp({ engine, logger: opts.logger });
  await app.listen({ port: opts.port, host: opts.host ?? '0.0.0.0' });
  const address = `http://localhost:${opts.port}`;
  process.stdout.write(`Kaifang 开放 — ${engine.policy.meta.title} ${engine.policy.version}\n  web:  ${address}/\n  api:  ${address}/api\n  docs: ${address}/docs\n`);
  const stop = async () => {
    await app.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return app;
}
