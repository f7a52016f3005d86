/**
 * One request (/portal/requests/:id, /work/requests/:id): due dates, state, answer, rating and the whole history
 * (transfers too); the actions the server allows the caller now, each in a small form with its errors beside the
 * fields.
 */
import { App, Button, Card, Descriptions, Form, Input, Modal, Rate, Select, Skeleton, Space, Timeline, Typography, Upload } from 'antd';
import { useState } from 'react';
import { useNavigate, useParams } from 'react-router-dom';
import { serviceDeskApi } from '../../api/client';
import type { ServiceRequestDetail, ServiceRequestMoved } from '../../api/types';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageTitle } from '../../components/PageTitle';
import { useI18n } from '../../i18n';
import { useAsync } from '../../lib/useAsync';
import { useFormSubmit } from '../../lib/useFormSubmit';
import { StateTag } from './Requests';
import { useSdText, type SdKey } from './text';

type Verb = 'transfer' | 'ask-info' | 'answer' | 'supply-info' | 'rate' | 'reopen';

function ActionDialog({ id, verb, title, onDone, onClose, scale }: { id: number; verb: Verb; title: string; onDone: (r: ServiceRequestDetail | ServiceRequestMoved) => void; onClose: () => void; scale: number }) {
  const s = useSdText();
  const { pick } = useI18n();
  const [form] = Form.useForm<Record<string, unknown>>();
  const { busy, error, submit } = useFormSubmit(form);
  const catalog = useAsync(() => (verb === 'transfer' ? serviceDeskApi.catalog() : Promise.resolve(null)), [verb]);
  const text = (name: string, label: SdKey, required = true) => (
    <Form.Item name={name} label={s(label)} rules={required ? [{ required: true, whitespace: true, message: s(label) }] : []}>
      <Input.TextArea rows={3} />
    </Form.Item>
  );
  return (
    <Modal open title={title} onCancel={onClose} okText={s('confirm')} confirmLoading={busy} onOk={() => submit(async (v) => onDone(await serviceDeskApi.act(id, verb, v)))}>
      <ErrorAlert error={error} />
      <Form form={form} layout="vertical">
        {verb === 'transfer' && (
          <>
            <Form.Item name="toUnit" label={s('toUnit')} rules={[{ required: true, message: s('toUnit') }]}>
              <Select showSearch optionFilterProp="label" loading={catalog.loading} options={(catalog.data?.units ?? []).map((u) => ({ value: u.id, label: pick(u.zh, u.en) }))} />
            </Form.Item>
            {text('reason', 'reason')}
          </>
        )}
        {verb === 'ask-info' && text('question', 'question')}
        {verb === 'answer' && text('answer', 'answer')}
        {verb === 'supply-info' && text('reply', 'reply')}
        {verb === 'reopen' && text('reason', 'reason')}
        {verb === 'rate' && (
          <>
            <Form.Item name="rating" label={s('rating')} rules={[{ required: true, message: s('rating') }]}>
              <Rate count={scale} />
            </Form.Item>
            {text('comment', 'comment', false)}
          </>
        )}
      </Form>
    </Modal>
  );
}

