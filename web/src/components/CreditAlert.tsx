import { Alert } from 'antd';
import type { CSSProperties, ReactNode } from 'react';
import type { CreditStatus } from '../api/types';
import { useI18n } from '../i18n';
import { formatDate } from '../lib/dates';

/**
 * A credit listing in force (measure 29), said the way the enterprise needs it: who listed it (the unit), on which
 * list, why and since when, and what it stops — submitting claims, payment. Shown on the portal home, at the start
 * of the claim wizard and on the claim itself, so that no enterprise learns of it only at the last step.
 */
export function CreditAlert({ credit, type = 'error', extra, style }: { credit: CreditStatus; type?: 'error' | 'warning'; extra?: ReactNode; style?: CSSProperties }) {
  const { t } = useI18n();
  if (!credit.blocked || !credit.entries.length) return null;
  const first = credit.entries[0];
  return (
    <Alert
      type={type}
      showIcon
      role="alert"
      className="kf-credit-alert"
      style={style}
      title={t('credit.warnTitle', { unit: first.unit ?? first.source ?? '—', list: first.listName })}
      description={
        <>
          <ul style={{ margin: 0, paddingInlineStart: 18 }}>
            {credit.entries.map((e, i) => (
              <li key={e.id}>
                {i > 0 && `${t('credit.warnTitle', { unit: e.unit ?? e.source ?? '—', list: e.listName })}：`}
                {t('credit.warnReason', { reason: e.reason, date: formatDate(e.listedOn) })}
              </li>
            ))}
          </ul>
          <div style={{ marginTop: 4 }}>{t('credit.warnBlocks')}</div>
          {extra && <div style={{ marginTop: 4 }}>{extra}</div>}
        </>
      }
    />
  );
}
