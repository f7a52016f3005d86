import { AuditOutlined, CheckCircleOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Descriptions, Flex, Form, Input, List, Modal, Progress, Space, Table, Tag, Typography } from 'antd';
import type { FormInstance } from 'antd';
import { useState } from 'react';
import { api } from '../api/client';
import type { ClaimCorrections, ClaimState, Recovery } from '../api/types';
import { useI18n } from '../i18n';
import { formatDate, formatDateTime, todayShanghai } from '../lib/dates';
import type { MoneyValue } from '../lib/factForm';
import { showFieldErrors } from '../lib/formErrors';
import { MoneyInputError, parseMoneyToFen } from '../lib/money';
import { useAsync } from '../lib/useAsync';
import { useFormSubmit } from '../lib/useFormSubmit';
import { ErrorAlert } from './ErrorAlert';
import { CivilDateInput } from './FactField';
import { MoneyInput } from './MoneyInput';
import { StateTag } from './Tags';

/**
 * The claim's own ledger in the case view (award, corrections, outstanding, payment) and, for the lead department of
 * its measure, 更正: a reversal before payment (the whole outstanding award) or a clawback after it (up to what is
 * outstanding), confirmed on a before/after view of the ledger and the claim's state. Below it, the follow-up of every
 * clawback (应追回 / 已到账 / 尚欠, overdue) with the department's 登记到账. The server decides what may be done
 * (GET /api/claims/:id/corrections); a reader without the ledger (an area reviewer) sees nothing here.
 */
export function CorrectionsPanel({ claimId, onChanged }: { claimId: number; onChanged: () => void }) {
  const { t, money } = useI18n();
  const res = useAsync(() => api.claimCorrections(claimId), [claimId]);
  const [correcting, setCorrecting] = useState(false);
  const [receiving, setReceiving] = useState<Recovery | null>(null);
  const d = res.data;
  if (!d || d.awardFen === null) return null;
  const earlier = d.corrections.reduce((s, c) => s + c.amountFen, 0);
  const changed = () => {
    res.reload();
    onChanged();
  };

  return (
    <Card
      size="small"
      title={t('corr.title')}
      className="kf-corrections"
      extra={
        d.allowedKind ? (
          <Button size="small" danger icon={<AuditOutlined />} onClick={() => setCorrecting(true)}>
            {t('corr.action')}
          </Button>
        ) : undefined
      }
    >
      <Descriptions size="small" column={1} bordered className="kf-claim-ledger">
        <Descriptions.Item label={t('corr.award')}>{money(d.awardFen)}</Descriptions.Item>
        <Descriptions.Item label={t('corr.earlier')}>
          {d.corrections.length ? (
            <Flex vertical gap={4}>
              {d.corrections.map((c) => (
                <div key={c.id}>
                  <Tag color={c.kind === 'reversal' ? 'orange' : 'red'}>{t(`ledger.${c.kind}`)}</Tag>
                  <Typography.Text strong>{money(c.amountFen)}</Typography.Text>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {' '}
                    · {formatDateTime(c.at)}
                    {c.by ? ` · ${c.by}` : ''}
                  </Typography.Text>
                  {c.reason && <div style={{ fontSize: 12 }}>{c.reason}</div>}
                </div>
              ))}
            </Flex>
          ) : (
            t('corr.none')
          )}
        </Descriptions.Item>
        {d.payment && (
          <Descriptions.Item label={t('corr.paid')}>
            {money(d.payment.amountFen)} · {formatDate(d.payment.paidOn)} · {d.payment.voucherNo}
          </Descriptions.Item>
        )}
        <Descriptions.Item label={t('corr.outstanding')}>
          <Typography.Text strong className="kf-outstanding">
            {money(d.outstandingFen)}
          </Typography.Text>
          {earlier !== 0 && <Typography.Text type="secondary"> （{money(d.awardFen)} − {money(-earlier)}）</Typography.Text>}
        </Descriptions.Item>
      </Descriptions>

      {d.recoveries.length > 0 && (
        <div className="kf-recoveries" style={{ marginTop: 12 }}>
          <Typography.Title level={5} style={{ marginTop: 0 }}>
            {t('rec.caseTitle')}
          </Typography.Title>
          {d.recoveries.map((r) => (
            <RecoveryBlock key={r.id} r={r} mayRecord={d.mayRecordRecovery} onRecord={() => setReceiving(r)} />
          ))}
          <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginBottom: 0 }}>
            {t('rec.notLedger')}
          </Typography.Paragraph>
        </div>
      )}

      {correcting && d.allowedKind && (
        <CorrectionDialog
          d={d}
          onClose={() => setCorrecting(false)}
          onDone={() => {
            setCorrecting(false);
            changed();
          }}
        />
      )}
      {receiving && (
        <ReceiptDialog
          r={receiving}
          onClose={() => setReceiving(null)}
          onDone={() => {
            setReceiving(null);
            changed();
          }}
        />
      )}
    </Card>
  );
}

