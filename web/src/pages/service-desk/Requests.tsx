/**
 * 诉求 lists: an enterprise's own requests with the form to file one (/portal/requests); an official's unit queue —
 * overdue ones first and in red — or the enterprises they are liaison for (/work/requests).
 */
import { App, Button, Card, Checkbox, Flex, Form, Input, Segmented, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { serviceDeskApi } from '../../api/client';
import type { ServiceRequest } from '../../api/types';
import { useAuth } from '../../auth/auth';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageTitle } from '../../components/PageTitle';
import { useI18n } from '../../i18n';
import { useAsync } from '../../lib/useAsync';
import { useFormSubmit } from '../../lib/useFormSubmit';
import { useSdText } from './text';

export function StateTag({ r }: { r: ServiceRequest }) {
  const s = useSdText();
  const color = r.state === 'closed' ? 'default' : r.state === 'answered' ? 'green' : r.state === 'awaitingInfo' ? 'gold' : 'blue';
  return (
    <Space size={4} wrap>
      <Tag color={color}>{s(`st_${r.state}`)}</Tag>
      {r.overdue && <Tag color="red">{s('overdue')}</Tag>}
      {r.escalated && r.overdue && <Tag color="volcano">{s('escalated')}</Tag>}
      {r.answeredOnTime === false && <Tag color="orange">{s('late')}</Tag>}
    </Space>
  );
}

function FileForm({ onFiled }: { onFiled: (id: number) => void }) {
  const s = useSdText();
  const { pick } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ category: string; title: string; description: string }>();
  const { busy, error, submit } = useFormSubmit(form);
  const catalog = useAsync(() => serviceDeskApi.catalog(), []);
  const category = Form.useWatch('category', form);
  const chosen = catalog.data?.categories.find((c) => c.id === category);
  return (
    <Card title={s('newRequest')} style={{ marginBottom: 16 }}>
      <ErrorAlert error={error ?? catalog.error} />
      <Form
        form={form}
        layout="vertical"
        onFinish={() =>
          submit(async (v) => {
            const r = await serviceDeskApi.file(v);
            message.success(s('filedOk'));
            form.resetFields();
            onFiled(r.id);
          })
        }
      >
        <Form.Item name="category" label={s('category')} rules={[{ required: true, message: s('category') }]}>
          <Select
            loading={catalog.loading}
            options={(catalog.data?.categories ?? []).map((c) => ({ value: c.id, label: pick(c.zh, c.en) }))}
            style={{ maxWidth: 360 }}
          />
        </Form.Item>
        {chosen && (
          <Typography.Paragraph type="secondary">
            {s('routedTo')}：{pick(chosen.unitZh, chosen.unitEn)} · {s('limits', { ack: chosen.acknowledgeWorkingDays, answer: chosen.answerWorkingDays })}
          </Typography.Paragraph>
        )}
        <Form.Item name="title" label={s('title')} rules={[{ required: true, whitespace: true, message: s('title') }, { max: 100 }]}>
          <Input maxLength={100} />
        </Form.Item>
        <Form.Item name="description" label={s('description')} rules={[{ required: true, whitespace: true, message: s('description') }, { max: 4000 }]}>
          <Input.TextArea rows={4} maxLength={4000} />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={busy}>
          {s('submit')}
        </Button>
      </Form>
    </Card>
  );
}

export default function Requests() {
  const s = useSdText();
  const { pick } = useI18n();
  const { user } = useAuth();
  const navigate = useNavigate();
  const isEnterprise = user?.role === 'enterprise';
  const base = isEnterprise ? '/portal/requests' : '/work/requests';
  const [scope, setScope] = useState<'unit' | 'liaison'>('unit');
  const [overdue, setOverdue] = useState(false);
  const [page, setPage] = useState(1);
  const list = useAsync(() => serviceDeskApi.list({ scope: isEnterprise ? undefined : scope, overdue, page, pageSize: 20 }), [scope, overdue, page, isEnterprise]);
  return (
    <>
      <PageTitle title={isEnterprise ? s('navMine') : s('navQueue')} />
      {isEnterprise && <FileForm onFiled={(id) => navigate(`${base}/${id}`)} />}
      {!isEnterprise && (
        <Flex gap={16} wrap align="center" style={{ marginBottom: 12 }}>
          {user?.role !== 'auditor' && (
            <Segmented
              value={scope}
              onChange={(v) => {
                setScope(v as 'unit' | 'liaison');
                setPage(1);
              }}
              options={[
                { value: 'unit', label: s('unitQueue') },
                { value: 'liaison', label: s('liaisonQueue') },
              ]}
            />
          )}
          <Checkbox checked={overdue} onChange={(e) => setOverdue(e.target.checked)}>
            {s('onlyOverdue')}
          </Checkbox>
        </Flex>
      )}
      <ErrorAlert error={list.error} onRetry={list.reload} />
      <Table<ServiceRequest>
        rowKey="id"
        loading={list.loading}
        dataSource={list.data?.items ?? []}
        locale={{ emptyText: s('empty') }}
        scroll={{ x: true }}
        rowClassName={(r) => (r.overdue ? 'sd-overdue' : '')}
        onRow={(r) => ({ style: r.overdue ? { background: '#fff1f0' } : undefined, 'data-overdue': r.overdue ? 'true' : undefined } as never)}
        pagination={{ current: page, pageSize: 20, total: list.data?.total ?? 0, onChange: setPage, showSizeChanger: false }}
        columns={[
          { title: '#', dataIndex: 'id', width: 64 },
          { title: s('title'), dataIndex: 'title', render: (v: string, r) => <Link to={`${base}/${r.id}`}>{v}</Link> },
          ...(isEnterprise ? [] : [{ title: s('enterprise'), dataIndex: 'enterpriseName' }]),
          { title: s('category'), render: (_: unknown, r: ServiceRequest) => pick(r.categoryZh, r.categoryEn) },
          { title: s('routedTo'), render: (_: unknown, r: ServiceRequest) => pick(r.unitZh, r.unitEn) },
          { title: s('filedOn'), dataIndex: 'filedOn', width: 110 },
          {
            title: s('answerDue'),
            width: 130,
            render: (_: unknown, r: ServiceRequest) => (
              <Typography.Text type={r.overdue ? 'danger' : undefined}>
                {r.answerDue}
                {r.answerDueProvisional && `（${s('provisional')}）`}
              </Typography.Text>
            ),
          },
          { title: s('state'), render: (_: unknown, r: ServiceRequest) => <StateTag r={r} /> },
        ]}
      />
    </>
  );
}
