/**
 * Sessions over HTTP: the `kaifang_session` cookie (httpOnly, SameSite=Lax, Secure behind HTTPS) carries the
 * token that src/identity/sessions.ts issued; every request of the platform's scope is authenticated from it
 * before anything else runs, so an anonymous caller gets 401 before its input is even looked at. Routes
 * marked `config: { public: true }` (login, logout) are the only ones open without a session.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import { KaifangError } from '../errors.ts';
import { authenticate, login, logout } from '../identity/sessions.ts';
import { securityConfig, type SecurityConfig } from '../identity/security-config.ts';
import type { Principal } from '../identity/users.ts';
import { completePasswordSignIn, PUBLISHED_PASSWORDS, signInGate, type SignInStep } from '../identity/sign-in.ts';
import type { PlatformContext } from '../claims/context.ts';

export const SESSION_COOKIE = 'kaifang_session';

declare module 'fastify' {
  interface FastifyRequest {
    /** the logged-in user, set from the session cookie (null: anonymous) */
    user: Principal | null;
    /** signed in with the password, the second factor's code still to come (identity/sign-in.ts) */
    secondFactorPending: boolean;
  }
  interface FastifyContextConfig {
    /** open without a session (login, logout) */
    public?: boolean;
    /** open to a sign-in still half done: the code to give, the one-time password to change (identity/sign-in.ts) */
    openDuringSignIn?: SignInStep[];
  }
}

export interface AuthOptions {
  /** password hashing, lockout and session timeouts (default: from the environment) */
  security?: SecurityConfig;
  /** the clock, replaceable in tests (idle timeout) */
  now?: () => Date;
  /** `kaifang serve --demo`: the demo's published password may be kept; otherwise it must be changed at sign-in */
  demo?: boolean;
}

/** Why a request carries no user although it sent a cookie: the session ended (idle or past its age). */
const endedSessions = new WeakMap<FastifyRequest, string>();

/** The logged-in user, or a 401 problem: `session_expired` when the session timed out, else `unauthenticated`. */
export function requireUser(req: FastifyRequest): Principal {
  if (req.user) return req.user;
  const ended = endedSessions.get(req);
  if (ended === 'idle' || ended === 'expired') {
    throw new KaifangError({
      code: 'session_expired',
      zh: ended === 'idle' ? '长时间未操作，登录已失效，请重新登录' : '登录已过期，请重新登录',
      en: ended === 'idle' ? 'the session ended after a period of inactivity; sign in again' : 'the session has expired; sign in again',
    });
  }
  throw new KaifangError({ code: 'unauthenticated', zh: '请先登录', en: 'sign in first' });
}

function cookieOptions(req: FastifyRequest, expires?: Date) {
  return { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: req.protocol === 'https', ...(expires ? { expires } : {}) };
}

export interface MeView {
  id: number;
  username: string;
  displayName: string;
  role: Principal['role'];
  enterpriseUscc: string | null;
  areaId: string | null;
  departmentId: string | null;
  enterprise?: { uscc: string; name: string; areaId: string; industryClass: string };
  /** identity/sign-in.ts: a one-time password to change first; the enterprise's administrator; TOTP on; the code still due */
  mustChangePassword: boolean;
  enterpriseAdmin: boolean;
  secondFactor: boolean;
  secondFactorPending?: boolean;
}

export async function meView(ctx: PlatformContext, user: Principal): Promise<MeView> {
  const me: MeView = {
    id: user.id, username: user.username, displayName: user.displayName, role: user.role, enterpriseUscc: user.enterpriseUscc, areaId: user.areaId, departmentId: user.departmentId,
    mustChangePassword: !!user.mustChangePassword, enterpriseAdmin: !!user.enterpriseAdmin, secondFactor: !!user.secondFactor,
  };
  if (user.enterpriseUscc) {
    const e = await ctx.db.selectFrom('enterprises').selectAll().where('uscc', '=', user.enterpriseUscc).executeTakeFirst();
    if (e) me.enterprise = { uscc: e.uscc, name: e.name, areaId: e.area_id, industryClass: e.industry_class };
  }
  return me;
}

const meSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    username: { type: 'string' },
    displayName: { type: 'string' },
    role: { type: 'string', enum: ['enterprise', 'areaReviewer', 'departmentReviewer', 'finance', 'auditor', 'admin'] },
    enterpriseUscc: { type: ['string', 'null'] },
    areaId: { type: ['string', 'null'] },
    departmentId: { type: ['string', 'null'] },
    enterprise: { type: 'object', properties: { uscc: { type: 'string' }, name: { type: 'string' }, areaId: { type: 'string' }, industryClass: { type: 'string' } } },
    mustChangePassword: { type: 'boolean', description: 'a one-time or published password: only POST /api/me/password until it is changed' },
    enterpriseAdmin: { type: 'boolean', description: "the enterprise's administrator (adds and disables colleagues)" },
    secondFactor: { type: 'boolean', description: 'TOTP second factor on' },
    secondFactorPending: { type: 'boolean', description: 'signed in with the password; POST /api/auth/second-factor with the code next' },
  },
} as const;

