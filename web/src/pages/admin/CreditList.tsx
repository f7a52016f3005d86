import { DownloadOutlined, PlusOutlined, UploadOutlined } from '@ant-design/icons';
import { App, Button, Card, Form, Input, Modal, Select, Space, Table, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { registers, type CreditEntryView } from '../../api/registers';
import { useAuth } from '../../auth/auth';
import CivilDatePicker from '../../components/CivilDatePicker';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageTitle } from '../../components/PageTitle';
import { useI18n } from '../../i18n';
import { todayShanghai } from '../../lib/dates';
import { useAsync } from '../../lib/useAsync';
import { useFormSubmit } from '../../lib/useFormSubmit';
import { ImportDialog } from './Enterprises';

/**
 * 信用惩戒名单 (admin; officials read): listings with filters (in force / ended, USCC) in the URL, whether each stops
 * claims and payments today; list an enterprise (the source unit required: the enterprise is told where to go),
 * delist with reason and date, import a list from Excel (all or nothing), export.
 */
export default function CreditList() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const { user } = useAuth();
  const isAdmin = user?.role === 'admin';
  const [params, setParams] = useSearchParams();
  const status = params.get('status') ?? '';
  const uscc = params.get('uscc') ?? '';
  const page = Number(params.get('page') ?? 1);
  const list = useAsync(() => registers.credit({ status, uscc, page, pageSize: 20 }), [status, uscc, page]);
  const [filter] = Form.useForm();
  const [adding, setAdding] = useState(false);
  const [importing, setImporting] = useState(false);
  const [delisting, setDelisting] = useState<CreditEntryView>();
  useEffect(() => filter.setFieldsValue({ status, uscc }), [filter, status, uscc]);
  const set = (patch: Record<string, string | number | undefined>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(patch)) (v === undefined || v === '' ? next.delete(k) : next.set(k, String(v)));
    setParams(next, { replace: true });
  };
  return (
    <>
      <PageTitle
        title={t('creditList.title')}
        extra={
          <Space wrap>
            {isAdmin && (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setAdding(true)}>
                {t('creditList.add')}
              </Button>
            )}
            {isAdmin && (
              <Button icon={<UploadOutlined />} onClick={() => setImporting(true)}>
                {t('creditList.import')}
              </Button>
            )}
            <Button icon={<DownloadOutlined />} href={registers.creditExportUrl({ status, uscc })}>
              {t('ent.export')}
            </Button>
          </Space>
        }
      />
      <Card size="small" style={{ marginBottom: 16 }}>
        <Form form={filter} layout="inline" onFinish={(v: { status?: string; uscc?: string }) => set({ status: v.status, uscc: v.uscc?.trim().toUpperCase(), page: undefined })}>
          <Form.Item name="status" label={t('creditList.status')}>
            <Select
              allowClear
              style={{ width: 160 }}
              options={[
                { value: 'active', label: t('creditList.active') },
                { value: 'ended', label: t('creditList.ended') },
              ]}
            />
          </Form.Item>
          <Form.Item name="uscc" label={t('ent.uscc')}>
            <Input allowClear maxLength={18} style={{ width: 220 }} />
          </Form.Item>
          <Button htmlType="submit">{t('ent.filter')}</Button>
        </Form>
      </Card>
      {list.error ? <ErrorAlert error={list.error} onRetry={list.reload} /> : null}
      <Table<CreditEntryView>
        rowKey="id"
        loading={list.loading}
        dataSource={list.data?.items ?? []}
        scroll={{ x: 1000 }}
        pagination={{ current: page, pageSize: 20, total: list.data?.total ?? 0, onChange: (p) => set({ page: p }) }}
        columns={[
          { title: t('city.enterprise'), dataIndex: 'uscc', render: (v: string, r) => <Space direction="vertical" size={0}>{r.enterpriseName ?? '—'}<Typography.Text type="secondary">{v}</Typography.Text></Space> },
          { title: t('creditList.listName'), dataIndex: 'listName' },
          { title: t('creditList.reason'), dataIndex: 'reason' },
          { title: t('creditList.source'), dataIndex: 'source' },
          { title: t('creditList.listedOn'), dataIndex: 'listedOn' },
          { title: t('creditList.delistedOn'), dataIndex: 'delistedOn', render: (v: string | null, r) => (v ? `${v}（${r.delistedReason ?? ''}）` : '—') },
          { title: t('creditList.blocks'), dataIndex: 'blocksNow', render: (b: boolean) => (b ? <Tag color="red">{t('creditList.blocksNow')}</Tag> : <Tag>{t('creditList.notBlocking')}</Tag>) },
          { title: '', key: 'act', render: (_: unknown, r) => (isAdmin && !r.delistedOn ? <Button size="small" onClick={() => setDelisting(r)}>{t('creditList.delist')}</Button> : null) },
        ]}
      />
      {adding && <AddListing onClose={() => setAdding(false)} onSaved={() => { setAdding(false); message.success(t('creditList.added')); list.reload(); }} />}
      {delisting && <Delist entry={delisting} onClose={() => setDelisting(undefined)} onSaved={() => { setDelisting(undefined); message.success(t('creditList.delisted')); list.reload(); }} />}
      {importing && (
        <ImportDialog
          title={t('creditList.import')}
          templateUrl={registers.creditTemplateUrl}
          send={registers.importCredit}
          onClose={() => setImporting(false)}
          onDone={(n) => {
            setImporting(false);
            message.success(t('reg.imported', { n }));
            list.reload();
          }}
        />
      )}
    </>
  );
}

