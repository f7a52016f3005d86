// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { checkEvidenceFile, formatBytes, MAX_EVIDENCE_BYTES } from './evidence';

describe('checkEvidenceFile', () => {
  it('accepts the five kinds up to 10 MB, inclusive', () => {
    expect(checkEvidenceFile({ name: '发票.pdf', type: 'application/pdf', size: 1 })).toBeNull();
    expect(checkEvidenceFile({ name: 'a.JPG', type: 'image/jpeg', size: MAX_EVIDENCE_BYTES })).toBeNull();
    expect(checkEvidenceFile({ name: 'a.png', type: '', size: 10 })).toBeNull();
    expect(checkEvidenceFile({ name: '清单.xlsx', type: 'application/octet-stream', size: 10 })).toBeNull();
    expect(checkEvidenceFile({ name: 'x.docx', type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', size: 10 })).toBeNull();
  });
  it('refuses other kinds, mismatched types, empty and oversized files', () => {
    expect(checkEvidenceFile({ name: 'a.exe', type: 'application/x-msdownload', size: 10 })).toBe('type');
    expect(checkEvidenceFile({ name: 'a.doc', type: 'application/msword', size: 10 })).toBe('type');
    expect(checkEvidenceFile({ name: 'noext', type: '', size: 10 })).toBe('type');
    expect(checkEvidenceFile({ name: 'a.pdf', type: 'text/html', size: 10 })).toBe('type');
    expect(checkEvidenceFile({ name: 'a.pdf', type: 'application/pdf', size: 0 })).toBe('empty');
    expect(checkEvidenceFile({ name: 'a.pdf', type: 'application/pdf', size: MAX_EVIDENCE_BYTES + 1 })).toBe('size');
  });
  it('sizes for people', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(2048)).toBe('2.0 KB');
    expect(formatBytes(12 * 1024 * 1024)).toBe('12.0 MB');
  });
});