/**
 * Registers the cookie parser, the authentication hook and the session routes on `app`. Register the
 * platform's routes in the same scope (or below it) so the hook covers them.
 */
export async function registerAuth(app: FastifyInstance, ctx: PlatformContext, opts: AuthOptions = {}) {
  const config = opts.security ?? securityConfig();
  const clock = () => ({ config, now: opts.now?.() });
  await app.register(cookie);
  // Only the routes that ask for it (login), in memory per server process.
  await app.register(rateLimit, { global: false });
  app.decorateRequest('user', null);
  app.decorateRequest('secondFactorPending', false);

  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    const token = req.cookies[SESSION_COOKIE];
    if (token) {
      const check = await authenticate(ctx.db, token, clock());
      if (check.ok) {
        req.user = check.user;
        req.secondFactorPending = !!check.secondFactorPending;
      } else {
        endedSessions.set(req, check.reason);
        reply.clearCookie(SESSION_COOKIE, cookieOptions(req));
      }
    }
    if (!req.user && !req.routeOptions.config?.public) requireUser(req);
    // A sign-in still half done (the code to give, a one-time password to change) opens only its own steps.
    const wait = req.user && !req.routeOptions.config?.public ? signInGate(req.user, req.secondFactorPending, req.routeOptions.config?.openDuringSignIn) : null;
    if (wait) throw wait;
  });

  app.post(
    '/api/auth/login',
    {
      config: {
        public: true,
        rateLimit: {
          max: config.loginAttemptsPerMinute,
          timeWindow: 60_000,
          // Thrown, so the error handler answers it as a problem like every other error.
          errorResponseBuilder: (_req: FastifyRequest, context: { ttl: number; max: number }) => {
            const seconds = Math.max(1, Math.ceil(context.ttl / 1000));
            return new KaifangError({
              code: 'rate_limited',
              zh: `此地址登录尝试过于频繁（每分钟最多${context.max}次），请${seconds}秒后再试`,
              en: `too many login attempts from this address (at most ${context.max} a minute); try again in ${seconds} s`,
            });
          },
        },
      },
      schema: {
        tags: ['session'],
        summary: '登录：成功后设置会话 Cookie（kaifang_session）',
        description: '401 `bad_credentials` (same answer for an unknown user and a wrong password); 423 `account_locked` after repeated failures from the same address (the account stays open to other addresses); 429 `rate_limited` past KAIFANG_LOGIN_ATTEMPTS_PER_MINUTE attempts from one address.',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['username', 'password'],
          properties: { username: { type: 'string', minLength: 1, maxLength: 64 }, password: { type: 'string', minLength: 1, maxLength: 1024 } },
        },
        response: { 200: { type: 'object', properties: { user: meSchema, secondFactorRequired: { type: 'boolean', description: 'POST /api/auth/second-factor with the code next' } } } },
      },
    },
    async (req, reply) => {
      const body = req.body as { username: string; password: string };
      // A login from a browser that still holds a session ends that session first.
      const previous = req.cookies[SESSION_COOKIE];
      if (previous) await logout(ctx.db, previous, { ip: req.ip });
      try {
        const result = await login(ctx.db, { username: body.username, password: body.password, ip: req.ip, userAgent: req.headers['user-agent'] ?? null }, clock());
        // A published (demo) password outside the demo must be changed; the last sign-in; the second factor next.
        const signIn = await completePasswordSignIn(ctx.db, result, { password: body.password, publishedPasswords: opts.demo ? [] : PUBLISHED_PASSWORDS, ip: req.ip, now: opts.now?.() });
        reply.setCookie(SESSION_COOKIE, result.token, cookieOptions(req, result.expiresAt));
        return { user: { ...(await meView(ctx, signIn.user)), secondFactorPending: signIn.secondFactorPending }, secondFactorRequired: signIn.secondFactorPending };
      } catch (e) {
        if (e instanceof KaifangError && e.code === 'invalid_credentials') {
          throw new KaifangError({ code: 'bad_credentials', zh: e.messageZh, en: e.messageEn });
        }
        throw e;
      }
    },
  );

  app.post(
    '/api/auth/logout',
    { config: { public: true }, schema: { tags: ['session'], summary: '退出登录：结束会话（未登录时亦返回204）', response: { 204: { type: 'null' } } } },
    async (req, reply) => {
      const token = req.cookies[SESSION_COOKIE];
      if (token) await logout(ctx.db, token, { ip: req.ip });
      reply.clearCookie(SESSION_COOKIE, cookieOptions(req));
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/me',
    {
      config: { openDuringSignIn: ['secondFactor', 'passwordChange'] },
      schema: { tags: ['session'], summary: '当前用户（企业用户附所属企业）', security: [{ session: [] }], response: { 200: meSchema } },
    },
    async (req) => ({ ...(await meView(ctx, requireUser(req))), secondFactorPending: req.secondFactorPending }),
  );
}
