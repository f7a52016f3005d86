/**
 * The HTTP face: a Fastify app with schema-validated requests, OpenAPI at /docs, RFC 9457 errors, and the web
 * app's static files. Routes are thin: they validate, call a service or the engine, and shape the answer.
 * `buildApp` takes its dependencies so tests and benchmarks can build as many apps as they like.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fastifyStatic from '@fastify/static';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Engine } from '../engine/index.ts';
import { trustProxySetting } from '../config.ts';
import { errorHandler } from './problem.ts';
import { publicRoutes } from './routes/public.ts';

export interface AppDeps {
  engine: Engine;
  /** extra route plugins (the platform's authenticated API registers here) */
  plugins?: Array<(app: FastifyInstance) => Promise<void> | void>;
  logger?: boolean;
  /** folder of the built web app; default web/dist when it exists */
  webRoot?: string | null;
  /** which proxies' X-Forwarded-For to believe (config.ts trustProxySetting; default from KAIFANG_TRUST_PROXY) */
  trustProxy?: boolean | string;
}

export const WEB_DIST = fileURLToPath(new URL('../../web/dist/', import.meta.url));

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: deps.logger ?? false,
    bodyLimit: 2 * 1024 * 1024,
    // Strict request schemas: unknown fields are an error, not silently dropped.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: true } },
    // The client's address goes into the audit log: believe X-Forwarded-For only from the proxies named.
    trustProxy: deps.trustProxy ?? trustProxySetting(),
  });
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((req, reply) => {
    // The web app's routes fall back to index.html; API paths and missing files (an old /assets/*.js after a
    // rebuild) are a plain 404, so a browser never runs index.html as a script.
    const path = req.url.split('?')[0];
    if (path.startsWith('/api/') || !deps.webRoot || /\.[a-z0-9]+$/i.test(path)) {
      return errorHandler(Object.assign(new Error('not found'), { statusCode: 404 }) as never, req, reply);
    }
    return reply.sendFile('index.html');
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Kaifang API',
        description: '开放政策平台接口：政策计算、申报、审核、公示、拨付。Errors are RFC 9457 problem+json with messageZh, messageEn, code and errors[].path.',
        version: '0.1.0',
      },
      components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'kaifang_session' } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  await app.register(publicRoutes, { engine: deps.engine });
  for (const p of deps.plugins ?? []) await app.register(async (scope) => p(scope));

  const webRoot = deps.webRoot === undefined ? (existsSync(WEB_DIST) ? WEB_DIST : null) : deps.webRoot;
  deps.webRoot = webRoot;
  // wildcard: files are looked up per request, so a rebuilt web/dist is served without a restart;
  // preCompressed: the build writes .br/.gz beside each asset.
  if (webRoot) await app.register(fastifyStatic, { root: webRoot, wildcard: true, preCompressed: true, maxAge: '1h', index: 'index.html' });
  return app;
}