function AddListing({ onClose, onSaved }: { onClose: () => void; onSaved: () => void }) {
  const { t } = useI18n();
  const [form] = Form.useForm<{ uscc: string; listName: string; reason: string; listedOn: string; source: string }>();
  const { busy, error, submit } = useFormSubmit(form);
  const save = () =>
    submit(async (v) => {
      await registers.addCredit({ ...v, uscc: v.uscc.trim().toUpperCase() });
      onSaved();
    });
  return (
    <Modal open title={t('creditList.add')} onCancel={onClose} onOk={save} okText={t('reg.save')} confirmLoading={busy} destroyOnHidden>
      {error ? <ErrorAlert error={error} /> : null}
      <Form form={form} name="creditAdd" layout="vertical" initialValues={{ listedOn: todayShanghai() }}>
        <Form.Item name="uscc" label={t('ent.uscc')} rules={[{ required: true, len: 18, message: t('ent.usccRule') }]}>
          <Input maxLength={18} autoComplete="off" />
        </Form.Item>
        <Form.Item name="listName" label={t('creditList.listName')} rules={[{ required: true, whitespace: true, message: t('creditList.required') }]}>
          <Input maxLength={200} />
        </Form.Item>
        <Form.Item name="reason" label={t('creditList.reason')} rules={[{ required: true, whitespace: true, message: t('creditList.required') }]}>
          <Input.TextArea rows={2} maxLength={2000} />
        </Form.Item>
        <Form.Item name="listedOn" label={t('creditList.listedOn')} rules={[{ required: true, message: t('creditList.required') }]}>
          <CivilDatePicker />
        </Form.Item>
        <Form.Item name="source" label={t('creditList.source')} extra={t('creditList.sourceHint')} rules={[{ required: true, whitespace: true, message: t('creditList.required') }]}>
          <Input maxLength={500} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function Delist({ entry, onClose, onSaved }: { entry: CreditEntryView; onClose: () => void; onSaved: () => void }) {
  const { t } = useI18n();
  const [form] = Form.useForm<{ reason: string; delistedOn: string }>();
  const { busy, error, submit } = useFormSubmit(form);
  const save = () =>
    submit(async (v) => {
      await registers.delistCredit(entry.id, v);
      onSaved();
    });
  return (
    <Modal open title={`${t('creditList.delist')}：${entry.enterpriseName ?? entry.uscc}`} onCancel={onClose} onOk={save} okText={t('reg.save')} confirmLoading={busy} destroyOnHidden>
      {error ? <ErrorAlert error={error} /> : null}
      <Form form={form} name="creditDelist" layout="vertical" initialValues={{ delistedOn: todayShanghai() }}>
        <Form.Item name="reason" label={t('creditList.delistReason')} rules={[{ required: true, whitespace: true, message: t('creditList.required') }]}>
          <Input.TextArea rows={2} maxLength={2000} />
        </Form.Item>
        <Form.Item name="delistedOn" label={t('creditList.delistedOn')} rules={[{ required: true, message: t('creditList.required') }]}>
          <CivilDatePicker />
        </Form.Item>
      </Form>
    </Modal>
  );
}
