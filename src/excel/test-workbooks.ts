/**
 * Workbooks made byte by byte for the tests and the benchmark of Excel imports: a zip written here, so that a test
 * can make a million-row sheet in a second (exceljs' streaming writer takes 12 s), a zip bomb, and a zip whose
 * directory lies about its sizes — files no spreadsheet program writes, which is the point.
 */
import { constants, crc32, createDeflateRaw, deflateRawSync } from 'node:zlib';
import { Readable } from 'node:stream';

export interface ZipPart {
  name: string;
  /** the part's bytes as stored (deflated unless `stored`) */
  compressed: Buffer;
  /** the part's size once inflated, as the directory will declare it */
  size: number;
  crc: number;
  stored?: boolean;
}

/** A part deflated from text or bytes. */
export function part(name: string, content: string | Buffer): ZipPart {
  const data = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  return { name, compressed: deflateRawSync(data), size: data.length, crc: crc32(data) };
}

/** A part deflated as a stream from chunks of text: a sheet of any size without holding it whole. */
export async function streamedPart(name: string, chunks: Iterable<string>): Promise<ZipPart> {
  let size = 0;
  let crc = 0;
  const counted = function* () {
    for (const c of chunks) {
      const b = Buffer.from(c, 'utf8');
      size += b.length;
      crc = crc32(b, crc);
      yield b;
    }
  };
  const out: Buffer[] = [];
  // level 1: fast, and still about the ratio Excel's own files have
  for await (const b of Readable.from(counted()).pipe(createDeflateRaw({ level: 1 }))) out.push(b as Buffer);
  return { name, compressed: Buffer.concat(out), size, crc };
}

/**
 * A zip bomb's part: `prefix`, `megabytes` MiB of one repeated byte, then `suffix`, deflated as copies of one
 * deflated MiB (each ends on a full flush, so copies simply follow one another) — a 1 GiB part is a 1 MiB file,
 * made in milliseconds. Its CRC is not computed (a reader that gets that far has already lost).
 */
export function bombPart(name: string, megabytes: number, prefix = '', suffix = '', byte = 'a'): ZipPart {
  const mib = Buffer.alloc(1024 * 1024, byte);
  const head = deflateRawSync(Buffer.from(prefix), { finishFlush: constants.Z_FULL_FLUSH });
  const one = deflateRawSync(mib, { finishFlush: constants.Z_FULL_FLUSH });
  const end = deflateRawSync(Buffer.from(suffix));
  const compressed = Buffer.concat([head, ...Array.from({ length: megabytes }, () => one), end]);
  return { name, compressed, size: Buffer.byteLength(prefix) + megabytes * 1024 * 1024 + Buffer.byteLength(suffix), crc: 0 };
}

/** The zip of the parts, in order; `declare` overrides a part's declared size (a directory that lies). */
export function zip(parts: ZipPart[], declare: Record<string, number> = {}): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const p of parts) {
    const name = Buffer.from(p.name, 'utf8');
    const size = declare[p.name] ?? p.size;
    const method = p.stored ? 0 : 8;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(p.crc >>> 0, 14);
    local.writeUInt32LE(p.compressed.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, p.compressed);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4); // version made by
    entry.writeUInt16LE(20, 6);
    entry.writeUInt16LE(0x0800, 8);
    entry.writeUInt16LE(method, 10);
    entry.writeUInt32LE(p.crc >>> 0, 16);
    entry.writeUInt32LE(p.compressed.length, 20);
    entry.writeUInt32LE(size, 24);
    entry.writeUInt16LE(name.length, 28);
    entry.writeUInt32LE(offset, 42);
    central.push(entry, name);
    offset += local.length + name.length + p.compressed.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(parts.length, 8);
  end.writeUInt16LE(parts.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The parts around a sheet: content types, relationships, the workbook naming the sheet. */
export function bookParts(sheetName: string, extra: ZipPart[] = []): ZipPart[] {
  return [
    part(
      '[Content_Types].xml',
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
    ),
    part('_rels/.rels', '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
    part(
      'xl/workbook.xml',
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="${esc(sheetName)}" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    ),
    part(
      'xl/_rels/workbook.xml.rels',
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
    ),
    ...extra,
  ];
}

const SHEET_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>';
const SHEET_TAIL = '</sheetData></worksheet>';

/** One row of inline text cells, columns A, B, C …. */
export function rowXml(r: number, cells: string[]): string {
  return `<row r="${r}">${cells.map((v, i) => `<c r="${String.fromCharCode(65 + i)}${r}" t="inlineStr"><is><t>${esc(v)}</t></is></c>`).join('')}</row>`;
}

/**
 * A workbook of one sheet: the header, then `count` rows made by `row(n)` for n = 1 … count (sheet rows 2 …),
 * written and deflated 10,000 rows at a time.
 */
export async function sheetWorkbook(sheetName: string, header: string[], count: number, row: (n: number) => string[]): Promise<Buffer> {
  const chunks = function* () {
    yield SHEET_HEAD + rowXml(1, header);
    for (let from = 1; from <= count; from += 10_000) {
      let s = '';
      for (let n = from; n < from + 10_000 && n <= count; n++) s += rowXml(n + 1, row(n));
      yield s;
    }
    yield SHEET_TAIL;
  };
  return zip(bookParts(sheetName, [await streamedPart('xl/worksheets/sheet1.xml', chunks())]));
}

/** A workbook whose one sheet is a zip bomb: one cell of `megabytes` MiB of text. */
export function bombWorkbook(sheetName: string, megabytes: number, declare?: number): Buffer {
  const sheet = bombPart('xl/worksheets/sheet1.xml', megabytes, `${SHEET_HEAD}<row r="1"><c r="A1" t="inlineStr"><is><t>`, `</t></is></c></row>${SHEET_TAIL}`);
  return zip(bookParts(sheetName, [sheet]), declare === undefined ? {} : { 'xl/worksheets/sheet1.xml': declare });
}
