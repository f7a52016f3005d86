import { BankOutlined, EditOutlined } from '@ant-design/icons';
import { App, Button, Card, Descriptions, Form, Input, Modal, Typography } from 'antd';
import { useState } from 'react';
import { financeApi, type BankAccount } from '../api/finance';
import { useAuth } from '../auth/auth';
import { useI18n } from '../i18n';
import { useAsync } from '../lib/useAsync';
import { useFormSubmit } from '../lib/useFormSubmit';
import { ErrorAlert } from './ErrorAlert';

/**
 * An enterprise's bank account (收款账户), where its payments go: finance reads it, the administrator keeps it.
 * A payment batch refuses an enterprise without one, naming it (src/claims/payment-batches.ts), so the
 * administrator enters it here rather than through the API. The three fields go together: all, or none to clear.
 */
export function BankAccountCard({ uscc }: { uscc: string }) {
  const { t } = useI18n();
  const { user } = useAuth();
  const { message } = App.useApp();
  const reader = user?.role === 'admin' || user?.role === 'finance';
  const account = useAsync(() => (reader ? financeApi.bankAccount(uscc) : Promise.resolve(null)), [uscc, reader]);
  const [editing, setEditing] = useState(false);
  const [form] = Form.useForm<BankAccount>();
  const { busy, error, setError, submit } = useFormSubmit(form);
  if (!reader) return null;
  const a = account.data?.bankAccount ?? null;
  const open = () => {
    form.setFieldsValue(a ?? { accountName: account.data?.name ?? '', bankName: '', accountNo: '' });
    setError(undefined);
    setEditing(true);
  };
  const save = () =>
    submit(async (v) => {
      await financeApi.setBankAccount(uscc, { accountName: v.accountName.trim(), bankName: v.bankName.trim(), accountNo: v.accountNo.replace(/\s+/g, '') });
      setEditing(false);
      message.success(t('bank.saved'));
      account.reload();
    });
  const required = (field: string) => [{ required: true, whitespace: true, message: t('bank.required', { field }) }];
  return (
    <Card
      title={<span><BankOutlined /> {t('bank.title')}</span>}
      style={{ marginBottom: 16 }}
      extra={user?.role === 'admin' && <Button icon={<EditOutlined />} onClick={open} disabled={account.loading}>{a ? t('bank.edit') : t('bank.add')}</Button>}
    >
      {account.error ? (
        <ErrorAlert error={account.error} onRetry={account.reload} />
      ) : a ? (
        <Descriptions size="small" column={{ xs: 1, md: 3 }}>
          <Descriptions.Item label={t('bank.accountName')}>{a.accountName}</Descriptions.Item>
          <Descriptions.Item label={t('bank.bankName')}>{a.bankName}</Descriptions.Item>
          <Descriptions.Item label={t('bank.accountNo')}>{a.accountNo}</Descriptions.Item>
        </Descriptions>
      ) : (
        <Typography.Text type="warning">{t('bank.none')}</Typography.Text>
      )}
      <Modal open={editing} title={t('bank.title')} onCancel={() => setEditing(false)} onOk={save} okText={t('bank.save')} confirmLoading={busy} destroyOnHidden>
        <ErrorAlert error={error} />
        <Form form={form} layout="vertical" onFinish={save}>
          <Form.Item name="accountName" label={t('bank.accountName')} rules={required(t('bank.accountName'))}>
            <Input maxLength={100} />
          </Form.Item>
          <Form.Item name="bankName" label={t('bank.bankName')} rules={required(t('bank.bankName'))}>
            <Input maxLength={100} placeholder="中国工商银行吴江分行" />
          </Form.Item>
          <Form.Item name="accountNo" label={t('bank.accountNo')} rules={required(t('bank.accountNo'))} extra={t('bank.accountNoHint')}>
            <Input maxLength={64} inputMode="numeric" />
          </Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}
