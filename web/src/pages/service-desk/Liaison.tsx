/**
 * 挂钩联系 (/work/liaison): the enterprises the official is liaison leader or officer of — open and overdue requests,
 * visits this period, the last visit — and for the chosen one its 走访记录 with 登记走访; the 无事不扰 rule is said
 * above the form and a visit above the number is refused beside the reason field until one is given.
 */
import { App, Button, Card, Form, Input, Modal, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { liaisonApi } from '../../api/client';
import type { LiaisonEnterprises } from '../../api/types';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageTitle } from '../../components/PageTitle';
import { todayShanghai } from '../../lib/dates';
import { useAsync } from '../../lib/useAsync';
import { useFormSubmit } from '../../lib/useFormSubmit';
import { useSdText } from './text';

type Ent = LiaisonEnterprises['items'][number];

function VisitDialog({ ent, onClose, onDone }: { ent: Ent; onClose: () => void; onDone: () => void }) {
  const s = useSdText();
  const [form] = Form.useForm<{ visitedOn: string; visitors: string; asked: string; followUps?: string; reason?: string }>();
  const { busy, error, submit } = useFormSubmit(form);
  return (
    <Modal open title={`${s('lvLog')} · ${ent.name}`} okText={s('confirm')} confirmLoading={busy} onCancel={onClose} onOk={() => submit(async (v) => {
      await liaisonApi.logVisit({ uscc: ent.uscc, ...v });
      onDone();
    })}>
      <ErrorAlert error={error} />
      <Form form={form} layout="vertical" initialValues={{ visitedOn: todayShanghai() }}>
        <Form.Item name="visitedOn" label={s('lvDate')} rules={[{ required: true, pattern: /^\d{4}-\d{2}-\d{2}$/, message: 'YYYY-MM-DD' }]}>
          <Input style={{ width: 160 }} />
        </Form.Item>
        <Form.Item name="visitors" label={s('lvVisitors')} rules={[{ required: true, whitespace: true, message: s('lvVisitors') }]}>
          <Input maxLength={200} />
        </Form.Item>
        <Form.Item name="asked" label={s('lvAsked')} rules={[{ required: true, whitespace: true, message: s('lvAsked') }]}>
          <Input.TextArea rows={3} />
        </Form.Item>
        <Form.Item name="followUps" label={s('lvFollowUps')}>
          <Input.TextArea rows={2} />
        </Form.Item>
        <Form.Item name="reason" label={s('lvReason')}>
          <Input.TextArea rows={2} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

export default function Liaison() {
  const s = useSdText();
  const { message } = App.useApp();
  const list = useAsync(() => liaisonApi.enterprises(), []);
  const [chosen, setChosen] = useState<Ent | null>(null);
  const [logging, setLogging] = useState(false);
  const visits = useAsync(() => (chosen ? liaisonApi.visits(chosen.uscc) : Promise.resolve(null)), [chosen?.uscc]);
  const rule = list.data?.rule;
  return (
    <>
      <PageTitle
        title={s('lvNav')}
        sub={rule && list.data ? s('lvRule', { period: s(`lvPeriod_${rule.period}`), n: rule.withoutReason, from: list.data.periodFrom, to: list.data.periodTo }) : undefined}
      />
      <ErrorAlert error={list.error} onRetry={list.reload} />
      <Table<Ent>
        rowKey="uscc"
        loading={list.loading}
        dataSource={list.data?.items ?? []}
        locale={{ emptyText: s('lvNone') }}
        pagination={false}
        onRow={(r) => ({ onClick: () => setChosen(r), style: { cursor: 'pointer', background: chosen?.uscc === r.uscc ? '#e6f4ff' : undefined } })}
        columns={[
          { title: s('enterprise'), dataIndex: 'name', render: (v: string) => <Typography.Link>{v}</Typography.Link> },
          { title: s('drAreas'), dataIndex: 'areaZh' },
          { title: s('lvRole'), render: (_: unknown, r) => r.kinds.map((k) => <Tag key={k}>{k === 'leader' ? s('lvLeader') : s('lvOfficer')}</Tag>) },
          { title: s('lvOpen'), render: (_: unknown, r) => (r.openRequests ? <Link to="/work/requests">{r.openRequests}</Link> : 0) },
          { title: s('lvOverdue'), render: (_: unknown, r) => <Typography.Text type={r.overdueRequests ? 'danger' : undefined}>{r.overdueRequests}</Typography.Text> },
          { title: s('lvVisits'), dataIndex: 'visitsInPeriod' },
          { title: s('lvLast'), render: (_: unknown, r) => r.lastVisit ?? '—' },
        ]}
      />
      {chosen && (
        <Card
          style={{ marginTop: 16 }}
          title={`${s('lvHistory')} · ${chosen.name}`}
          extra={
            <Button type="primary" onClick={() => setLogging(true)}>
              {s('lvLog')}
            </Button>
          }
        >
          <ErrorAlert error={visits.error} />
          <Table
            rowKey="id"
            size="small"
            loading={visits.loading}
            pagination={false}
            dataSource={visits.data?.items ?? []}
            columns={[
              { title: s('lvDate'), dataIndex: 'visitedOn', width: 110 },
              { title: s('lvVisitors'), dataIndex: 'visitors' },
              { title: s('lvAsked'), dataIndex: 'asked' },
              { title: s('lvFollowUps'), dataIndex: 'followUps' },
              { title: s('reason'), dataIndex: 'reason' },
            ]}
          />
        </Card>
      )}
      {logging && chosen && (
        <VisitDialog
          ent={chosen}
          onClose={() => setLogging(false)}
          onDone={() => {
            setLogging(false);
            message.success(s('lvSaved'));
            visits.reload();
            list.reload();
          }}
        />
      )}
    </>
  );
}
