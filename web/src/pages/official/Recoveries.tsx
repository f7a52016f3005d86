import { FileExcelOutlined } from '@ant-design/icons';
import { Button, Card, Checkbox, Flex, Input, Select, Statistic, Table, Tabs, Tag, Typography } from 'antd';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { api } from '../../api/client';
import type { Recovery, RecoveryFilter } from '../../api/types';
import { useAuth } from '../../auth/auth';
import { ReceiptDialog } from '../../components/CorrectionsPanel';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageTitle } from '../../components/PageTitle';
import { useI18n } from '../../i18n';
import { formatDate } from '../../lib/dates';
import { allIncentives } from '../../lib/factForm';
import { measureLabel } from '../../lib/measures';
import { useAsync, usePolicy } from '../../lib/useAsync';

/**
 * 追回跟踪: the clawbacks whose money is still (or was) to come back, for the lead departments (their measures; they
 * record what arrives) and finance (all): filter by state, measure, enterprise and overdue; export what is shown.
 */
export default function Recoveries() {
  const { t, pick, money } = useI18n();
  const { user } = useAuth();
  const { data: policy } = usePolicy();
  const [params, setParams] = useSearchParams();
  const status = (['open', 'settled', 'all'].includes(params.get('status') ?? '') ? params.get('status') : 'open') as NonNullable<RecoveryFilter['status']>;
  const filter: RecoveryFilter = { status, measure: params.get('measure') ?? undefined, q: params.get('q') ?? undefined, overdue: params.get('overdue') === 'true' };
  const [page, setPage] = useState(1);
  const list = useAsync(() => api.recoveries({ ...filter, page, pageSize: 20 }), [status, filter.measure, filter.q, filter.overdue, page]);
  const [receiving, setReceiving] = useState<Recovery | null>(null);
  const [q, setQ] = useState(filter.q ?? '');
  const mayRecord = user?.role === 'departmentReviewer';
  const set = (k: string, v: string | undefined) => {
    const next = new URLSearchParams(params);
    if (v) next.set(k, v);
    else next.delete(k);
    setParams(next, { replace: true });
    setPage(1);
  };
  const title = (r: Recovery) => {
    const i = policy ? allIncentives(policy).find((x) => x.id === r.incentive) : undefined;
    return (i ? pick(i.title, i.titleEn) : r.title) + (r.item ? `（${r.item}）` : '');
  };
  const measures = [...new Set((policy ? allIncentives(policy) : []).map((i) => (i.measure === null || i.measure === undefined ? 'general' : String(i.measure))))];
  const d = list.data;

  return (
    <>
      <PageTitle
        title={t('rec.title')}
        extra={
          <Button icon={<FileExcelOutlined />} href={api.recoveriesExportUrl(filter)} download>
            {t('common.export')}
          </Button>
        }
      />
      <Card size="small">
        <Tabs
          activeKey={status}
          onChange={(k) => set('status', k === 'open' ? undefined : k)}
          items={[
            { key: 'open', label: t('rec.open') },
            { key: 'settled', label: t('rec.settled') },
            { key: 'all', label: t('rec.all') },
          ]}
        />
        <Flex gap={12} wrap style={{ marginBottom: 12 }} align="center">
          <Input.Search
            allowClear
            style={{ width: 260 }}
            placeholder={t('rec.search')}
            aria-label={t('rec.search')}
            value={q}
            onChange={(e) => setQ(e.target.value)}
            onSearch={(v) => set('q', v.trim() || undefined)}
          />
          <Select
            allowClear
            style={{ width: 180 }}
            placeholder={t('rec.measure')}
            aria-label={t('rec.measure')}
            value={filter.measure}
            onChange={(v) => set('measure', v)}
            options={measures.map((m) => ({ value: m, label: measureLabel(t, m) }))}
          />
          <Checkbox checked={filter.overdue} onChange={(e) => set('overdue', e.target.checked ? 'true' : undefined)}>
            {t('rec.onlyOverdue')}
          </Checkbox>
        </Flex>
        {d && (
          <Flex gap={32} style={{ marginBottom: 12 }} wrap className="kf-recovery-totals">
            <Statistic title={t('rec.count')} value={d.total} />
            <Statistic title={t('rec.due')} value={money(d.totals.dueFen)} />
            <Statistic title={t('rec.recovered')} value={money(d.totals.recoveredFen)} />
            <Statistic title={t('rec.outstanding')} value={money(d.totals.outstandingFen)} />
            <Statistic title={t('rec.overdueCount')} value={d.totals.overdue} />
          </Flex>
        )}
        <ErrorAlert error={list.error} onRetry={list.reload} />
        <Table<Recovery>
          size="middle"
          rowKey="id"
          className="kf-recovery-list"
          loading={list.loading}
          dataSource={d?.items ?? []}
          locale={{ emptyText: t('rec.empty') }}
          pagination={{ current: page, pageSize: 20, total: d?.total ?? 0, onChange: setPage, hideOnSinglePage: true }}
          scroll={{ x: 1560 }}
          columns={[
            { title: t('common.id'), dataIndex: 'claimId', width: 80, render: (id: number) => <Link to={`/work/claims/${id}`}>#{id}</Link> },
            {
              title: t('common.enterprise'),
              dataIndex: 'enterpriseName',
              width: 230,
              render: (n: string, r) => (
                <>
                  <div>{n}</div>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>{r.enterpriseUscc}</Typography.Text>
                </>
              ),
            },
            { title: t('common.incentive'), key: 'inc', width: 250, render: (_, r) => <>{measureLabel(t, r.measureId)} · {title(r)}</> },
            { title: t('rec.reason'), dataIndex: 'reason', width: 240, ellipsis: { showTitle: true } },
            { title: t('rec.clawedBackOn'), dataIndex: 'clawedBackOn', width: 110, render: (v: string) => formatDate(v) },
            { title: t('rec.dueOn'), dataIndex: 'dueOn', width: 110, render: (v: string | null) => (v ? formatDate(v) : t('rec.noDeadline')) },
            { title: t('rec.due'), dataIndex: 'dueFen', align: 'right', width: 120, render: (v: number) => money(v) },
            { title: t('rec.recovered'), dataIndex: 'recoveredFen', align: 'right', width: 120, render: (v: number) => money(v) },
            { title: t('rec.outstanding'), dataIndex: 'outstandingFen', align: 'right', width: 120, render: (v: number) => <Typography.Text strong type={v > 0 ? 'danger' : 'success'}>{money(v)}</Typography.Text> },
            {
              title: t('rec.overdueCol'),
              key: 'overdue',
              width: 110,
              render: (_, r) => (r.status === 'settled' ? <Tag color="green">{t('rec.settled')}</Tag> : r.overdueDays > 0 ? <Tag color="red">{t('rec.overdue', { days: r.overdueDays })}</Tag> : '—'),
            },
            { title: t('rec.age'), dataIndex: 'ageDays', width: 90, align: 'right' },
            ...(mayRecord
              ? [
                  {
                    title: t('common.actions'),
                    key: 'op',
                    width: 110,
                    render: (_: unknown, r: Recovery) =>
                      r.status === 'open' ? (
                        <Button size="small" type="primary" onClick={() => setReceiving(r)}>
                          {t('rec.record')}
                        </Button>
                      ) : null,
                  },
                ]
              : []),
          ]}
        />
      </Card>
      {receiving && (
        <ReceiptDialog
          r={receiving}
          onClose={() => setReceiving(null)}
          onDone={() => {
            setReceiving(null);
            list.reload();
          }}
        />
      )}
    </>
  );
}
