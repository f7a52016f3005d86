/**
 * Characters no text of Kaifang accepts, whichever face it came through (the HTTP API, an Excel import, the
 * command line): control characters (C0, DEL, C1 — a NUL cannot even be stored in PostgreSQL text, and none
 * belongs in a name or a reason), lone UTF-16 surrogates (not text: JSON's "\ud800" escape makes one, and it
 * breaks the audit chain's JSON and any UTF-8 export) and invisible formatting characters (bidi overrides and
 * isolates, zero-width characters, the BOM, Unicode tags): they make a file name, an enterprise name or a reason
 * read differently from what is stored — U+202E then "fdp.exe" shows as "exe.pdf" — or hide text from the
 * official who reads it.
 *
 * They are refused, never silently removed: the sender learns which field and which character (U+XXXX). Tab,
 * line feed and carriage return are allowed only in multi-line text (reasons, notes, objections).
 */
import { KaifangError } from './errors.ts';

// With the `u` flag a well-formed surrogate pair is one code point, so [\uD800-\uDFFF] matches only lone halves.
const INVISIBLE = '\\u061C\\u180E\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u2064\\u2066-\\u2069\\uFEFF\\u{E0000}-\\u{E007F}';
export const SINGLE_LINE = new RegExp(`[\\u0000-\\u001F\\u007F-\\u009F\\u2028\\u2029${INVISIBLE}\\uD800-\\uDFFF]`, 'u');
const MULTI_LINE = new RegExp(`[\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F${INVISIBLE}\\uD800-\\uDFFF]`, 'u');

function describeCharacter(ch: string): { zh: string; en: string } {
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
  const d = describeCharacter(ch);
  return new KaifangError({
    code: 'bad_characters',
    path,
    zh: `含有不允许的字符 ${d.zh}；请删除后重试（多行文本外不能换行）`,
    en: `contains a character that is not allowed: ${d.en}; remove it and try again (line breaks only in multi-line text)`,
  });
}

