/**
 * 追回款跟踪表: the recoveries a department or finance follows, as an Excel workbook — one row per clawback with what
 * was due, what came back and what is still outstanding, its deadline and how long it has run. Amounts are summed in
 * integer fen and written once as 元 (two decimals), so the totals never drift from the rows.
 */
import ExcelJS from 'exceljs';
import { findArea } from '../enterprises/areas.ts';
import type { RecoveryView } from '../claims/recoveries.ts';

const YUAN_FORMAT = '#,##0.00';
const yuan = (fen: number) => fen / 100;
const measureLabel = (id: string) => (/^\d+$/.test(id) ? `第${id}条` : '附则');

const COLUMNS: Array<{ header: string; width: number; money?: boolean }> = [
  { header: '序号', width: 7 },
  { header: '申报编号', width: 10 },
  { header: '企业名称', width: 30 },
  { header: '统一社会信用代码', width: 22 },
  { header: '所属区镇', width: 12 },
  { header: '政策条款', width: 10 },
  { header: '奖励项目', width: 26 },
  { header: '追回理由', width: 30 },
  { header: '追回决定日期', width: 13 },
  { header: '缴回期限', width: 12 },
  { header: '应追回（元）', width: 16, money: true },
  { header: '已到账（元）', width: 16, money: true },
  { header: '尚欠（元）', width: 16, money: true },
  { header: '最近到账日期', width: 13 },
  { header: '逾期天数', width: 10 },
  { header: '挂账天数', width: 10 },
];

export async function recoveryWorkbook(rows: RecoveryView[], opts: { asOf: string; status: string }): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Kaifang 开放政策平台';
  const title = '政策奖励资金追回款跟踪表';
  wb.title = title;
  const ws = wb.addWorksheet('追回跟踪', {
    pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0, printTitlesRow: '3:3' },
    views: [{ state: 'frozen', ySplit: 3 }],
  });
  ws.columns = COLUMNS.map((c) => ({ width: c.width }));
  const sum = (f: (r: RecoveryView) => number) => rows.reduce((s, r) => s + f(r), 0);
  const totals = { due: sum((r) => r.dueFen), recovered: sum((r) => r.recoveredFen), outstanding: sum((r) => r.outstandingFen) };
  ws.mergeCells(1, 1, 1, COLUMNS.length);
  ws.getCell(1, 1).value = title;
  ws.getCell(1, 1).font = { name: '宋体', size: 16, bold: true };
  ws.getCell(1, 1).alignment = { horizontal: 'center' };
  ws.mergeCells(2, 1, 2, COLUMNS.length);
  ws.getCell(2, 1).value = `制表日期：${opts.asOf}　范围：${opts.status}　共${rows.length}项，应追回${yuan(totals.due).toFixed(2)}元，已到账${yuan(totals.recovered).toFixed(2)}元，尚欠${yuan(totals.outstanding).toFixed(2)}元`;
  const head = ws.getRow(3);
  COLUMNS.forEach((c, i) => {
    const cell = head.getCell(i + 1);
    cell.value = c.header;
    cell.font = { name: '宋体', size: 11, bold: true };
    cell.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
  });
  rows.forEach((r, n) => {
    const values = [
      n + 1,
      r.claimId,
      r.enterpriseName,
      r.enterpriseUscc,
      findArea(r.areaId)?.nameZh ?? r.areaId,
      measureLabel(r.measureId),
      r.item ? `${r.title}（${r.item}）` : r.title,
      r.reason ?? '',
      r.clawedBackOn,
      r.dueOn ?? '未设',
      yuan(r.dueFen),
      yuan(r.recoveredFen),
      yuan(r.outstandingFen),
      r.lastReceivedOn ?? '',
      r.overdueDays,
      r.ageDays,
    ];
    const row = ws.getRow(4 + n);
    values.forEach((v, i) => {
      const cell = row.getCell(i + 1);
      cell.value = v;
      if (COLUMNS[i].money) cell.numFmt = YUAN_FORMAT;
    });
  });
  const total = ws.getRow(4 + rows.length);
  total.getCell(1).value = `合计（${rows.length}项）`;
  total.getCell(11).value = yuan(totals.due);
  total.getCell(12).value = yuan(totals.recovered);
  total.getCell(13).value = yuan(totals.outstanding);
  for (const i of [11, 12, 13]) total.getCell(i).numFmt = YUAN_FORMAT;
  total.font = { bold: true };
  return Buffer.from(await wb.xlsx.writeBuffer());
}
