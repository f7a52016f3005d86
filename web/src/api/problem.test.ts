// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { ApiError, describeError, pathToName } from './problem';

describe('pathToName', () => {
  it('turns API field paths into form name paths', () => {
    expect(pathToName('claims[0].facts.equipmentInvestment')).toEqual(['claims', 0, 'facts', 'equipmentInvestment']);
    expect(pathToName('body.facts.industryClass')).toEqual(['facts', 'industryClass']);
    expect(pathToName('facts.rdYears[2]')).toEqual(['facts', 'rdYears', 2]);
    expect(pathToName('querystring.asOf', ['body'])).toEqual(['querystring', 'asOf']);
    expect(pathToName('username')).toEqual(['username']);
  });
});

describe('describeError', () => {
  it('keeps the server message and adds the next step for generic codes', () => {
    const e = new ApiError(403, { code: 'forbidden', messageZh: '无权查看该申报', messageEn: 'you may not see this claim' });
    expect(describeError(e, 'zh')).toBe('无权查看该申报。如需此权限，请联系管理员。');
    expect(describeError(e, 'en')).toBe('you may not see this claim. Ask the administrator if you need this permission.');
  });
  it('leaves input messages as they are (they already say what to do)', () => {
    const e = new ApiError(422, { code: 'negative', messageZh: '金额不能为负数', messageEn: 'amount must not be negative' });
    expect(describeError(e, 'zh')).toBe('金额不能为负数');
  });
  it('network failures and server errors say to retry', () => {
    expect(describeError(new ApiError(0, { code: 'network', messageZh: '无法连接服务器', messageEn: 'cannot reach the server' }), 'zh')).toBe('无法连接服务器。请检查网络连接后重试。');
    expect(describeError(new ApiError(502, {}), 'zh')).toContain('请稍后重试');
  });
});
