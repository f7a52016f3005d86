/**
 * Evidence files of a claim (申报材料): PDF, JPG, PNG, XLSX or DOCX, checked by extension AND by their first
 * bytes (a renamed .exe is refused), at most `config.maxEvidenceBytes`. Files are stored content-addressed —
 * `<evidenceDir>/<first two hex digits>/<sha256>` — so one file is kept once however many claims carry it, and
 * a stored file can be checked against its hash at any time. Only the enterprise uploads, only to its own
 * draft or returned claims; whoever may read the claim may download, and an official's download is audited.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { appendAudit } from '../audit/audit-log.ts';
import type { ClaimEvidence } from '../db/schema.ts';
import { KaifangError, ValidationError } from '../errors.ts';
import type { Principal } from '../identity/users.ts';
import { actorOf, type PlatformContext } from './context.ts';
import { invalidState, loadClaim, notFound } from './claims.ts';

const isZip = (b: Buffer) => b.length > 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;
/** OOXML files are zips whose part names (stored uncompressed in the zip headers) say what they are. */
const ooxml = (part: string) => (b: Buffer) => isZip(b) && b.includes('[Content_Types].xml', 0, 'latin1') && b.includes(part, 0, 'latin1');

export const EVIDENCE_TYPES: Record<string, { mime: string; label: string; magic: (b: Buffer) => boolean }> = {
  pdf: { mime: 'application/pdf', label: 'PDF', magic: (b) => b.subarray(0, 5).toString('latin1') === '%PDF-' },
  jpg: { mime: 'image/jpeg', label: 'JPG', magic: (b) => b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  jpeg: { mime: 'image/jpeg', label: 'JPG', magic: (b) => b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  png: { mime: 'image/png', label: 'PNG', magic: (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) },
  xlsx: { mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', label: 'XLSX', magic: ooxml('xl/workbook.xml') },
  docx: { mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', label: 'DOCX', magic: ooxml('word/document.xml') },
};

export interface EvidenceView {
  id: number;
  claimId: number;
  fileName: string;
  mimeType: string;
  sizeBytes: number;
  sha256: string;
  uploadedAt: Date;
}

function view(r: ClaimEvidence): EvidenceView {
  return { id: r.id, claimId: r.claim_id, fileName: r.file_name, mimeType: r.mime_type, sizeBytes: r.size_bytes, sha256: r.sha256, uploadedAt: r.uploaded_at };
}

const fileError = (code: string, zh: string, en: string) => new ValidationError([new KaifangError({ code, path: 'file', zh, en })]);

/** A file name safe to store and to send back: no folders, no control characters, at most 255 characters. */
export function cleanFileName(name: string, ext: string): string {
  // eslint-disable-next-line no-control-regex
  const base = (name.split(/[\\/]/).pop() ?? '').replace(/[\u0000-\u001f\u007f"]/g, '').trim();
  if (!base || base.startsWith('.')) return `evidence.${ext}`;
  if (base.length <= 255) return base;
  return `${base.slice(0, 250 - ext.length)}….${ext}`;
}

/** Checks type (extension and content) and size; returns what the file is. Nothing is stored. */
export function checkEvidenceFile(ctx: PlatformContext, fileName: string, data: Buffer) {
  const ext = path.extname(fileName).slice(1).toLowerCase();
  const type = EVIDENCE_TYPES[ext];
  const allowed = 'PDF、JPG、PNG、XLSX、DOCX';
  if (!type) {
    throw fileError('unsupported_media_type', `不支持的文件类型“${ext ? '.' + ext : '无扩展名'}”，请上传 ${allowed} 文件`, `file type "${ext || '(none)'}" is not accepted; upload PDF, JPG, PNG, XLSX or DOCX`);
  }
  if (data.length === 0) throw fileError('empty_file', '文件为空，请重新选择', 'the file is empty');
  if (data.length > ctx.config.maxEvidenceBytes) {
    const mb = (ctx.config.maxEvidenceBytes / 1024 / 1024).toFixed(0);
    throw fileError('payload_too_large', `文件超过${mb}MB上限，请压缩或拆分后上传`, `the file exceeds the ${mb} MB limit`);
  }
  if (!type.magic(data)) {
    throw fileError('unsupported_media_type', `文件内容不是${type.label}格式（扩展名为 .${ext}），请上传真实的 ${allowed} 文件`, `the content is not a ${type.label} file although it is named .${ext}`);
  }
  return { ext, mimeType: type.mime, fileName: cleanFileName(fileName, ext), sha256: createHash('sha256').update(data).digest('hex') };
}

export function evidencePath(ctx: PlatformContext, sha256: string): string {
  return path.join(ctx.config.evidenceDir, sha256.slice(0, 2), sha256);
}

async function storeBlob(ctx: PlatformContext, sha256: string, data: Buffer): Promise<void> {
  const file = evidencePath(ctx, sha256);
  try {
    if ((await stat(file)).size === data.length) return; // content-addressed: already there
  } catch {
    // not stored yet
  }
  await mkdir(path.dirname(file), { recursive: true });
  // Written aside and renamed: a reader never sees half a file, and two writers of one content both succeed.
  const partial = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.part`;
  await writeFile(partial, data, { mode: 0o640 });
  await rename(partial, file);
}

/**
 * Stores one evidence file for a claim. The same content uploaded to the same claim again returns the
 * record already there (`created: false`) instead of a second copy.
 */
export async function uploadEvidence(ctx: PlatformContext, user: Principal, claimId: number, file: { fileName: string; data: Buffer }, ip?: string | null): Promise<EvidenceView & { created: boolean }> {
  const checked = checkEvidenceFile(ctx, file.fileName, file.data);
  // Scope and state first, so that nobody can fill the disk with files for claims that are not theirs.
  const precheck = await loadClaim(ctx, ctx.db, user, claimId, 'evidence.upload');
  if (precheck.state !== 'draft' && precheck.state !== 'returned') throw invalidState(precheck.state, '只有草稿或被退回的申报可以上传材料', 'evidence can be added to drafts and returned claims only');
  await storeBlob(ctx, checked.sha256, file.data);
  return ctx.db.transaction().execute(async (trx) => {
    const c = await loadClaim(ctx, trx, user, claimId, 'evidence.upload', true);
    if (c.state !== 'draft' && c.state !== 'returned') throw invalidState(c.state, '只有草稿或被退回的申报可以上传材料', 'evidence can be added to drafts and returned claims only');
    const existing = await trx.selectFrom('claim_evidence').selectAll().where('claim_id', '=', claimId).where('sha256', '=', checked.sha256).executeTakeFirst();
    if (existing) return { ...view(existing), created: false };
    const row = await trx
      .insertInto('claim_evidence')
      .values({
        claim_id: claimId,
        file_name: checked.fileName,
        mime_type: checked.mimeType,
        size_bytes: file.data.length,
        sha256: checked.sha256,
        // The blob is sha256/<hex>; the key names the claim too because each record has its own key.
        storage_key: `sha256/${checked.sha256}/claim/${claimId}`,
        uploaded_by: user.id,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendAudit(trx, actorOf(user, ip), { action: 'evidence.upload', entity: 'claim', entityId: claimId, details: { evidenceId: row.id, fileName: row.file_name, sha256: row.sha256, sizeBytes: row.size_bytes } });
    return { ...view(row), created: true };
  });
}

export async function listEvidence(ctx: PlatformContext, user: Principal, claimId: number): Promise<EvidenceView[]> {
  await loadClaim(ctx, ctx.db, user, claimId, 'evidence.read');
  return (await ctx.db.selectFrom('claim_evidence').selectAll().where('claim_id', '=', claimId).orderBy('id').execute()).map(view);
}

/** The file and how to send it; the content is checked against its hash before it leaves. */
export async function downloadEvidence(ctx: PlatformContext, user: Principal, claimId: number, evidenceId: number, ip?: string | null): Promise<EvidenceView & { data: Buffer }> {
  const c = await loadClaim(ctx, ctx.db, user, claimId, 'evidence.read');
  if (!Number.isSafeInteger(evidenceId) || evidenceId <= 0) throw notFound('材料');
  const row = await ctx.db.selectFrom('claim_evidence').selectAll().where('id', '=', evidenceId).where('claim_id', '=', c.id).executeTakeFirst();
  if (!row) throw notFound('材料');
  let data: Buffer;
  try {
    data = await readFile(evidencePath(ctx, row.sha256));
  } catch {
    throw new KaifangError({ code: 'evidence_missing', zh: '材料文件在存储中缺失，请联系平台管理员', en: 'the stored file is missing; contact the administrator', details: { sha256: row.sha256 } });
  }
  if (createHash('sha256').update(data).digest('hex') !== row.sha256) {
    throw new KaifangError({ code: 'evidence_corrupt', zh: '材料文件与登记的校验值不符，可能已被篡改，请联系平台管理员', en: 'the stored file does not match its hash; contact the administrator', details: { sha256: row.sha256 } });
  }
  if (user.role !== 'enterprise') {
    await appendAudit(ctx.db, actorOf(user, ip), { action: 'evidence.read', entity: 'claim', entityId: c.id, details: { evidenceId, enterprise: c.enterprise_uscc } });
  }
  return { ...view(row), data };
}