/** One recovery: due, recovered, outstanding, deadline and age, the receipts so far. */
export function RecoveryBlock({ r, mayRecord, onRecord }: { r: Recovery; mayRecord: boolean; onRecord: () => void }) {
  const { t, money } = useI18n();
  return (
    <div className="kf-recovery" data-recovery={r.id} style={{ border: '1px solid #f0f0f0', borderRadius: 6, padding: 8, marginBottom: 8 }}>
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Space size={4} wrap>
          {r.status === 'settled' ? <Tag color="green" icon={<CheckCircleOutlined />}>{t('rec.settled')}</Tag> : <Tag color="orange">{t('rec.open')}</Tag>}
          {r.overdueDays > 0 && <Tag color="red">{t('rec.overdue', { days: r.overdueDays })}</Tag>}
        </Space>
        {mayRecord && r.status === 'open' && (
          <Button size="small" type="primary" onClick={onRecord}>
            {t('rec.record')}
          </Button>
        )}
      </Flex>
      <Descriptions size="small" column={2} style={{ marginTop: 6 }} className="kf-recovery-amounts">
        <Descriptions.Item label={t('rec.due')}>{money(r.dueFen)}</Descriptions.Item>
        <Descriptions.Item label={t('rec.recovered')}>{money(r.recoveredFen)}</Descriptions.Item>
        <Descriptions.Item label={t('rec.outstanding')}>
          <Typography.Text strong type={r.outstandingFen > 0 ? 'danger' : 'success'} className="kf-recovery-outstanding">
            {money(r.outstandingFen)}
          </Typography.Text>
        </Descriptions.Item>
        <Descriptions.Item label={t('rec.clawedBackOn')}>{formatDate(r.clawedBackOn)}</Descriptions.Item>
        <Descriptions.Item label={t('rec.dueOn')}>{r.dueOn ? formatDate(r.dueOn) : t('rec.noDeadline')}</Descriptions.Item>
        <Descriptions.Item label={t('rec.age')}>{r.ageDays}</Descriptions.Item>
      </Descriptions>
      <Progress percent={Math.floor((r.recoveredFen / r.dueFen) * 100)} size="small" status={r.status === 'settled' ? 'success' : 'active'} showInfo={false} />
      {r.receipts.length > 0 ? (
        <List
          size="small"
          header={<Typography.Text type="secondary">{t('rec.receipts')}</Typography.Text>}
          dataSource={r.receipts}
          rowKey="id"
          renderItem={(x) => (
            <List.Item style={{ paddingInline: 0 }}>
              <span>
                {formatDate(x.receivedOn)} · <Typography.Text strong>{money(x.amountFen)}</Typography.Text> · {x.reference}
                {x.note ? ` · ${x.note}` : ''}
              </span>
              {x.recordedBy && <Typography.Text type="secondary" style={{ fontSize: 12 }}>{x.recordedBy}</Typography.Text>}
            </List.Item>
          )}
        />
      ) : (
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t('rec.noReceipts')}
        </Typography.Text>
      )}
    </div>
  );
}

