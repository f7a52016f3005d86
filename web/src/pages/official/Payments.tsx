import { FileExcelOutlined, PayCircleOutlined } from '@ant-design/icons';
import { App, Button, Card, Flex, Form, Modal, Statistic, Table, Tabs, Typography } from 'antd';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { api, itemsOf } from '../../api/client';
import type { PaymentRow as ListedPayment } from '../../api/types';
import { useAuth } from '../../auth/auth';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageTitle } from '../../components/PageTitle';
import { PaymentFields } from '../../components/PaymentFields';
import { useI18n } from '../../i18n';
import { useAreas } from '../../lib/areas';
import { formatDate, todayShanghai } from '../../lib/dates';
import { allIncentives } from '../../lib/factForm';
import { useFormSubmit } from '../../lib/useFormSubmit';
import { useAsync, usePolicy } from '../../lib/useAsync';

/** A row of the list, with what the payment batches add: the batch awaiting the bank, the bank's last refusal. */
type PaymentRow = ListedPayment & { inBatch?: number | null; lastFailure?: { batchId: number; reason: string } | null };

export default function Payments() {
  const { t, pick, money } = useI18n();
  const { message } = App.useApp();
  const { user } = useAuth();
  const { data: policy } = usePolicy();
  const { areaName } = useAreas();
  const [params, setParams] = useSearchParams();
  const status = (params.get('status') === 'paid' ? 'paid' : 'awaiting') as 'awaiting' | 'paid';
  const list = useAsync(() => api.payments(status) as Promise<PaymentRow[] | { items: PaymentRow[]; total: number; page: number; pageSize: number }>, [status]);
  const [paying, setPaying] = useState<PaymentRow | null>(null);
  const [form] = Form.useForm<{ voucherNo: string; paidOn: string }>();
  const { busy, error, setError, submit } = useFormSubmit(form);
  const rows = itemsOf(list.data);
  const total = rows.reduce((s, r) => s + (r.amountFen ?? 0), 0);
  const canPay = user?.role === 'finance' || user?.role === 'admin';
  const title = (r: PaymentRow) => {
    const i = policy && r.incentive ? allIncentives(policy).find((x) => x.id === r.incentive) : undefined;
    return i ? pick(i.title, i.titleEn) : (r.incentiveTitle ?? r.incentive ?? '—');
  };

  const record = () =>
    submit(async (v) => {
      if (!paying) return;
      await api.pay(paying.claimId, { voucherNo: v.voucherNo.trim(), paidOn: v.paidOn });
      message.success(t('pay.recorded'));
      setPaying(null);
      list.reload();
    });

  return (
    <>
      <PageTitle
        title={t('pay.title')}
        extra={
          <Button icon={<FileExcelOutlined />} href={api.paymentsExportUrl(status)} download>
            {t('common.export')}
          </Button>
        }
      />
      <Card size="small">
        <Tabs
          activeKey={status}
          onChange={(k) => setParams(k === 'paid' ? { status: 'paid' } : {}, { replace: true })}
          items={[
            { key: 'awaiting', label: t('pay.awaiting') },
            { key: 'paid', label: t('pay.paid') },
          ]}
        />
        <Flex gap={32} style={{ marginBottom: 12 }} wrap>
          <Statistic title={status === 'awaiting' ? t('pay.totalAwaiting') : t('pay.paid')} value={money(total)} />
          <Statistic title={t('pub.itemCount')} value={rows.length} />
        </Flex>
        <ErrorAlert error={list.error} onRetry={list.reload} />
        <Table<PaymentRow>
          size="middle"
          rowKey="claimId"
          loading={list.loading}
          dataSource={rows}
          locale={{ emptyText: t('pay.empty') }}
          pagination={{ pageSize: 50, hideOnSinglePage: true }}
          scroll={{ x: 900 }}
          columns={[
            { title: t('common.id'), dataIndex: 'claimId', width: 80, render: (id: number) => <Link to={`/work/claims/${id}`}>#{id}</Link> },
            {
              title: t('common.enterprise'),
              dataIndex: 'enterpriseName',
              render: (n: string | undefined, r) => (
                <>
                  <div>{n ?? '—'}</div>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>{r.enterpriseUscc}</Typography.Text>
                  {r.lastFailure && (
                    <div>
                      <Typography.Text type="danger" style={{ fontSize: 12 }}>{t('fin.bankReturned', { reason: r.lastFailure.reason })}</Typography.Text>
                    </div>
                  )}
                </>
              ),
            },
            { title: t('common.incentive'), key: 'inc', render: (_, r) => <>{title(r)}{r.item ? `（${r.item}）` : ''}</> },
            { title: t('common.amount'), dataIndex: 'amountFen', align: 'right', width: 140, render: (v: number) => <Typography.Text strong>{money(v)}</Typography.Text> },
            { title: t('common.area'), dataIndex: 'areaId', width: 120, render: (a: string | undefined) => areaName(a) },
            ...(status === 'paid' ? [{ title: t('case.paidOn'), dataIndex: 'paidOn', width: 110, render: (v: string | null) => formatDate(v) }] : []),
            ...(status === 'paid' ? [{ title: t('case.voucher'), dataIndex: 'voucherNo', width: 160 }] : []),
            ...(status === 'awaiting' && canPay
              ? [
                  {
                    title: t('common.actions'),
                    key: 'op',
                    width: 120,
                    render: (_: unknown, r: PaymentRow) =>
                      r.inBatch ? (
                        // paid by the bank's return of its batch, never also by hand (the server refuses it too)
                        <Link to={`/work/payment-batches/${r.inBatch}`}>{t('fin.inBatch', { id: r.inBatch })}</Link>
                      ) : (
                      <Button
                        size="small"
                        type="primary"
                        icon={<PayCircleOutlined />}
                        onClick={() => {
                          setError(undefined);
                          setPaying(r);
                        }}
                      >
                        {t('action.pay')}
                      </Button>
                      ),
                  },
                ]
              : []),
          ]}
        />
      </Card>
      <Modal
        open={!!paying}
        title={paying ? `${t('action.pay')} · ${t('case.title', { id: paying.claimId })}` : ''}
        onCancel={() => setPaying(null)}
        onOk={record}
        okText={t('action.pay')}
        cancelText={t('common.cancel')}
        okButtonProps={{ loading: busy }}
        destroyOnHidden
      >
        <ErrorAlert error={error} />
        {paying && (
          <Typography.Paragraph>
            {paying.enterpriseName} · {title(paying)} · <Typography.Text strong>{money(paying.amountFen)}</Typography.Text>
          </Typography.Paragraph>
        )}
        {/* the modal's form is created afresh each time (destroyOnHidden): defaults go in initialValues */}
        <Form form={form} layout="vertical" preserve={false} onFinish={record} initialValues={{ paidOn: todayShanghai() }}>
          <PaymentFields />
        </Form>
      </Modal>
    </>
  );
}
