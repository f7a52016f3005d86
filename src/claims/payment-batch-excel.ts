/**
 * The bank files of a payment batch (代发文件): the file finance sends the bank, one row per line with the
 * enterprise's account and the amount in 元 (two decimals) and in fen, and a total row; and the return template
 * (回盘文件), the same sheet with the columns the bank fills in — 结果 (成功/失败), 凭证号, 失败原因, 拨付日期.
 * The header is the first row, so the returned file is read back by its headers (src/excel/read-workbook.ts);
 * rows are matched to the batch by 序号 and 申报编号 and checked against its amounts and codes.
 */
import ExcelJS from 'exceljs';
import { YUAN_FORMAT } from '../excel/lists.ts';

export const BANK_SHEET = '代发明细';

/** The columns of the bank file, in order; the return template adds RETURN_HEADERS after them. */
export const BANK_HEADERS = ['序号', '申报编号', '企业名称', '统一社会信用代码', '户名', '开户行', '账号', '金额（元）', '金额（分）', '摘要'] as const;
export const RETURN_HEADERS = ['结果', '凭证号', '失败原因', '拨付日期'] as const;
export const TOTAL_LABEL = '合计';

export interface BankFileLine {
  lineNo: number;
  claimId: number;
  enterpriseName: string;
  uscc: string;
  accountName: string;
  bankName: string;
  accountNo: string;
  amountFen: number;
  memo: string;
  /** for the return template of a batch partly returned: what is already recorded */
  result?: '成功' | '失败' | null;
  voucherNo?: string | null;
  failureReason?: string | null;
  paidOn?: string | null;
}

const WIDTHS: Record<string, number> = { 序号: 7, 申报编号: 10, 企业名称: 32, 统一社会信用代码: 22, 户名: 32, 开户行: 28, 账号: 24, '金额（元）': 16, '金额（分）': 14, 摘要: 36, 结果: 8, 凭证号: 20, 失败原因: 28, 拨付日期: 12 };

/** 元 with two decimals, as text for messages: 1,234.50 */
export const yuanText = (fen: number) => `${Math.trunc(fen / 100).toLocaleString('en-US')}.${String(Math.abs(fen) % 100).padStart(2, '0')}`;

export async function bankWorkbook(batch: { id: number; title: string }, lines: BankFileLine[], opts: { withReturn: boolean }): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Kaifang 开放政策平台';
  wb.title = `${batch.title}（批次${batch.id}）`;
  wb.created = new Date();
  const headers: string[] = [...BANK_HEADERS, ...(opts.withReturn ? RETURN_HEADERS : [])];
  const ws = wb.addWorksheet(BANK_SHEET, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = headers.map((h) => ({ width: WIDTHS[h] ?? 14 }));
  const head = ws.getRow(1);
  headers.forEach((h, i) => {
    const cell = head.getCell(i + 1);
    cell.value = h;
    cell.font = { bold: true };
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: RETURN_HEADERS.includes(h as never) ? 'FFFFF2CC' : 'FFE7E6E6' } };
  });
  const yuanCol = headers.indexOf('金额（元）') + 1;
  for (const l of lines) {
    const values: Array<string | number | null> = [l.lineNo, l.claimId, l.enterpriseName, l.uscc, l.accountName, l.bankName, l.accountNo, l.amountFen / 100, l.amountFen, l.memo];
    if (opts.withReturn) values.push(l.result ?? null, l.voucherNo ?? null, l.failureReason ?? null, l.paidOn ?? null);
    const row = ws.addRow(values);
    // Codes and account numbers are text: as numbers Excel keeps 15 digits and rewrites the rest.
    for (const col of [4, 7]) row.getCell(col).numFmt = '@';
    row.getCell(yuanCol).numFmt = YUAN_FORMAT;
  }
  const totalFen = lines.reduce((s, l) => s + l.amountFen, 0);
  const total = ws.addRow([TOTAL_LABEL, lines.length, `共${lines.length}笔`, null, null, null, null, totalFen / 100, totalFen, `合计 ${yuanText(totalFen)} 元`]);
  total.font = { bold: true };
  total.getCell(yuanCol).numFmt = YUAN_FORMAT;
  return Buffer.from(await wb.xlsx.writeBuffer());
}
