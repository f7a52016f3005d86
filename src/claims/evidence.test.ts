// Evidence files: what is accepted (extension AND content), the size limit on both sides, content-addressed
// storage shared between claims, who may upload when, and a download that refuses a tampered file.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { describeDatabases } from '../db/test-databases.ts';
import { Engine } from '../engine/index.ts';
import { KaifangError, ValidationError } from '../errors.ts';
import { createPlatformContext, type PlatformContext } from './context.ts';
import { createWorld, type World } from './fixture.ts';
import { createClaim } from './claims.ts';
import { submitClaim } from './workflow.ts';
import { checkEvidenceFile, cleanFileName, downloadEvidence, evidencePath, uploadEvidence } from './evidence.ts';

const engine = Engine.load();
const PDF = Buffer.from('%PDF-1.7\n%âãÏÓ\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n', 'latin1');
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(16)]);
const JPG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(16)]);
// The part names of a Word file as they stand (uncompressed) in its zip headers.
const DOCX = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.from('....[Content_Types].xml....word/document.xml....', 'latin1')]);

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return (e as KaifangError).code;
  }
  return 'ok';
};

describe('evidence file checks', () => {
  const ctx = { config: { maxEvidenceBytes: 1000 } } as PlatformContext;
  let XLSX: Buffer;
  beforeAll(async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('发票').addRow(['设备', 100]);
    XLSX = Buffer.from(await wb.xlsx.writeBuffer());
  });

  it('accepts each allowed type by extension and content, with its content type', () => {
    expect(checkEvidenceFile(ctx, '发票.PDF', PDF)).toMatchObject({ ext: 'pdf', mimeType: 'application/pdf', fileName: '发票.PDF' });
    expect(checkEvidenceFile(ctx, 'a.png', PNG).mimeType).toBe('image/png');
    expect(checkEvidenceFile(ctx, 'a.jpg', JPG).mimeType).toBe('image/jpeg');
    expect(checkEvidenceFile(ctx, 'a.jpeg', JPG).mimeType).toBe('image/jpeg');
    expect(checkEvidenceFile({ config: { maxEvidenceBytes: 1e6 } } as PlatformContext, 'a.xlsx', XLSX).mimeType).toContain('spreadsheetml');
    expect(checkEvidenceFile(ctx, 'a.docx', DOCX).mimeType).toContain('wordprocessingml');
  });

  it('refuses other types, and content that is not what its name says', () => {
    expect(codeOf(() => checkEvidenceFile(ctx, 'a.exe', Buffer.from('MZ')))).toBe('unsupported_media_type');
    expect(codeOf(() => checkEvidenceFile(ctx, 'noextension', PDF))).toBe('unsupported_media_type');
    expect(codeOf(() => checkEvidenceFile(ctx, 'a.pdf', PNG))).toBe('unsupported_media_type');
    expect(codeOf(() => checkEvidenceFile(ctx, 'a.png', JPG))).toBe('unsupported_media_type');
    expect(codeOf(() => checkEvidenceFile({ config: { maxEvidenceBytes: 1e6 } } as PlatformContext, 'a.docx', XLSX))).toBe('unsupported_media_type'); // a workbook named .docx
    expect(codeOf(() => checkEvidenceFile(ctx, 'a.xlsx', DOCX))).toBe('unsupported_media_type');
    const err = (() => {
      try {
        checkEvidenceFile(ctx, 'a.pdf', PNG);
      } catch (e) {
        return e as ValidationError;
      }
    })()!;
    expect(err.errors[0].path).toBe('file');
    expect(err.messageZh).toContain('不是PDF格式');
  });

  it('the size limit is inclusive; empty files are refused', () => {
    const atLimit = Buffer.concat([PDF, Buffer.alloc(1000 - PDF.length)]);
    expect(checkEvidenceFile(ctx, 'a.pdf', atLimit).ext).toBe('pdf');
    expect(codeOf(() => checkEvidenceFile(ctx, 'a.pdf', Buffer.concat([atLimit, Buffer.alloc(1)])))).toBe('payload_too_large');
    expect(codeOf(() => checkEvidenceFile(ctx, 'a.pdf', Buffer.alloc(0)))).toBe('empty_file');
  });

  it('cleans file names: no folders, no control characters, at most 255 characters', () => {
    expect(cleanFileName('../../etc/passwd.pdf', 'pdf')).toBe('passwd.pdf');
    expect(cleanFileName('C:\\Users\\x\\发票\u0007.pdf', 'pdf')).toBe('发票.pdf');
    expect(cleanFileName('.pdf', 'pdf')).toBe('evidence.pdf');
    const long = cleanFileName(`${'长'.repeat(300)}.pdf`, 'pdf');
    expect(long.length).toBeLessThanOrEqual(255);
    expect(long.endsWith('.pdf')).toBe(true);
  });
});

