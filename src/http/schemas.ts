/**
 * JSON-schema pieces shared by the platform's routes. Query strings and path parameters arrive as text (the
 * app does not coerce types, so a JSON body's "123" is never silently a number): they are declared as strings
 * with patterns and converted here, and a bad one is a 422 naming `querystring.x` or `params.x`.
 */
import type { FastifyRequest } from 'fastify';

export const SESSION = [{ session: [] as string[] }];

export const ID = { type: 'string', pattern: '^[1-9][0-9]{0,14}$', description: 'positive integer id' } as const;
/** An id in a JSON body: bounded like ID, so that an id past the database's range is a 422, not a database error. */
export const ID_NUMBER = { type: 'integer', minimum: 1, maximum: 9007199254740991, description: 'positive integer id' } as const;
/** A row version (an integer column). */
export const VERSION = { type: 'integer', minimum: 1, maximum: 2147483647 } as const;
export const YEAR = { type: 'string', pattern: '^(20[0-9]{2}|2100)$', description: 'four-digit year' } as const;
export const DATE = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'civil date YYYY-MM-DD (Asia/Shanghai)' } as const;
export const FEN = { type: 'integer', minimum: 0, maximum: 9007199254740991, description: 'integer fen (分)' } as const;
export const USCC = { type: 'string', minLength: 18, maxLength: 18, description: '统一社会信用代码 (18 characters)' } as const;
/** One line of text: names, references, items, titles (line breaks and control characters refused: input-text.ts). */
export const TEXT = (maxLength = 200) => ({ type: 'string', maxLength }) as const;
/** Text that may run over several lines (reasons, notes, objections): tab, CR and LF allowed, other controls not. */
export const LONG_TEXT = (maxLength = 2000) => ({ type: 'string', maxLength, 'x-multiline': true }) as const;

/** Documents the Idempotency-Key header (checked in idempotency.ts, so a bad one names the header). */
export const IDEMPOTENCY_HEADERS = {
  type: 'object',
  properties: { 'idempotency-key': { type: 'string', description: 'repeat-safe key (a UUID): the same key and body return the first response and create nothing' } },
} as const;

export const PAGE_QUERY = {
  page: { type: 'string', pattern: '^[1-9][0-9]{0,5}$', description: '1-based page (default 1)' },
  pageSize: { type: 'string', pattern: '^([1-9]|[1-9][0-9]|100)$', description: 'items per page, 1–100 (default 20)' },
} as const;

export function params<P extends Record<string, object>>(properties: P) {
  return { type: 'object', additionalProperties: false, required: Object.keys(properties), properties } as const;
}

export function query<P extends Record<string, object>>(properties: P) {
  return { type: 'object', additionalProperties: false, properties } as const;
}

export function body<P extends Record<string, object>>(properties: P, required: string[] = []) {
  return { type: 'object', additionalProperties: false, required, properties } as const;
}

/** A body that may also be left out altogether (no content, or JSON null). */
export function optionalBody<P extends Record<string, object>>(properties: P) {
  return { type: ['object', 'null'], additionalProperties: false, properties } as const;
}

/** Action endpoints that take no input: an empty JSON object, or no body at all. */
export const EMPTY_BODY = optionalBody({});

export function pageOf(req: FastifyRequest, defaultSize = 20): { page: number; pageSize: number } {
  const q = req.query as { page?: string; pageSize?: string };
  return { page: q.page ? Number(q.page) : 1, pageSize: q.pageSize ? Number(q.pageSize) : defaultSize };
}

export function paginate<T>(all: T[], page: number, pageSize: number) {
  return { items: all.slice((page - 1) * pageSize, page * pageSize), total: all.length, page, pageSize };
}

export const idParam = (req: FastifyRequest, name = 'id') => Number((req.params as Record<string, string>)[name]);

/** Content-Disposition for a download, with the UTF-8 name for browsers and an ASCII fallback. */
export function attachment(fileName: string, asciiFallback: string): string {
  return `attachment; filename="${asciiFallback.replace(/[^\x20-\x7e]|"/g, '_')}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}
