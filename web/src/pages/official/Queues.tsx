import { ReloadOutlined } from '@ant-design/icons';
import { Badge, Button, Card, Col, Empty, Form, Input, Row, Select, Table, Tabs, Tag, Typography } from 'antd';
import { useEffect, useMemo } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { api, inboxApi, itemsOf, totalOf } from '../../api/client';
import type { Claim, ClaimState, ClaimTiming, QueueKey, Role, ServiceCase } from '../../api/types';
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
  bank: [], // a bank branch has no claims queue (综合金融服务平台: /bank)
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
  // The time on each claim shown (src/inbox/timing.ts): asked for the claims of this page only.
  const ids = items.map((c) => c.id);
  const timing = useAsync(() => (ids.length ? inboxApi.timing(ids) : Promise.resolve({ today: '', items: [] as ClaimTiming[] })), [ids.join(',')]);
  const timingOf = useMemo(() => new Map((timing.data?.items ?? []).map((x) => [x.claimId, x])), [timing.data]);
  const timeColumn = [{ title: t('timing.column'), key: 'timing', width: 170, render: (_: unknown, c: Claim) => <TimingTag timing={timingOf.get(c.id)} /> }];

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
            extraColumns={timeColumn}
          />
        )}
      </Card>
      {user?.role === 'departmentReviewer' && user.departmentId && <CasesDueSoon departmentId={user.departmentId} />}
    </>
  );
}

/** How a queue item's clock reads: working days waiting, days since returned, publicity left or ended. */
export function TimingTag({ timing }: { timing?: ClaimTiming }) {
  const { t } = useI18n();
  if (!timing) return <Typography.Text type="secondary">—</Typography.Text>;
  const over = timing.overdue;
  switch (timing.kind) {
    case 'reviewWaiting':
      return (
        <span data-testid="timing">
          <Tag color={over ? 'red' : undefined}>{timing.workingDays === null ? t('timing.waitingDays', { n: timing.days }) : t('timing.waiting', { n: timing.workingDays })}</Tag>
          {timing.limitWorkingDays !== null && <Typography.Text type={over ? 'danger' : 'secondary'} style={{ fontSize: 12 }}>{t('timing.limit', { n: timing.limitWorkingDays })}</Typography.Text>}
        </span>
      );
    case 'returned':
      return <Tag data-testid="timing">{t('timing.returned', { n: timing.days })}</Tag>;
    case 'publicityRunning':
      return <Tag color="blue" data-testid="timing">{timing.daysLeft === 0 ? t('timing.publicityLastDay') : t('timing.publicityLeft', { n: timing.daysLeft ?? 0, date: timing.endsOn ?? '' })}</Tag>;
    case 'publicityEnded':
      return <Tag color="orange" data-testid="timing">{t('timing.publicityEnded')}</Tag>;
    case 'awaitingPublicity':
      return <Tag data-testid="timing">{t('timing.awaitingPublicity', { n: timing.days })}</Tag>;
    case 'awaitingPayment':
      return <Tag data-testid="timing">{t('timing.awaitingPayment', { n: timing.days })}</Tag>;
    default:
      return null;
  }
}

/** How many units of its limit a case may have left and still count as due soon. */
const DUE_SOON_UNITS = 3;

/** The department's open service cases due within DUE_SOON_UNITS of their limit's unit, or overdue, soonest first. */
function CasesDueSoon({ departmentId }: { departmentId: string }) {
  const { t, pick } = useI18n();
  const cases = useAsync(() => api.serviceCases({ department: departmentId, state: 'open', pageSize: 100 }), [departmentId]);
  const due = itemsOf(cases.data)
    .filter((c): c is ServiceCase & { status: NonNullable<ServiceCase['status']> } => !!c.status && c.status.kind === 'perCase' && c.status.remaining <= DUE_SOON_UNITS)
    .sort((a, b) => a.status.remaining - b.status.remaining);
  return (
    <Card size="small" style={{ marginTop: 16 }} title={t('timing.casesDue')}>
      <ErrorAlert error={cases.error} onRetry={cases.reload} />
      <Table<ServiceCase & { status: NonNullable<ServiceCase['status']> }>
        size="small"
        rowKey="id"
        loading={cases.loading}
        dataSource={due}
        pagination={false}
        locale={{ emptyText: t('timing.casesDueNone') }}
        columns={[
          { title: t('common.id'), dataIndex: 'reference', render: (r: string, c) => <Link to={`/work/service-cases/${c.id}`}>{r}</Link> },
          { title: t('timing.column'), key: 'limit', render: (_, c) => pick(c.limitLabel, c.limitLabelEn) },
          { title: t('common.enterprise'), dataIndex: 'subject' },
          {
            title: t('common.status'),
            key: 'left',
            render: (_, c) => (
              <>
                <Tag color={c.status.remaining < 0 ? 'red' : 'orange'}>{c.status.remaining < 0 ? t('timing.caseOverdue', { n: -c.status.remaining }) : t('timing.caseRemaining', { n: c.status.remaining })}</Tag>
                <Typography.Text type="secondary">{t('timing.caseDue', { date: c.status.due.date })}{c.status.dueProvisional || c.status.beyondCalendar ? ' *' : ''}</Typography.Text>
              </>
            ),
          },
        ]}
      />
    </Card>
  );
}
