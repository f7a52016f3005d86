/**
 * Characters no field of Kaifang accepts, checked once for every request before its schema: control characters
 * (C0, DEL, C1 — a NUL cannot even be stored in PostgreSQL text, and none belongs in a name or a reason), lone
 * UTF-16 surrogates (not text: JSON's "\ud800" escape makes one, and it breaks the audit chain's JSON and any
 * UTF-8 export) and invisible formatting characters (bidi overrides and isolates, zero-width characters, the
 * BOM, Unicode tags): they make a file name, an enterprise name or a reason read differently from what is
 * stored — "‮fdp.exe" shows as "exe.pdf" — or hide text from the official who reads it.
 *
 * They are refused, never silently removed: the sender learns which field and which character (U+XXXX), and
 * nothing is stored. Tab, line feed and carriage return are allowed only in fields declared multi-line
 * (`LONG_TEXT` in schemas.ts: reasons, notes, objections); names, references, items and query parameters are
 * one line.
 */
import type { FastifyRequest } from 'fastify';
import { KaifangError, ValidationError } from '../errors.ts';

/** The schema keyword that marks a string field as multi-line text (schemas.ts LONG_TEXT). */
export const MULTILINE = 'x-multiline';

// With the `u` flag a well-formed surrogate pair is one code point, so [\uD800-\uDFFF] matches only lone halves.
const INVISIBLE = '\\u061C\\u180E\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u2064\\u2066-\\u2069\\uFEFF\\u{E0000}-\\u{E007F}';
const SINGLE_LINE = new RegExp(`[\\u0000-\\u001F\\u007F-\\u009F\\u2028\\u2029${INVISIBLE}\\uD800-\\uDFFF]`, 'u');
const MULTI_LINE = new RegExp(`[\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F${INVISIBLE}\\uD800-\\uDFFF]`, 'u');

/** Deeper JSON than any Kaifang document (facts are five levels deep) is refused before anything walks it. */
export const MAX_DEPTH = 32;
/** One answer names at most this many bad fields. */
const MAX_REPORTED = 20;

function describe(ch: string): { zh: string; en: string } {
  const cp = ch.codePointAt(0)!;
  const hex = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  if (cp >= 0xd800 && cp <= 0xdfff) return { zh: `${hex}（不成对的代理项，不是有效字符）`, en: `${hex} (a lone surrogate, not a character)` };
  if (cp <= 0x1f || (cp >= 0x7f && cp <= 0x9f) || cp === 0x2028 || cp === 0x2029) return { zh: `${hex}（控制字符或换行）`, en: `${hex} (a control character or line break)` };
  return { zh: `${hex}（不可见的方向或零宽格式字符）`, en: `${hex} (an invisible direction or zero-width formatting character)` };
}

/** The first character `text` may not contain, or undefined when it is clean. */
export function badCharacter(text: string, multiline = false): string | undefined {
  const m = (multiline ? MULTI_LINE : SINGLE_LINE).exec(text);
  return m ? m[0] : undefined;
}

export function badCharacterError(path: string, ch: string): KaifangError {
  const d = describe(ch);
  return new KaifangError({
    code: 'bad_characters',
    path,
    zh: `含有不允许的字符 ${d.zh}；请删除后重试（多行文本外不能换行）`,
    en: `contains a character that is not allowed: ${d.en}; remove it and try again (line breaks only in multi-line text)`,
  });
}

/** Throws a 400 `bad_characters` naming `path` when `text` holds a refused character. */
export function assertCleanText(text: string, path: string, multiline = false): void {
  const ch = badCharacter(text, multiline);
  if (ch !== undefined) throw new ValidationError([badCharacterError(path, ch)]);
}

type Schema = Record<string, unknown> | undefined;

/** The schema of property `key` (or of an array's items) under `schema`, through anyOf/oneOf/allOf branches. */
function childSchema(schema: Schema, key: string | number): Schema {
  if (!schema) return undefined;
  if (typeof key === 'number') {
    const items = schema.items as Schema;
    if (items) return items;
  } else {
    const props = schema.properties as Record<string, Schema> | undefined;
    if (props && Object.hasOwn(props, key)) return props[key];
  }
  for (const k of ['anyOf', 'oneOf', 'allOf']) {
    for (const branch of (schema[k] as Schema[] | undefined) ?? []) {
      const found = childSchema(branch, key);
      if (found) return found;
    }
  }
  return undefined;
}

function isMultiline(schema: Schema): boolean {
  if (!schema) return false;
  if (schema[MULTILINE] === true) return true;
  return ['anyOf', 'oneOf', 'allOf'].some((k) => ((schema[k] as Schema[] | undefined) ?? []).some(isMultiline));
}

/** A key as it appears in a path: itself, or with its refused characters written as \uXXXX so the path is readable. */
function keyInPath(key: string): string {
  return key.replace(new RegExp(SINGLE_LINE.source, 'gu'), (c) => `\\u{${c.codePointAt(0)!.toString(16).toUpperCase()}}`);
}

/**
 * Every refused character in a parsed JSON value (strings and object keys), each named by its path
 * (`body.claims.0.item`, the way schema errors name fields). Iterative, so no nesting can exhaust the stack;
 * nesting beyond MAX_DEPTH is itself an error.
 */
export function findBadText(value: unknown, root: string, schema?: Schema): KaifangError[] {
  const errors: KaifangError[] = [];
  const stack: Array<{ v: unknown; path: string; schema: Schema; depth: number }> = [{ v: value, path: root, schema, depth: 0 }];
  while (stack.length && errors.length < MAX_REPORTED) {
    const { v, path, schema: s, depth } = stack.pop()!;
    if (typeof v === 'string') {
      const ch = badCharacter(v, isMultiline(s));
      if (ch !== undefined) errors.push(badCharacterError(path, ch));
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth >= MAX_DEPTH) {
      errors.push(new KaifangError({ code: 'too_deep', path, zh: `嵌套层级过深（最多${MAX_DEPTH}层）`, en: `nested more than ${MAX_DEPTH} levels deep` }));
      continue;
    }
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], path: `${path}.${i}`, schema: childSchema(s, i), depth: depth + 1 });
      continue;
    }
    const keys = Object.keys(v);
    for (let i = keys.length - 1; i >= 0; i--) {
      const k = keys[i];
      const ch = badCharacter(k);
      if (ch !== undefined) errors.push(badCharacterError(`${path}.${keyInPath(k)}`, ch));
      stack.push({ v: (v as Record<string, unknown>)[k], path: `${path}.${k}`, schema: childSchema(s, k), depth: depth + 1 });
    }
  }
  return errors;
}

/**
 * preValidation hook: path parameters, query and JSON body of every request. It runs after the session check
 * (anonymous requests are 401 before any input is looked at) and before the schema, so no route — nor the
 * services and the database below it — ever sees these characters. Multipart parts are read by the route and
 * checked there (multipart.ts).
 */
export async function refuseBadText(req: FastifyRequest): Promise<void> {
  const schema = req.routeOptions.schema as Record<string, Schema> | undefined;
  const errors = [
    ...findBadText(req.params, 'params', schema?.params),
    ...findBadText(req.query, 'querystring', schema?.querystring),
    ...(req.body !== undefined && !Buffer.isBuffer(req.body) ? findBadText(req.body, 'body', schema?.body) : []),
  ];
  if (errors.length) throw new ValidationError(errors.slice(0, MAX_REPORTED));
}
