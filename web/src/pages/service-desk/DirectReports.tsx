/**
 * 企业信息直报 for the departments (/work/direct-reports): their reports with the current period, and a form that
 * defines a new one as data — fields (type, unit, required, the policy fact), monthly or quarterly, the due day, which
 * enterprises (areas, industry classes, a list). The auditor reads.
 */
import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { App, Button, Card, Checkbox, Form, Input, InputNumber, Modal, Select, Space, Table } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { directReportApi } from '../../api/client';
import type { DirectReport } from '../../api/types';
import { useAuth } from '../../auth/auth';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageTitle } from '../../components/PageTitle';
import { useAreas } from '../../lib/areas';
import { useAsync } from '../../lib/useAsync';
import { useFormSubmit } from '../../lib/useFormSubmit';
import { useSdText } from './text';

interface DefineValues {
  title: string;
  periodKind: 'month' | 'quarter';
  dueDay: number;
  firstPeriod?: string;
  fields: Array<{ key: string; label: string; type: string; unit?: string; required?: boolean; fact?: string }>;
  areas?: string[];
  industryClasses?: string[];
  usccs?: string;
}

function DefineDialog({ onClose, onDone }: { onClose: () => void; onDone: (r: DirectReport) => void }) {
  const s = useSdText();
  const { areas, areaName } = useAreas();
  const [form] = Form.useForm<DefineValues>();
  const { busy, error, submit } = useFormSubmit(form, { 'audience.areas': 'areas', 'audience.industryClasses': 'industryClasses', 'audience.usccs': 'usccs', audience: 'areas' });
  const types = (['integer', 'decimal', 'money', 'text', 'boolean'] as const).map((t) => ({ value: t, label: s(`t_${t}`) }));
  return (
    <Modal
      open
      width={860}
      title={s('drNew')}
      okText={s('confirm')}
      confirmLoading={busy}
      onCancel={onClose}
      onOk={() =>
        submit(async (v) => {
          const r = await directReportApi.define({
            title: v.title,
            periodKind: v.periodKind,
            dueDay: v.dueDay,
            ...(v.firstPeriod ? { firstPeriod: v.firstPeriod } : {}),
            fields: (v.fields ?? []).map((f) => ({ key: f.key, label: f.label, type: f.type, ...(f.unit ? { unit: f.unit } : {}), required: !!f.required, ...(f.fact ? { fact: f.fact } : {}) })),
            audience: { areas: v.areas ?? [], industryClasses: v.industryClasses ?? [], usccs: (v.usccs ?? '').split(/\s+/).filter(Boolean) },
          });
          onDone(r);
        })
      }
    >
      <ErrorAlert error={error} />
      <Form form={form} layout="vertical" initialValues={{ periodKind: 'month', dueDay: 10, fields: [{ type: 'integer', required: true }] }}>
        <Form.Item name="title" label={s('drTitle')} rules={[{ required: true, whitespace: true, message: s('drTitle') }]}>
          <Input maxLength={100} />
        </Form.Item>
        <Space wrap>
          <Form.Item name="periodKind" label={s('drPeriodKind')}>
            <Select style={{ width: 120 }} options={[{ value: 'month', label: s('drMonth') }, { value: 'quarter', label: s('drQuarter') }]} />
          </Form.Item>
          <Form.Item name="dueDay" label={s('drDueDay')} rules={[{ required: true, message: s('drDueDay') }]}>
            <InputNumber min={1} max={28} />
          </Form.Item>
          <Form.Item name="firstPeriod" label={s('drFirstPeriod')}>
            <Input placeholder="2020-06 / 2020-Q2" style={{ width: 140 }} />
          </Form.Item>
        </Space>
        <Card size="small" title={s('drFields')} style={{ marginBottom: 16 }}>
          <Form.List name="fields">
            {(items, { add, remove }) => (
              <>
                {items.map(({ key, name }) => (
                  <Space key={key} align="start" wrap>
                    <Form.Item name={[name, 'key']} label={s('drKey')} rules={[{ required: true, message: s('drKey') }]}>
                      <Input style={{ width: 110 }} />
                    </Form.Item>
                    <Form.Item name={[name, 'label']} label={s('drLabel')} rules={[{ required: true, whitespace: true, message: s('drLabel') }]}>
                      <Input style={{ width: 170 }} />
                    </Form.Item>
                    <Form.Item name={[name, 'type']} label={s('drType')}>
                      <Select style={{ width: 110 }} options={types} />
                    </Form.Item>
                    <Form.Item name={[name, 'unit']} label={s('drUnit')}>
                      <Input style={{ width: 70 }} />
                    </Form.Item>
                    <Form.Item name={[name, 'fact']} label={s('drFact')}>
                      <Input style={{ width: 130 }} />
                    </Form.Item>
                    <Form.Item name={[name, 'required']} valuePropName="checked" label={s('drRequired')}>
                      <Checkbox />
                    </Form.Item>
                    <MinusCircleOutlined style={{ marginTop: 38 }} onClick={() => remove(name)} aria-label="remove" />
                  </Space>
                ))}
                <Button type="dashed" onClick={() => add({ type: 'integer', required: true })} icon={<PlusOutlined />}>
                  {s('drAddField')}
                </Button>
              </>
            )}
          </Form.List>
        </Card>
        <Form.Item name="areas" label={s('drAreas')}>
          <Select mode="multiple" optionFilterProp="label" options={areas.map((a) => ({ value: a.id, label: areaName(a.id) }))} />
        </Form.Item>
        <Form.Item name="industryClasses" label={s('drIndustries')}>
          <Select mode="multiple" options={[{ value: 'leading', label: '先导产业' }, { value: 'highTech', label: '高新技术产业' }, { value: 'other', label: '其他产业' }]} />
        </Form.Item>
        <Form.Item name="usccs" label={s('drUsccs')}>
          <Input.TextArea rows={2} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

export default function DirectReports() {
  const s = useSdText();
  const { message } = App.useApp();
  const { user } = useAuth();
  const [defining, setDefining] = useState(false);
  const list = useAsync(() => directReportApi.list(), []);
  return (
    <>
      <PageTitle
        title={s('drNav')}
        extra={
          user?.role === 'departmentReviewer' && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setDefining(true)}>
              {s('drNew')}
            </Button>
          )
        }
      />
      <ErrorAlert error={list.error} onRetry={list.reload} />
      <Table<DirectReport>
        rowKey="id"
        loading={list.loading}
        dataSource={list.data?.items ?? []}
        locale={{ emptyText: s('drNone') }}
        pagination={false}
        columns={[
          { title: s('drTitle'), dataIndex: 'title', render: (v: string, r) => <Link to={`/work/direct-reports/${r.id}`}>{v}</Link> },
          { title: s('drPeriodKind'), render: (_: unknown, r) => (r.periodKind === 'month' ? s('drMonth') : s('drQuarter')) },
          { title: s('drCurrent'), dataIndex: 'currentPeriod' },
          { title: s('drDue'), dataIndex: 'currentDue' },
          { title: s('drFields'), render: (_: unknown, r) => r.fields.length },
        ]}
      />
      {defining && (
        <DefineDialog
          onClose={() => setDefining(false)}
          onDone={() => {
            setDefining(false);
            message.success(s('drCreated'));
            list.reload();
          }}
        />
      )}
    </>
  );
}
