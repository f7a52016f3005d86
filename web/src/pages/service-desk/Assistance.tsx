/**
 * 帮办代办: the published catalogue (everyone, /assistance-catalogue), an enterprise's requests with their steps and
 * result (/portal/assistance, where it asks for help with an item), and a unit's cases (/work/assistance: assign
 * oneself as agent, record the item's steps, finish with the result).
 */
import { App, Button, Card, Form, Input, Modal, Select, Space, Steps, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { assistanceApi } from '../../api/client';
import type { AssistanceCase } from '../../api/types';
import { useAuth } from '../../auth/auth';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageTitle } from '../../components/PageTitle';
import { useI18n } from '../../i18n';
import { useAsync } from '../../lib/useAsync';
import { useSdText } from './text';

function CaseDetail({ id, onChanged }: { id: number; onChanged: () => void }) {
  const s = useSdText();
  const { pick } = useI18n();
  const { message } = App.useApp();
  const c = useAsync(() => assistanceApi.get(id), [id]);
  const [error, setError] = useState<unknown>();
  const [step, setStep] = useState<string>();
  const [finishing, setFinishing] = useState(false);
  const [result, setResult] = useState('');
  const act = async (fn: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await fn();
      message.success(s('done'));
      c.reload();
      onChanged();
    } catch (e) {
      setError(e);
    }
  };
  if (!c.data) return <ErrorAlert error={c.error} />;
  const x = c.data;
  const may = (a: string) => x.allowedActions.includes(a as never);
  return (
    <Card size="small" style={{ marginTop: 8 }}>
      <ErrorAlert error={error} />
      <Steps
        size="small"
        direction="vertical"
        items={(x.steps ?? []).map((st) => ({ title: pick(st.zh, st.en), status: st.doneOn ? 'finish' : 'wait', description: st.doneOn ? `${st.doneOn}${st.note ? ` · ${st.note}` : ''}` : undefined }))}
      />
      {x.result && (
        <Typography.Paragraph data-testid="as-result">
          {s('asResult')}：{x.result}（{x.doneOn}）
        </Typography.Paragraph>
      )}
      <Space wrap>
        {may('assign') && <Button onClick={() => act(() => assistanceApi.assign(x.id))}>{s('asAssignMe')}</Button>}
        {may('step') && (
          <>
            <Select aria-label={s('asRecordStep')} placeholder={s('asRecordStep')} style={{ width: 200 }} value={step} onChange={setStep} options={(x.steps ?? []).filter((st) => !st.doneOn).map((st) => ({ value: st.id, label: pick(st.zh, st.en) }))} />
            <Button disabled={!step} onClick={() => act(() => assistanceApi.progress(x.id, { step }).then(() => setStep(undefined)))}>
              {s('asRecordStep')}
            </Button>
          </>
        )}
        {may('finish') && (
          <Button type="primary" onClick={() => setFinishing(true)}>
            {s('asFinish')}
          </Button>
        )}
      </Space>
      {finishing && (
        <Modal open title={s('asFinish')} okText={s('confirm')} onCancel={() => setFinishing(false)} onOk={() => act(() => assistanceApi.progress(x.id, { result })).then(() => setFinishing(false))}>
          <Form layout="vertical">
            <Form.Item label={s('asResult')} htmlFor="as-result-input">
              <Input.TextArea id="as-result-input" rows={3} value={result} onChange={(e) => setResult(e.target.value)} />
            </Form.Item>
          </Form>
        </Modal>
      )}
    </Card>
  );
}

function Cases({ title }: { title: string }) {
  const s = useSdText();
  const { pick } = useI18n();
  const { user } = useAuth();
  const list = useAsync(() => assistanceApi.list(), []);
  const [open, setOpen] = useState<number | null>(null);
  const color = { requested: 'gold', assigned: 'blue', done: 'green' } as const;
  return (
    <Card title={title} style={{ marginTop: 16 }}>
      <ErrorAlert error={list.error} onRetry={list.reload} />
      <Table<AssistanceCase>
        rowKey="id"
        size="small"
        loading={list.loading}
        pagination={false}
        dataSource={list.data?.items ?? []}
        expandable={{ expandedRowKeys: open ? [open] : [], onExpand: (exp, r) => setOpen(exp ? r.id : null), expandedRowRender: (r) => <CaseDetail id={r.id} onChanged={list.reload} /> }}
        columns={[
          { title: '#', dataIndex: 'id', width: 60 },
          { title: s('asItem'), render: (_: unknown, r) => pick(r.itemZh, r.itemEn) },
          ...(user?.role === 'enterprise' ? [] : [{ title: s('enterprise'), dataIndex: 'enterpriseName' }]),
          { title: s('routedTo'), render: (_: unknown, r: AssistanceCase) => pick(r.unitZh, r.unitEn) },
          { title: s('asAgent'), render: (_: unknown, r: AssistanceCase) => r.agent ?? '—' },
          { title: s('state'), render: (_: unknown, r: AssistanceCase) => <Tag color={color[r.state]}>{s(`as_${r.state}`)}</Tag> },
        ]}
      />
    </Card>
  );
}

export default function Assistance({ mode }: { mode: 'public' | 'portal' | 'work' }) {
  const s = useSdText();
  const { pick } = useI18n();
  const { message } = App.useApp();
  const catalogue = useAsync(() => assistanceApi.catalogue(), []);
  const [asking, setAsking] = useState<string | null>(null);
  const [note, setNote] = useState('');
  const [error, setError] = useState<unknown>();
  const [tick, setTick] = useState(0);
  return (
    <>
      <PageTitle title={mode === 'work' ? s('asNav') : s('asCatalogue')} sub={catalogue.data ? pick(catalogue.data.why, catalogue.data.whyEn) : undefined} />
      <ErrorAlert error={catalogue.error ?? error} />
      {mode !== 'work' && (
        <Table
          rowKey="id"
          loading={catalogue.loading}
          pagination={false}
          dataSource={catalogue.data?.items ?? []}
          columns={[
            { title: s('asItem'), render: (_: unknown, i) => pick(i.zh, i.en) },
            { title: s('routedTo'), render: (_: unknown, i) => pick(i.unitZh, i.unitEn) },
            { title: s('asSteps'), render: (_: unknown, i) => i.steps.map((st) => pick(st.zh, st.en)).join(' → ') },
            ...(mode === 'portal'
              ? [{ title: '', render: (_: unknown, i: { id: string }) => <Button onClick={() => setAsking(i.id)}>{s('asAsk')}</Button> }]
              : []),
          ]}
        />
      )}
      {mode !== 'public' && <Cases key={tick} title={mode === 'portal' ? s('asMine') : s('asQueue')} />}
      {asking && (
        <Modal
          open
          title={s('asAsk')}
          okText={s('confirm')}
          onCancel={() => setAsking(null)}
          onOk={async () => {
            setError(undefined);
            try {
              await assistanceApi.ask({ item: asking, ...(note.trim() ? { note } : {}) });
              message.success(s('asAsked'));
              setAsking(null);
              setNote('');
              setTick((n) => n + 1);
            } catch (e) {
              setError(e);
              setAsking(null);
            }
          }}
        >
          <Form layout="vertical">
            <Form.Item label={s('asNote')} htmlFor="as-note">
              <Input.TextArea id="as-note" rows={3} value={note} onChange={(e) => setNote(e.target.value)} />
            </Form.Item>
          </Form>
        </Modal>
      )}
    </>
  );
}
