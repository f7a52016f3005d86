/** The policy library's search: every word must appear somewhere in the measure or in one of its incentives. */
import type { IncentiveView, MeasureView } from '../api/types';

export function norm(s: string | null | undefined): string {
  return (s ?? '').toLowerCase();
}

function incentiveText(i: IncentiveView): string {
  return norm([i.title, i.titleEn, i.summary, i.summaryEn, i.amountText, i.clause, i.leadUnitName, ...i.conditions.map((c) => c.label)].join(' '));
}

function measureText(m: MeasureView): string {
  return norm([`第${m.measure}条`, m.title, m.titleEn, m.summary, m.summaryEn, m.clause, m.leadUnitName, ...m.responsibleUnits.map((u) => u.name)].join(' '));
}

export interface MeasureHit {
  measure: MeasureView;
  /** the incentives to show: all when the measure itself matches, else the matching ones */
  incentives: IncentiveView[];
}

export function searchMeasures(measures: MeasureView[], query: string): MeasureHit[] {
  const words = norm(query).split(/\s+/).filter(Boolean);
  if (!words.length) return measures.map((m) => ({ measure: m, incentives: m.incentives }));
  const hits: MeasureHit[] = [];
  for (const m of measures) {
    const mt = measureText(m);
    const its = m.incentives.map(incentiveText);
    const all = mt + ' ' + its.join(' ');
    if (!words.every((w) => all.includes(w))) continue;
    const measureMatches = words.every((w) => mt.includes(w));
    const matching = m.incentives.filter((_, i) => words.every((w) => its[i].includes(w) || mt.includes(w)));
    hits.push({ measure: m, incentives: measureMatches ? m.incentives : matching.length ? matching : m.incentives });
  }
  return hits;
}
