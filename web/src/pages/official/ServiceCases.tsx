import { DownloadOutlined, FileExcelOutlined, PlusOutlined, ReloadOutlined, UploadOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Checkbox, Col, Empty, Form, Input, InputNumber, Modal, Radio, Row, Select, Table, Typography, Upload } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { api } from '../../api/client';
import { ApiError } from '../../api/problem';
import type { NewServiceCase, ServiceCase, ServiceCaseState, ServiceImportResult, ServiceLimit } from '../../api/types';
import { serviceCaseWriter, useAuth } from '../../auth/auth';
import { ErrorAlert } from '../../components/ErrorAlert';
import { CivilDateInput } from '../../components/FactField';
import { PageTitle } from '../../components/PageTitle';
import { dueText, ServiceStateTag, StandingTag } from '../../components/ServiceTags';
import { useI18n } from '../../i18n';
import { formatDate, todayShanghai } from '../../lib/dates';
import { useFormSubmit } from '../../lib/useFormSubmit';
import { departmentsOf, TIME_RE, writableLimits, writableOwners } from '../../lib/serviceCases';
import { useAsync } from '../../lib/useAsync';

/** 服务时限 · 办件列表: cases with their due dates and standing; Excel template, import and report; 登记办件. */
export default function ServiceCases() {
  const { t, pick } = useI18n();
  const { message } = App.useApp();
  const { user } = useAuth();
  const navigate = useNavigate();
  const writer = serviceCaseWriter(user);
  const canWrite = writer !== false;
  const [params, setParams] = useSearchParams();
  const limitId = params.get('limitId') ?? '';
  const department = params.get('department') ?? '';
  const state = (params.get('state') ?? '') as ServiceCaseState | '';
  const overdue = params.get('overdue') === 'true';
  const q = params.get('q') ?? '';
  const page = Number(params.get('page') ?? 1);
  const pageSize = Number(params.get('pageSize') ?? 20);
  const catalog = useAsync(() => api.serviceLimits(), []);
  const list = useAsync(() => api.serviceCases({ limitId, department, state, overdue, q, page, pageSize }), [limitId, department, state, overdue, q, page, pageSize]);
  const [form] = Form.useForm();
  const [recording, setRecording] = useState(false);
  const [importing, setImporting] = useState(false);
  const [importError, setImportError] = useState<unknown>();
  const [imported, setImported] = useState<ServiceImportResult>();

  useEffect(() => form.setFieldsValue({ q, limitId, department, state, overdue }), [form, q, limitId, department, state, overdue]);

  const set = (patch: Record<string, string | number | boolean | undefined>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(patch)) (v === undefined || v === '' || v === false ? next.delete(k) : next.set(k, String(v)));
    setParams(next, { replace: true });
  };

  const limits = catalog.data?.limits ?? [];
  const limitOptions = useMemo(
    () => [{ value: '', label: t('common.all') }, ...limits.filter((l) => l.recording !== null).map((l) => ({ value: l.id, label: `${t('common.measureNo', { n: l.measure })} ${pick(l.label, l.labelEn)}` }))],
    [limits, t, pick],
  );
  const deptOptions = useMemo(() => [{ value: '', label: t('common.all') }, ...departmentsOf(limits).map((d) => ({ value: d.id, label: pick(d.name, d.nameEn) }))], [limits, t, pick]);
  const deptName = (id: string, fallback: string) => {
    const d = departmentsOf(limits).find((x) => x.id === id);
    return d ? pick(d.name, d.nameEn) : fallback;
  };

  const onImport = async (file: File) => {
    setImportError(undefined);
    setImported(undefined);
    if (!/\.xlsx$/i.test(file.name)) {
      message.error(t('svc.importOnlyXlsx'));
      return;
    }
    setImporting(true);
    try {
      const r = await api.importServiceCases(file);
      setImported(r);
      message.success(t('svc.importDone', { rows: r.rows, created: r.created, updated: r.updated, unchanged: r.unchanged }));
      list.reload();
    } catch (e) {
      setImportError(e);
    } finally {
      setImporting(false);
    }
  };

  const items = list.data?.items ?? [];
  const filtered = !!(q || limitId || department || state || overdue);

  return (
    <>
      <PageTitle
        title={t('svc.listTitle')}
        sub={list.data ? t('svc.listSub', { asOf: list.data.asOf }) : undefined}
        extra={
          <>
            <Button icon={<ReloadOutlined />} onClick={list.reload}>
              {t('common.refresh')}
            </Button>
            <Button icon={<DownloadOutlined />} href={api.serviceTemplateUrl()} download>
              {t('svc.template')}
            </Button>
            {canWrite && (
              <Upload accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" showUploadList={false} maxCount={1} beforeUpload={(f) => (void onImport(f), false)}>
                <Button icon={<UploadOutlined />} loading={importing}>
                  {importing ? t('svc.importing') : t('svc.import')}
                </Button>
              </Upload>
            )}
            <Button icon={<FileExcelOutlined />} href={api.serviceComplianceXlsxUrl()} download>
              {t('svc.export')}
            </Button>
            {canWrite && (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setRecording(true)}>
                {t('svc.record')}
              </Button>
            )}
          </>
        }
      />
      <ErrorAlert error={catalog.error} onRetry={catalog.reload} />
      <ImportErrors error={importError} />
      {imported && (
        <Alert
          type="success"
          showIcon
          closable={{ onClose: () => setImported(undefined) }}
          style={{ marginBottom: 16 }}
          title={t('svc.importDone', { rows: imported.rows, created: imported.created, updated: imported.updated, unchanged: imported.unchanged })}
          description={imported.ignoredColumns.length ? t('svc.ignoredColumns', { cols: imported.ignoredColumns.join('、') }) : undefined}
        />
      )}
      {!canWrite && <Alert type="info" showIcon style={{ marginBottom: 16 }} title={t('svc.readOnly')} />}
      <Card size="small">
        <Form form={form} name="svc-filter" layout="vertical" onFinish={(v) => set({ q: v.q?.trim(), limitId: v.limitId, department: v.department, state: v.state, overdue: !!v.overdue, page: undefined })}>
          <Row gutter={12} align="bottom">
            <Col xs={24} md={8} xl={7}>
              <Form.Item name="limitId" label={t('svc.limit')}>
                <Select showSearch={{ optionFilterProp: 'label' }} options={limitOptions} popupMatchSelectWidth={false} />
              </Form.Item>
            </Col>
            <Col xs={12} md={5} xl={4}>
              <Form.Item name="department" label={t('svc.department')}>
                <Select showSearch={{ optionFilterProp: 'label' }} options={deptOptions} popupMatchSelectWidth={false} />
              </Form.Item>
            </Col>
            <Col xs={12} md={4} xl={3}>
              <Form.Item name="state" label={t('svc.state')}>
                <Select
                  options={[
                    { value: '', label: t('common.all') },
                    { value: 'open', label: t('svc.state.open') },
                    { value: 'suspended', label: t('svc.state.suspended') },
                    { value: 'completed', label: t('svc.state.completed') },
                  ]}
                  popupMatchSelectWidth={false}
                />
              </Form.Item>
            </Col>
            <Col xs={24} md={7} xl={5}>
              <Form.Item name="q" label={t('common.keyword')}>
                <Input allowClear placeholder={t('svc.keywordPh')} />
              </Form.Item>
            </Col>
            <Col xs={24} xl={5}>
              <Form.Item>
                <Form.Item name="overdue" valuePropName="checked" noStyle>
                  <Checkbox>{t('svc.overdueOnly')}</Checkbox>
                </Form.Item>{' '}
                <Button type="primary" htmlType="submit">
                  {t('common.search')}
                </Button>{' '}
                <Button onClick={() => set({ q: undefined, limitId: undefined, department: undefined, state: undefined, overdue: undefined, page: undefined })}>{t('common.reset')}</Button>
              </Form.Item>
            </Col>
          </Row>
        </Form>
        <ErrorAlert error={list.error} onRetry={list.reload} />
        {!list.loading && !list.error && items.length === 0 ? (
          <Empty description={filtered ? t('common.emptyFilter') : t('svc.empty')} />
        ) : (
          <Table<ServiceCase>
            size="small"
            rowKey="id"
            loading={list.loading}
            dataSource={items}
            scroll={{ x: 1240 }}
            rowClassName={(r) => (r.status?.overdue ? 'kf-row-overdue' : '')}
            pagination={{
              current: page,
              pageSize,
              total: list.data?.total ?? 0,
              showSizeChanger: true,
              showTotal: (n) => t('common.items', { n }),
              onChange: (p, ps) => set({ page: p, pageSize: ps }),
            }}
            columns={[
              {
                title: t('svc.limit'),
                key: 'limit',
                width: 280,
                render: (_, r) => (
                  <>
                    <div>{pick(r.limitLabel, r.limitLabelEn)}</div>
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {t('common.measureNo', { n: r.measure })} · {deptName(r.departmentId, r.departmentName)}
                    </Typography.Text>
                  </>
                ),
              },
              { title: t('svc.reference'), dataIndex: 'reference', width: 170, render: (v: string, r) => <Link to={`/work/service-cases/${r.id}`}>{v}</Link> },
              { title: t('svc.subject'), dataIndex: 'subject', width: 200 },
              { title: t('svc.acceptedOn'), dataIndex: 'acceptedOn', width: 110, render: (v: string) => formatDate(v) },
              { title: t('svc.due'), key: 'due', width: 130, render: (_, r) => dueText(r) },
              { title: t('svc.standing'), key: 'standing', width: 200, render: (_, r) => <StandingTag c={r} /> },
              { title: t('svc.state'), key: 'state', width: 150, render: (_, r) => <ServiceStateTag state={r.status?.state} /> },
            ]}
          />
        )}
      </Card>
      {canWrite && (
        <RecordCaseModal
          open={recording}
          limits={limits}
          department={writer}
          onClose={() => setRecording(false)}
          onDone={(c) => {
            setRecording(false);
            message.success(t('svc.recorded', { ref: c.reference }));
            navigate(`/work/service-cases/${c.id}`);
          }}
        />
      )}
    </>
  );
}

