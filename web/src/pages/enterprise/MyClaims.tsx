import { FileAddOutlined } from '@ant-design/icons';
import { Card, Empty, Flex, Select } from 'antd';
import { useSearchParams } from 'react-router-dom';
import { api, itemsOf, totalOf } from '../../api/client';
import { CLAIM_STATES, type ClaimState } from '../../api/types';
import { ButtonLink } from '../../components/ButtonLink';
import { ClaimsTable } from '../../components/ClaimsTable';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageTitle } from '../../components/PageTitle';
import { useI18n } from '../../i18n';
import { useAsync, usePolicy } from '../../lib/useAsync';

export default function MyClaims() {
  const { t } = useI18n();
  const [params, setParams] = useSearchParams();
  const state = (params.get('state') ?? '') as ClaimState | '';
  const page = Number(params.get('page') ?? 1);
  const pageSize = Number(params.get('pageSize') ?? 20);
  const { data: policy } = usePolicy();
  const list = useAsync(() => api.claims({ state, page, pageSize }), [state, page, pageSize]);
  const set = (patch: Record<string, string | number | undefined>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(patch)) (v === undefined || v === '' ? next.delete(k) : next.set(k, String(v)));
    setParams(next, { replace: true });
  };
  const items = itemsOf(list.data);
  return (
    <>
      <PageTitle
        title={t('claims.title')}
        extra={
          <ButtonLink type="primary" icon={<FileAddOutlined />} to="/portal/apply">
            {t('claims.new')}
          </ButtonLink>
        }
      />
      <Card size="small">
        <Flex gap={8} align="center" wrap style={{ marginBottom: 12 }}>
          <label htmlFor="claims-state">{t('common.status')}</label>
          <Select
            id="claims-state"
            style={{ width: 200 }}
            value={state}
            onChange={(v) => set({ state: v, page: undefined })}
            options={[{ value: '', label: t('common.all') }, ...CLAIM_STATES.map((s) => ({ value: s, label: t(`state.${s}`) }))]}
          />
        </Flex>
        <ErrorAlert error={list.error} onRetry={list.reload} />
        {!list.loading && !list.error && items.length === 0 && !state ? (
          <Empty description={t('claims.empty')}>
            <ButtonLink to="/portal">{t('nav.home')}</ButtonLink>
          </Empty>
        ) : (
          <ClaimsTable
            items={items}
            total={totalOf(list.data)}
            page={page}
            pageSize={pageSize}
            loading={list.loading}
            policy={policy}
            onPage={(p, ps) => set({ page: p, pageSize: ps })}
            linkTo={(c) => `/portal/claims/${c.id}`}
          />
        )}
      </Card>
    </>
  );
}
