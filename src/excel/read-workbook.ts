/**
 * Reading an uploaded Excel workbook (.xlsx) without trusting it: the one way every import (enterprises,
 * service cases) opens a file.
 *
 * An .xlsx file is a zip of XML. Loading it whole (exceljs' `xlsx.load`) inflates every part and builds every
 * row before any limit can look at it: a 5 MB file of a million small rows cost 9 s and 800 MB, and a 1 MB file
 * that inflates to 1 GB of XML cost 1 GB. Here, instead:
 *
 *  1. The zip's central directory is read first (yauzl, from the buffer: nothing is inflated). Too many entries,
 *     a part that declares more than KAIFANG_IMPORT_MAX_BYTES, parts that together declare more, or a part that
 *     claims to inflate more than MAX_RATIO times its compressed size are refused before any of it is inflated.
 *  2. Only the parts an import needs are inflated: the workbook and its relationships, the styles (a number is a
 *     date only by its cell's format), the shared strings and the one sheet read — never images, other sheets or
 *     anything else the file carries. Each is inflated as a stream; yauzl stops a part that inflates past its
 *     declared size, and the bytes inflated in all are counted against KAIFANG_IMPORT_MAX_BYTES, so a file that
 *     lies about its sizes is stopped too.
 *  3. The sheet is parsed as a stream by exceljs' streaming reader, one row at a time: the caller reads rows and
 *     stops at its row limit (KAIFANG_IMPORT_MAX_ROWS); the rest of the sheet is never inflated or parsed. A
 *     backstop here stops any caller that reads on regardless.
 *  4. At most KAIFANG_IMPORTS_AT_ONCE imports read at once in one process; another is refused at once with
 *     `import_busy` (HTTP 503 with Retry-After), not queued: a queued upload would keep its file in memory and its
 *     connection open while it waits, which is what the limit is there to bound, and the client retries in a few
 *     seconds (the web page says so).
 *
 * exceljs' streaming reader takes a whole zip stream and reads its parts in the order the file stores them,
 * spilling a sheet that comes before the shared strings to a temporary file (exceljs' own writer stores sheets
 * first) and decoding each chunk on its own, which garbles a Chinese character split between two chunks. So its
 * parsers are driven here part by part, in the order they are needed, from yauzl's streams decoded as UTF-8 across
 * chunk boundaries. Those parsers are exceljs' internal methods (`_parseRels` …) of exceljs 4.4: a check below and
 * the tests of this module fail loudly if a later version renames them.
 */
import { posix } from 'node:path';
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import yauzl from 'yauzl';
import { platformConfig, type PlatformConfig } from '../config.ts';
import { KaifangError, ValidationError } from '../errors.ts';
import { badCharacter, badCharacterError } from '../refused-characters.ts';

export interface ImportLimits {
  /** most data rows one import reads (KAIFANG_IMPORT_MAX_ROWS) */
  maxRows: number;
  /** most bytes the file may hold and the parts read may inflate to, in all (KAIFANG_IMPORT_MAX_BYTES) */
  maxBytes: number;
  /** imports reading at once in one process (KAIFANG_IMPORTS_AT_ONCE) */
  atOnce: number;
}

export function importLimits(config: Pick<PlatformConfig, 'importMaxRows' | 'importMaxBytes' | 'importsAtOnce'> = platformConfig()): ImportLimits {
  return { maxRows: config.importMaxRows, maxBytes: config.importMaxBytes, atOnce: config.importsAtOnce };
}

/** An .xlsx of one sheet has about a dozen parts; thousands mean a crafted file (each entry costs a read). */
export const MAX_ZIP_ENTRIES = 5000;
/**
 * Deflate can shrink a run of one byte about 1000 times; spreadsheet XML shrinks 5–20 times (a million distinct
 * rows: 14 times, exceljs' templates: 3–8 times). A part above RATIO_FLOOR claiming more than this is a zip bomb.
 */
export const MAX_RATIO = 100;
const RATIO_FLOOR = 1024 * 1024;
/** What a refused import is told to wait before trying again. */
export const IMPORT_RETRY_AFTER_SECONDS = 5;

// ── How many imports read at once ──────────────────────────────────────────────────────────────────────────

