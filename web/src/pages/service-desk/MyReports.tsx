/**
 * 信息直报 for an enterprise (/portal/reports): the reports addressed to it, each with the period asked for now, its
 * due date and whether it is answered or overdue; fill it in here (a form made from the report's fields) or by Excel
 * (the template, one row per period).
 */
import { DownloadOutlined, UploadOutlined } from '@ant-design/icons';
import { App, Button, Card, Form, Input, InputNumber, Select, Space, Tag, Typography, Upload } from 'antd';
import { useState } from 'react';
import { directReportApi } from '../../api/client';
import type { DirectReport } from '../../api/types';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageTitle } from '../../components/PageTitle';
import { useAsync } from '../../lib/useAsync';
import { useFormSubmit } from '../../lib/useFormSubmit';
import { useSdText } from './text';

function ReportCard({ r, onSaved }: { r: DirectReport; onSaved: () => void }) {
  const s = useSdText();
  const { message } = App.useApp();
  const [open, setOpen] = useState(false);
  const [uploadError, setUploadError] = useState<unknown>();
  const [form] = Form.useForm<Record<string, unknown>>();
  const rename = Object.fromEntries(r.fields.map((f) => [`values.${f.key}`, f.key]));
  const { busy, error, submit } = useFormSubmit(form, { ...rename, 'values.period': 'period' });
  const saved = (periods: string[]) => {
    message.success(s('drSaved', { periods: periods.join('、') }));
    setOpen(false);
    onSaved();
  };
  return (
    <Card
      title={r.title}
      style={{ marginBottom: 16 }}
      extra={
        r.currentAnswered ? <Tag color="green">{s('drAnswered')}</Tag> : r.currentOverdue ? <Tag color="red">{s('drOverdue')}</Tag> : <Tag color="gold">{s('drNotAnswered')}</Tag>
      }
    >
      <Typography.Paragraph>
        {r.ownerZh} · {s('drCurrent')} {r.currentPeriod ?? '—'} · {s('drDue')} {r.currentDue ?? '—'}
      </Typography.Paragraph>
      <ErrorAlert error={uploadError} />
      <Space wrap>
        <Button type="primary" onClick={() => setOpen((o) => !o)}>
          {s('drFill')}
        </Button>
        <Button icon={<DownloadOutlined />} href={directReportApi.templateUrl(r.id)} download>
          {s('drTemplate')}
        </Button>
        <Upload
          accept=".xlsx"
          showUploadList={false}
          customRequest={async ({ file, onSuccess, onError }) => {
            setUploadError(undefined);
            try {
              const res = await directReportApi.importAnswers(r.id, file as File);
              onSuccess?.(null);
              saved(res.answered);
            } catch (e) {
              setUploadError(e);
              onError?.(e as Error);
            }
          }}
        >
          <Button icon={<UploadOutlined />}>{s('drUpload')}</Button>
        </Upload>
      </Space>
      {open && (
        <Form form={form} layout="vertical" style={{ marginTop: 16, maxWidth: 520 }} initialValues={{ period: r.currentPeriod ?? undefined }} onFinish={() => submit(async (v) => {
          const { period, ...values } = v;
          saved((await directReportApi.answer(r.id, { period: period as string, values })).answered);
        })}>
          <ErrorAlert error={error} />
          <Form.Item name="period" label={s('drPeriod')} rules={[{ required: true, message: s('drPeriod') }]}>
            <Input style={{ width: 140 }} />
          </Form.Item>
          {r.fields.map((f) => (
            <Form.Item key={f.key} name={f.key} label={f.unit ? `${f.label}（${f.unit}）` : f.label} rules={f.required ? [{ required: true, message: f.label }] : []}>
              {f.type === 'text' ? (
                <Input.TextArea rows={2} maxLength={500} />
              ) : f.type === 'boolean' ? (
                <Select style={{ width: 120 }} options={[{ value: true, label: s('yes') }, { value: false, label: s('no') }]} />
              ) : (
                <InputNumber style={{ width: 220 }} stringMode />
              )}
            </Form.Item>
          ))}
          <Button type="primary" htmlType="submit" loading={busy}>
            {s('submit')}
          </Button>
        </Form>
      )}
    </Card>
  );
}

export default function MyReports() {
  const s = useSdText();
  const list = useAsync(() => directReportApi.list(), []);
  return (
    <>
      <PageTitle title={s('drMine')} />
      <ErrorAlert error={list.error} onRetry={list.reload} />
      {list.data && !list.data.items.length && <Typography.Text type="secondary">{s('drNone')}</Typography.Text>}
      {(list.data?.items ?? []).map((r) => (
        <ReportCard key={r.id} r={r} onSaved={list.reload} />
      ))}
    </>
  );
}