describeDatabases('evidence storage', (t) => {
  let ctx: PlatformContext;
  let w: World;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kaifang-evidence-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  beforeAll(async () => {
    ctx = createPlatformContext(t.db, engine, { today: () => '2021-03-01', config: { evidenceDir: path.join(dir, t.kind) } });
    w = await createWorld(t.db);
  });
  const draft = async (item: string) => (await createClaim(ctx, w.users.cable, { incentive: 'equipment-investment', year: 2020, item, facts: { equipmentInvestment: '2000万元' } })).id;

  it('stores one copy of a content for any number of claims, and one record per claim', async () => {
    const a = await draft('材料A');
    const b = await draft('材料B');
    const first = await uploadEvidence(ctx, w.users.cable, a, { fileName: '营业执照.pdf', data: PDF });
    const again = await uploadEvidence(ctx, w.users.cable, a, { fileName: '营业执照(1).pdf', data: PDF });
    const other = await uploadEvidence(ctx, w.users.cable, b, { fileName: '营业执照.pdf', data: PDF });
    expect(first.created).toBe(true);
    expect(again).toMatchObject({ id: first.id, created: false });
    expect(other).toMatchObject({ created: true, sha256: first.sha256 });
    expect(other.id).not.toBe(first.id);
    expect(readdirSync(path.dirname(evidencePath(ctx, first.sha256)))).toEqual([first.sha256]);
    const got = await downloadEvidence(ctx, w.users.shengzeReviewer, a, first.id);
    expect(got.data.equals(PDF)).toBe(true);
    expect(got.mimeType).toBe('application/pdf');
  });

  it('uploads only by the enterprise, only to its own draft or returned claims', async () => {
    const c = await draft('状态');
    const code = (p: Promise<unknown>) => p.then(() => 'ok', (e: KaifangError) => e.code);
    expect(await code(uploadEvidence(ctx, w.users.textile, c, { fileName: 'a.pdf', data: PDF }))).toBe('not_found');
    expect(await code(uploadEvidence(ctx, w.users.shengzeReviewer, c, { fileName: 'a.pdf', data: PDF }))).toBe('forbidden');
    await submitClaim(ctx, w.users.cable, c);
    expect(await code(uploadEvidence(ctx, w.users.cable, c, { fileName: 'a.pdf', data: PDF }))).toBe('invalid_state');
    expect(await t.db.selectFrom('claim_evidence').selectAll().where('claim_id', '=', c).execute()).toEqual([]);
  });

  it('refuses to hand out a file that no longer matches its hash', async () => {
    const c = await draft('篡改');
    const e = await uploadEvidence(ctx, w.users.cable, c, { fileName: 'p.png', data: PNG });
    writeFileSync(evidencePath(ctx, e.sha256), Buffer.concat([PNG, Buffer.from('x')]));
    await expect(downloadEvidence(ctx, w.users.cable, c, e.id)).rejects.toMatchObject({ code: 'evidence_corrupt' });
    await expect(downloadEvidence(ctx, w.users.cable, c, e.id + 1000)).rejects.toMatchObject({ code: 'not_found' });
  });
});
