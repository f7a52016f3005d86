/**
 * 综合金融服务平台: an enterprise posts a need and follows the matches with their reasons and the banks' answers
 * (/portal/financing); a bank branch answers the needs matched to its products and records loans (/bank); 金融办 and the
 * auditor see the pipeline, the amount granted against the policy's target, and keep the products (/work/financing).
 */
import { App, Button, Card, Checkbox, Col, Form, Input, InputNumber, List, Modal, Progress, Row, Select, Space, Statistic, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { financingApi } from '../../api/client';
import type { FinancingMatch, FinancingNeed } from '../../api/types';
import { useAuth } from '../../auth/auth';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageTitle } from '../../components/PageTitle';
import { formatMoney, parseMoneyToFen } from '../../lib/money';
import { todayShanghai } from '../../lib/dates';
import { useAsync } from '../../lib/useAsync';
import { useFormSubmit } from '../../lib/useFormSubmit';
import { useSdText, type SdKey } from './text';

const SECURITIES = ['credit', 'collateral', 'pledge', 'guarantee'] as const;
const KINDS = [['talentLoan', '人才贷'], ['creditLoan', '信用贷'], ['workingCapital', '流动资金贷款'], ['techLoan', '科技贷'], ['mortgageLoan', '抵押贷款']] as const;
const STATUS_COLOR = { pending: 'gold', interested: 'blue', declined: 'default', granted: 'green' } as const;

function MatchList({ need, bank, onChanged }: { need: FinancingNeed; bank: boolean; onChanged: () => void }) {
  const s = useSdText();
  const { message } = App.useApp();
  const [granting, setGranting] = useState<FinancingMatch | null>(null);
  const [error, setError] = useState<unknown>();
  const [form] = Form.useForm<{ amount: string; grantedOn: string; note?: string }>();
  const { busy, error: grantError, submit } = useFormSubmit(form, { grantedFen: 'amount' });
  const respond = async (m: FinancingMatch, status: 'interested' | 'declined') => {
    setError(undefined);
    try {
      await financingApi.respond(m.id, { status });
      message.success(s('done'));
      onChanged();
    } catch (e) {
      setError(e);
    }
  };
  if (!need.matches.length) return <Typography.Text type="secondary">{s('fnNoMatch')}</Typography.Text>;
  return (
    <>
      <ErrorAlert error={error} />
      <List
        size="small"
        dataSource={need.matches}
        renderItem={(m) => (
          <List.Item
            actions={
              bank && m.status !== 'granted'
                ? [
                    <Button key="i" size="small" onClick={() => respond(m, 'interested')}>{s('fnInterested')}</Button>,
                    <Button key="d" size="small" onClick={() => respond(m, 'declined')}>{s('fnDecline')}</Button>,
                    <Button key="g" size="small" type="primary" onClick={() => setGranting(m)}>{s('fnGrant')}</Button>,
                  ]
                : []
            }
          >
            <List.Item.Meta
              title={
                <Space wrap>
                  {m.bankName} · {m.productName}（{m.kindZh}）<Tag color={STATUS_COLOR[m.status]}>{s(`fn_${m.status}`)}</Tag>
                  {m.grantedFen !== null && `${formatMoney(m.grantedFen)} · ${m.grantedOn}`}
                </Space>
              }
              description={m.reasons.map((r) => r.zh).join('；') + (m.note ? `。${m.note}` : '')}
            />
          </List.Item>
        )}
      />
      {granting && (
        <Modal open title={s('fnGrant')} okText={s('confirm')} confirmLoading={busy} onCancel={() => setGranting(null)} onOk={() => submit(async (v) => {
          await financingApi.respond(granting.id, { status: 'granted', grantedFen: parseMoneyToFen(v.amount, 'wan'), grantedOn: v.grantedOn, note: v.note });
          setGranting(null);
          message.success(s('done'));
          onChanged();
        })}>
          <ErrorAlert error={grantError} />
          <Form form={form} layout="vertical" initialValues={{ grantedOn: todayShanghai() }}>
            <Form.Item name="amount" label={s('fnGrantedFen')} rules={[{ required: true, message: s('fnGrantedFen') }]}>
              <Input style={{ width: 200 }} />
            </Form.Item>
            <Form.Item name="grantedOn" label={s('fnGrantedOn')} rules={[{ required: true, pattern: /^\d{4}-\d{2}-\d{2}$/, message: 'YYYY-MM-DD' }]}>
              <Input style={{ width: 160 }} />
            </Form.Item>
            <Form.Item name="note" label={s('reason')}>
              <Input.TextArea rows={2} />
            </Form.Item>
          </Form>
        </Modal>
      )}
    </>
  );
}

