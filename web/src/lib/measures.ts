/**
 * How a measure is named on screen: by its number (第16条 / Measure 16). The general provisions' incentives have
 * no number — their claims and budgets carry the measure id `general` — and are named 附则（一事一议）, never 第general条.
 */
import type { MessageKey } from '../i18n/messages';

type T = (key: MessageKey, vars?: Record<string, string | number>) => string;

/** The measure's number, or null for the general provisions (or anything that is not a number). */
export function measureNumber(measure: number | string | null | undefined): number | null {
  if (typeof measure === 'number') return Number.isInteger(measure) && measure > 0 ? measure : null;
  return typeof measure === 'string' && /^[1-9]\d*$/.test(measure) ? Number(measure) : null;
}

export function measureLabel(t: T, measure: number | string | null | undefined): string {
  const n = measureNumber(measure);
  return n === null ? t('common.generalProvisions') : t('common.measureNo', { n });
}