/** The amount typed (万元 or 元) as integer fen, or a message beside the field; `max`: at most this much. */
function amountOf(form: FormInstance, v: MoneyValue | undefined, max: number, tooMuch: string, lang: 'zh' | 'en'): number | null {
  try {
    const fen = parseMoneyToFen(v?.amount ?? '', v?.unit ?? 'wan');
    if (fen <= 0) throw new MoneyInputError('negative', '金额应大于零', 'the amount must be above zero');
    if (fen > max) {
      showFieldErrors(form, [{ name: ['amount'], messageZh: tooMuch, messageEn: tooMuch }], lang);
      return null;
    }
    return fen;
  } catch (e) {
    if (e instanceof MoneyInputError) {
      showFieldErrors(form, [{ name: ['amount'], messageZh: e.messageZh, messageEn: e.messageEn }], lang);
      return null;
    }
    throw e;
  }
}

/** 更正: the form, then the ledger before and after, then the correction itself. */
function CorrectionDialog({ d, onClose, onDone }: { d: ClaimCorrections; onClose: () => void; onDone: () => void }) {
  const { t, lang, money } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ amount?: MoneyValue; reason: string; dueOn?: string }>();
  const { busy, error, setError, submit } = useFormSubmit(form, { amountFen: 'amount' });
  const [step, setStep] = useState<'form' | 'confirm'>('form');
  const [amountFen, setAmountFen] = useState(0);
  const kind = d.allowedKind!;
  const clawback = kind === 'clawback';
  const earlier = d.corrections.reduce((s, c) => s + c.amountFen, 0);

  const next = async () => {
    setError(undefined);
    let v;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    const fen = clawback ? amountOf(form as FormInstance, v.amount, d.maxFen, t('corr.amountTooMuch', { amount: money(d.maxFen) }), lang) : d.outstandingFen;
    if (fen === null) return;
    setAmountFen(fen);
    setStep('confirm');
  };

  const confirm = () =>
    submit(async (v) => {
      try {
        await api.correct(d.claimId, { kind, reason: v.reason.trim(), ...(clawback ? { amountFen, ...(v.dueOn ? { dueOn: v.dueOn } : {}) } : {}) });
      } catch (e) {
        // the fields (kept mounted) get the server's messages beside them: back to the form to read them
        setStep('form');
        throw e;
      }
      message.success(t('corr.done'));
      onDone();
    });

  const rows: Array<{ key: string; label: string; before: React.ReactNode; after: React.ReactNode }> = [
    { key: 'award', label: t('corr.award'), before: money(d.awardFen), after: money(d.awardFen) },
    { key: 'earlier', label: t('corr.earlier'), before: money(earlier), after: money(earlier) },
    { key: 'this', label: t('corr.thisCorrection'), before: '—', after: <Typography.Text type="danger">{money(-amountFen)}</Typography.Text> },
    { key: 'outstanding', label: t('corr.outstanding'), before: money(d.outstandingFen), after: <Typography.Text strong>{money(d.outstandingFen - amountFen)}</Typography.Text> },
    { key: 'state', label: t('corr.state'), before: <StateTag state={d.state} />, after: <StateTag state={(d.stateAfter ?? d.state) as ClaimState} /> },
    ...(clawback ? [{ key: 'recovery', label: t('corr.recoveryOpened'), before: money(d.recoveryTotals.outstandingFen), after: money(d.recoveryTotals.outstandingFen + amountFen) }] : []),
  ];

  return (
    <Modal
      open
      title={`${t('corr.action')} · ${t(clawback ? 'corr.clawback' : 'corr.reversal')}`}
      onCancel={onClose}
      destroyOnHidden
      width={620}
      footer={
        step === 'form' ? (
          <Space>
            <Button onClick={onClose}>{t('common.cancel')}</Button>
            <Button type="primary" onClick={next}>
              {t('corr.next')}
            </Button>
          </Space>
        ) : (
          <Space>
            <Button onClick={() => setStep('form')}>{t('corr.back')}</Button>
            <Button type="primary" danger loading={busy} onClick={confirm}>
              {t('corr.confirm')}
            </Button>
          </Space>
        )
      }
    >
      <ErrorAlert error={error} />
      <div style={{ display: step === 'form' ? 'block' : 'none' }}>
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 12 }}
          title={clawback ? t('corr.clawbackWhat', { amount: money(d.maxFen) }) : t('corr.reversalWhat', { amount: money(d.outstandingFen) })}
        />
        <Form form={form} layout="vertical" preserve={false} onFinish={next}>
          {clawback && (
            <Form.Item name="amount" label={t('corr.amount')} rules={[{ required: true, message: t('corr.amountRequired') }]} extra={`${t('corr.outstanding')}：${money(d.maxFen)}`}>
              <MoneyInput />
            </Form.Item>
          )}
          <Form.Item name="reason" label={t('corr.reason')} rules={[{ required: true, whitespace: true, message: t('corr.reasonRequired') }]}>
            <Input.TextArea rows={3} maxLength={2000} showCount placeholder={t('corr.reasonPh')} />
          </Form.Item>
          {clawback && (
            <Form.Item name="dueOn" label={t('corr.dueOn')}>
              <CivilDateInput />
            </Form.Item>
          )}
        </Form>
      </div>
      {step === 'confirm' && (
        <div className="kf-correction-confirm">
          <Typography.Title level={5} style={{ marginTop: 0 }}>
            {t('corr.confirmTitle')}
          </Typography.Title>
          <Table
            size="small"
            pagination={false}
            rowKey="key"
            dataSource={rows}
            columns={[
              { title: '', dataIndex: 'label', width: 140 },
              { title: t('corr.before'), dataIndex: 'before', align: 'right' },
              { title: t('corr.after'), dataIndex: 'after', align: 'right' },
            ]}
          />
          <Typography.Paragraph type="secondary" style={{ marginTop: 12, marginBottom: 0 }}>
            {t('corr.reason')}：{form.getFieldValue('reason')}
            <br />
            {t('corr.irreversible')}
          </Typography.Paragraph>
        </div>
      )}
    </Modal>
  );
}