function Needs({ bank }: { bank: boolean }) {
  const s = useSdText();
  const list = useAsync(() => financingApi.needs(), []);
  return (
    <>
      <ErrorAlert error={list.error} onRetry={list.reload} />
      {(list.data?.items ?? []).map((n) => (
        <Card key={n.id} size="small" style={{ marginBottom: 12 }} title={`#${n.id} ${n.enterpriseName} · ${formatMoney(n.amountFen)} · ${n.termMonths}个月 · ${s(`sec_${n.security}` as SdKey)}${n.urgency === 'urgent' ? ' · ' + s('fnUrgent') : ''}`}>
          <Typography.Paragraph>{n.purpose}（{n.postedOn}）</Typography.Paragraph>
          <MatchList need={n} bank={bank} onChanged={list.reload} />
        </Card>
      ))}
    </>
  );
}

function PostNeed({ onPosted }: { onPosted: () => void }) {
  const s = useSdText();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ amount: string; termMonths: number; purpose: string; security: string; urgent?: boolean }>();
  const { busy, error, submit } = useFormSubmit(form, { amountFen: 'amount' });
  return (
    <Card title={s('fnPost')} style={{ marginBottom: 16 }}>
      <ErrorAlert error={error} />
      <Form form={form} layout="vertical" onFinish={() => submit(async (v) => {
        const n = await financingApi.post({ amountFen: parseMoneyToFen(v.amount, 'wan'), termMonths: v.termMonths, purpose: v.purpose, security: v.security, urgency: v.urgent ? 'urgent' : 'normal' });
        message.success(s('fnPosted', { n: n.matches.length }));
        form.resetFields();
        onPosted();
      })}>
        <Space wrap align="start">
          <Form.Item name="amount" label={s('fnAmount')} rules={[{ required: true, message: s('fnAmount') }]}>
            <Input style={{ width: 160 }} />
          </Form.Item>
          <Form.Item name="termMonths" label={s('fnTerm')} rules={[{ required: true, message: s('fnTerm') }]}>
            <InputNumber min={1} max={360} />
          </Form.Item>
          <Form.Item name="security" label={s('fnSecurity')} rules={[{ required: true, message: s('fnSecurity') }]}>
            <Select style={{ width: 140 }} options={SECURITIES.map((x) => ({ value: x, label: s(`sec_${x}`) }))} />
          </Form.Item>
          <Form.Item name="urgent" valuePropName="checked" label={s('fnUrgent')}>
            <Checkbox />
          </Form.Item>
        </Space>
        <Form.Item name="purpose" label={s('fnPurpose')} rules={[{ required: true, whitespace: true, message: s('fnPurpose') }]}>
          <Input.TextArea rows={2} maxLength={500} />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={busy}>
          {s('submit')}
        </Button>
      </Form>
    </Card>
  );
}

