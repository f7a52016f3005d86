import { PlusOutlined } from '@ant-design/icons';
import { App, Button, Card, Flex, Form, Input, Select, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { idempotencyKey } from '../../api/client';
import { financeApi, type BatchCandidate, type BatchFilters, type PaymentBatch } from '../../api/finance';
import { useAuth } from '../../auth/auth';
import CivilDatePicker from '../../components/CivilDatePicker';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageTitle } from '../../components/PageTitle';
import { useI18n } from '../../i18n';
import { useAreas } from '../../lib/areas';
import { formatDate, formatDateTime } from '../../lib/dates';
import { useAsync, usePolicy } from '../../lib/useAsync';
import { BatchStatus } from './PaymentBatch';

/** 拨付批次: the batches, and building a new one from the approved claims that match the filters. */
export default function PaymentBatches() {
  const { t, pick, money } = useI18n();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const { user } = useAuth();
  const canBuild = user?.role === 'finance';
  const { data: policy } = usePolicy();
  const { areas, areaName } = useAreas();
  const batches = useAsync(() => financeApi.batches(), []);
  const [building, setBuilding] = useState(false);
  const [filters, setFilters] = useState<BatchFilters>({});
  const candidates = useAsync(() => (building ? financeApi.batchCandidates(filters) : Promise.resolve(undefined)), [building, JSON.stringify(filters)]);
  const [selected, setSelected] = useState<number[]>([]);
  const [title, setTitle] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  // one key per batch being built: a double click or a retry builds it once
  const [key, setKey] = useState(idempotencyKey);
  const rows = candidates.data?.items ?? [];
  const selectedFen = useMemo(() => rows.filter((r) => selected.includes(r.claimId)).reduce((s, r) => s + r.amountFen, 0), [rows, selected]);
  const measureOptions = (policy?.measures ?? []).map((m) => ({ value: String(m.measure), label: `${t('fin.measure')} ${m.measure} ${pick(m.title, m.titleEn)}` }));

  const build = async () => {
    setError(undefined);
    if (!title.trim()) {
      setError(new Error(t('fin.batchTitleRequired')));
      return;
    }
    setBusy(true);
    try {
      const b = await financeApi.buildBatch({ title: title.trim(), claimIds: selected, filters }, key);
      message.success(t('fin.built', { id: b.id }));
      setKey(idempotencyKey());
      navigate(`/work/payment-batches/${b.id}`);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <PageTitle
        title={t('fin.batches.title')}
        sub={t('fin.batches.sub')}
        extra={
          canBuild && !building ? (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setBuilding(true)}>
              {t('fin.newBatch')}
            </Button>
          ) : undefined
        }
      />
      {building && (
        <Card size="small" title={t('fin.newBatch')} style={{ marginBottom: 16 }} extra={<Button onClick={() => setBuilding(false)}>{t('common.cancel')}</Button>}>
          <Form layout="inline" style={{ marginBottom: 12, rowGap: 8 }}>
            <Form.Item label={t('fin.measure')}>
              <Select allowClear style={{ width: 260 }} aria-label={t('fin.measure')} value={filters.measure} options={measureOptions} onChange={(v) => setFilters((f) => ({ ...f, measure: v || undefined }))} showSearch optionFilterProp="label" />
            </Form.Item>
            <Form.Item label={t('common.area')}>
              <Select allowClear style={{ width: 180 }} aria-label={t('common.area')} value={filters.areaId} options={areas.map((a) => ({ value: a.id, label: pick(a.name, a.nameEn) }))} onChange={(v) => setFilters((f) => ({ ...f, areaId: v || undefined }))} showSearch optionFilterProp="label" />
            </Form.Item>
            <Form.Item label={t('fin.approvedFrom')}>
              <CivilDatePicker value={filters.approvedFrom} onChange={(v) => setFilters((f) => ({ ...f, approvedFrom: v }))} />
            </Form.Item>
            <Form.Item label={t('fin.approvedTo')}>
              <CivilDatePicker value={filters.approvedTo} onChange={(v) => setFilters((f) => ({ ...f, approvedTo: v }))} />
            </Form.Item>
          </Form>
          <ErrorAlert error={candidates.error} onRetry={candidates.reload} />
          <Table<BatchCandidate>
            size="small"
            rowKey="claimId"
            loading={candidates.loading}
            dataSource={rows}
            locale={{ emptyText: t('fin.noCandidates') }}
            pagination={{ pageSize: 50, hideOnSinglePage: true }}
            scroll={{ x: 900 }}
            rowSelection={{
              selectedRowKeys: selected,
              onChange: (keys) => setSelected(keys as number[]),
              // an enterprise without an account cannot be paid by the bank: not selectable (the server refuses it too)
              getCheckboxProps: (r) => ({ disabled: !r.hasBankAccount, 'aria-label': `#${r.claimId} ${r.enterpriseName}` }),
            }}
            columns={[
              { title: t('common.id'), dataIndex: 'claimId', width: 80, render: (id: number) => <Link to={`/work/claims/${id}`}>#{id}</Link> },
              {
                title: t('common.enterprise'),
                dataIndex: 'enterpriseName',
                render: (n: string, r) => (
                  <>
                    <div>
                      {n}{' '}
                      {!r.hasBankAccount && (
                        <Tooltip title={t('fin.noAccountHint')}>
                          <Tag color="red">{t('fin.noAccount')}</Tag>
                        </Tooltip>
                      )}
                    </div>
                    {r.lastFailure && <Typography.Text type="danger" style={{ fontSize: 12 }}>{t('fin.lastFailure', { reason: r.lastFailure.reason, batch: r.lastFailure.batchId })}</Typography.Text>}
                  </>
                ),
              },
              { title: t('common.incentive'), key: 'inc', render: (_, r) => `${r.title}${r.item ? `（${r.item}）` : ''}` },
              { title: t('common.area'), dataIndex: 'areaId', width: 110, render: (a: string) => areaName(a) },
              { title: t('fin.approvedOn'), dataIndex: 'approvedOn', width: 120, render: (v: string | null) => formatDate(v) },
              { title: t('common.amount'), dataIndex: 'amountFen', align: 'right', width: 140, render: (v: number) => money(v) },
            ]}
          />
          <ErrorAlert error={error} style={{ marginTop: 12 }} />
          <Flex gap={12} align="center" wrap style={{ marginTop: 12 }}>
            <Input style={{ maxWidth: 360 }} placeholder={t('fin.batchTitle')} aria-label={t('fin.batchTitle')} value={title} maxLength={200} onChange={(e) => setTitle(e.target.value)} />
            <Typography.Text>{t('fin.selected', { n: selected.length, amount: money(selectedFen) })}</Typography.Text>
            <Button type="primary" disabled={!selected.length} loading={busy} onClick={build}>
              {t('fin.build')}
            </Button>
          </Flex>
        </Card>
      )}
      <Card size="small" title={t('fin.batchList')}>
        <ErrorAlert error={batches.error} onRetry={batches.reload} />
        <Table<PaymentBatch>
          size="middle"
          rowKey="id"
          loading={batches.loading}
          dataSource={batches.data?.items ?? []}
          locale={{ emptyText: t('fin.batchEmpty') }}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          scroll={{ x: 900 }}
          columns={[
            { title: t('common.id'), dataIndex: 'id', width: 70, render: (id: number) => <Link to={`/work/payment-batches/${id}`}>{id}</Link> },
            { title: t('fin.batchTitle'), dataIndex: 'title', render: (v: string, r) => <Link to={`/work/payment-batches/${r.id}`}>{v}</Link> },
            { title: t('fin.createdAt'), dataIndex: 'createdAt', width: 170, render: (v: string) => formatDateTime(v) },
            { title: t('common.status'), dataIndex: 'status', width: 110, render: (s: PaymentBatch['status']) => <BatchStatus status={s} /> },
            { title: t('fin.lines'), key: 'n', width: 80, align: 'right', render: (_, r) => r.totals.lines },
            { title: t('fin.amount'), key: 'a', width: 150, align: 'right', render: (_, r) => money(r.totals.amountFen) },
            {
              title: `${t('fin.paidCount')} / ${t('fin.failedCount')} / ${t('fin.pendingCount')}`,
              key: 'r',
              width: 180,
              render: (_, r) => (
                <Space size={4}>
                  <Tag color="green">{r.totals.paid}</Tag>
                  <Tag color={r.totals.failed ? 'red' : undefined}>{r.totals.failed}</Tag>
                  <Tag color={r.totals.pending ? 'blue' : undefined}>{r.totals.pending}</Tag>
                </Space>
              ),
            },
          ]}
        />
      </Card>
    </>
  );
}
