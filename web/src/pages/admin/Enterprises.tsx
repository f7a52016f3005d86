import { DownloadOutlined, PlusOutlined, UploadOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Form, Input, Modal, Select, Space, Table, Upload } from 'antd';
import { useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { registers, type EnterpriseRow, type IndustryClass } from '../../api/registers';
import { useAuth } from '../../auth/auth';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageTitle } from '../../components/PageTitle';
import { useI18n } from '../../i18n';
import { useAreas } from '../../lib/areas';
import { formatDate } from '../../lib/dates';
import { useAsync } from '../../lib/useAsync';
import { useFormSubmit } from '../../lib/useFormSubmit';

export const INDUSTRY_CLASSES: IndustryClass[] = ['leading', 'highTech', 'other'];

/**
 * 企业管理 (admin): the register, searchable and paged (filters in the URL); register one, import a list from Excel
 * (all rows or none, each problem by row number), export what the list shows. Officials who read enterprises open
 * the detail read-only (EnterpriseDetail).
 */
export default function Enterprises() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const { user } = useAuth();
  const isAdmin = user?.role === 'admin';
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const areaId = params.get('areaId') ?? '';
  const industryClass = params.get('industryClass') ?? '';
  const page = Number(params.get('page') ?? 1);
  const pageSize = Number(params.get('pageSize') ?? 20);
  const list = useAsync(() => registers.enterprises({ q, areaId, industryClass, page, pageSize }), [q, areaId, industryClass, page, pageSize]);
  const { areas, areaName } = useAreas();
  const [filter] = Form.useForm();
  const [creating, setCreating] = useState(false);
  const [importing, setImporting] = useState(false);
  useEffect(() => filter.setFieldsValue({ q, areaId, industryClass }), [filter, q, areaId, industryClass]);
  const set = (patch: Record<string, string | number | undefined>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(patch)) (v === undefined || v === '' ? next.delete(k) : next.set(k, String(v)));
    setParams(next, { replace: true });
  };
  const classLabel = (c: string) => t(`ent.class.${c}` as never);

  return (
    <>
      <PageTitle
        title={t('ent.title')}
        extra={
          <Space wrap>
            {isAdmin && (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
                {t('ent.register')}
              </Button>
            )}
            {isAdmin && (
              <Button icon={<UploadOutlined />} onClick={() => setImporting(true)}>
                {t('ent.import')}
              </Button>
            )}
            <Button icon={<DownloadOutlined />} href={registers.enterpriseExportUrl({ q, areaId, industryClass })}>
              {t('ent.export')}
            </Button>
          </Space>
        }
      />
      <Card size="small" style={{ marginBottom: 16 }}>
        <Form form={filter} layout="inline" onFinish={(v: { q?: string; areaId?: string; industryClass?: string }) => set({ q: v.q?.trim(), areaId: v.areaId, industryClass: v.industryClass, page: undefined })}>
          <Form.Item name="q" label={t('ent.search')}>
            <Input allowClear placeholder={t('ent.searchHint')} style={{ width: 260 }} />
          </Form.Item>
          <Form.Item name="areaId" label={t('ent.area')}>
            <Select allowClear style={{ width: 180 }} options={areas.map((a) => ({ value: a.id, label: a.name }))} />
          </Form.Item>
          <Form.Item name="industryClass" label={t('ent.class')}>
            <Select allowClear style={{ width: 160 }} options={INDUSTRY_CLASSES.map((c) => ({ value: c, label: classLabel(c) }))} />
          </Form.Item>
          <Button htmlType="submit">{t('ent.filter')}</Button>
        </Form>
      </Card>
      {list.error ? <ErrorAlert error={list.error} onRetry={list.reload} /> : null}
      <Table<EnterpriseRow>
        rowKey="uscc"
        loading={list.loading}
        dataSource={list.data?.items ?? []}
        scroll={{ x: 900 }}
        pagination={{ current: page, pageSize, total: list.data?.total ?? 0, showSizeChanger: true, onChange: (p, s) => set({ page: p, pageSize: s }) }}
        columns={[
          { title: t('ent.name'), dataIndex: 'name', render: (v: string, r) => <Link to={`/work/enterprises/${r.uscc}`}>{v}</Link> },
          { title: t('ent.uscc'), dataIndex: 'uscc' },
          { title: t('ent.area'), dataIndex: 'areaId', render: (v: string) => areaName(v) },
          { title: t('ent.class'), dataIndex: 'industryClass', render: (v: string) => classLabel(v) },
          { title: t('ent.registeredOn'), dataIndex: 'createdAt', render: (v: string) => formatDate(v) },
          { title: t('ent.users'), dataIndex: 'userCount', align: 'right' },
        ]}
      />
      {creating && (
        <EnterpriseForm
          onClose={() => setCreating(false)}
          onSaved={(e) => {
            setCreating(false);
            message.success(t('ent.registered', { name: e.name }));
            list.reload();
          }}
        />
      )}
      {importing && (
        <ImportDialog
          title={t('ent.import')}
          templateUrl={registers.enterpriseTemplateUrl}
          send={registers.importEnterprises}
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

/** Register (no `current`) or edit (name, area, class; the code is shown, never changed). */
export function EnterpriseForm({ current, onClose, onSaved }: { current?: EnterpriseRow; onClose: () => void; onSaved: (e: EnterpriseRow) => void }) {
  const { t } = useI18n();
  const { areas } = useAreas();
  const [form] = Form.useForm<{ uscc: string; name: string; areaId: string; industryClass: IndustryClass }>();
  const { busy, error, submit } = useFormSubmit(form);
  const save = () =>
    submit(async (v) => {
      const e = current
        ? await registers.updateEnterprise(current.uscc, { name: v.name, areaId: v.areaId, industryClass: v.industryClass })
        : await registers.createEnterprise({ uscc: v.uscc.trim().toUpperCase(), name: v.name, areaId: v.areaId, industryClass: v.industryClass });
      onSaved(e);
    });
  return (
    <Modal open title={current ? t('ent.edit') : t('ent.register')} onCancel={onClose} onOk={save} okText={t('reg.save')} confirmLoading={busy} destroyOnHidden>
      {error ? <ErrorAlert error={error} /> : null}
      <Form form={form} name="enterprise" layout="vertical" initialValues={current} onFinish={save}>
        <Form.Item name="uscc" label={t('ent.uscc')} extra={current ? t('ent.usccFixed') : t('ent.usccHint')} rules={[{ required: !current, len: 18, message: t('ent.usccRule') }]}>
          <Input disabled={!!current} maxLength={18} autoComplete="off" />
        </Form.Item>
        <Form.Item name="name" label={t('ent.name')} rules={[{ required: true, whitespace: true, message: t('ent.nameRule') }]}>
          <Input maxLength={200} />
        </Form.Item>
        <Form.Item name="areaId" label={t('ent.area')} rules={[{ required: true, message: t('ent.areaRule') }]}>
          <Select showSearch optionFilterProp="label" options={areas.map((a) => ({ value: a.id, label: a.name }))} />
        </Form.Item>
        <Form.Item name="industryClass" label={t('ent.class')} rules={[{ required: true, message: t('ent.classRule') }]}>
          <Select options={INDUSTRY_CLASSES.map((c) => ({ value: c, label: t(`ent.class.${c}` as never) }))} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** An Excel import: the template to download, one file to upload, every refused row listed by its number. */
export function ImportDialog({ title, templateUrl, send, onClose, onDone }: { title: string; templateUrl: string; send: (f: File) => Promise<{ count: number }>; onClose: () => void; onDone: (n: number) => void }) {
  const { t } = useI18n();
  const [file, setFile] = useState<File>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const go = async () => {
    if (!file) return;
    setBusy(true);
    setError(undefined);
    try {
      onDone((await send(file)).count);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal open title={title} onCancel={onClose} onOk={go} okText={t('reg.importNow')} okButtonProps={{ disabled: !file }} confirmLoading={busy} destroyOnHidden width={720}>
      <Space direction="vertical" style={{ width: '100%' }}>
        <Alert type="info" showIcon message={t('reg.importRule')} />
        <Button icon={<DownloadOutlined />} href={templateUrl}>
          {t('reg.template')}
        </Button>
        <Upload
          accept=".xlsx"
          maxCount={1}
          beforeUpload={(f) => {
            setFile(f);
            setError(undefined);
            return false;
          }}
          onRemove={() => setFile(undefined)}
          fileList={file ? [{ uid: '1', name: file.name }] : []}
        >
          <Button icon={<UploadOutlined />}>{t('reg.chooseFile')}</Button>
        </Upload>
        {error ? <ErrorAlert error={error} title={t('reg.importRefused')} /> : null}
      </Space>
    </Modal>
  );
}
