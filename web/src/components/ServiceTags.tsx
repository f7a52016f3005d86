import { Tag, Tooltip } from 'antd';
import type { ServiceCase, ServiceCaseState } from '../api/types';
import { useI18n } from '../i18n';
import { amountText, standingOf } from '../lib/serviceCases';

const STATE_COLOR: Record<ServiceCaseState, string> = { open: 'processing', suspended: 'warning', completed: 'success' };

/** 办理中 / 补正中 / 已办结 */
export function ServiceStateTag({ state }: { state: ServiceCaseState | undefined }) {
  const { t } = useI18n();
  if (!state) return <>—</>;
  return <Tag color={STATE_COLOR[state]}>{t(`svc.state.${state}`)}</Tag>;
}

/** 剩余/超期: red when overdue, green when done on time, the number of days in the case's own count unit. */
export function StandingTag({ c }: { c: Pick<ServiceCase, 'status' | 'undetermined' | 'recording' | 'hours'> }) {
  const { t, lang } = useI18n();
  const s = standingOf(c);
  const n = (amount: number, unit: 'workingDays' | 'calendarDays') => ({ n: amountText(amount), unit: t(`svc.unit.${unit}`) });
  switch (s.kind) {
    case 'overdue':
      return <Tag color="error">{s.completed ? t('svc.lateDone', n(s.amount, s.unit)) : t('svc.overdue', n(s.amount, s.unit))}</Tag>;
    case 'onTime':
      return <Tag color="success">{t('svc.onTimeDone', n(s.amount, s.unit))}</Tag>;
    case 'remaining':
      return <Tag color={s.provisional ? 'warning' : 'processing'}>{t(s.provisional ? 'svc.remainingProvisional' : 'svc.remaining', n(s.amount, s.unit))}</Tag>;
    case 'average':
      return (
        <Tag color={s.exceedsTarget ? 'orange' : 'default'}>
          {t('svc.averageUsed', n(s.amount, s.unit))}
          {s.exceedsTarget ? ` · ${t('svc.aboveTarget')}` : ''}
        </Tag>
      );
    case 'undetermined':
      return (
        <Tooltip title={lang === 'en' ? s.messageEn : s.messageZh}>
          <Tag color="warning">{lang === 'en' ? s.messageEn : s.messageZh}</Tag>
        </Tooltip>
      );
    default:
      if (c.recording === 'population') return <Tag>{t('svc.population')}</Tag>;
      if (c.recording === 'hours' && c.hours !== null) return <Tag>{t('svc.hoursRecord', { n: c.hours })}</Tag>;
      return <>—</>;
  }
}

/** The due date, with 12:00 for half-day limits. */
export function dueText(c: Pick<ServiceCase, 'status'>): string {
  const d = c.status?.due;
  if (!d) return '—';
  const text = d.at === 'noon' ? `${d.date} 12:00` : d.date;
  // Counted past the working-day calendar's coverage (weekends only): never shown as if it were settled.
  return c.status?.beyondCalendar ? `${text}（暂定 provisional）` : text;
}
