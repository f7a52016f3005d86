import { describe, expect, it } from 'vitest';
import { translate } from '../i18n';
import { measureLabel, measureNumber } from './measures';

describe('measure labels', () => {
  const zh = (k: Parameters<typeof translate>[1], v?: Record<string, string | number>) => translate('zh', k, v);
  const en = (k: Parameters<typeof translate>[1], v?: Record<string, string | number>) => translate('en', k, v);
  it('name a measure by its number, as the API sends it (number or text)', () => {
    expect(measureLabel(zh, 16)).toBe('第16条');
    expect(measureLabel(zh, '7')).toBe('第7条');
    expect(measureLabel(en, '16')).toBe('Measure 16');
  });
  it('name the general provisions 附则, never 第general条', () => {
    expect(measureNumber('general')).toBeNull();
    expect(measureLabel(zh, 'general')).toBe('附则（一事一议）');
    expect(measureLabel(zh, null)).toBe('附则（一事一议）');
    expect(measureLabel(en, 'general')).not.toMatch(/general条|Measure general/);
  });
});
