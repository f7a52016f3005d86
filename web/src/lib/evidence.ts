/**
 * The client-side check of an evidence file, the same rule the server enforces (docs/api.md: pdf, jpg, png,
 * xlsx, docx; at most 10 MB), so a person learns at once rather than after a long upload.
 */
export const MAX_EVIDENCE_BYTES = 10 * 1024 * 1024;

const TYPES: Record<string, string[]> = {
  pdf: ['application/pdf'],
  jpg: ['image/jpeg'],
  jpeg: ['image/jpeg'],
  png: ['image/png'],
  xlsx: ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
  docx: ['application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
};

export const EVIDENCE_ACCEPT = Object.keys(TYPES)
  .map((e) => `.${e}`)
  .join(',');

export type EvidenceProblem = 'type' | 'size' | 'empty';

export function checkEvidenceFile(f: { name: string; type?: string; size: number }): EvidenceProblem | null {
  const ext = /\.([^.]+)$/.exec(f.name)?.[1]?.toLowerCase() ?? '';
  const mimes = TYPES[ext];
  if (!mimes) return 'type';
  // browsers leave the type empty for some files (and some systems call xlsx "application/octet-stream"): the
  // extension decides then, the server checks the content
  if (f.type && f.type !== 'application/octet-stream' && !mimes.includes(f.type)) return 'type';
  if (f.size === 0) return 'empty';
  if (f.size > MAX_EVIDENCE_BYTES) return 'size';
  return null;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
