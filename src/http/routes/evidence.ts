// Evidence files of a claim: multipart upload (enterprise, own draft/returned claims) and download.
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { KaifangError, ValidationError } from '../../errors.ts';
import { downloadEvidence, uploadEvidence } from '../../claims/evidence.ts';
import type { PlatformContext } from '../../claims/context.ts';
import { requireUser } from '../auth.ts';
import { idempotent, requestHash } from '../idempotency.ts';
import { readUploadedFile } from '../multipart.ts';
import { attachment, ID, idParam, IDEMPOTENCY_HEADERS, params, SESSION } from '../schemas.ts';
import { createHash } from 'node:crypto';

const tags = ['claims'];
const fileError = (code: string, zh: string, en: string) => new ValidationError([new KaifangError({ code, path: 'file', zh, en })]);

export async function evidenceRoutes(app: FastifyInstance, opts: { ctx: PlatformContext }) {
  const { ctx } = opts;
  const limitMb = Math.round(ctx.config.maxEvidenceBytes / 1024 / 1024);

  app.post(
    '/api/claims/:id/evidence',
    {
      schema: {
        tags,
        security: SESSION,
        summary: `上传申报材料（multipart 字段 file：PDF、JPG、PNG、XLSX、DOCX，≤ ${limitMb}MB；企业用户，草稿或退回修改的申报）`,
        description: 'Checked by extension and by content (magic bytes); stored content-addressed by sha256. 201 when stored, 200 when the same file was already attached to this claim.',
        consumes: ['multipart/form-data'],
        params: params({ id: ID }),
        headers: IDEMPOTENCY_HEADERS,
      },
    },
    async (req, reply) => {
      const user = requireUser(req);
      const upload = await readUploadedFile(req, {
        limitBytes: ctx.config.maxEvidenceBytes,
        tooLarge: () => fileError('payload_too_large', `文件超过${limitMb}MB上限，请压缩或拆分后上传`, `the file exceeds the ${limitMb} MB limit`),
      });
      const fileName = path.basename(upload.fileName);
      const data = upload.data;
      const sha256 = createHash('sha256').update(data).digest('hex');
      return idempotent(ctx, req, reply, (c) => uploadEvidence(c, user, idParam(req), { fileName, data }, req.ip), {
        status: (r) => (r.created ? 201 : 200),
        hash: requestHash(req, { fileName, sha256 }),
      });
    },
  );

  app.get(
    '/api/claims/:id/evidence/:evidenceId',
    { schema: { tags, security: SESSION, summary: '下载申报材料（官员下载留痕）', params: params({ id: ID, evidenceId: ID }) } },
    async (req, reply) => {
      const f = await downloadEvidence(ctx, requireUser(req), idParam(req), idParam(req, 'evidenceId'), req.ip);
      return reply
        .header('content-type', f.mimeType)
        .header('content-disposition', attachment(f.fileName, `evidence-${f.id}${path.extname(f.fileName)}`))
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'private, no-store')
        .send(f.data);
    },
  );
}
