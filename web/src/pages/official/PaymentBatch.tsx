import { CheckCircleOutlined, DownloadOutlined, FileExcelOutlined, StopOutlined, UploadOutlined, WarningOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Descriptions, Flex, Form, Input, Modal, Radio, Statistic, Table, Tag, Typography, Upload } from 'antd';
import { useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { financeApi, type BatchStatus as Status, type LineStatus, type PaymentBatchLine } from '../../api/finance';
import { useAuth } from '../../auth/auth';
import CivilDatePicker from '../../components/CivilDatePicker';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageTitle } from '../../components/PageTitle';
import { useI18n } from '../../i18n';
import { formatDate, formatDateTime, todayShanghai } from '../../lib/dates';
import { useFormSubmit } from '../../lib/useFormSubmit';
import { useAsync } from '../../lib/useAsync';

const STATUS_COLOR: Record<Status, string> = { open: 'blue', closed: 'green', cancelled: 'default' };
const LINE_COLOR: Record<LineStatus, string> = { pending: 'blue', paid: 'green', failed: 'red', cancelled: 'default' };

export function BatchStatus({ status }: { status: Status }) {
  const { t } = useI18n();
  return <Tag color={STATUS_COLOR[status]}>{t(`fin.status.${status}`)}</Tag>;
}

/** Saves a file the server sends (the bank file, the return template) under the name it gives. */
function download(url: string) {
  const a = document.createElement('a');
  a.href = url;
  a.download = '';
  document.body.appendChild(a);
  a.click();
  a.remove();
}