function Office() {
  const s = useSdText();
  const { user } = useAuth();
  const { message } = App.useApp();
  const pipe = useAsync(() => financingApi.pipeline(), []);
  const products = useAsync(() => financingApi.products(), []);
  const banks = useAsync(() => (user?.role === 'departmentReviewer' ? financingApi.banks() : Promise.resolve({ items: [] })), [user?.role]);
  const [adding, setAdding] = useState(false);
  const [form] = Form.useForm<{ bankUserId: number; name: string; kind: string; min: string; max: string; maxTermMonths: number; securities: string[] }>();
  const { busy, error, submit } = useFormSubmit(form, { minFen: 'min', maxFen: 'max' });
  const p = pipe.data;
  return (
    <>
      <ErrorAlert error={pipe.error ?? products.error} />
      {p && (
        <Row gutter={[16, 16]} style={{ marginBottom: 16 }}>
          <Col xs={12} md={6}><Card><Statistic title={s('fnMine')} value={p.needs} /></Card></Col>
          <Col xs={12} md={6}><Card><Statistic title={s('fn_pending')} value={p.matches.pending + p.matches.interested} /></Card></Col>
          <Col xs={12} md={6}><Card><Statistic title={s('fnGranted')} value={formatMoney(p.grantedFen)} /></Card></Col>
          <Col xs={24} md={6}>
            <Card>
              <Typography.Text type="secondary">{s('fnTarget')}：{p.target?.title}</Typography.Text>
              <Progress percent={Math.min(100, p.target?.progressPercent ?? 0)} format={() => `${p.target?.progressPercent ?? 0}%`} data-testid="fn-target" />
            </Card>
          </Col>
        </Row>
      )}
      <Card title={s('fnProducts')} extra={user?.role === 'departmentReviewer' && <Button onClick={() => setAdding(true)}>{s('fnAddProduct')}</Button>} style={{ marginBottom: 16 }}>
        <Table
          rowKey="id"
          size="small"
          pagination={false}
          dataSource={products.data?.items ?? []}
          columns={[
            { title: s('fnBank'), dataIndex: 'bankName' },
            { title: s('fnProductName'), dataIndex: 'name' },
            { title: s('fnKind'), dataIndex: 'kindZh' },
            { title: s('fnAmount'), render: (_: unknown, r) => `${formatMoney(r.minFen)} – ${formatMoney(r.maxFen)}` },
            { title: s('fnMaxTerm'), dataIndex: 'maxTermMonths' },
            { title: s('fnSecurity'), render: (_: unknown, r) => r.securities.map((x) => s(`sec_${x}` as SdKey)).join('、') },
          ]}
        />
      </Card>
      <Needs bank={false} />
      {adding && (
        <Modal open title={s('fnAddProduct')} okText={s('confirm')} confirmLoading={busy} onCancel={() => setAdding(false)} onOk={() => submit(async (v) => {
          await financingApi.addProduct({ bankUserId: v.bankUserId, name: v.name, kind: v.kind, minFen: parseMoneyToFen(v.min, 'wan'), maxFen: parseMoneyToFen(v.max, 'wan'), maxTermMonths: v.maxTermMonths, securities: v.securities });
          setAdding(false);
          message.success(s('done'));
          products.reload();
        })}>
          <ErrorAlert error={error} />
          <Form form={form} layout="vertical">
            <Form.Item name="bankUserId" label={s('fnBank')} rules={[{ required: true, message: s('fnBank') }]}>
              <Select options={(banks.data?.items ?? []).map((b) => ({ value: b.id, label: b.name }))} />
            </Form.Item>
            <Form.Item name="name" label={s('fnProductName')} rules={[{ required: true, message: s('fnProductName') }]}><Input /></Form.Item>
            <Form.Item name="kind" label={s('fnKind')} rules={[{ required: true, message: s('fnKind') }]}>
              <Select options={KINDS.map(([v, l]) => ({ value: v, label: l }))} />
            </Form.Item>
            <Space wrap>
              <Form.Item name="min" label={s('fnMin')} rules={[{ required: true, message: s('fnMin') }]}><Input style={{ width: 140 }} /></Form.Item>
              <Form.Item name="max" label={s('fnMax')} rules={[{ required: true, message: s('fnMax') }]}><Input style={{ width: 140 }} /></Form.Item>
              <Form.Item name="maxTermMonths" label={s('fnMaxTerm')} rules={[{ required: true, message: s('fnMaxTerm') }]}><InputNumber min={1} max={360} /></Form.Item>
            </Space>
            <Form.Item name="securities" label={s('fnSecurity')} rules={[{ required: true, message: s('fnSecurity') }]}>
              <Select mode="multiple" options={SECURITIES.map((x) => ({ value: x, label: s(`sec_${x}`) }))} />
            </Form.Item>
          </Form>
        </Modal>
      )}
    </>
  );
}

export default function Financing({ mode }: { mode: 'portal' | 'bank' | 'work' }) {
  const s = useSdText();
  const [tick, setTick] = useState(0);
  return (
    <>
      <PageTitle title={mode === 'portal' ? s('fnMine') : mode === 'bank' ? s('fnBankQueue') : s('fnPipeline')} />
      {mode === 'portal' && (
        <>
          <PostNeed onPosted={() => setTick((n) => n + 1)} />
          <Needs key={tick} bank={false} />
        </>
      )}
      {mode === 'bank' && <Needs bank />}
      {mode === 'work' && <Office />}
    </>
  );
}
