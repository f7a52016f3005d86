import { EditOutlined } from '@ant-design/icons';
import { App, Button, Card, Form, Input, Modal, Select, Table, Typography } from 'antd';
import { useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { policyYears } from '../../api/client';
import { financeApi, type BudgetChange, type BudgetRow } from '../../api/finance';
import { useAuth } from '../../auth/auth';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageTitle } from '../../components/PageTitle';
import { useI18n } from '../../i18n';
import { formatDateTime } from '../../lib/dates';
import { fenToInput, parseMoneyToFen } from '../../lib/money';
import { useFormSubmit } from '../../lib/useFormSubmit';
import { useAsync, usePolicy } from '../../lib/useAsync';

/** 预算: each measure's budget for a year against what is committed and paid, and every change with its reason. */
export default function Budgets() {
  const { t, money } = useI18n();
  const { message } = App.useApp();
  const { user } = useAuth();
  const { data: policy } = usePolicy();
  const years = policyYears(policy);
  const [params, setParams] = useSearchParams();
  const year = Number(params.get('year')) || years[0];
  const list = useAsync(() => financeApi.budgets(year), [year]);
  const history = useAsync(() => financeApi.budgetChanges(year), [year]);
  const [editing, setEditing] = useState<BudgetRow | null>(null);
  const [form] = Form.useForm<{ amount: string; reason: string }>();
  const { busy, error, setError, submit } = useFormSubmit(form, { amountFen: 'amount' });
  const canSet = user?.role === 'finance';
  const label = (measure: string, title: string) => `${/^\d+$/.test(measure) ? t('fin.measure') + ' ' + measure : ''} ${title}`.trim();

  const save = () =>
    submit(async (v) => {
      if (!editing) return;
      await financeApi.setBudget(editing.measure, year, { amountFen: parseMoneyToFen(v.amount, 'wan'), reason: v.reason.trim() });
      message.success(t('fin.budgetSaved'));
      setEditing(null);
      list.reload();
      history.reload();
    });

  return (
    <>
      <PageTitle
        title={t('fin.budgets.title')}
        sub={t('fin.budgets.sub')}
        extra={
          <Select
            aria-label={t('fin.year')}
            value={year}
            style={{ width: 120 }}
            onChange={(y) => setParams({ year: String(y) }, { replace: true })}
            options={[...new Set([...years, year])].map((y) => ({ value: y, label: String(y) }))}
          />
        }
      />
      <Card size="small" style={{ marginBottom: 16 }}>
        <ErrorAlert error={list.error} onRetry={list.reload} />
        <Table<BudgetRow>
          size="middle"
          rowKey="measure"
          loading={list.loading}
          dataSource={list.data?.items ?? []}
          pagination={false}
          scroll={{ x: 900 }}
          columns={[
            { title: t('fin.measure'), key: 'm', render: (_, r) => label(r.measure, r.title) },
            { title: t('fin.budget'), dataIndex: 'budgetFen', align: 'right', width: 150, render: (v: number | null) => (v === null ? <Typography.Text type="secondary">{t('fin.noBudget')}</Typography.Text> : money(v)) },
            { title: t('fin.committed'), dataIndex: 'committedFen', align: 'right', width: 150, render: (v: number) => money(v) },
            { title: t('fin.paid'), dataIndex: 'paidFen', align: 'right', width: 150, render: (v: number) => money(v) },
            {
              title: t('fin.left'),
              dataIndex: 'remainingFen',
              align: 'right',
              width: 150,
              render: (v: number | null) => (v === null ? '—' : <Typography.Text type={v === 0 ? 'warning' : undefined}>{money(v)}</Typography.Text>),
            },
            ...(canSet
              ? [
                  {
                    title: t('common.actions'),
                    key: 'op',
                    width: 120,
                    render: (_: unknown, r: BudgetRow) => (
                      <Button
                        size="small"
                        icon={<EditOutlined />}
                        onClick={() => {
                          setError(undefined);
                          setEditing(r);
                        }}
                      >
                        {t('fin.setBudget')}
                      </Button>
                    ),
                  },
                ]
              : []),
          ]}
        />
      </Card>
      <Card size="small" title={t('fin.history')}>
        <ErrorAlert error={history.error} onRetry={history.reload} />
        <Table<BudgetChange>
          size="small"
          rowKey="id"
          loading={history.loading}
          dataSource={history.data?.items ?? []}
          locale={{ emptyText: t('fin.historyEmpty') }}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          scroll={{ x: 800 }}
          columns={[
            { title: t('fin.changedAt'), dataIndex: 'changedAt', width: 170, render: (v: string) => formatDateTime(v) },
            { title: t('fin.measure'), key: 'm', render: (_, r) => label(r.measure, r.title) },
            { title: t('fin.fromTo'), key: 'ft', width: 240, render: (_, r) => `${r.fromFen === null ? t('fin.noBudget') : money(r.fromFen)} → ${money(r.toFen)}` },
            { title: t('fin.reason'), dataIndex: 'reason', render: (v: string | null) => v ?? '—' },
            { title: t('fin.changedBy'), dataIndex: 'changedBy', width: 120, render: (v: string | null) => v ?? '—' },
          ]}
        />
      </Card>
      <Modal
        open={!!editing}
        title={editing ? t('fin.setBudgetOf', { measure: label(editing.measure, editing.title) }) : ''}
        onCancel={() => setEditing(null)}
        onOk={save}
        okText={t('common.confirm')}
        cancelText={t('common.cancel')}
        okButtonProps={{ loading: busy }}
        destroyOnHidden
      >
        <ErrorAlert error={error} />
        {editing && (
          <Typography.Paragraph type="secondary">
            {t('fin.committed')} {money(editing.committedFen)} · {t('fin.paid')} {money(editing.paidFen)}
          </Typography.Paragraph>
        )}
        <Form form={form} layout="vertical" preserve={false} onFinish={save} initialValues={{ amount: editing?.budgetFen != null ? fenToInput(editing.budgetFen, 'wan') : '', reason: '' }}>
          <Form.Item name="amount" label={t('fin.amountWan')} rules={[{ required: true, whitespace: true, message: t('fin.amountRequired') }]}>
            <Input inputMode="decimal" autoComplete="off" style={{ textAlign: 'right' }} suffix="万元" />
          </Form.Item>
          <Form.Item name="reason" label={t('fin.reason')} rules={[{ required: true, whitespace: true, message: t('fin.reasonRequired') }]}>
            <Input.TextArea rows={2} maxLength={500} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
