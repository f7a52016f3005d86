import { Tag } from 'antd';
import type { ClaimState, EntitlementStatus, IncentiveKind } from '../api/types';
import { useI18n } from '../i18n';

const STATUS_COLOR: Record<EntitlementStatus, string> = { eligible: 'success', notEligible: 'default', caseByCase: 'processing', amountNotSet: 'warning' };
export function StatusTag({ status }: { status: EntitlementStatus }) {
  const { t } = useI18n();
  return <Tag color={STATUS_COLOR[status]}>{t(`status.${status}`)}</Tag>;
}

const STATE_COLOR: Record<ClaimState, string> = {
  draft: 'default',
  submitted: 'processing',
  returned: 'warning',
  departmentReview: 'processing',
  jointReview: 'purple',
  publicity: 'cyan',
  approved: 'gold',
  paid: 'success',
  rejected: 'error',
  withdrawn: 'default',
};
/** A claim's state; `awaitingPublicity` (from the server): decided but not in a 公示 batch yet — 待公示, not 公示阶段. */
export function StateTag({ state, awaitingPublicity }: { state: ClaimState; awaitingPublicity?: boolean }) {
  const { t } = useI18n();
  if (state === 'publicity' && awaitingPublicity) return <Tag color="blue">{t('state.awaitingPublicity')}</Tag>;
  return <Tag color={STATE_COLOR[state] ?? 'default'}>{STATE_COLOR[state] ? t(`state.${state}`) : state}</Tag>;
}

const KIND_COLOR: Record<IncentiveKind, string> = { formula: 'blue', fixed: 'green', cappedClaim: 'geekblue', caseByCase: 'purple', amountNotSet: 'orange' };
export function KindTag({ kind }: { kind: IncentiveKind }) {
  const { t } = useI18n();
  return <Tag color={KIND_COLOR[kind]}>{t(`kind.${kind}`)}</Tag>;
}
