/**
 * The lists officials print and file: the 公示 list of a publicity batch and the payment list (拨付清单), as
 * real Excel workbooks. Chinese headers, amounts in 元 with two decimals and thousands separators, a totals
 * row, and a page set up for printing (A4 landscape, one page wide, header row repeated on every page).
 * Amounts are summed in integer fen and written once as 元: the total never drifts from the rows.
 */
import ExcelJS from 'exceljs';
import { findArea } from '../enterprises/areas.ts';

export const YUAN_FORMAT = '#,##0.00';

export interface PublicityExportBatch {
  id: number;
  title: string;
  startsOn: string;
  endsOn: string;
  items: Array<{ claimId: number; enterpriseName: string; uscc: string; areaId: string; measureId: string; title: string; item: string; amountFen: number }>;
}

export interface PaymentExportRow {
  claimId: number;
  uscc: string;
  enterpriseName: string;
  areaId: string;
  measureId: string;
  title: string;
  item: string;
  year: number;
  amountFen: number;
  voucherNo: string | null;
  paidOn: string | null;
}

interface Column {
  header: string;
  width: number;
  money?: boolean;
  align?: 'left' | 'center' | 'right';
}

const yuan = (fen: number) => fen / 100;
const areaName = (id: string) => findArea(id)?.nameZh ?? id;
const measureLabel = (id: string) => (/^\d+$/.test(id) ? `第${id}条` : '附则');
const yuanText = (fen: number) => `${yuan(fen).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}元`;

const thin = { style: 'thin' as const, color: { argb: 'FF808080' } };
const border = { top: thin, left: thin, bottom: thin, right: thin };

function sheet(wb: ExcelJS.Workbook, name: string, title: string, subtitle: string, columns: Column[], rows: Array<Array<string | number | null>>, totalFen: number) {
  const ws = wb.addWorksheet(name, {
    pageSetup: {
      paperSize: 9, // A4
      orientation: 'landscape',
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0,
      horizontalCentered: true,
      margins: { left: 0.4, right: 0.4, top: 0.6, bottom: 0.6, header: 0.3, footer: 0.3 },
      printTitlesRow: '3:3',
    },
    headerFooter: { oddFooter: '第 &P 页，共 &N 页' },
    views: [{ state: 'frozen', ySplit: 3 }],
  });
  ws.columns = columns.map((c) => ({ width: c.width }));
  const last = columns.length;

  ws.mergeCells(1, 1, 1, last);
  const t = ws.getCell(1, 1);
  t.value = title;
  t.font = { name: '宋体', size: 16, bold: true };
  t.alignment = { horizontal: 'center', vertical: 'middle' };
  ws.getRow(1).height = 30;
  ws.mergeCells(2, 1, 2, last);
  const s = ws.getCell(2, 1);
  s.value = subtitle;
  s.font = { name: '宋体', size: 11 };
  s.alignment = { horizontal: 'left', vertical: 'middle' };

  const head = ws.getRow(3);
  columns.forEach((c, i) => {
    const cell = head.getCell(i + 1);
    cell.value = c.header;
    cell.font = { name: '宋体', size: 11, bold: true };
    cell.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE7E6E6' } };
    cell.border = border;
  });
  head.height = 22;

  rows.forEach((values, r) => {
    const row = ws.getRow(4 + r);
    values.forEach((v, i) => {
      const cell = row.getCell(i + 1);
      cell.value = v;
      cell.font = { name: '宋体', size: 11 };
      cell.border = border;
      cell.alignment = { vertical: 'middle', wrapText: !columns[i].money, horizontal: columns[i].money ? 'right' : (columns[i].align ?? 'left') };
      if (columns[i].money) cell.numFmt = YUAN_FORMAT;
    });
  });

  const totalRow = ws.getRow(4 + rows.length);
  const moneyCol = columns.findIndex((c) => c.money) + 1;
  ws.mergeCells(totalRow.number, 1, totalRow.number, moneyCol - 1);
  const label = totalRow.getCell(1);
  label.value = `合计（${rows.length}项）`;
  label.font = { name: '宋体', size: 11, bold: true };
  label.alignment = { horizontal: 'center', vertical: 'middle' };
  const letter = ws.getColumn(moneyCol).letter;
  const total = totalRow.getCell(moneyCol);
  // A formula, so an official who edits a row sees a true total; its cached result is the sum in fen.
  total.value = rows.length ? { formula: `SUM(${letter}4:${letter}${3 + rows.length})`, result: yuan(totalFen) } : 0;
  total.numFmt = YUAN_FORMAT;
  total.font = { name: '宋体', size: 11, bold: true };
  total.alignment = { horizontal: 'right', vertical: 'middle' };
  for (let i = 1; i <= last; i++) totalRow.getCell(i).border = border;
  return ws;
}

