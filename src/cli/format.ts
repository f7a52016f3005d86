/** How the CLI prints engine results for people: a Chinese table, amounts in 元/万元, reasons in words. */
import Table from 'cli-table3';
import type { EvaluationResult } from '../engine/index.ts';
import { formatFen } from '../policy/quantities.ts';
import { KaifangError, ValidationError } from '../errors.ts';

const STATUS_ZH = { eligible: '符合', notEligible: '不符合', caseByCase: '一事一议', amountNotSet: '金额未定' } as const;

export function renderResult(r: EvaluationResult): string {
  const head = [
    `${r.policy.title}（版本 ${r.policy.version}）`,
    `企业：${r.enterprise.name ?? '—'}${r.enterprise.uscc ? `（${r.enterprise.uscc}）` : ''}　年度：${r.year}　计算基准日：${r.asOf}`,
  ];
  // The table holds the short columns; the reasons follow in full below it (terminals wrap Chinese badly).
  const table = new Table({ head: ['#', '措施', '奖励项目', '对象', '结果', '金额'], style: { head: [], border: [] } });
  const notes: string[] = [];
  r.entitlements.forEach((e, i) => {
    const amount = e.amountFen === null ? '—' : formatFen(e.amountFen);
    table.push([i + 1, e.measure ?? '附则', e.title, e.item ?? (e.implicit ? '（按企业事实）' : ''), STATUS_ZH[e.status], amount]);
    if (e.explanation) notes.push(`${i + 1}. ${e.explanation.summary.zh.replace(/^[^：]*：/, '')}`);
  });
  const total = `合计可获：${formatFen(r.totalFen, '元')}（${formatFen(r.totalFen, '万元')}）`;
  return [...head, table.toString(), total, '', '说明：', ...notes, ''].join('\n');
}

export function renderError(e: unknown): string {
  if (e instanceof ValidationError) {
    return ['输入有误 / invalid input:', ...e.errors.map((x) => `  - ${x.path || '(root)'}: ${x.messageZh} / ${x.messageEn} [${x.code}]`)].join('\n');
  }
  if (e instanceof KaifangError) return `${e.path ? e.path + ": " : ""}${e.messageZh}\n${e.messageEn} [${e.code}]`;
  return String((e as Error)?.message ?? e);
}
