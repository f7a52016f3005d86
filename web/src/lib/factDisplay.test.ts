// @vitest-environment node
import { describe, expect, it } from 'vitest';
import type { FactDecl } from '../api/types';
import { displayFact } from './factDisplay';

const d = (type: FactDecl['type'], extra: Partial<FactDecl> = {}): FactDecl => ({ name: 'x', type, label: 'x', labelEn: 'x', ...extra });

describe('displayFact', () => {
  it('shows each type the way people read it', () => {
    expect(displayFact(d('money'), 2_500_000_000, 'zh')).toBe('2,500万元');
    expect(displayFact(d('money'), 123_456, 'zh')).toBe('1,234.56元');
    expect(displayFact(d('money'), '2800万元', 'zh')).toBe('2,800万元');
    expect(displayFact(d('money'), '2800万元', 'en')).toBe('28,000,000.00 yuan');
    expect(displayFact(d('boolean'), true, 'zh')).toBe('是');
    expect(displayFact(d('boolean'), false, 'en')).toBe('no');
    expect(displayFact(d('enum', { valueLabels: { leading: '先导产业' } }), 'leading', 'zh')).toBe('先导产业');
    expect(displayFact(d('yearList'), [2019, 2020], 'zh')).toBe('2019、2020');
    expect(displayFact(d('area'), 12500, 'zh')).toBe('12,500 平方米');
    expect(displayFact(d('number', { unit: '万美元' }), 3000, 'zh')).toBe('3,000 万美元');
    expect(displayFact(d('number', { unit: '万美元' }), 3000, 'en')).toBe('3,000 × 10k USD');
    expect(displayFact(d('enum', { name: 'industryClass', valueLabels: { highTech: '高新技术产业' } }), 'highTech', 'en')).toBe('high-tech industry');
    expect(displayFact(d('number'), 1.55, 'zh')).toBe('1.55');
    expect(displayFact(d('date'), '2020-07-22', 'zh')).toBe('2020-07-22');
    expect(displayFact(undefined, 5, 'zh')).toBe('5');
    expect(displayFact(d('money'), null, 'zh')).toBe('—');
  });
});
