/**
 * Helpers for the HTTP suites: the whole platform app on a test database, and logging in through the API
 * itself (real session cookies). Fast scrypt parameters from the claims fixture keep logins cheap.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Db } from '../db/transaction.ts';
import { Engine } from '../engine/index.ts';
import { createPlatformContext, type PlatformContext } from '../claims/context.ts';
import { FAST_SECURITY, TEST_PASSWORD } from '../claims/fixture.ts';
import type { PlatformConfig } from '../config.ts';
import type { SecurityConfig } from '../identity/security-config.ts';
import { buildApp } from './app.ts';
import { platformRoutes } from './platform.ts';
import { SESSION_COOKIE } from './auth.ts';

let engine: Engine | undefined;
export const testEngine = () => (engine ??= Engine.load());

export interface TestPlatform {
  app: FastifyInstance;
  ctx: PlatformContext;
}

export async function platformApp(
  db: Db,
  opts: { today?: () => string; config?: Partial<PlatformConfig>; security?: SecurityConfig; now?: () => Date; trustProxy?: boolean | string; allowedOrigins?: string[] } = {},
): Promise<TestPlatform> {
  const evidenceDir = mkdtempSync(path.join(os.tmpdir(), 'kaifang-evidence-'));
  const ctx = createPlatformContext(db, testEngine(), { today: opts.today, config: { evidenceDir, ...opts.config } });
  const app = await buildApp({ engine: testEngine(), webRoot: null, trustProxy: opts.trustProxy ?? false, allowedOrigins: opts.allowedOrigins ?? [], plugins: platformRoutes(ctx, { security: opts.security ?? FAST_SECURITY, now: opts.now }) });
  app.addHook('onClose', async () => rmSync(evidenceDir, { recursive: true, force: true }));
  return { app, ctx };
}

/** Logs in through POST /api/auth/login and returns the Cookie header value for later requests. */
export async function login(app: FastifyInstance, username: string, password = TEST_PASSWORD): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });
  if (res.statusCode !== 200) throw new Error(`login ${username}: ${res.statusCode} ${res.body}`);
  return sessionCookie(res);
}

export function sessionCookie(res: LightMyRequestResponse): string {
  const c = res.cookies.find((x) => x.name === SESSION_COOKIE);
  if (!c) throw new Error('no session cookie in the response');
  return `${SESSION_COOKIE}=${c.value}`;
}

export async function countRows(db: Db, tables: string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of tables) {
    const r = await db.selectFrom(t as 'claims').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    out[t] = Number(r.n);
  }
  return out;
}

/** A minimal real PDF (what the magic-byte check looks for, and a reader opens). */
export const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n', 'latin1');
export const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(32, 1)]);

/** A multipart/form-data body with one file field. */
export function multipartBody(fileName: string, data: Buffer, field = 'file', contentType = 'application/octet-stream') {
  const boundary = `----kaifang${Math.random().toString(16).slice(2)}`;
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${fileName}"\r\nContent-Type: ${contentType}\r\n\r\n`, 'utf8');
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`, 'utf8');
  return { payload: Buffer.concat([head, data, tail]), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

export { TEST_PASSWORD };
