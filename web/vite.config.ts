// The web app's build: `npm run build:web` writes web/dist, which the Fastify app serves with an index.html fallback.
// `npm run dev:web` serves it with hot reload and proxies /api and /docs to a running `kaifang serve` (default :3000).
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const root = fileURLToPath(new URL('.', import.meta.url));
const api = process.env.KAIFANG_API ?? 'http://localhost:3000';

/**
 * Write .br and .gz beside every built asset, so the server can send them as they are (@fastify/static
 * `preCompressed: true`) instead of 700 KB of uncompressed JavaScript.
 */
function precompress(): Plugin {
  return {
    name: 'kaifang-precompress',
    apply: 'build',
    closeBundle() {
      const dir = path.join(root, 'dist', 'assets');
      for (const f of readdirSync(dir)) {
        if (!/\.(js|css|svg|json)$/.test(f)) continue;
        const data = readFileSync(path.join(dir, f));
        if (data.length < 1024) continue;
        writeFileSync(path.join(dir, f + '.gz'), gzipSync(data, { level: 9 }));
        writeFileSync(path.join(dir, f + '.br'), brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 9 } }));
      }
    },
  };
}

export default defineConfig({
  root,
  base: '/',
  plugins: [react(), precompress()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 900,
    rolldownOptions: {
      output: {
        // React and the router change rarely: their own long-cached chunk. Ant Design and ECharts are split by
        // the bundler along the lazy routes (ECharts only reaches the overview page).
        codeSplitting: {
          groups: [{ name: 'react', test: /node_modules[\\/](react|react-dom|scheduler|react-router|react-router-dom|cookie|set-cookie-parser)[\\/]/ }],
        },
      },
    },
  },
  server: {
    port: 5173,
    proxy: { '/api': api, '/docs': api },
  },
});