async function toBuffer(wb: ExcelJS.Workbook): Promise<Buffer> {
  return Buffer.from(await wb.xlsx.writeBuffer());
}

function workbook(title: string): ExcelJS.Workbook {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Kaifang 开放政策平台';
  wb.title = title;
  wb.created = new Date();
  return wb;
}

/** 公示名单 of one batch. */
export async function publicityWorkbook(batch: PublicityExportBatch): Promise<Buffer> {
  const wb = workbook(batch.title);
  const totalFen = batch.items.reduce((s, i) => s + i.amountFen, 0);
  const columns: Column[] = [
    { header: '序号', width: 7, align: 'center' },
    { header: '企业名称', width: 34 },
    { header: '统一社会信用代码', width: 22, align: 'center' },
    { header: '所属区镇', width: 14, align: 'center' },
    { header: '政策条款', width: 10, align: 'center' },
    { header: '奖励项目', width: 30 },
    { header: '申报事项', width: 26 },
    { header: '拟奖励金额（元）', width: 18, money: true },
  ];
  const rows = batch.items.map((i, n) => [n + 1, i.enterpriseName, i.uscc, areaName(i.areaId), measureLabel(i.measureId), i.title, i.item || '—', yuan(i.amountFen)]);
  sheet(wb, '公示名单', batch.title, `公示期：${batch.startsOn} 至 ${batch.endsOn}　共${rows.length}项，拟奖励合计${yuanText(totalFen)}`, columns, rows, totalFen);
  return toBuffer(wb);
}

/** 拨付清单: claims awaiting payment (a payment batch for the treasury) or payments made. */
export async function paymentWorkbook(rows: PaymentExportRow[], opts: { status?: 'awaiting' | 'paid'; asOf?: string } = {}): Promise<Buffer> {
  const paid = opts.status === 'paid';
  const title = paid ? '政策奖励资金已拨付清单' : '政策奖励资金拨付清单（待拨付）';
  const wb = workbook(title);
  const totalFen = rows.reduce((s, r) => s + r.amountFen, 0);
  const columns: Column[] = [
    { header: '序号', width: 7, align: 'center' },
    { header: '申报编号', width: 10, align: 'center' },
    { header: '企业名称', width: 32 },
    { header: '统一社会信用代码', width: 22, align: 'center' },
    { header: '所属区镇', width: 12, align: 'center' },
    { header: '政策条款', width: 10, align: 'center' },
    { header: '奖励项目', width: 28 },
    { header: '申报事项', width: 22 },
    { header: '年度', width: 8, align: 'center' },
    { header: paid ? '拨付金额（元）' : '应拨金额（元）', width: 18, money: true },
    { header: '记账凭证号', width: 18, align: 'center' },
    { header: '拨付日期', width: 12, align: 'center' },
  ];
  const data = rows.map((r, n) => [n + 1, r.claimId, r.enterpriseName, r.uscc, areaName(r.areaId), measureLabel(r.measureId), r.title, r.item || '—', r.year, yuan(r.amountFen), r.voucherNo ?? '', r.paidOn ?? '']);
  sheet(wb, paid ? '已拨付' : '待拨付', title, `${opts.asOf ? `制表日期：${opts.asOf}　` : ''}共${rows.length}项，合计${yuanText(totalFen)}`, columns, data, totalFen);
  return toBuffer(wb);
}