let running = 0;

/** A place among the imports reading at once; release it when done (twice is harmless). */
export interface ImportSlot {
  release(): void;
}

/**
 * Takes a place among the imports reading at once, or refuses with `import_busy` when all are taken. An HTTP route
 * takes it before it buffers the upload and hands it to the importer, so that a refused request costs nothing.
 */
export function acquireImportSlot(limits: Pick<ImportLimits, 'atOnce'>): ImportSlot {
  if (running >= limits.atOnce) {
    throw new KaifangError({
      code: 'import_busy',
      zh: `服务器正在处理其他 Excel 导入（同时最多 ${limits.atOnce} 个），请 ${IMPORT_RETRY_AFTER_SECONDS} 秒后重试`,
      en: `the server is reading other Excel imports (at most ${limits.atOnce} at once); try again in ${IMPORT_RETRY_AFTER_SECONDS} seconds`,
      details: { limit: limits.atOnce, setting: 'KAIFANG_IMPORTS_AT_ONCE', retryAfterSeconds: IMPORT_RETRY_AFTER_SECONDS },
    });
  }
  running++;
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      running--;
    },
  };
}

/** Imports reading now in this process. */
export function importsRunning(): number {
  return running;
}

// ── Refusals ───────────────────────────────────────────────────────────────────────────────────────────────

/** A size as people read it: 64 MB, 1.5 MB, 300 KB, 2000 bytes. */
function size(bytes: number, lang: 'zh' | 'en'): string {
  const trim = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));
  if (bytes >= 1024 * 1024) return `${trim(Math.round((bytes / 1024 / 1024) * 10) / 10)} MB`;
  if (bytes >= 10 * 1024) return `${trim(Math.round((bytes / 1024) * 10) / 10)} KB`;
  return lang === 'zh' ? `${bytes} 字节` : `${bytes} bytes`;
}

/** More data rows than KAIFANG_IMPORT_MAX_ROWS: what every importer says, so that all say it the same way. */
export function tooManyRows(limit: number): ValidationError {
  return new ValidationError([
    new KaifangError({
      code: 'too_many_rows',
      path: 'file',
      zh: `一次最多导入 ${limit} 行数据，请拆分文件后分批导入`,
      en: `at most ${limit} rows can be imported at once; split the file`,
      details: { limit, setting: 'KAIFANG_IMPORT_MAX_ROWS' },
    }),
  ]);
}

/** A workbook past KAIFANG_IMPORT_MAX_BYTES: as a file, as declared by its parts, or as inflated. */
export function tooLarge(limit: number, details: Record<string, unknown>): ValidationError {
  const file = typeof details.fileBytes === 'number' ? details.fileBytes : undefined;
  return new ValidationError([
    new KaifangError({
      code: 'workbook_too_large',
      path: 'file',
      zh:
        file !== undefined
          ? `文件过大：${size(file, 'zh')}，超过 ${size(limit, 'zh')} 的导入上限；请只保留需要导入的工作表和数据，或拆分文件`
          : `工作簿过大：解压后超过 ${size(limit, 'zh')} 的导入上限；请只保留需要导入的工作表和数据，或拆分文件`,
      en:
        file !== undefined
          ? `the file is too large: ${size(file, 'en')}, more than the import limit of ${size(limit, 'en')}; keep only the sheet and rows to import, or split the file`
          : `the workbook is too large: it expands beyond the import limit of ${size(limit, 'en')}; keep only the sheet and rows to import, or split the file`,
      details: { limit, setting: 'KAIFANG_IMPORT_MAX_BYTES', ...details },
    }),
  ]);
}

function refusedZip(code: string, zh: string, en: string, details: Record<string, unknown>): ValidationError {
  return new ValidationError([new KaifangError({ code, path: 'file', zh, en, details })]);
}

// ── Reading ────────────────────────────────────────────────────────────────────────────────────────────────

/** What a read cost: for tests and the benchmark, which show that reading stopped where it should. */
export interface SheetReadStats {
  /** bytes inflated from the zip, all parts */
  bytesInflated: number;
  /** rows with a value handed to the caller (the header included) */
  rowsDelivered: number;
  /** the parts inflated, in order */
  partsRead: string[];
}

