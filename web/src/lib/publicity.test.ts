// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { batchStatus } from './publicity';

describe('batchStatus', () => {
  const b = { startsOn: '2020-12-01', endsOn: '2020-12-07' };
  it('open on the first and the last day, inclusive', () => {
    expect(batchStatus(b, '2020-11-30')).toBe('notStarted');
    expect(batchStatus(b, '2020-12-01')).toBe('open');
    expect(batchStatus(b, '2020-12-07')).toBe('open');
    expect(batchStatus(b, '2020-12-08')).toBe('ended');
  });
  it('closed wins', () => {
    expect(batchStatus({ ...b, closedAt: '2020-12-09T02:00:00Z' }, '2020-12-03')).toBe('closed');
  });
});
