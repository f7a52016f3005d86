/**
 * 招商线索 /work/leads (issue 13, measure 15): the leads by stage (接洽 → 考察 → 签约 → 落地, from the rules file via
 * the base map), each with its first reporter and the owner of every stage; a later report of the same project is
 * shown under the first (linked, not counted). 区商务局 moves a lead to the next stage with its owner and sets a
 * landed lead's first-reporter reward; other departments' reviewers and the auditor read (lead.read).
 */
import { App, Button, Card, Col, Empty, Form, Input, InputNumber, Modal, Row, Space, Tag, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { investmentApi, type Lead } from '../../api/investment';
import { describeError } from '../../api/problem';
import { useAuth } from '../../auth/auth';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageTitle } from '../../components/PageTitle';
import { useI18n } from '../../i18n';
import { formatDateTime } from '../../lib/dates';
import { useAsync } from '../../lib/useAsync';

/** The unit that keeps leads (investment-map.yaml leads.owner); the server refuses others, this only hides buttons. */
const LEAD_KEEPER = 'commerce-bureau';

export default function LeadBoard() {
  const { t, pick, money, lang } = useI18n();
  const { user } = useAuth();
  const { message } = App.useApp();
  const keeper = user?.role === 'departmentReviewer' && user.departmentId === LEAD_KEEPER;
  const data = useAsync(async () => {
    const [base, leads] = await Promise.all([investmentApi.base(), investmentApi.leads({ duplicates: 'true' })]);
    return { base, leads: leads.items };
  }, []);
  const [moving, setMoving] = useState<Lead>();
  const [rewarding, setRewarding] = useState<Lead>();
  const [moveForm] = Form.useForm<{ owner: string; note?: string }>();
  const [rewardForm] = Form.useForm<{ amountYuan: number; note: string }>();

  const stages = data.data?.base.leadStages ?? [];
  const stageName = (id: string) => {
    const s = stages.find((x) => x.id === id);
    return s ? pick(s.zh, s.en) : id;
  };
  const sourceName = (id: string) => {
    const s = data.data?.base.leadSources.find((x) => x.id === id);
    return s ? pick(s.zh, s.en) : id;
  };
  const nextStage = (l: Lead) => stages[stages.findIndex((s) => s.id === l.stage) + 1];
  const { firsts, dupsOf } = useMemo(() => {
    const all = data.data?.leads ?? [];
    const dupsOf = new Map<number, Lead[]>();
    for (const l of all) if (l.duplicateOf) dupsOf.set(l.duplicateOf, [...(dupsOf.get(l.duplicateOf) ?? []), l]);
    return { firsts: all.filter((l) => !l.duplicateOf), dupsOf };
  }, [data.data]);

  async function move() {
    if (!moving) return;
    const to = nextStage(moving);
    const v = await moveForm.validateFields();
    try {
      await investmentApi.advance(moving.id, { to: to.id, owner: v.owner.trim(), note: v.note?.trim() || undefined, expectedVersion: moving.version });
      message.success(t('inv.moved', { id: moving.id, stage: pick(to.zh, to.en) }));
      setMoving(undefined);
      data.reload();
    } catch (e) {
      message.error(describeError(e, lang));
    }
  }

  async function reward() {
    if (!rewarding) return;
    const v = await rewardForm.validateFields();
    try {
      await investmentApi.reward(rewarding.id, { amountFen: Math.round(v.amountYuan * 100), note: v.note.trim() });
      message.success(t('inv.rewardSaved'));
      setRewarding(undefined);
      data.reload();
    } catch (e) {
      message.error(describeError(e, lang));
    }
  }

  if (data.error) return <ErrorAlert error={data.error} onRetry={data.reload} />;

  const card = (l: Lead) => {
    const next = nextStage(l);
    const dups = dupsOf.get(l.id) ?? [];
    return (
      <Card key={l.id} size="small" id={`lead-${l.id}`} data-testid="inv-lead" style={{ marginBottom: 8 }} title={<span style={{ whiteSpace: 'normal' }}>#{l.id} {l.projectName}</span>}>
        <Typography.Paragraph style={{ marginBottom: 4 }}>{l.enterpriseName}</Typography.Paragraph>
        <Space wrap size={4}>
          <Tag>{money(l.amountFen)}</Tag>
          <Tag color="blue">{sourceName(l.source)}</Tag>
        </Space>
        <Typography.Paragraph type="secondary" style={{ margin: '4px 0' }}>
          {t('inv.firstReporter')}：{l.firstReporter} · {formatDateTime(l.reportedAt)}
        </Typography.Paragraph>
        <div>
          {stages
            .filter((s) => l.owners[s.id])
            .map((s) => (
              <div key={s.id}>
                <Typography.Text type="secondary">{pick(s.zh, s.en)}：</Typography.Text>
                {l.owners[s.id]}
              </div>
            ))}
        </div>
        {l.reward && (
          <div style={{ marginTop: 4 }}>
            {l.reward.status === 'set' ? (
              <Tag color="success">{t('inv.rewardSet', { amount: money(l.reward.amountFen) })}</Tag>
            ) : (
              <Tag color="warning">{t('inv.rewardProposed')}</Tag>
            )}
          </div>
        )}
        {dups.length > 0 && (
          <div style={{ marginTop: 4 }}>
            {dups.map((d) => (
              <div key={d.id} data-testid="inv-duplicate">
                <Tag color="default">{t('inv.duplicate')}</Tag> #{d.id} {d.firstReporter}（{sourceName(d.source)}，{formatDateTime(d.reportedAt)}）
              </div>
            ))}
          </div>
        )}
        {keeper && (
          <Space wrap style={{ marginTop: 8 }}>
            {next && (
              <Button
                size="small"
                type="primary"
                onClick={() => {
                  moveForm.setFieldsValue({ owner: l.owners[l.stage] ?? '', note: '' });
                  setMoving(l);
                }}
              >
                {t('inv.moveTo', { stage: pick(next.zh, next.en) })}
              </Button>
            )}
            {l.reward?.status === 'proposed' && (
              <Button size="small" onClick={() => setRewarding(l)}>
                {t('inv.setReward')}
              </Button>
            )}
          </Space>
        )}
      </Card>
    );
  };

  return (
    <div>
      <PageTitle title={t('inv.leadsTitle')} sub={keeper ? t('inv.leadsSubKeeper') : t('inv.leadsSubReader')} />
      <Row gutter={12}>
        {stages.map((s) => {
          const here = firsts.filter((l) => l.stage === s.id);
          return (
            <Col key={s.id} xs={24} sm={12} xl={6}>
              <Card size="small" title={`${pick(s.zh, s.en)}（${here.length}）`} data-testid={`inv-stage-${s.id}`} styles={{ body: { background: '#fafafa' } }}>
                {here.length ? here.map(card) : <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} />}
              </Card>
            </Col>
          );
        })}
      </Row>
      <Modal
        open={!!moving}
        title={moving ? t('inv.moveTitle', { id: moving.id, stage: stageName(nextStage(moving)?.id ?? '') }) : ''}
        onOk={move}
        onCancel={() => setMoving(undefined)}
        okText={t('inv.move')}
        destroyOnHidden
        forceRender
      >
        <Form form={moveForm} layout="vertical">
          <Form.Item name="owner" label={t('inv.stageOwner')} rules={[{ required: true, whitespace: true, message: t('inv.required') }]}>
            <Input maxLength={200} />
          </Form.Item>
          <Form.Item name="note" label={t('inv.note')}>
            <Input.TextArea maxLength={1000} rows={2} />
          </Form.Item>
        </Form>
      </Modal>
      <Modal open={!!rewarding} title={t('inv.setReward')} onOk={reward} onCancel={() => setRewarding(undefined)} okText={t('inv.save')} destroyOnHidden forceRender>
        <Typography.Paragraph type="secondary">{t('inv.rewardHint')}</Typography.Paragraph>
        <Form form={rewardForm} layout="vertical">
          <Form.Item name="amountYuan" label={t('inv.rewardAmount')} rules={[{ required: true, type: 'number', min: 0, message: t('inv.nonNegative') }]}>
            <InputNumber min={0} precision={2} style={{ width: '100%' }} suffix={t('inv.yuan')} />
          </Form.Item>
          <Form.Item name="note" label={t('inv.rewardBasis')} rules={[{ required: true, whitespace: true, message: t('inv.required') }]}>
            <Input.TextArea maxLength={1000} rows={2} />
          </Form.Item>
        </Form>
      </Modal>
    </div>
  );
}