export const newReadStats = (): SheetReadStats => ({ bytesInflated: 0, rowsDelivered: 0, partsRead: [] });

/** What an importer may pass on from its own caller. */
export interface ImportReadOptions {
  /** default: the platform's settings (importLimits()) */
  limits?: ImportLimits;
  /** a place already taken (acquireImportSlot) by the caller; else one is taken for the read */
  slot?: ImportSlot;
  /** filled in as the read goes */
  stats?: SheetReadStats;
}

export interface ReadSheetOptions extends ImportReadOptions {
  /** the sheet to read when the workbook has it; else the first sheet */
  sheet?: string;
  /** rows that may come before the data (a header, titles): the backstop allows maxRows + these */
  headerRows: number;
  /** the importer's own error for a file that is not a workbook */
  notAWorkbook: (reason: string) => KaifangError;
  /** the importer's own error for a workbook without sheets */
  noSheet: () => KaifangError;
}

export interface SheetRows {
  /** the sheet's name as the workbook shows it */
  name: string;
  /** the rows that have a value, in order, each once; only during the read callback */
  rows: AsyncIterable<ExcelJS.Row>;
  stats: SheetReadStats;
}

/** exceljs' streaming workbook reader, part by part (see the header of this file). */
interface ReaderParts {
  _parseRels(s: Readable): Promise<void>;
  _parseWorkbook(s: Readable): Promise<void>;
  _parseStyles(s: Readable): Promise<void>;
  _parseSharedStrings(s: Readable): AsyncGenerator<unknown>;
  _parseWorksheet(chunks: AsyncIterable<string>, sheetNo: string): Generator<{ eventType: string; value: AsyncIterable<ExcelJS.Row> }>;
  workbookRels?: Array<{ Id: string; Type: string; Target: string }>;
  model?: { sheets?: Array<{ name: string; rId: string }> };
}

const PARSERS = ['_parseRels', '_parseWorkbook', '_parseStyles', '_parseSharedStrings', '_parseWorksheet'] as const;

function streamingReader(): ReaderParts {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader('', {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    entries: 'ignore',
  }) as unknown as ReaderParts;
  const missing = PARSERS.filter((p) => typeof reader[p] !== 'function');
  // Not the user's fault: a newer exceljs without the parsers this module drives.
  if (missing.length) throw new Error(`exceljs' streaming reader has no ${missing.join(', ')}: src/excel/read-workbook.ts needs exceljs 4.4`);
  return reader;
}

const asBuffer = (data: Buffer | Uint8Array | ArrayBuffer): Buffer =>
  Buffer.isBuffer(data) ? data : data instanceof ArrayBuffer ? Buffer.from(new Uint8Array(data)) : Buffer.from(data.buffer, data.byteOffset, data.byteLength);

/** A part's target in the workbook's relationships → its path in the zip (targets are relative to xl/). */
function partPath(target: string): string {
  return posix.normalize(target.startsWith('/') ? target.slice(1) : posix.join('xl', target));
}

/**
 * Reads one sheet of a workbook as a stream of rows: checks the zip, takes an import slot (unless given one),
 * hands the rows to `read`, and frees everything when `read` returns or throws. `read` must be done with the rows
 * when it returns. Limit refusals are ValidationErrors on the path `file` naming the limit and its setting; a file
 * that cannot be read is the importer's own `notAWorkbook` error.
 */
/** The text a cell shows: a string, rich text, a hyperlink's text, or a formula's string result. */
function cellTexts(value: ExcelJS.CellValue): string[] {
  if (typeof value === 'string') return [value];
  if (!value || typeof value !== 'object' || value instanceof Date) return [];
  const v = value as unknown as Record<string, unknown>;
  if (Array.isArray(v.richText)) return (v.richText as Array<{ text?: unknown }>).map((r) => (typeof r.text === 'string' ? r.text : ''));
  const out: string[] = [];
  if (typeof v.text === 'string') out.push(v.text);
  if (typeof v.result === 'string') out.push(v.result);
  return out;
}

