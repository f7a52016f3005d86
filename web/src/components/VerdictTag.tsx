import { Tag } from 'antd';
import type { Entitlement } from '../api/types';
import { useI18n } from '../i18n';
import { readEntitlement, type Verdict } from '../lib/entitlement';

const COLOR: Record<Verdict, string> = { eligible: 'success', claimable: 'success', needsInfo: 'warning', notEligible: 'default', caseByCase: 'processing', amountNotSet: 'warning' };

/** An entitlement's status as a person reads it: 符合 / 符合·据实申报 / 需填写 / 不符合 / 一事一议 / 金额待定. */
export function VerdictTag({ ent }: { ent: Pick<Entitlement, 'status' | 'explanation'> }) {
  const { t } = useI18n();
  const v = readEntitlement(ent).verdict;
  return <Tag color={COLOR[v]} style={{ marginInlineEnd: 0 }}>{t(`verdict.${v}`)}</Tag>;
}
