import { describe, expect, it } from 'vitest';
import { itemsOf, policyYears, totalOf } from './client';
import type { PolicyLibrary } from './types';

describe('list and policy helpers', () => {
  it('reads a page or a bare array: its items and the whole list’s total', () => {
    expect(itemsOf({ items: [1, 2], total: 40, page: 1, pageSize: 2 })).toEqual([1, 2]);
    expect(totalOf({ items: [1, 2], total: 40, page: 1, pageSize: 2 })).toBe(40);
    expect(totalOf([1, 2, 3])).toBe(3);
    expect(totalOf(undefined)).toBe(0);
  });

  it('gives the policy’s years, first to last', () => {
    expect(policyYears(undefined)).toEqual([2020]);
    expect(policyYears({ effective: { from: '2020-01-01', to: '2022-12-31' } } as PolicyLibrary)).toEqual([2020, 2021, 2022]);
  });
});
