import { ReloadOutlined } from '@ant-design/icons';
import { Badge, Button, Card, Col, Empty, Form, Input, Row, Select, Tabs } from 'antd';
import { useEffect, useMemo } from 'react';
import { useSearchParams } from 'react-router-dom';
import { api, itemsOf, totalOf } from '../../api/client';
import type { ClaimState, QueueKey, Role } from '../../api/types';
import { useAuth } from '../../auth/auth';
import { ClaimsTable } from '../../components/ClaimsTable';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageTitle } from '../../components/PageTitle';
import { useI18n } from '../../i18n';
import { useAreas } from '../../lib/areas';
import { useAsync, usePolicy } from '../../lib/useAsync';

/** Each queue is the claims in one state; which queues a role works comes first. */
export const QUEUE_STATE: Record<QueueKey, ClaimState> = {
  firstReview: 'submitted',
  departmentReview: 'departmentReview',
  jointReview: 'jointReview',
  publicity: 'publicity',
  awaitingPayment: 'approved',
  returned: 'returned',
  drafts: 'draft',
};

const ROLE_QUEUES: Record<Role, QueueKey[]> = {
  enterprise: [],
  areaReviewer: ['firstReview', 'returned'],
  departmentReviewer: ['departmentReview', 'jointReview', 'publicity', 'returned'],
  finance: ['awaitingPayment'],
  auditor: ['firstReview', 'departmentReview', 'jointReview', 'publicity', 'awaitingPayment', 'returned'],
  admin: ['firstReview', 'departmentReview', 'jointReview', 'publicity', 'awaitingPayment', 'returned', 'drafts'],
};

export default function Queues() {
  const { t, pick } = useI18n();
  const { user } = useAuth();
  const { data: policy } = usePolicy();
  const { areas, areaName } = useAreas();
  const [params, setParams] = useSearchParams();
  const counts = useAsync(() => api.queues(), []);
  const keys = ROLE_QUEUES[user?.role ?? 'auditor'];
  const queue = (params.get('queue') as QueueKey) || keys[0];
  const page = Number(params.get('page') ?? 1);
  const pageSize = Number(params.get('pageSize') ?? 20);
  const measure = params.get('measure') ?? '';
  const areaId = params.get('areaId') ?? '';
  const q = params.get('q') ?? '';
  const list = useAsync(() => api.claims({ state: QUEUE_STATE[queue], measure, areaId, q, page, pageSize }), [queue, measure, areaId, q, page, pageSize]);
  const [form] = Form.useForm();

  useEffect(() => form.setFieldsValue({ q, measure, areaId }), [form, q, measure, areaId]);

  const set = (patch: Record<string, string | number | undefined>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(patch)) (v === undefined || v === '' ? next.delete(k) : next.set(k, String(v)));
    setParams(next, { replace: true });
  };

  const measureOptions = useMemo(
    () => [{ value: '', label: t('common.all') }, ...(policy?.measures.filter((m) => m.incentives.length).map((m) => ({ value: String(m.measure), label: `${t('common.measureNo', { n: m.measure })} ${pick(m.title, m.titleEn)}` })) ?? [])],
    [policy, t, pick],
  );
  const items = itemsOf(list.data);

  return (
    <>
      <PageTitle
        title={t('queue.title')}
        extra={
          <Button
            icon={<ReloadOutlined />}
            onClick={() => {
              counts.reload();
              list.reload();
            }}
          >
            {t('common.refresh')}
          </Button>
        }
      />
      <ErrorAlert error={counts.error} onRetry={counts.reload} />
      <Card size="small">
        <Tabs
          activeKey={queue}
          onChange={(k) => set({ queue: k, page: undefined })}
          items={keys.map((k) => ({
            key: k,
            label: (
              <span>
                {t(`queue.${k}`)} <Badge count={counts.data?.[k] ?? 0} showZero overflowCount={999} color={counts.data?.[k] ? '#1d5bbf' : '#bbb'} />
              </span>
            ),
          }))}
        />
        <Form form={form} layout="vertical" onFinish={(v) => set({ q: v.q?.trim(), measure: v.measure, areaId: v.areaId, page: undefined })}>
          <Row gutter={12} align="bottom">
            <Col xs={24} md={8}>
              <Form.Item name="q" label={t('common.keyword')}>
                <Input allowClear placeholder={t('common.keywordPh')} />
              </Form.Item>
            </Col>
            <Col xs={12} md={6}>
              <Form.Item name="measure" label={t('queue.filterMeasure')}>
                <Select options={measureOptions} popupMatchSelectWidth={false} />
              </Form.Item>
            </Col>
            {user?.role !== 'areaReviewer' && (
              <Col xs={12} md={5}>
                <Form.Item name="areaId" label={t('queue.filterArea')}>
                  <Select showSearch={{ optionFilterProp: 'label' }} options={[{ value: '', label: t('common.all') }, ...areas.map((a) => ({ value: a.id, label: a.name }))]} />
                </Form.Item>
              </Col>
            )}
            <Col xs={24} md={5}>
              <Form.Item>
                <Button type="primary" htmlType="submit">
                  {t('common.search')}
                </Button>{' '}
                <Button onClick={() => set({ q: undefined, measure: undefined, areaId: undefined, page: undefined })}>{t('common.reset')}</Button>
              </Form.Item>
            </Col>
          </Row>
        </Form>
        <ErrorAlert error={list.error} onRetry={list.reload} />
        {!list.loading && !list.error && items.length === 0 ? (
          <Empty description={q || measure || areaId ? t('common.emptyFilter') : t('queue.empty')} />
        ) : (
          <ClaimsTable
            official
            items={items}
            total={totalOf(list.data)}
            page={page}
            pageSize={pageSize}
            loading={list.loading}
            policy={policy}
            areaName={areaName}
            onPage={(p, ps) => set({ page: p, pageSize: ps })}
            linkTo={(c) => `/work/claims/${c.id}`}
          />
        )}
      </Card>
    </>
  );
}
