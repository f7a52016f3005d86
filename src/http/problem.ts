/**
 * Errors as RFC 9457 problem details (application/problem+json), with the Chinese and English message, a
 * machine-readable code and the path of each bad field. Every route's errors go through here.
 *
 * Three kinds, told apart here and nowhere else:
 * - Kaifang's own errors (KaifangError / ValidationError) keep the status of their code.
 * - What Fastify and its plugins refuse before a route runs — a schema violation, a body that is not JSON, a
 *   wrong content type, a body too large — is the client's mistake: 4xx with a code that says which.
 * - Anything else is a fault of the server: 500 `internal_error`, logged with its stack through the request's
 *   logger (pino, bound to the request id), and answered with that id (`requestId`, the `instance` URN and the
 *   `x-request-id` header) so that a report from a user leads to the log line. The error's own message never
 *   reaches the client.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { KaifangError, ValidationError } from '../errors.ts';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  messageZh: string;
  messageEn: string;
  /** the request's path, or for a server fault `urn:kaifang:request:<requestId>` */
  instance?: string;
  /** the id of the request in the server's log */
  requestId?: string;
  errors?: Array<{ path?: string; code: string; messageZh: string; messageEn: string }>;
}

/** HTTP status for our error codes; anything not listed about the input is a 400/422. */
const STATUS: Record<string, number> = {
  bad_request: 400,
  malformed_json: 400,
  bad_multipart: 400,
  bad_characters: 400,
  too_deep: 400,
  unauthenticated: 401,
  session_expired: 401,
  bad_credentials: 401,
  invalid_credentials: 401,
  account_locked: 423,
  // users and sign-in (identity/sign-in.ts, second-factor.ts, user-admin.ts)
  second_factor_required: 401,
  too_many_attempts: 401,
  password_change_required: 403,
  second_factor_not_offered: 403,
  username_taken: 409,
  enterprise_admin_exists: 409,
  cannot_change_self: 409,
  second_factor_enabled: 409,
  second_factor_off: 409,
  second_factor_not_offered_yet: 409,
  second_factor_not_pending: 409,
  wrong_password: 422,
  wrong_code: 422,
  forbidden: 403,
  csrf_origin: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  invalid_state: 409,
  // the audit chain does not verify (src/audit/anchor.ts): no anchor is signed for it
  audit_chain_tampered: 409,
  idempotency_conflict: 409,
  enterprise_exists: 409,
  not_eligible: 422,
  cap_exceeded: 409,
  budget_exhausted: 409,
  credit_blocked: 403,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal_error: 500,
  evidence_missing: 500,
  evidence_corrupt: 500,
  // Excel imports past the number one server reads at once (config.ts importsAtOnce): try again shortly.
  import_busy: 503,
};

export function statusOf(e: KaifangError): number {
  const own = STATUS[e.code];
  if (own !== undefined) return own;
  if (e instanceof ValidationError) {
    // Several fields, one kind of fault (e.g. bad characters in two fields): the status of that kind.
    const statuses = new Set(e.errors.map((x) => STATUS[x.code]));
    if (statuses.size === 1) {
      const [only] = statuses;
      if (only !== undefined) return only;
    }
    return 422;
  }
  return 400;
}

export function problemOf(e: KaifangError, instance?: string, requestId?: string): Problem {
  const status = statusOf(e);
  const errors = e instanceof ValidationError ? e.errors : e.path !== undefined ? [e] : undefined;
  return {
    type: `https://kaifang.local/problems/${e.code}`,
    title: e.messageEn.split('\n')[0].slice(0, 120),
    status,
    detail: e.messageZh,
    code: e.code,
    messageZh: e.messageZh,
    messageEn: e.messageEn,
    instance,
    requestId,
    errors: errors?.map((x) => ({ path: x.path, code: x.code, messageZh: x.messageZh, messageEn: x.messageEn })),
  };
}

