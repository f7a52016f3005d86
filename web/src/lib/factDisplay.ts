/** A stored fact value as text for people (summaries, case views): 2500000000 → "2,500万元", true → "是". */
import type { FactDecl, Lang } from '../api/types';
import { enumLabel, unitLabel } from './factForm';
import { formatMoney, moneyFactToFen } from './money';

export function displayFact(decl: FactDecl | undefined, value: unknown, lang: Lang): string {
  if (value === undefined || value === null || value === '') return '—';
  if (!decl) return typeof value === 'object' ? JSON.stringify(value) : String(value);
  switch (decl.type) {
    case 'money': {
      const fen = moneyFactToFen(value);
      return fen !== null ? formatMoney(fen, { lang }) : String(value);
    }
    case 'boolean':
      return value === true ? (lang === 'en' ? 'yes' : '是') : value === false ? (lang === 'en' ? 'no' : '否') : String(value);
    case 'enum':
      return enumLabel(decl, String(value), lang);
    case 'yearList':
      return Array.isArray(value) ? value.join(lang === 'en' ? ', ' : '、') : String(value);
    case 'area':
      return `${Number(value).toLocaleString('en-US')} ${lang === 'en' ? 'm²' : '平方米'}`;
    case 'number':
    case 'integer':
      return `${Number(value).toLocaleString('en-US', { maximumFractionDigits: 6 })}${decl.unit ? ` ${unitLabel(decl.unit, lang)}` : ''}`;
    default:
      return String(value);
  }
}
