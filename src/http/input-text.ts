/**
 * The HTTP face of the refused characters (src/refused-characters.ts: controls, lone surrogates, invisible bidi and
 * zero-width characters), checked once for every request before its schema, so that no route — nor the services
 * and the database below it — ever sees them. The answer is 400 `bad_characters` naming each field by its path,
 * and nothing is stored. Tab, line feed and carriage return are allowed only in fields declared multi-line
 * (`LONG_TEXT` in schemas.ts: reasons, notes, objections); names, references, items and query parameters are one
 * line.
 */
import type { FastifyRequest } from 'fastify';
import { KaifangError, ValidationError } from '../errors.ts';
import { badCharacter, badCharacterError, SINGLE_LINE } from '../refused-characters.ts';

export { badCharacter, badCharacterError };

/** The schema keyword that marks a string field as multi-line text (schemas.ts LONG_TEXT). */
export const MULTILINE = 'x-multiline';

/** Deeper JSON than any Kaifang document (facts are five levels deep) is refused before anything walks it. */
export const MAX_DEPTH = 32;
/** One answer names at most this many bad fields. */
const MAX_REPORTED = 20;

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