/**
 * The characters no text of Kaifang accepts (src/refused-characters.ts: control characters, lone surrogates,
 * invisible direction and zero-width characters) are refused in a cell as they are in an HTTP field — before any
 * importer sees the row, so that no import of any list can store what the API would refuse. A cell may hold line
 * breaks (Alt+Enter in Excel); each importer decides what a one-line column does with them. Every bad cell of the
 * row is named (`rows[5].C`: row 5 as Excel numbers it, column C); the import stops there and stores nothing.
 */
function refuseBadCells(row: ExcelJS.Row): void {
  const errors: KaifangError[] = [];
  row.eachCell({ includeEmpty: false }, (cell, col) => {
    for (const text of cellTexts(cell.value)) {
      const ch = badCharacter(text, true);
      if (ch) {
        errors.push(badCharacterError(`rows[${row.number}].${columnLetter(col)}`, ch));
        break;
      }
    }
  });
  if (errors.length) throw new ValidationError(errors);
}

function columnLetter(col: number): string {
  let s = '';
  for (let n = col; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

export async function readSheet<T>(data: Buffer | Uint8Array | ArrayBuffer, opts: ReadSheetOptions, read: (sheet: SheetRows) => Promise<T>): Promise<T> {
  const limits = opts.limits ?? importLimits();
  const stats = opts.stats ?? newReadStats();
  const buf = asBuffer(data);
  if (buf.length > limits.maxBytes) throw tooLarge(limits.maxBytes, { fileBytes: buf.length });

  const slot = opts.slot ?? acquireImportSlot(limits);
  let zip: yauzl.ZipFile | undefined;
  /** errors of the file itself (not of `read`) become the importer's "not a workbook" */
  const unreadable = (e: unknown): KaifangError => (e instanceof KaifangError ? e : opts.notAWorkbook((e as Error)?.message ?? String(e)));
  try {
    // 1. The central directory: nothing inflated yet.
    const entries = new Map<string, yauzl.Entry>();
    try {
      zip = await yauzl.fromBufferPromise(buf, { lazyEntries: true, validateEntrySizes: true, strictFileNames: false, decodeStrings: true });
      if (zip.entryCount > MAX_ZIP_ENTRIES) {
        throw refusedZip('too_many_zip_entries', `文件包含 ${zip.entryCount} 个压缩条目，超过 ${MAX_ZIP_ENTRIES} 个，不是正常的 Excel 工作簿`, `the file holds ${zip.entryCount} zip entries, more than ${MAX_ZIP_ENTRIES}: not an ordinary Excel workbook`, { limit: MAX_ZIP_ENTRIES, entries: zip.entryCount });
      }
      for await (const entry of zip.eachEntry()) entries.set(entry.fileName, entry);
    } catch (e) {
      throw unreadable(e);
    }
    const lowerCase = new Map([...entries].map(([name, entry]) => [name.toLowerCase(), entry]));
    const find = (path: string) => entries.get(path) ?? lowerCase.get(path.toLowerCase());

    let declared = 0;
    /** Checks a part's declared sizes before any of it is inflated. */
    const check = (entry: yauzl.Entry) => {
      const bytes = entry.uncompressedSize;
      declared += bytes;
      if (bytes > limits.maxBytes || declared > limits.maxBytes) throw tooLarge(limits.maxBytes, { part: entry.fileName, declaredBytes: bytes, declaredInAll: declared });
      if (bytes >= RATIO_FLOOR && bytes > MAX_RATIO * entry.compressedSize) {
        const ratio = Math.round(bytes / Math.max(1, entry.compressedSize));
        throw refusedZip(
          'suspicious_compression',
          `文件中的“${entry.fileName}”声称由 ${size(entry.compressedSize, 'zh')} 解压为 ${size(bytes, 'zh')}（${ratio} 倍），正常的 Excel 工作簿不会如此；疑为压缩炸弹，已拒绝`,
          `the part ${entry.fileName} claims to inflate from ${size(entry.compressedSize, 'en')} to ${size(bytes, 'en')} (${ratio} times); no ordinary workbook does: refused as a zip bomb`,
          { part: entry.fileName, compressedBytes: entry.compressedSize, declaredBytes: bytes, limit: MAX_RATIO },
        );
      }
    };
    /** A part as text: inflated as a stream, decoded as UTF-8 across chunk boundaries, counted against maxBytes. */
    const text = async function* (entry: yauzl.Entry): AsyncGenerator<string> {
      stats.partsRead.push(entry.fileName);
      const stream = await new Promise<Readable>((resolve, reject) => zip!.openReadStream(entry, (err, s) => (err ? reject(err) : resolve(s))));
      const decoder = new TextDecoder('utf-8');
      try {
        for await (const chunk of stream as AsyncIterable<Buffer>) {
          stats.bytesInflated += chunk.length;
          if (stats.bytesInflated > limits.maxBytes) throw tooLarge(limits.maxBytes, { part: entry.fileName, inflatedBytes: stats.bytesInflated });
          const s = decoder.decode(chunk, { stream: true });
          if (s) yield s;
        }
        const rest = decoder.decode();
        if (rest) yield rest;
      } finally {
        stream.destroy();
      }
    };

    // 2. The workbook: which sheets it has and where their parts are.
    const reader = streamingReader();
    const relsEntry = find('xl/_rels/workbook.xml.rels');
    const bookEntry = find('xl/workbook.xml');
    if (!relsEntry || !bookEntry) throw opts.notAWorkbook('no xl/workbook.xml and its relationships');
    check(relsEntry);
    check(bookEntry);
    let sheetEntry: yauzl.Entry | undefined;
    let sheetName: string;
    try {
      await reader._parseRels(Readable.from(text(relsEntry)));
      await reader._parseWorkbook(Readable.from(text(bookEntry)));
      const rels = reader.workbookRels ?? [];
      const sheets = reader.model?.sheets ?? [];
      const sheet = sheets.find((s) => s.name === opts.sheet) ?? sheets[0];
      if (!sheet) throw opts.noSheet();
      sheetName = sheet.name;
      const rel = rels.find((r) => r.Id === sheet.rId);
      sheetEntry = rel && find(partPath(rel.Target));
      if (!sheetEntry) throw opts.notAWorkbook(`the sheet ${sheet.name} has no part`);
      const partOf = (type: string, fallback: string) => {
        const r = rels.find((x) => x.Type?.endsWith(`/${type}`));
        return find(r ? partPath(r.Target) : fallback);
      };
      const styles = partOf('styles', 'xl/styles.xml');
      const strings = partOf('sharedStrings', 'xl/sharedStrings.xml');
      // Every part still to read is checked before the first of them is inflated.
      for (const p of [styles, strings, sheetEntry]) if (p) check(p);
      if (styles) await reader._parseStyles(Readable.from(text(styles)));
      // with sharedStrings: 'cache' the parser keeps the strings and yields nothing; draining it runs it
      if (strings) for await (const _ of reader._parseSharedStrings(Readable.from(text(strings)))) void _;
    } catch (e) {
      throw unreadable(e);
    }

    // 3. The sheet, row by row, for as long as the caller reads.
    const backstop = limits.maxRows + opts.headerRows;
    const rows = async function* (): AsyncGenerator<ExcelJS.Row> {
      const worksheets = [...reader._parseWorksheet(text(sheetEntry!), '1')];
      const worksheet = worksheets.find((w) => w.eventType === 'worksheet')?.value;
      if (!worksheet) throw opts.notAWorkbook('the sheet cannot be read');
      const iterator = worksheet[Symbol.asyncIterator]();
      try {
        for (;;) {
          let next: IteratorResult<ExcelJS.Row>;
          try {
            next = await iterator.next();
          } catch (e) {
            throw unreadable(e);
          }
          if (next.done) return;
          const row = next.value;
          // rows that only carry formatting (a template's spare rows) are neither data nor counted
          if (!row.hasValues) continue;
          stats.rowsDelivered++;
          if (stats.rowsDelivered > backstop) throw tooManyRows(limits.maxRows);
          refuseBadCells(row);
          yield row;
        }
      } finally {
        // stops the parser and the inflating stream under it: the rest of the sheet is never read
        await iterator.return?.(undefined);
      }
    };
    return await read({ name: sheetName, rows: { [Symbol.asyncIterator]: rows }, stats });
  } finally {
    zip?.close();
    if (!opts.slot) slot.release();
  }
}