export default function RequestView() {
  const s = useSdText();
  const { pick } = useI18n();
  const { message } = App.useApp();
  const { id } = useParams();
  const navigate = useNavigate();
  const [verb, setVerb] = useState<{ verb: Verb; title: string } | null>(null);
  const [actError, setActError] = useState<unknown>();
  const r = useAsync(() => serviceDeskApi.get(id!), [id]);
  const catalog = useAsync(() => serviceDeskApi.catalog(), []);
  if (r.loading && !r.data) return <Skeleton active />;
  if (!r.data) return <ErrorAlert error={r.error} onRetry={r.reload} />;
  const q = r.data;
  const may = (a: string) => q.allowedActions.includes(a as never);
  const done = (x: ServiceRequestDetail | ServiceRequestMoved) => {
    setVerb(null);
    if ('visible' in x && x.visible === false) {
      // transferred away: no longer this unit's to see
      message.success(s('transferredTo', { unit: x.unitZh }));
      navigate('/work/requests');
      return;
    }
    message.success(s('done'));
    r.reload();
  };
  const acknowledge = async () => {
    setActError(undefined);
    try {
      await serviceDeskApi.act(q.id, 'acknowledge');
      r.reload();
    } catch (e) {
      setActError(e);
    }
  };
  return (
    <>
      <PageTitle title={`#${q.id} ${q.title}`} sub={<StateTag r={q} />} />
      <ErrorAlert error={actError ?? r.error} />
      <Space wrap style={{ marginBottom: 16 }}>
        {may('acknowledge') && <Button type="primary" onClick={acknowledge}>{s('acknowledge')}</Button>}
        {may('answer') && <Button type="primary" onClick={() => setVerb({ verb: 'answer', title: s('doAnswer') })}>{s('doAnswer')}</Button>}
        {may('transfer') && <Button onClick={() => setVerb({ verb: 'transfer', title: s('transfer') })}>{s('transfer')}</Button>}
        {may('askInfo') && <Button onClick={() => setVerb({ verb: 'ask-info', title: s('askInfo') })}>{s('askInfo')}</Button>}
        {may('supplyInfo') && <Button type="primary" onClick={() => setVerb({ verb: 'supply-info', title: s('supplyInfo') })}>{s('supplyInfo')}</Button>}
        {may('rate') && <Button type="primary" onClick={() => setVerb({ verb: 'rate', title: s('rate') })}>{s('rate')}</Button>}
        {may('reopen') && <Button onClick={() => setVerb({ verb: 'reopen', title: s('reopen') })}>{s('reopen')}</Button>}
        {may('attach') && (
          <Upload
            showUploadList={false}
            customRequest={async ({ file, onSuccess, onError }) => {
              try {
                await serviceDeskApi.attach(q.id, file as File);
                onSuccess?.(null);
                r.reload();
              } catch (e) {
                setActError(e);
                onError?.(e as Error);
              }
            }}
          >
            <Button>{s('attach')}</Button>
          </Upload>
        )}
      </Space>
      <Card style={{ marginBottom: 16 }}>
        <Descriptions column={{ xs: 1, md: 2 }} size="small">
          <Descriptions.Item label={s('enterprise')}>{q.enterpriseName}</Descriptions.Item>
          <Descriptions.Item label={s('category')}>{pick(q.categoryZh, q.categoryEn)}</Descriptions.Item>
          <Descriptions.Item label={s('routedTo')}>{pick(q.unitZh, q.unitEn)}</Descriptions.Item>
          <Descriptions.Item label={s('filedOn')}>{q.filedOn}</Descriptions.Item>
          <Descriptions.Item label={s('answerDue')}>
            <Typography.Text type={q.overdue ? 'danger' : undefined}>
              {q.answerDue}
              {q.answerDueProvisional && `（${s('provisional')}）`}
            </Typography.Text>
          </Descriptions.Item>
          {q.workingDays !== null && <Descriptions.Item label={s('workingDays')}>{q.workingDays}</Descriptions.Item>}
          {q.rating !== null && (
            <Descriptions.Item label={s('rating')}>
              <Rate disabled value={q.rating} count={catalog.data?.satisfaction.scale ?? 5} /> {q.ratingComment}
            </Descriptions.Item>
          )}
          {q.allowedActions.includes('reopen') && <Descriptions.Item label={s('reopen')}>{s('reopensLeft', { n: q.reopensLeft })}</Descriptions.Item>}
        </Descriptions>
        <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', marginTop: 12 }}>{q.description}</Typography.Paragraph>
        {q.answer && (
          <Card type="inner" title={s('answer')}>
            <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', margin: 0 }} data-testid="sd-answer">
              {q.answer}
            </Typography.Paragraph>
          </Card>
        )}
        {q.files.length > 0 && (
          <Typography.Paragraph style={{ marginTop: 12 }}>
            {s('files')}：
            {q.files.map((f) => (
              <a key={f.id} href={serviceDeskApi.fileUrl(q.id, f.id)} style={{ marginInlineEnd: 12 }}>
                {f.fileName}
              </a>
            ))}
          </Typography.Paragraph>
        )}
      </Card>
      <Card title={s('history')}>
        <Timeline
          items={q.events.map((e) => ({
            color: e.kind === 'escalated' ? 'red' : e.kind === 'answered' ? 'green' : 'blue',
            children: (
              <>
                <Typography.Text strong>{s(`ev_${e.kind}` as SdKey)}</Typography.Text> {e.on}
                {e.actor && ` · ${e.actor}`}
                {e.kind === 'transferred' && ` · ${e.fromUnitZh} → ${e.toUnitZh}`}
                {e.note && <div style={{ whiteSpace: 'pre-wrap' }}>{e.note}</div>}
              </>
            ),
          }))}
        />
      </Card>
      {verb && <ActionDialog id={q.id} verb={verb.verb} title={verb.title} scale={catalog.data?.satisfaction.scale ?? 5} onDone={done} onClose={() => setVerb(null)} />}
    </>
  );
}