/**
 * A refused import: nothing was stored. The server's messages already name the row and column
 * (第5行「受理日期」：…), so they are listed as they are; any other failure goes through ErrorAlert.
 */
function ImportErrors({ error }: { error: unknown }) {
  const { t, lang } = useI18n();
  if (!error) return null;
  if (!(error instanceof ApiError) || error.errors.length === 0) return <ErrorAlert error={error} title={t('svc.importFailed')} />;
  return (
    <Alert
      type="error"
      showIcon
      role="alert"
      style={{ marginBottom: 16 }}
      title={t('svc.importFailed')}
      description={
        <ul style={{ margin: '4px 0 0', paddingInlineStart: 20 }}>
          {error.errors.map((f, i) => (
            <li key={i}>{lang === 'en' ? f.messageEn : f.messageZh}</li>
          ))}
        </ul>
      }
    />
  );
}

interface CaseForm {
  limitId?: string;
  departmentId?: string;
  reference?: string;
  subject?: string;
  acceptedOn?: string;
  acceptedAt?: string;
  simplified?: boolean;
  hours?: number;
}

/** 登记办件: the limits this writer may record, the department when the limit has several owners. */
function RecordCaseModal({ open, limits, department, onClose, onDone }: { open: boolean; limits: ServiceLimit[]; department: string | null; onClose: () => void; onDone: (c: ServiceCase) => void }) {
  const { t, pick } = useI18n();
  const [form] = Form.useForm<CaseForm>();
  const { busy, error, submit } = useFormSubmit(form);
  const choices = useMemo(() => writableLimits(limits, department), [limits, department]);
  const limitId = Form.useWatch('limitId', form);
  const limit = choices.find((l) => l.id === limitId);
  const owners = writableOwners(limit, department);

  useEffect(() => {
    // one owner: that department, without asking
    if (limit) form.setFieldValue('departmentId', owners.length === 1 ? owners[0].id : undefined);
  }, [limitId]); // eslint-disable-line react-hooks/exhaustive-deps

  const record = () =>
    submit(async (v) => {
      const body: NewServiceCase = {
        limitId: v.limitId!,
        departmentId: v.departmentId || undefined,
        reference: v.reference!.trim(),
        subject: v.subject!.trim(),
        acceptedOn: v.acceptedOn!,
        acceptedAt: v.acceptedAt?.trim() || undefined,
        simplified: limit?.simplifiedRequired ? v.simplified : undefined,
        hours: limit?.recording === 'hours' ? v.hours : undefined,
      };
      onDone(await api.createServiceCase(body));
    });

  return (
    <Modal open={open} title={t('svc.record')} onCancel={onClose} onOk={record} okText={t('svc.record')} cancelText={t('common.cancel')} okButtonProps={{ loading: busy }} destroyOnHidden width={600}>
      <ErrorAlert error={error} />
      <Form form={form} name="svc-case" layout="vertical" preserve={false} onFinish={record} initialValues={{ acceptedOn: todayShanghai() }}>
        <Form.Item name="limitId" label={t('svc.limit')} rules={[{ required: true, message: t('svc.limitRequired') }]} extra={limit ? `${limit.target}${limit.halfDay ? ` · ${t('svc.halfDayNote')}` : ''}` : undefined}>
          <Select showSearch={{ optionFilterProp: 'label' }} options={choices.map((l) => ({ value: l.id, label: `${t('common.measureNo', { n: l.measure })} ${pick(l.label, l.labelEn)}` }))} />
        </Form.Item>
        {owners.length > 1 && (
          <Form.Item name="departmentId" label={t('svc.department')} rules={[{ required: true, message: t('svc.departmentRequired') }]}>
            <Select options={owners.map((o) => ({ value: o.id, label: pick(o.name, o.nameEn) }))} />
          </Form.Item>
        )}
        {owners.length <= 1 && (
          <Form.Item name="departmentId" hidden>
            <Input />
          </Form.Item>
        )}
        <Row gutter={12}>
          <Col xs={24} sm={12}>
            <Form.Item name="reference" label={t('svc.reference')} rules={[{ required: true, whitespace: true, message: t('svc.referenceRequired') }]}>
              <Input maxLength={100} autoComplete="off" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="subject" label={t('svc.subject')} rules={[{ required: true, whitespace: true, message: t('svc.subjectRequired') }]}>
              <Input maxLength={200} autoComplete="off" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="acceptedOn" label={t('svc.acceptedOn')} rules={[{ required: true, message: t('svc.acceptedRequired') }]}>
              <CivilDateInput />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="acceptedAt" label={t('svc.acceptedAt')} rules={[{ pattern: TIME_RE, message: t('svc.timeFormat') }]}>
              <Input placeholder="09:30" maxLength={5} autoComplete="off" />
            </Form.Item>
          </Col>
        </Row>
        {limit?.simplifiedRequired && (
          <Form.Item name="simplified" label={t('svc.simplified')} rules={[{ required: true, message: t('svc.simplifiedRequired') }]}>
            <Radio.Group options={[{ value: true, label: t('common.yes') }, { value: false, label: t('common.no') }]} />
          </Form.Item>
        )}
        {limit?.recording === 'hours' && (
          <Form.Item name="hours" label={t('svc.hours')} rules={[{ required: true, message: t('svc.hoursRequired') }]}>
            <InputNumber min={0} step={0.5} style={{ width: '100%' }} />
          </Form.Item>
        )}
        {/* Enter in a text field submits */}
        <button type="submit" hidden aria-hidden tabIndex={-1} />
      </Form>
    </Modal>
  );
}