/** 拨付批次: its lines, the bank file, the bank's return (file or by hand), and the check against the ledger. */
export default function PaymentBatch() {
  const { id = '' } = useParams();
  const { t, money } = useI18n();
  const { message, modal } = App.useApp();
  const { user } = useAuth();
  const canRecord = user?.role === 'finance';
  const batch = useAsync(() => financeApi.batch(id), [id]);
  const b = batch.data;
  const [paidOn, setPaidOn] = useState<string | undefined>(todayShanghai());
  const [uploading, setUploading] = useState(false);
  const [uploadError, setUploadError] = useState<unknown>();
  const [actionError, setActionError] = useState<unknown>();
  const [line, setLine] = useState<PaymentBatchLine | null>(null);
  const [form] = Form.useForm<{ result: 'paid' | 'failed'; voucherNo?: string; paidOn?: string; reason?: string }>();
  const result = Form.useWatch('result', form);
  const { busy, error, setError, submit } = useFormSubmit(form);

  const exportBank = async () => {
    setActionError(undefined);
    try {
      await financeApi.markExported(id);
      download(financeApi.bankFileUrl(id));
      batch.reload();
    } catch (e) {
      setActionError(e);
    }
  };

  const cancel = () =>
    modal.confirm({
      title: t('fin.cancel'),
      content: t('fin.cancelConfirm'),
      okText: t('fin.cancel'),
      cancelText: t('common.cancel'),
      okButtonProps: { danger: true },
      onOk: async () => {
        setActionError(undefined);
        try {
          await financeApi.cancelBatch(id);
          message.success(t('fin.cancelled'));
          batch.reload();
        } catch (e) {
          setActionError(e);
        }
      },
    });

  const upload = async (file: File) => {
    setUploadError(undefined);
    setUploading(true);
    try {
      const r = await financeApi.uploadReturn(id, file, paidOn);
      message.success(t('fin.returnRecorded', { paid: r.paid, failed: r.failed, unchanged: r.unchanged }));
      batch.reload();
    } catch (e) {
      setUploadError(e);
    } finally {
      setUploading(false);
    }
  };

  const recordLine = () =>
    submit(async (v) => {
      if (!line) return;
      await financeApi.returnLine(id, line.lineNo, v.result === 'paid' ? { result: 'paid', voucherNo: v.voucherNo?.trim(), paidOn: v.paidOn } : { result: 'failed', reason: v.reason?.trim() });
      message.success(t('fin.returnRecorded', { paid: v.result === 'paid' ? 1 : 0, failed: v.result === 'failed' ? 1 : 0, unchanged: 0 }));
      setLine(null);
      batch.reload();
    });

  if (!b) return <ErrorAlert error={batch.error} onRetry={batch.reload} />;
  const open = b.status === 'open';
  return (
    <>
      <PageTitle
        title={`${t('fin.batchOf', { id: b.id })} · ${b.title}`}
        sub={<Link to="/work/payment-batches">{t('fin.batches.title')}</Link>}
        extra={
          <>
            {canRecord && open && (
              <Button type="primary" icon={<FileExcelOutlined />} onClick={exportBank}>
                {t('fin.exportBank')}
              </Button>
            )}
            {!(canRecord && open) && b.status !== 'cancelled' && (
              <Button icon={<FileExcelOutlined />} href={financeApi.bankFileUrl(b.id)} download>
                {t('fin.exportBank')}
              </Button>
            )}
            <Button icon={<DownloadOutlined />} href={financeApi.returnTemplateUrl(b.id)} download>
              {t('fin.returnTemplate')}
            </Button>
            {canRecord && open && !b.exportedAt && (
              <Button danger icon={<StopOutlined />} onClick={cancel}>
                {t('fin.cancel')}
              </Button>
            )}
          </>
        }
      />
      <ErrorAlert error={actionError} />
      <Card size="small" style={{ marginBottom: 16 }}>
        <Descriptions size="small" column={{ xs: 1, sm: 2, lg: 4 }}>
          <Descriptions.Item label={t('common.status')}>
            <BatchStatus status={b.status} />
          </Descriptions.Item>
          <Descriptions.Item label={t('fin.createdAt')}>{formatDateTime(b.createdAt)} {b.createdBy ?? ''}</Descriptions.Item>
          <Descriptions.Item label={t('fin.exportedAt')}>{b.exportedAt ? formatDateTime(b.exportedAt) : t('fin.notExported')}</Descriptions.Item>
        </Descriptions>
        <Flex gap={32} wrap style={{ marginTop: 8 }}>
          <Statistic title={t('fin.lines')} value={b.totals.lines} />
          <Statistic title={t('fin.amount')} value={money(b.totals.amountFen)} />
          <Statistic title={t('fin.paidCount')} value={`${b.totals.paid} · ${money(b.totals.paidFen)}`} />
          <Statistic title={t('fin.failedCount')} value={`${b.totals.failed} · ${money(b.totals.failedFen)}`} />
          <Statistic title={t('fin.pendingCount')} value={`${b.totals.pending} · ${money(b.totals.pendingFen)}`} />
        </Flex>
        {b.reconciliation.ok ? (
          <Alert
            type="success"
            showIcon
            icon={<CheckCircleOutlined />}
            style={{ marginTop: 12 }}
            title={`${t('fin.reconciliation')}：${t('fin.reconciled', { paid: money(b.reconciliation.paidFen), payments: money(b.reconciliation.paymentsFen) })}`}
          />
        ) : (
          <Alert type="error" showIcon icon={<WarningOutlined />} style={{ marginTop: 12 }} title={`${t('fin.reconciliation')}：${t('fin.notReconciled')}`} description={b.reconciliation.problems.join('；')} />
        )}
      </Card>
      {canRecord && open && (
        <Card size="small" title={t('fin.uploadReturn')} style={{ marginBottom: 16 }}>
          <Flex gap={12} align="center" wrap>
            <span>{t('fin.defaultPaidOn')}</span>
            <CivilDatePicker value={paidOn} onChange={setPaidOn} />
            <Upload accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" showUploadList={false} maxCount={1} beforeUpload={(f) => (void upload(f), false)}>
              <Button icon={<UploadOutlined />} loading={uploading}>
                {t('fin.uploadReturn')}
              </Button>
            </Upload>
          </Flex>
          <ErrorAlert error={uploadError} style={{ marginTop: 12 }} />
        </Card>
      )}
      <Card size="small">
        <Table<PaymentBatchLine>
          size="middle"
          rowKey="lineNo"
          dataSource={b.lines}
          pagination={{ pageSize: 100, hideOnSinglePage: true }}
          scroll={{ x: 1100 }}
          columns={[
            { title: '#', dataIndex: 'lineNo', width: 50 },
            { title: t('common.id'), dataIndex: 'claimId', width: 80, render: (c: number) => <Link to={`/work/claims/${c}`}>#{c}</Link> },
            {
              title: t('common.enterprise'),
              dataIndex: 'enterpriseName',
              render: (n: string, r) => (
                <>
                  <div>{n}</div>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>{r.uscc}</Typography.Text>
                </>
              ),
            },
            {
              title: t('fin.account'),
              key: 'acct',
              render: (_, r) => (
                <>
                  <div>{r.accountName}</div>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {r.bankName} · {r.accountNo}
                  </Typography.Text>
                </>
              ),
            },
            { title: t('fin.amount'), dataIndex: 'amountFen', align: 'right', width: 130, render: (v: number) => <Typography.Text strong>{money(v)}</Typography.Text> },
            { title: t('fin.result'), dataIndex: 'status', width: 90, render: (s: LineStatus) => <Tag color={LINE_COLOR[s]}>{t(`fin.line.${s}`)}</Tag> },
            {
              title: `${t('fin.voucher')} / ${t('fin.failureReason')}`,
              key: 'v',
              render: (_, r) =>
                r.status === 'paid' ? (
                  <>
                    {r.voucherNo} <Typography.Text type="secondary">{formatDate(r.paidOn)}</Typography.Text>
                  </>
                ) : r.status === 'failed' ? (
                  <Typography.Text type="danger">{r.failureReason}</Typography.Text>
                ) : (
                  '—'
                ),
            },
            ...(canRecord && open
              ? [
                  {
                    title: t('common.actions'),
                    key: 'op',
                    width: 110,
                    render: (_: unknown, r: PaymentBatchLine) =>
                      r.status === 'pending' ? (
                        <Button
                          size="small"
                          aria-label={t('fin.recordLine', { n: r.lineNo })}
                          onClick={() => {
                            setError(undefined);
                            setLine(r);
                          }}
                        >
                          {t('fin.record')}
                        </Button>
                      ) : null,
                  },
                ]
              : []),
          ]}
        />
      </Card>
      <Modal
        open={!!line}
        title={line ? t('fin.recordLine', { n: line.lineNo }) : ''}
        onCancel={() => setLine(null)}
        onOk={recordLine}
        okText={t('fin.record')}
        cancelText={t('common.cancel')}
        okButtonProps={{ loading: busy }}
        destroyOnHidden
      >
        <ErrorAlert error={error} />
        {line && (
          <Typography.Paragraph>
            {line.enterpriseName} · <Typography.Text strong>{money(line.amountFen)}</Typography.Text>
          </Typography.Paragraph>
        )}
        <Form form={form} layout="vertical" preserve={false} onFinish={recordLine} initialValues={{ result: 'paid', paidOn: todayShanghai() }}>
          <Form.Item name="result" label={t('fin.result')}>
            <Radio.Group
              options={[
                { value: 'paid', label: t('fin.resultPaid') },
                { value: 'failed', label: t('fin.resultFailed') },
              ]}
            />
          </Form.Item>
          {result !== 'failed' ? (
            <>
              <Form.Item name="voucherNo" label={t('fin.voucher')} rules={[{ required: true, whitespace: true, message: t('fin.voucherRequired') }]}>
                <Input maxLength={100} autoComplete="off" />
              </Form.Item>
              <Form.Item name="paidOn" label={t('case.paidOn')} rules={[{ required: true }]}>
                <CivilDatePicker />
              </Form.Item>
            </>
          ) : (
            <Form.Item name="reason" label={t('fin.failureReason')} rules={[{ required: true, whitespace: true, message: t('fin.reasonFailRequired') }]}>
              <Input.TextArea rows={2} maxLength={500} />
            </Form.Item>
          )}
        </Form>
      </Modal>
    </>
  );
}