/** Fastify's own schema-validation errors, turned into ours so clients see one shape. */
function fromValidation(err: FastifyError): ValidationError {
  const ctx = err.validationContext ?? 'body';
  return new ValidationError(
    err.validation!.map((v) => {
      const missing = v.keyword === 'required' ? `/${(v.params as { missingProperty: string }).missingProperty}` : '';
      const extra = v.keyword === 'additionalProperties' ? `/${(v.params as { additionalProperty: string }).additionalProperty}` : '';
      const path = `${ctx}${(v.instancePath + missing + extra).replace(/\//g, '.')}`;
      const zh =
        v.keyword === 'required' ? '必填项缺失' : v.keyword === 'additionalProperties' ? '不认识的字段' : v.keyword === 'type' ? `类型不对（应为${(v.params as { type: string }).type}）` : `不符合要求：${v.message}`;
      return new KaifangError({ code: `schema_${v.keyword}`, path, zh, en: v.message ?? v.keyword });
    }),
  );
}

/**
 * A request Fastify or a plugin refused as the client's mistake (a 4xx status), as our error; undefined for
 * anything else, which is the server's fault.
 */
export function clientErrorOf(err: FastifyError): KaifangError | undefined {
  if (err.validation) return fromValidation(err);
  const status = typeof err.statusCode === 'number' ? err.statusCode : undefined;
  if (status === undefined || status < 400 || status >= 500) return undefined;
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new KaifangError({ code: 'malformed_json', zh: '请求内容不是有效的 JSON', en: 'the request body is not valid JSON' });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new KaifangError({ code: 'malformed_json', zh: '请求声明为 JSON，但内容为空', en: 'the request body is declared JSON but empty' });
  }
  if (status === 413) return new KaifangError({ code: 'payload_too_large', zh: '请求内容过大', en: 'request body too large' });
  if (status === 415) return new KaifangError({ code: 'unsupported_media_type', zh: '不支持的内容类型，请使用 JSON', en: 'unsupported content type; send JSON' });
  if (status === 404) return new KaifangError({ code: 'not_found', zh: '找不到该资源', en: 'not found' });
  if (status === 405) return new KaifangError({ code: 'method_not_allowed', zh: '不支持该请求方法', en: 'method not allowed' });
  if (status === 429) return new KaifangError({ code: 'rate_limited', zh: '请求过于频繁，请稍后再试', en: 'too many requests' });
  // Other 4xx (a malformed URL, a wrong Content-Length …): Fastify's message names the fault and holds no secret.
  return new KaifangError({ code: 'bad_request', zh: `请求格式有误：${err.message}`, en: err.message });
}

/** The id is in the message too, so that any client that shows the message (the web app does) shows the id. */
const INTERNAL = (requestId: string) =>
  new KaifangError({
    code: 'internal_error',
    zh: `服务器内部错误，请稍后重试；如仍不成功，请把请求编号 ${requestId} 告知平台管理员`,
    en: `internal server error; if it persists, give the administrator the request id ${requestId}`,
  });

export function sendProblem(reply: FastifyReply, e: KaifangError, req?: FastifyRequest) {
  const status = statusOf(e);
  const requestId = req ? String(req.id) : undefined;
  // A server fault is one occurrence, named by its request id; a client error by the resource it was about.
  const instance = status >= 500 && requestId ? `urn:kaifang:request:${requestId}` : req?.url;
  const p = problemOf(e, instance, requestId);
  if (requestId) reply.header('x-request-id', requestId);
  return reply.code(p.status).type('application/problem+json; charset=utf-8').send(p);
}

export function errorHandler(err: FastifyError | KaifangError, req: FastifyRequest, reply: FastifyReply) {
  const known = err instanceof KaifangError ? err : clientErrorOf(err as FastifyError);
  const e = known ?? INTERNAL(String(req.id));
  // Logged with its stack and the request (method, url, address) under the request's id; a 5xx of our own
  // (a missing evidence file) too. Client errors are not: they are the client's to read, and would drown the log.
  const status = statusOf(e);
  if (status >= 500 && status !== 503) req.log.error({ err, req }, known ? `${e.code}: ${err.message}` : `unexpected error: ${err.message}`);
  return sendProblem(reply, e, req);
}
