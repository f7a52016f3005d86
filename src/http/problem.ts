/**
 * Errors as RFC 9457 problem details (application/problem+json), with the Chinese and English message, a
 * machine-readable code and the path of each bad field. Every route's errors go through here.
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
  instance?: string;
  errors?: Array<{ path?: string; code: string; messageZh: string; messageEn: string }>;
}

/** HTTP status for our error codes; anything not listed about the input is a 400/422. */
const STATUS: Record<string, number> = {
  unauthenticated: 401,
  session_expired: 401,
  bad_credentials: 401,
  invalid_credentials: 401,
  account_locked: 423,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  invalid_state: 409,
  idempotency_conflict: 409,
  enterprise_exists: 409,
  not_eligible: 422,
  cap_exceeded: 409,
  budget_exhausted: 409,
  credit_blocked: 403,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  evidence_missing: 500,
  evidence_corrupt: 500,
};

export function statusOf(e: KaifangError): number {
  return STATUS[e.code] ?? (e instanceof ValidationError ? 422 : 400);
}

export function problemOf(e: KaifangError, instance?: string): Problem {
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
    errors: errors?.map((x) => ({ path: x.path, code: x.code, messageZh: x.messageZh, messageEn: x.messageEn })),
  };
}

/** Fastify's own schema-validation errors, turned into ours so clients see one shape. */
function fromFastify(err: FastifyError): KaifangError {
  if (err.validation) {
    const ctx = err.validationContext ?? 'body';
    return new ValidationError(
      err.validation.map((v) => {
        const missing = v.keyword === 'required' ? `/${(v.params as { missingProperty: string }).missingProperty}` : '';
        const extra = v.keyword === 'additionalProperties' ? `/${(v.params as { additionalProperty: string }).additionalProperty}` : '';
        const path = `${ctx}${(v.instancePath + missing + extra).replace(/\//g, '.')}`;
        const zh =
          v.keyword === 'required' ? '必填项缺失' : v.keyword === 'additionalProperties' ? '不认识的字段' : v.keyword === 'type' ? `类型不对（应为${(v.params as { type: string }).type}）` : `不符合要求：${v.message}`;
        return new KaifangError({ code: `schema_${v.keyword}`, path, zh, en: v.message ?? v.keyword });
      }),
    );
  }
  if (err.statusCode === 413) return new KaifangError({ code: 'payload_too_large', zh: '请求内容过大', en: 'request body too large' });
  if (err.statusCode === 415) return new KaifangError({ code: 'unsupported_media_type', zh: '不支持的内容类型，请使用 JSON', en: 'unsupported content type; send JSON' });
  if (err.statusCode === 400) return new KaifangError({ code: 'bad_request', zh: `请求格式有误：${err.message}`, en: err.message });
  if (err.statusCode === 404) return new KaifangError({ code: 'not_found', zh: '找不到该资源', en: 'not found' });
  if (err.statusCode === 429) return new KaifangError({ code: 'rate_limited', zh: '请求过于频繁，请稍后再试', en: 'too many requests' });
  return new KaifangError({ code: 'internal_error', zh: '服务器内部错误，请稍后重试或联系管理员', en: 'internal server error' });
}

export function sendProblem(reply: FastifyReply, e: KaifangError, req?: FastifyRequest) {
  const p = problemOf(e, req?.url);
  return reply.code(p.status).type('application/problem+json; charset=utf-8').send(p);
}

export function errorHandler(err: FastifyError | KaifangError, req: FastifyRequest, reply: FastifyReply) {
  const e = err instanceof KaifangError ? err : fromFastify(err as FastifyError);
  if (e.code === 'internal_error') req.log.error(err);
  return sendProblem(reply, e, req);
}
