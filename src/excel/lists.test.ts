// The 公示 list and the payment list as real workbooks, read back with exceljs.
import { describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { paymentWorkbook, publicityWorkbook, YUAN_FORMAT } from './lists.ts';

async function read(buf: Buffer) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf as unknown as ArrayBuffer);
  return wb.worksheets[0];
}

const batch = {
  id: 3,
  title: '2020年度吴江区设备投入奖补拟奖励名单公示',
  startsOn: '2021-03-01',
  endsOn: '2021-03-07',
  items: [
    { claimId: 11, enterpriseName: '苏州长缆光通信有限公司', uscc: '91320509MA1XXXXXX1', areaId: 'shengze', measureId: '16', title: '设备投入奖补', item: '光纤预制棒扩产', amountFen: 300_000_000 },
    { claimId: 12, enterpriseName: '吴江丝韵纺织有限公司', uscc: '91320509MA1XXXXXX2', areaId: 'songling', measureId: 'general', title: '一事一议', item: '', amountFen: 12_345_67 },
  ],
};

describe('Excel lists', () => {
  it('公示名单: title, period, Chinese headers, amounts in 元 with thousands format, a totals row', async () => {
    const ws = await read(await publicityWorkbook(batch));
    expect(ws.name).toBe('公示名单');
    expect(ws.getCell('A1').value).toBe(batch.title);
    expect(String(ws.getCell('A2').value)).toContain('公示期：2021-03-01 至 2021-03-07');
    expect(String(ws.getCell('A2').value)).toContain('3,012,345.67元');
    expect(ws.getRow(3).values).toEqual([undefined, '序号', '企业名称', '统一社会信用代码', '所属区镇', '政策条款', '奖励项目', '申报事项', '拟奖励金额（元）']);
    expect(ws.getRow(4).values).toEqual([undefined, 1, '苏州长缆光通信有限公司', '91320509MA1XXXXXX1', '盛泽镇', '第16条', '设备投入奖补', '光纤预制棒扩产', 3_000_000]);
    expect(ws.getCell('H5').value).toBe(12345.67);
    expect(ws.getCell('G5').value).toBe('—');
    expect(ws.getCell('E5').value).toBe('附则');
    expect(ws.getCell('H4').numFmt).toBe(YUAN_FORMAT);
    expect(ws.getCell('A6').value).toBe('合计（2项）');
    expect(ws.getCell('H6').value).toEqual({ formula: 'SUM(H4:H5)', result: 3_012_345.67 });
    expect(ws.getCell('H6').numFmt).toBe(YUAN_FORMAT);
  });

  it('is set up for printing: A4 landscape, one page wide, header row repeated, widths set', async () => {
    const ws = await read(await publicityWorkbook(batch));
    expect(ws.pageSetup).toMatchObject({ paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0, printTitlesRow: '3:3' });
    expect(ws.columns.map((c) => c.width)).toEqual([7, 34, 22, 14, 10, 30, 26, 18]);
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 3 });
  });

  it('拨付清单: awaiting payment and paid, with voucher and date', async () => {
    const rows = [
      { claimId: 11, uscc: '91320509MA1XXXXXX1', enterpriseName: '苏州长缆光通信有限公司', areaId: 'shengze', measureId: '16', title: '设备投入奖补', item: '光纤预制棒扩产', year: 2020, amountFen: 300_000_000, voucherNo: '记-2021-0310-001', paidOn: '2021-03-10' },
      { claimId: 12, uscc: '91320509MA1XXXXXX2', enterpriseName: '吴江丝韵纺织有限公司', areaId: 'shengze', measureId: '16', title: '设备投入奖补', item: '织机', year: 2020, amountFen: 1, voucherNo: null, paidOn: null },
    ];
    const awaiting = await read(await paymentWorkbook(rows, { status: 'awaiting', asOf: '2021-03-09' }));
    expect(awaiting.getCell('A1').value).toBe('政策奖励资金拨付清单（待拨付）');
    expect(String(awaiting.getCell('A2').value)).toContain('制表日期：2021-03-09');
    expect(awaiting.getCell('J3').value).toBe('应拨金额（元）');
    expect(awaiting.getCell('J5').value).toBe(0.01);
    expect(awaiting.getCell('A6').value).toBe('合计（2项）');
    expect((awaiting.getCell('J6').value as { result: number }).result).toBe(3_000_000.01);
    const paid = await read(await paymentWorkbook(rows.slice(0, 1), { status: 'paid' }));
    expect(paid.getCell('J3').value).toBe('拨付金额（元）');
    expect(paid.getRow(4).values).toEqual([undefined, 1, 11, '苏州长缆光通信有限公司', '91320509MA1XXXXXX1', '盛泽镇', '第16条', '设备投入奖补', '光纤预制棒扩产', 2020, 3_000_000, '记-2021-0310-001', '2021-03-10']);
  });

  it('an empty list still has its headers and a zero total', async () => {
    const ws = await read(await paymentWorkbook([]));
    expect(ws.getCell('A4').value).toBe('合计（0项）');
    expect(ws.getCell('J4').value).toBe(0);
  });
});
