// `kaifang calc` as a person uses it: a readable table, --json, stdin, and a clear failure on bad input.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const kaifang = (args: string[], input?: string) => spawnSync('node', ['bin/kaifang.js', ...args], { cwd: root, input, encoding: 'utf8' });

// Each case spawns the real command (a second or two each, far more on a loaded machine).
describe('kaifang calc', { timeout: 180_000 }, () => {
  it('prints a Chinese table with amounts and reasons, and the same figures as JSON', () => {
    const table = kaifang(['calc', 'examples/optical-cable-2020.yaml', '--as-of', '2021-03-01']);
    expect(table.status).toBe(0);
    expect(table.stdout).toContain('设备投入综合奖补');
    expect(table.stdout).toContain('合计可获：9,020,000元（902万元）');
    expect(table.stdout).toContain('6,500万元 × 12% = 780万元');
    const json = kaifang(['calc', '-', '--json', '--as-of', '2021-03-01'], JSON.stringify({ year: 2020, facts: { industryClass: 'other' }, claims: [{ incentive: 'equipment-investment', item: 'P', facts: { equipmentInvestment: '2000万元' } }] }));
    expect(json.status).toBe(0);
    const result = JSON.parse(json.stdout);
    expect(result.entitlements[0]).toMatchObject({ measure: 16, incentive: 'equipment-investment', status: 'eligible', amountFen: 120_000_000 });
    expect(result.entitlements[0].explanation.formula.rate).toBe('6%');
  });

  it('fails with a message naming the field on bad input, and on a missing file', () => {
    const bad = kaifang(['calc', '-'], 'year: 2020\nclaims:\n  - incentive: equipment-investment\n    item: P\n    facts: { equipmentInvestment: -1 }\n');
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('claims[0].facts.equipmentInvestment');
    expect(bad.stderr).toContain('不能为负数');
    const missing = kaifang(['calc', 'no-such-file.yaml']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('无法读取文件');
    const date = kaifang(['calc', 'examples/textile-2020.yaml', '--as-of', '2020-02-30']);
    expect(date.status).not.toBe(0);
    expect(date.stderr).toContain('asOf');
  });

  it('policy check and policy test pass on the encoded policy', () => {
    const check = kaifang(['policy', 'check']);
    expect(check.status).toBe(0);
    expect(check.stdout).toContain('30 measures');
    const test = kaifang(['policy', 'test']);
    expect(test.status).toBe(0);
    expect(test.stdout).toMatch(/\d+ passed, 0 failed/);
  });
});
