// Users and sign-in (issue 10): the district administrator keeps every account, an enterprise's administrator its
// colleagues' (identity/user-admin.ts); every user changes their own password and, as an official or
// administrator, may turn on a TOTP second factor (identity/sign-in.ts, identity/second-factor.ts).
//
// User creation and password resets answer with a one-time password. They take no Idempotency-Key on purpose:
// a stored response would keep that password in the database for a day. A repeated create is refused anyway
// (`username_taken`), and a repeated reset only makes a newer one-time password.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { PlatformContext } from '../../claims/context.ts';
import { actorOf } from '../../claims/context.ts';
import { ROLES } from '../../db/schema.ts';
import { KaifangError } from '../../errors.ts';
import { disableSecondFactor, enableSecondFactor, offerSecondFactor, verifySecondFactor } from '../../identity/second-factor.ts';
import { changeOwnPassword, sessionRef } from '../../identity/sign-in.ts';
import {
  createManagedUser,
  getUserView,
  listUserViews,
  parseUserFilter,
  resetManagedSecondFactor,
  resetUserPassword,
  setManagedUserDisabled,
  unlockManagedUser,
  updateManagedUser,
  USER_STATUSES,
} from '../../identity/user-admin.ts';
import { meView, requireUser, SESSION_COOKIE } from '../auth.ts';
import { body, EMPTY_BODY, ID, idParam, PAGE_QUERY, pageOf, params, query, SESSION, TEXT } from '../schemas.ts';

const tags = ['users'];
const PASSWORD = { type: 'string', maxLength: 1024 } as const;
const CODE = { type: 'string', maxLength: 20, description: 'the 6 digits the authenticator app shows' } as const;

const USER_VIEW = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    username: { type: 'string' },
    displayName: { type: 'string' },
    role: { type: 'string', enum: [...ROLES] },
    enterpriseUscc: { type: ['string', 'null'] },
    enterpriseName: { type: ['string', 'null'] },
    areaId: { type: ['string', 'null'] },
    departmentId: { type: ['string', 'null'] },
    enterpriseAdmin: { type: 'boolean' },
    status: { type: 'string', enum: ['active', 'disabled'] },
    disabledAt: { type: ['string', 'null'], format: 'date-time' },
    locked: { type: 'boolean', description: 'locked out from at least one client address' },
    lockedUntil: { type: ['string', 'null'], format: 'date-time' },
    mustChangePassword: { type: 'boolean' },
    secondFactor: { type: 'boolean' },
    lastLoginAt: { type: ['string', 'null'], format: 'date-time', description: 'the last complete sign-in' },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const;

/** The session the request came with (for the checks counted against it). */
function sessionOf(req: FastifyRequest) {
  const token = req.cookies[SESSION_COOKIE];
  if (!token) throw new KaifangError({ code: 'unauthenticated', zh: '请先登录', en: 'sign in first' });
  return sessionRef(token);
}

