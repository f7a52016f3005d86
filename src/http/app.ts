/**
 * The HTTP face: a Fastify app with schema-validated requests, OpenAPI at /docs, RFC 9457 errors, and the web
 * app's static files. Routes are thin: they validate, call a service or the engine, and shape the answer.
 * `buildApp` takes its dependencies so tests and benchmarks can build as many apps as they like.
 */
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fastifyStatic from '@fastify/static';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Engine } from '../engine/index.ts';
import { allowedOriginsSetting, trustProxySetting } from '../config.ts';
import { errorHandler } from './problem.ts';
import { originGuard } from './csrf.ts';
import { MULTILINE, refuseBadText } from './input-text.ts';
import { publicRoutes } from './routes/public.ts';

export interface AppDeps {
  engine: Engine;
  /** extra route plugins (the platform's authenticated API registers here) */
  plugins?: Array<(app: FastifyInstance) => Promise<void> | void>;
  /**
   * Logging (pino): false (default, for tests and embedding), true (info level), or a level and where to write
   * (the server passes KAIFANG_LOG_LEVEL; a test may pass a stream to read what was logged).
   */
  logger?: boolean | { level: string; stream?: { write(line: string): void } };
  /** folder of the built web app; default web/dist when it exists */
  webRoot?: string | null;
  /** which proxies' X-Forwarded-For to believe (config.ts trustProxySetting; default from KAIFANG_TRUST_PROXY) */
  trustProxy?: boolean | string;
  /** other origins whose pages may change things (csrf.ts; default from KAIFANG_ALLOWED_ORIGINS) */
  allowedOrigins?: string[];
}

export const WEB_DIST = fileURLToPath(new URL('../../web/dist/', import.meta.url));

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const logger = deps.logger ?? false;
  const app = Fastify({
    logger: logger as FastifyServerOptions['logger'],
    // Per-request lines ("incoming request", "request completed") only at debug level (below); at info the log
    // holds what needs attention, not one line per calculator call.
    logController: new LogController({ disableRequestLogging: true }),
    // A request id that is unique across restarts and servers, so that the id a user reports finds one log line.
    // A client's X-Request-Id is not taken: it would let anyone write ids into the log.
    genReqId: () => randomUUID(),
    bodyLimit: 2 * 1024 * 1024,
    // Strict request schemas: unknown fields are an error, not silently dropped. `x-multiline` marks the text
    // fields that may hold line breaks (input-text.ts); it documents itself in the OpenAPI output.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: true, keywords: [MULTILINE] } },
    // The client's address goes into the audit log: believe X-Forwarded-For only from the proxies named.
    trustProxy: deps.trustProxy ?? trustProxySetting(),
    // A URL Fastify cannot decode is answered by the error handler too (a problem, not Fastify's own JSON).
    frameworkErrors: (err, req, reply) => errorHandler(err, req, reply),
  });
  app.setErrorHandler(errorHandler);
  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
  if (typeof logger === 'object' && (logger.level === 'debug' || logger.level === 'trace')) {
    app.addHook('onResponse', async (req, reply) => {
      req.log.debug({ req, res: reply, responseTime: reply.elapsedTime }, 'request completed');
    });
  }
  // Before any route, the session check included: a browser page of another site changes nothing (csrf.ts).
  app.addHook('onRequest', originGuard(deps.allowedOrigins ?? allowedOriginsSetting()));
  // After the session check (registered in the platform's scope) and before each route's schema: refused
  // characters in any parameter, query or JSON body (input-text.ts).
  app.addHook('preValidation', refuseBadText);
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
