/**
 * Reading the one file of a multipart upload (evidence, service-case imports), with every way the upload can
 * be wrong answered as the client's mistake: not multipart (415), a broken body — no or a wrong boundary, a
 * malformed part header, a body that ends mid-part — (400 `bad_multipart`), too large (413), no file or the file
 * in another field (422 `required` on `file`), refused characters in a field name, a field's value or the file
 * name (400 `bad_characters`). Without this a parser's own error — plain Errors without a status — would be a
 * server fault.
 */
import type { FastifyRequest } from 'fastify';
import type { MultipartFile } from '@fastify/multipart';
import { KaifangError, ValidationError } from '../errors.ts';
import { assertCleanText } from './input-text.ts';

export interface UploadedFile {
  /** the client's name for the file, as sent (checked for refused characters) */
  fileName: string;
  data: Buffer;
}

const fileError = (code: string, zh: string, en: string) => new ValidationError([new KaifangError({ code, path: 'file', zh, en })]);

function badMultipart(detail: string): KaifangError {
  return new KaifangError({
    code: 'bad_multipart',
    zh: `上传内容不是完整有效的 multipart/form-data（${detail}），请重新选择文件上传`,
    en: `the upload is not well-formed multipart/form-data (${detail}); upload the file again`,
  });
}

/**
 * The file sent in field `file`. `limitBytes` bounds it; `tooLarge` is the answer past that bound (its own
 * words per route). Fields sent before the file are checked for refused characters as well.
 */
export async function readUploadedFile(req: FastifyRequest, opts: { limitBytes: number; tooLarge: () => KaifangError }): Promise<UploadedFile> {
  if (!req.isMultipart()) throw fileError('unsupported_media_type', '请以 multipart/form-data 上传文件（字段名 file）', 'upload the file as multipart/form-data in the field "file"');
  let part: MultipartFile | undefined;
  let data: Buffer;
  try {
    part = await req.file({ limits: { fileSize: opts.limitBytes, files: 1 } });
    if (!part) throw fileError('required', '请选择要上传的文件（字段名 file）', 'no file: send it in the field "file"');
    for (const [name, field] of Object.entries(part.fields)) {
      assertCleanText(name, `multipart.${name.replace(/[^\x20-\x7e]/g, '?')}`);
      for (const f of Array.isArray(field) ? field : [field]) {
        if (f && f.type === 'field' && typeof f.value === 'string') assertCleanText(f.value, `multipart.${f.fieldname}`, true);
      }
    }
    if (part.fieldname !== 'file') throw fileError('required', `文件应放在字段 file 中（收到的是 ${part.fieldname}）`, `send the file in the field "file", not "${part.fieldname}"`);
    assertCleanText(part.filename ?? '', 'file.name');
    data = await part.toBuffer();
  } catch (e) {
    if (e instanceof KaifangError) throw e;
    const code = (e as { code?: string }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE' || code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') throw opts.tooLarge();
    if (code === 'FST_INVALID_MULTIPART_CONTENT_TYPE') throw fileError('unsupported_media_type', '请以 multipart/form-data 上传文件（字段名 file）', 'upload the file as multipart/form-data in the field "file"');
    // Everything else the parser throws (busboy's "Boundary not found", "Malformed part header", "Unexpected end
    // of form", a prototype-polluting field name, a connection closed mid-upload) is about the body it was sent.
    throw badMultipart(String((e as Error).message ?? e).slice(0, 200));
  }
  return { fileName: part.filename ?? '', data };
}