export async function userRoutes(app: FastifyInstance, opts: { ctx: PlatformContext }) {
  const { ctx } = opts;
  const isDepartmentId = (id: string) => ctx.engine.policy.agencies.has(id);
  const adminOptions = (req: FastifyRequest) => ({ actor: actorOf(requireUser(req), req.ip), isDepartmentId });

  // ── The administrators' user pages ──────────────────────────────────────────────────────────────────
  app.get(
    '/api/users',
    {
      schema: {
        tags,
        security: SESSION,
        summary: '用户列表（区管理员、审计：全部；企业管理员：本企业同事），可按角色、范围、状态筛选',
        querystring: query({
          role: { type: 'string', enum: [...ROLES] },
          status: { type: 'string', enum: [...USER_STATUSES] },
          areaId: TEXT(64),
          departmentId: TEXT(64),
          enterpriseUscc: TEXT(40),
          q: TEXT(100),
          ...PAGE_QUERY,
        }),
        response: { 200: { type: 'object', properties: { items: { type: 'array', items: USER_VIEW }, total: { type: 'integer' }, page: { type: 'integer' }, pageSize: { type: 'integer' } } } },
      },
    },
    async (req) => {
      const filter = parseUserFilter(req.query as Record<string, string | undefined>);
      return listUserViews(ctx.db, requireUser(req), { ...filter, ...pageOf(req) });
    },
  );

  app.post(
    '/api/users',
    {
      schema: {
        tags,
        security: SESSION,
        summary: '新建用户：返回一次性密码（只显示这一次；用户首次登录须修改）',
        description:
          'role and the one scope it takes: enterpriseUscc (enterprise), areaId (areaReviewer), departmentId (departmentReviewer). An enterprise administrator adds enterprise users of its own USCC only. No Idempotency-Key: the answer holds the one-time password, which is never stored.',
        body: body(
          { username: TEXT(64), displayName: TEXT(100), role: { type: 'string' }, enterpriseUscc: TEXT(40), areaId: TEXT(64), departmentId: TEXT(64), enterpriseAdmin: { type: 'boolean' } },
          ['username', 'displayName'],
        ),
        response: { 201: { type: 'object', properties: { user: USER_VIEW, oneTimePassword: { type: 'string' } } } },
      },
    },
    async (req, reply) => {
      const created = await createManagedUser(ctx.db, requireUser(req), req.body as never, adminOptions(req));
      return reply.code(201).send(created);
    },
  );

  app.get('/api/users/:id', { schema: { tags, security: SESSION, summary: '用户详情', params: params({ id: ID }), response: { 200: USER_VIEW } } }, async (req) =>
    getUserView(ctx.db, requireUser(req), idParam(req)),
  );

  app.patch(
    '/api/users/:id',
    {
      schema: {
        tags,
        security: SESSION,
        summary: '修改姓名；指定企业管理员（区管理员；原企业管理员随之卸任）',
        params: params({ id: ID }),
        body: body({ displayName: TEXT(100), enterpriseAdmin: { type: 'boolean' } }),
        response: { 200: USER_VIEW },
      },
    },
    async (req) => updateManagedUser(ctx.db, requireUser(req), idParam(req), req.body as never, adminOptions(req)),
  );

  const action = (path: string, summary: string, run: (req: FastifyRequest) => Promise<unknown>, response: object = USER_VIEW) =>
    app.post(`/api/users/:id/${path}`, { schema: { tags, security: SESSION, summary, params: params({ id: ID }), body: EMPTY_BODY, response: { 200: response } } }, run);

  action('disable', '停用账户（立即结束其会话；不能停用自己）', (req) => setManagedUserDisabled(ctx.db, requireUser(req), idParam(req), true, adminOptions(req)));
  action('enable', '重新启用账户', (req) => setManagedUserDisabled(ctx.db, requireUser(req), idParam(req), false, adminOptions(req)));
  action('unlock', '解除登录锁定（所有地址）', (req) => unlockManagedUser(ctx.db, requireUser(req), idParam(req), adminOptions(req)));
  action(
    'reset-password',
    '重置密码：返回一次性密码（只显示这一次；用户登录后须修改），结束其会话',
    (req) => resetUserPassword(ctx.db, requireUser(req), idParam(req), adminOptions(req)),
    { type: 'object', properties: { oneTimePassword: { type: 'string' } } },
  );
  action('second-factor/reset', '关闭用户的动态验证码（手机丢失时；仅区管理员），结束其会话', (req) => resetManagedSecondFactor(ctx.db, requireUser(req), idParam(req), adminOptions(req)));

  // ── Every user's own account ────────────────────────────────────────────────────────────────────────
  app.post(
    '/api/me/password',
    {
      config: { openDuringSignIn: ['passwordChange'] },
      schema: {
        tags,
        security: SESSION,
        summary: '修改自己的密码（当前密码 + 新密码）；其他会话随之结束',
        body: body({ currentPassword: PASSWORD, newPassword: PASSWORD }, ['currentPassword', 'newPassword']),
        response: { 204: { type: 'null' } },
      },
    },
    async (req, reply) => {
      const user = requireUser(req);
      await changeOwnPassword(ctx.db, sessionOf(req), user, req.body as never, { actor: actorOf(user, req.ip) });
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/me/second-factor/setup',
    {
      schema: {
        tags,
        security: SESSION,
        summary: '绑定动态验证码第一步：生成密钥，返回 otpauth:// 地址与二维码（工作人员、管理员）',
        body: EMPTY_BODY,
        response: { 200: { type: 'object', properties: { secret: { type: 'string' }, uri: { type: 'string' }, qrSvg: { type: 'string' } } } },
      },
    },
    async (req) => {
      const user = requireUser(req);
      return offerSecondFactor(ctx.db, user, { actor: actorOf(user, req.ip) });
    },
  );

  app.post(
    '/api/me/second-factor/enable',
    {
      schema: {
        tags,
        security: SESSION,
        summary: '绑定动态验证码第二步：账户密码 + 手机显示的验证码；此后登录须输入验证码',
        body: body({ password: PASSWORD, code: CODE }, ['password', 'code']),
        response: { 204: { type: 'null' } },
      },
    },
    async (req, reply) => {
      const user = requireUser(req);
      await enableSecondFactor(ctx.db, user, req.body as never, { actor: actorOf(user, req.ip), session: sessionOf(req) });
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/me/second-factor/disable',
    {
      schema: { tags, security: SESSION, summary: '停用自己的动态验证码（账户密码）', body: body({ password: PASSWORD }, ['password']), response: { 204: { type: 'null' } } },
    },
    async (req, reply) => {
      const user = requireUser(req);
      await disableSecondFactor(ctx.db, user, req.body as never, { actor: actorOf(user, req.ip), session: sessionOf(req) });
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/auth/second-factor',
    {
      config: { openDuringSignIn: ['secondFactor'] },
      schema: {
        tags: ['session'],
        security: SESSION,
        summary: '登录第二步：动态验证码（已启用动态验证码的用户）',
        description: '422 `wrong_code`; after KAIFANG_LOGIN_MAX_FAILURES wrong codes the session ends (401 `too_many_attempts`) and the password is asked again.',
        body: body({ code: CODE }, ['code']),
      },
    },
    async (req) => {
      const user = requireUser(req);
      if (!req.secondFactorPending) {
        throw new KaifangError({ code: 'second_factor_not_pending', zh: '此会话已完成登录，无需再输入验证码', en: 'this session is already signed in; no code is due' });
      }
      await verifySecondFactor(ctx.db, sessionOf(req), user, (req.body as { code: string }).code, { actor: actorOf(user, req.ip) });
      return { user: { ...(await meView(ctx, user)), secondFactorPending: false } };
    },
  );
}