/** 登记到账: amount (≤ outstanding), the day it arrived, the document that proves it. */
export function ReceiptDialog({ r, onClose, onDone }: { r: Recovery; onClose: () => void; onDone: (after: Recovery) => void }) {
  const { t, lang, money } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ amount?: MoneyValue; receivedOn: string; reference: string; note?: string }>();
  const { busy, error, submit } = useFormSubmit(form, { amountFen: 'amount' });
  const save = () =>
    submit(async (v) => {
      const fen = amountOf(form as FormInstance, v.amount, r.outstandingFen, t('rec.amountTooMuch', { amount: money(r.outstandingFen) }), lang);
      if (fen === null) return;
      const after = await api.recordRecovery(r.id, { amountFen: fen, receivedOn: v.receivedOn, reference: v.reference.trim(), ...(v.note?.trim() ? { note: v.note.trim() } : {}) });
      message.success(t('rec.recordedOk', { amount: money(after.outstandingFen) }));
      onDone(after);
    });
  return (
    <Modal open title={t('rec.recordTitle', { id: r.claimId })} onCancel={onClose} onOk={save} okText={t('rec.record')} cancelText={t('common.cancel')} okButtonProps={{ loading: busy }} destroyOnHidden>
      <ErrorAlert error={error} />
      <Typography.Paragraph>
        {r.enterpriseName} · {t('rec.due')} {money(r.dueFen)} · {t('rec.recovered')} {money(r.recoveredFen)} · {t('rec.outstanding')}{' '}
        <Typography.Text strong>{money(r.outstandingFen)}</Typography.Text>
      </Typography.Paragraph>
      <Form form={form} layout="vertical" preserve={false} onFinish={save} initialValues={{ receivedOn: todayShanghai() }}>
        <Form.Item name="amount" label={t('rec.amount')} rules={[{ required: true, message: t('rec.amountRequired') }]}>
          <MoneyInput />
        </Form.Item>
        <Form.Item name="receivedOn" label={t('rec.receivedOn')} rules={[{ required: true, message: t('rec.receivedOnRequired') }]}>
          <CivilDateInput />
        </Form.Item>
        <Form.Item name="reference" label={t('rec.reference')} rules={[{ required: true, whitespace: true, message: t('rec.referenceRequired') }]}>
          <Input maxLength={100} autoComplete="off" />
        </Form.Item>
        <Form.Item name="note" label={t('rec.note')}>
          <Input.TextArea rows={2} maxLength={1000} />
        </Form.Item>
      </Form>
      <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginBottom: 0 }}>
        {t('rec.notLedger')}
      </Typography.Paragraph>
    </Modal>
  );
}
