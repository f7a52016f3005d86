// kaifang serve [--demo] [--port N] [--data-dir DIR]: the platform — API, OpenAPI docs and the web app.
import type { Command } from 'commander';
import { startServer } from '../../server.ts';

export function register(program: Command) {
  program
    .command('serve')
    .description('启动平台（接口、文档与网页） / serve the platform: API, /docs and the web app')
    .option('--port <n>', 'port (default $PORT or 3000)')
    .option('--host <host>', 'address to listen on (default $HOST or 0.0.0.0)')
    .option('--data-dir <dir>', 'PGlite data folder when DATABASE_URL is not set (default $KAIFANG_DATA_DIR or ./data/pglite)')
    .option('--demo', 'load demo data (enterprises, a user per role, claims in every state) into an empty database')
    .action(async (opts: { port?: string; host?: string; dataDir?: string; demo?: boolean }) => {
      const port = Number(opts.port ?? process.env.PORT ?? 3000);
      await startServer({ port, host: opts.host ?? process.env.HOST ?? '0.0.0.0', dataDir: opts.dataDir, demo: !!opts.demo });
    });
}
