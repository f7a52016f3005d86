// @vitest-environment node
import { describe, expect, it } from 'vitest';
import type { MeasureView } from '../api/types';
import { searchMeasures } from './search';

const inc = (id: string, title: string, summary = '') => ({ id, measure: 1, title, kind: 'fixed', clause: '', summary, amountText: '', caps: [], conditions: [], facts: [], leadUnit: null, leadUnitName: null }) as MeasureView['incentives'][number];
const measures: MeasureView[] = [
  { measure: 8, section: 3, title: '支持企业上市', clause: '对在沪深主板上市的企业奖励700万元', summary: '', leadUnit: null, leadUnitName: '区金融监管局', responsibleUnits: [], incentives: [inc('ipo', 'IPO上市奖励'), inc('refi', '上市公司再融资奖励')] },
  { measure: 16, section: 5, title: '支持企业扩大有效投入', clause: '设备投入2000万元以上', summary: '', leadUnit: null, leadUnitName: '区工信局', responsibleUnits: [], incentives: [inc('equipment', '设备投入综合奖补', '先导产业12%')] },
];

describe('searchMeasures', () => {
  it('everything when the query is empty', () => {
    expect(searchMeasures(measures, '  ').map((h) => h.measure.measure)).toEqual([8, 16]);
  });
  it('matches measure text and keeps all its incentives', () => {
    const hits = searchMeasures(measures, '上市');
    expect(hits.map((h) => h.measure.measure)).toEqual([8]);
    expect(hits[0].incentives.map((i) => i.id)).toEqual(['ipo', 'refi']);
  });
  it('matches an incentive only and shows just that one', () => {
    const hits = searchMeasures(measures, '再融资');
    expect(hits[0].incentives.map((i) => i.id)).toEqual(['refi']);
  });
  it('every word must match; case-insensitive; lead unit and measure number count', () => {
    expect(searchMeasures(measures, '先导 设备').map((h) => h.measure.measure)).toEqual([16]);
    expect(searchMeasures(measures, '先导 上市')).toEqual([]);
    expect(searchMeasures(measures, 'ipo').map((h) => h.measure.measure)).toEqual([8]);
    expect(searchMeasures(measures, '工信局').map((h) => h.measure.measure)).toEqual([16]);
    expect(searchMeasures(measures, '第16条').map((h) => h.measure.measure)).toEqual([16]);
  });
});
