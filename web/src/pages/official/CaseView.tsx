import { AuditOutlined, CheckOutlined, CloseOutlined, EditOutlined, PayCircleOutlined, RollbackOutlined, StopOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Col, Descriptions, Empty, Flex, Form, Grid, Input, List, Modal, Result, Row, Skeleton, Space, Steps, Tag, Timeline, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { api } from '../../api/client';
import type { ClaimAction, ClaimDetail, ClaimState, LedgerEntry, PolicyLibrary, Refusal, Review, TimelineEvent } from '../../api/types';
import { OFFICIAL_ROLES, useAuth } from '../../auth/auth';
import { ButtonLink } from '../../components/ButtonLink';
import { ErrorAlert } from '../../components/ErrorAlert';
import { EvidenceList } from '../../components/EvidenceList';
import { ExplanationView } from '../../components/ExplanationView';
import { MoneyInput } from '../../components/MoneyInput';
import { PageTitle } from '../../components/PageTitle';
import { PaymentFields } from '../../components/PaymentFields';
import { StateTag, StatusTag } from '../../components/Tags';
import { useI18n } from '../../i18n';
import type { MessageKey } from '../../i18n/messages';
import { useAreas } from '../../lib/areas';
import { formatDate, formatDateTime, todayShanghai } from '../../lib/dates';
import { displayFact } from '../../lib/factDisplay';
import { allIncentives, type MoneyValue } from '../../lib/factForm';
import { showFieldErrors } from '../../lib/formErrors';
import { useFormSubmit } from '../../lib/useFormSubmit';
import { MoneyInputError, parseMoneyToFen } from '../../lib/money';
import { useAsync, usePolicy } from '../../lib/useAsync';
import { measureLabel } from '../../lib/measures';
import { CreditAlert } from '../../components/CreditAlert';
import { CorrectionsPanel } from '../../components/CorrectionsPanel';

export default function CaseView() {
  const { id = '' } = useParams();
  const { t, pick, money } = useI18n();
  const { user } = useAuth();
  const official = !!user && OFFICIAL_ROLES.includes(user.role);
  const { data: policy } = usePolicy();
  const { areaName } = useAreas();
  const res = useAsync(() => api.claim(id), [id]);
  const d = res.data;
  const inc = useMemo(() => (policy && d ? allIncentives(policy).find((i) => i.id === d.claim.incentive) : undefined), [policy, d]);
  // on a phone the columns stack: the actions go first, not below a long explanation
  const wide = Grid.useBreakpoint().lg ?? true;

  if (res.error && !d) return <ErrorAlert error={res.error} onRetry={res.reload} />;
  if (!d) return <Skeleton active paragraph={{ rows: 12 }} />;
  const c = d.claim;
  const lastOf = (action: Review['action']) => d.reviews.filter((r) => r.action === action).at(-1);
  const listPath = official ? '/work/queue' : '/portal/claims';

  return (
    <>
      <PageTitle
        title={t('case.title', { id: c.id })}
        sub={
          <>
            {inc ? `${measureLabel(t, inc.measure)} · ` : ''}
            {inc ? pick(inc.title, inc.titleEn) : (c.incentiveTitle ?? c.incentive)}
            {c.item ? `（${c.item}）` : ''} · {d.enterprise?.name ?? c.enterpriseName ?? c.enterpriseUscc}
          </>
        }
        extra={
          <>
            <StateTag state={c.state} awaitingPublicity={c.awaitingPublicity} />
            {(user?.role === 'auditor' || user?.role === 'admin') && (
              <ButtonLink size="small" icon={<AuditOutlined />} to={`/work/audit?claim=${c.id}`}>
                {t('case.audit')}
              </ButtonLink>
            )}
            <ButtonLink size="small" to={listPath}>
              {t('case.backToList')}
            </ButtonLink>
          </>
        }
      />
      <Card size="small" style={{ marginBottom: 16 }}>
        <Progress detail={d} />
      </Card>

      {c.state === 'returned' && lastOf('return') && (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 16 }}
          title={t('case.returnedAlert', { reason: lastOf('return')!.reason ?? '—' })}
          description={!official ? t('case.returnedHint') : undefined}
          action={
            !official && d.allowedActions.some((a) => a === 'edit' || a === 'resubmit' || a === 'correct' || a === 'submit') ? (
              <ButtonLink type="primary" size="small" icon={<EditOutlined />} to={`/portal/claims/${c.id}/edit`}>
                {t('action.edit')}
              </ButtonLink>
            ) : undefined
          }
        />
      )}
      {c.state === 'rejected' && (d.refusal || lastOf('reject')) && (
        <Alert
          type="error"
          showIcon
          className="kf-refusal"
          style={{ marginBottom: 16 }}
          title={t('case.rejectedAlert', { reason: (d.refusal ? d.refusal.reason : lastOf('reject')!.reason) ?? t('case.refusedNoReason') })}
          description={d.refusal ? <RefusalBy refusal={d.refusal} /> : undefined}
        />
      )}
      {d.credit?.blocked && <CreditAlert credit={d.credit} style={{ marginBottom: 16 }} />}

      {!wide && (
        <div style={{ marginBottom: 16 }}>
          <Actions detail={d} onDone={res.reload} />
        </div>
      )}
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={16}>
          <Flex vertical gap={16}>
            <Card size="small" title={t('case.info')}>
              <Descriptions size="small" column={{ xs: 1, md: 2 }} bordered>
                <Descriptions.Item label={t('common.enterprise')}>{d.enterprise?.name ?? c.enterpriseName ?? '—'}</Descriptions.Item>
                <Descriptions.Item label={t('common.uscc')}>{c.enterpriseUscc}</Descriptions.Item>
                <Descriptions.Item label={t('common.area')}>{d.enterprise?.areaName ?? c.areaName ?? areaName(c.areaId)}</Descriptions.Item>
                <Descriptions.Item label={t('common.year')}>{c.year}</Descriptions.Item>
                <Descriptions.Item label={t('common.incentive')}>{inc ? pick(inc.title, inc.titleEn) : c.incentive}</Descriptions.Item>
                <Descriptions.Item label={t('common.item')}>{c.item || '—'}</Descriptions.Item>
                {c.amountClaimedFen !== null && c.amountClaimedFen !== undefined && <Descriptions.Item label={t('wiz.claimedAmount')}>{money(c.amountClaimedFen)}</Descriptions.Item>}
                {c.date && <Descriptions.Item label={t('calc.eventDate')}>{formatDate(c.date)}</Descriptions.Item>}
                <Descriptions.Item label={t('claims.submitted')}>{formatDateTime(c.submittedAt)}</Descriptions.Item>
                {d.decision && (
                  <Descriptions.Item label={t('case.decision', { v: '' }).trim()}>
                    {d.refusal ? <Typography.Text delete>{money(d.decision.amountFen)}</Typography.Text> : money(d.decision.amountFen)}
                    {d.refusal ? t('case.decisionReversed') : ''}
                  </Descriptions.Item>
                )}
              </Descriptions>
            </Card>
            <Card size="small" title={t('case.facts')}>
              <FactsTable facts={c.facts} policy={policy} />
            </Card>
            <Card size="small" title={t('case.evidence')}>
              {d.evidence.length ? <EvidenceList claimId={c.id} evidence={d.evidence} /> : <Typography.Text type="secondary">{t('case.noEvidence')}</Typography.Text>}
            </Card>
            {/* a refused claim: the refusal stands where the entitlement would be, never an eligible amount beside it */}
            {d.refusal && (
              <Card size="small" title={t('case.outcome')}>
                <Result status="error" className="kf-refusal-result" style={{ padding: '16px 0' }} title={t('case.refused')} subTitle={<RefusalBy refusal={d.refusal} withReason />} />
              </Card>
            )}
            {d.preview && !d.refusal && c.state !== 'rejected' && (
              <Card
                size="small"
                title={
                  <>
                    {t('case.preview')} <StatusTag status={d.preview.status} /> {d.preview.amountFen !== null && <Typography.Text strong>{money(d.preview.amountFen)}</Typography.Text>}
                  </>
                }
              >
                <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
                  {t('case.previewNote')}
                </Typography.Paragraph>
                {d.preview.explanation && <ExplanationView ent={d.preview} exp={d.preview.explanation} />}
              </Card>
            )}
          </Flex>
        </Col>
        <Col xs={24} lg={8}>
          <Flex vertical gap={16}>
            {wide && <Actions detail={d} onDone={res.reload} />}
            {/* the claim's own ledger, 更正 for its lead department, and the follow-up of its clawbacks (shown when it has an
                award and the reader may read its ledger); mounted afresh when the claim moves on */}
            <CorrectionsPanel key={`${c.id}:${c.state}:${(d.timeline ?? []).length}`} claimId={c.id} onChanged={res.reload} />
            <Card size="small" title={t('case.timeline')}>
              {d.timeline ? <HistoryTimeline events={d.timeline} /> : <CaseTimeline detail={d} />}
            </Card>
            {official && (
              <Card size="small" title={t('case.credit')}>
                {d.credit?.blocked ? <Tag color="red">{t('case.creditBlocked')}</Tag> : <Typography.Text type="success">{t('case.creditOk')}</Typography.Text>}
                {(d.credit?.entries ?? []).length > 0 && (
                  <ul style={{ margin: '8px 0 0', paddingInlineStart: 18 }}>
                    {d.credit!.entries.map((e) => (
                      <li key={e.id}>
                        {e.listName}：{e.reason}（{formatDate(e.listedOn)}
                        {e.delistedOn ? ` ~ ${formatDate(e.delistedOn)}` : ''}）
                      </li>
                    ))}
                  </ul>
                )}
              </Card>
            )}
            {(official || (d.ledger ?? []).length > 0) && (
              <Card size="small" title={t('case.ledger')}>
                {/* a role that may not read the ledger is told so: "no awards" would be a claim about the enterprise */}
                {d.ledgerReadable === false ? (
                  <Typography.Text type="secondary" className="kf-ledger-forbidden">{t('case.ledgerNotReadable')}</Typography.Text>
                ) : (
                  <LedgerTable entries={d.ledger ?? []} policy={policy} claimPath={(cid) => (official ? `/work/claims/${cid}` : `/portal/claims/${cid}`)} />
                )}
              </Card>
            )}
          </Flex>
        </Col>
      </Row>
    </>
  );
}

function FactsTable({ facts, policy }: { facts: Record<string, unknown>; policy?: PolicyLibrary }) {
  const { lang } = useI18n();
  const entries = Object.entries(facts ?? {});
  if (!entries.length) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} />;
  return (
    <Descriptions size="small" column={1} bordered styles={{ label: { width: '45%' } }}>
      {entries.map(([k, v]) => {
        const decl = policy?.facts.find((f) => f.name === k);
        return (
          <Descriptions.Item key={k} label={decl ? (lang === 'en' ? decl.labelEn : decl.label) : k}>
            {displayFact(decl, v, lang)}
          </Descriptions.Item>
        );
      })}
    </Descriptions>
  );
}

function LedgerTable({ entries, policy, claimPath }: { entries: LedgerEntry[]; policy?: PolicyLibrary; claimPath: (id: number) => string }) {
  const { t, pick, money } = useI18n();
  if (!entries.length) return <Typography.Text type="secondary">{t('case.noLedger')}</Typography.Text>;
  const title = (id: string) => {
    const i = policy ? allIncentives(policy).find((x) => x.id === id) : undefined;
    return i ? pick(i.title, i.titleEn) : id;
  };
  const color: Record<string, string> = { award: 'green', reversal: 'orange', clawback: 'red', cityAward: 'blue', payment: 'cyan' };
  // a list, not a table: it sits in the narrow column beside the case
  return (
    <List<LedgerEntry>
      size="small"
      rowKey="key"
      dataSource={entries}
      renderItem={(e) => (
        <List.Item style={{ display: 'block', paddingInline: 0 }}>
          <Flex justify="space-between" gap={8} align="baseline">
            <span>
              {e.year} · {e.incentiveTitle ?? title(e.incentive)}
              {e.item ? `（${e.item}）` : ''}
            </span>
            <Typography.Text strong style={{ whiteSpace: 'nowrap' }}>
              {money(e.amountFen)}
            </Typography.Text>
          </Flex>
          <Tag color={color[e.kind] ?? 'default'} style={{ marginTop: 4 }}>
            {t(`ledger.${e.kind}` as MessageKey)}
          </Tag>
          {e.claimId ? <Link to={claimPath(e.claimId)}>{t('case.title', { id: e.claimId })}</Link> : null}
          {e.reference && <div style={{ fontSize: 12, color: '#888' }}>{e.reference}</div>}
        </List.Item>
      )}
    />
  );
}

/** Where the claim stands on the road from application to payment. */
function Progress({ detail }: { detail: ClaimDetail }) {
  const { t } = useI18n();
  const c = detail.claim;
  const joint = c.state === 'jointReview' || detail.reviews.some((r) => r.stage === 'jointReview') || !!detail.decision?.caseByCase;
  const steps: Array<{ key: string; title: string }> = [
    { key: 'apply', title: t('case.progress.apply') },
    { key: 'first', title: t('case.progress.first') },
    { key: 'dept', title: t('case.progress.dept') },
    ...(joint ? [{ key: 'joint', title: t('stage.jointReview') }] : []),
    { key: 'publicity', title: t('case.progress.publicity') },
    { key: 'payment', title: t('case.progress.payment') },
  ];
  const idx = (k: string) => steps.findIndex((s) => s.key === k);
  const stageKey: Record<string, string> = { firstReview: 'first', departmentReview: 'dept', jointReview: 'joint' };
  const last = detail.reviews.at(-1);
  const at: Record<ClaimState, number> = {
    draft: 0,
    submitted: idx('first'),
    returned: last ? idx(stageKey[last.stage] ?? 'first') : 0,
    departmentReview: idx('dept'),
    jointReview: idx('joint'),
    publicity: idx('publicity'),
    approved: idx('payment'),
    paid: steps.length,
    // refused in 公示 (an upheld objection) or by a correction after the decision: the road stopped at 公示
    rejected: detail.refusal && (detail.refusal.stage === 'publicity' || detail.refusal.stage === 'correction') ? idx('publicity') : last ? idx(stageKey[last.stage] ?? 'dept') : idx('dept'),
    withdrawn: 0,
  };
  const status = c.state === 'rejected' || c.state === 'withdrawn' ? 'error' : c.state === 'returned' ? 'error' : c.state === 'paid' ? 'finish' : 'process';
  return <Steps size="small" current={Math.min(at[c.state] ?? 0, steps.length - 1)} status={status} items={steps.map((s) => ({ title: s.title }))} responsive />;
}

function CaseTimeline({ detail }: { detail: ClaimDetail }) {
  const { t, money } = useI18n();
  const c = detail.claim;
  type Ev = { at: string; color: string; title: React.ReactNode; content?: React.ReactNode };
  const evs: Ev[] = [];
  if (c.createdAt) evs.push({ at: c.createdAt, color: 'gray', title: t('case.created') });
  // submittedAt is the latest submission: after a return, that is the resubmission
  const resubmitted = !!c.submittedAt && detail.reviews.some((r) => r.action === 'return' && new Date(r.at) < new Date(c.submittedAt!));
  if (c.submittedAt) evs.push({ at: c.submittedAt, color: 'blue', title: resubmitted ? t('case.resubmittedEv') : t('case.submittedEv') });
  for (const r of detail.reviews) {
    evs.push({
      at: r.at,
      color: r.action === 'pass' ? 'green' : r.action === 'return' ? 'orange' : 'red',
      title: (
        <>
          {t(`stage.${r.stage}`)} · <Typography.Text strong>{t(`action.${r.action}`)}</Typography.Text>
        </>
      ),
      content: (
        <>
          {r.reason && <div className="kf-review-reason">{t('common.reason')}：{r.reason}</div>}
          {r.actorName && <Typography.Text type="secondary" style={{ fontSize: 12 }}>{t('case.by', { name: r.actorName })}</Typography.Text>}
        </>
      ),
    });
  }
  if (detail.decision) {
    evs.push({
      at: detail.decision.decidedAt,
      color: 'green',
      title: t('case.decision', { v: money(detail.decision.amountFen) }),
      content: detail.decision.meetingRef ? t('case.meetingRef', { v: detail.decision.meetingRef }) : undefined,
    });
  }
  if (detail.publicity) {
    evs.push({ at: detail.publicity.startsOn, color: 'cyan', title: t('case.publicityEv', { title: detail.publicity.title, from: formatDate(detail.publicity.startsOn), to: formatDate(detail.publicity.endsOn) }) });
  }
  if (detail.payment) {
    evs.push({ at: detail.payment.paidOn, color: 'green', title: t('case.paymentEv', { v: money(detail.payment.amountFen), no: detail.payment.voucherNo }) });
  }
  // a civil date (公示 start, payment day) sorts at the end of its day, after that day's instants
  const key = (at: string) => (/^\d{4}-\d{2}-\d{2}$/.test(at) ? `${at}T23:59:59+08:00` : at);
  const ms = (at: string) => new Date(key(at)).getTime();
  evs.sort((a, b) => ms(a.at) - ms(b.at));
  return (
    <Timeline
      items={evs.map((e) => ({
        color: e.color,
        content: (
          <>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {formatDateTime(e.at)}
            </Typography.Text>
            <div>{e.title}</div>
            {e.content}
          </>
        ),
      }))}
    />
  );
}

/** Who refused the claim and at which stage: a review stage, the 公示 objection, or a correction. */
function RefusalBy({ refusal, withReason }: { refusal: Refusal; withReason?: boolean }) {
  const { t } = useI18n();
  const stage =
    refusal.stage === 'publicity' ? t('case.refusal.publicity') : refusal.stage === 'correction' ? t('case.refusal.correction') : ['firstReview', 'departmentReview', 'jointReview'].includes(refusal.stage) ? t(`stage.${refusal.stage}` as MessageKey) : refusal.stage;
  return (
    <>
      {withReason && <div className="kf-refusal-reason">{refusal.reason ?? t('case.refusedNoReason')}</div>}
      <Typography.Text type="secondary">
        {t('case.refusedBy', { stage, actor: refusal.actor ?? '—' })} · {formatDateTime(refusal.at)}
      </Typography.Text>
    </>
  );
}

/** The claim's history as the server keeps it: every event, in time order (the server sorts it). */
function HistoryTimeline({ events }: { events: TimelineEvent[] }) {
  const { t, money } = useI18n();
  const color: Partial<Record<TimelineEvent['kind'], string>> = { created: 'gray', submitted: 'blue', resubmitted: 'blue', decided: 'green', published: 'cyan', objection: 'orange', corrected: 'red', withdrawn: 'gray', paid: 'green' };
  const titleOf = (e: TimelineEvent): React.ReactNode => {
    switch (e.kind) {
      case 'created':
        return t('case.created');
      case 'submitted':
        return t('case.submittedEv');
      case 'resubmitted':
        return t('case.resubmittedEv');
      case 'review':
        return (
          <>
            {t(`stage.${e.stage}` as MessageKey)} · <Typography.Text strong>{t(`action.${e.action}` as MessageKey)}</Typography.Text>
          </>
        );
      case 'decided':
        return t('case.decision', { v: money(e.amountFen ?? null) });
      case 'published':
        return t('case.publicityEv', { title: e.title ?? '', from: formatDate(e.startsOn), to: formatDate(e.endsOn) });
      case 'objection':
        return t('case.objectionEv', { date: formatDate(e.on) });
      case 'objectionResolved':
        return t('case.objectionResolvedEv', { outcome: t(e.outcome === 'upheld' ? 'case.objection.upheld' : 'case.objection.dismissed') });
      case 'publicityClosed':
        return (
          <>
            {t('case.publicityClosedEv', { title: e.title ?? '' })}
            {e.outcome === 'upheld' && <Typography.Text type="danger">（{t('case.publicityUpheld')}）</Typography.Text>}
          </>
        );
      case 'corrected':
        return t(e.action === 'clawback' ? 'case.clawbackEv' : 'case.reversedEv', { v: money(e.amountFen ?? null) });
      case 'withdrawn':
        return t('case.withdrawnEv');
      case 'paid':
        return t('case.paymentEv', { v: money(e.amountFen ?? null), no: e.reference ?? '' });
      default:
        return e.kind;
    }
  };
  const colorOf = (e: TimelineEvent) =>
    e.kind === 'review' ? (e.action === 'pass' ? 'green' : e.action === 'return' ? 'orange' : 'red') : e.kind === 'objectionResolved' ? (e.outcome === 'upheld' ? 'red' : 'green') : e.kind === 'publicityClosed' ? (e.outcome === 'upheld' ? 'red' : 'green') : (color[e.kind] ?? 'blue');
  return (
    <Timeline
      className="kf-timeline"
      items={events.map((e) => ({
        color: colorOf(e),
        content: (
          <div data-kind={e.kind}>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {formatDateTime(e.at)}
            </Typography.Text>
            <div>{titleOf(e)}</div>
            {e.kind === 'decided' && e.reference && <div>{t('case.meetingRef', { v: e.reference })}</div>}
            {e.kind === 'paid' && e.on && <div>{t('case.paidOnEv', { date: formatDate(e.on) })}</div>}
            {e.reason && (
              <div className="kf-review-reason">
                {t('common.reason')}：{e.reason}
              </div>
            )}
            {e.actor && (
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {t('case.by', { name: e.actor })}
              </Typography.Text>
            )}
          </div>
        ),
      }))}
    />
  );
}

type ModalKind = 'pass' | 'return' | 'reject' | 'withdraw' | 'pay';

/** The buttons the server allows, each with what it needs: a reason to return or reject, amount and minutes for 联审, a voucher to pay. */
function Actions({ detail, onDone }: { detail: ClaimDetail; onDone: () => void }) {
  const { t, lang, money } = useI18n();
  const { message } = App.useApp();
  const [open, setOpen] = useState<ModalKind | null>(null);
  const [form] = Form.useForm<Record<string, unknown>>();
  const { busy, error, setError, submit } = useFormSubmit(form, { amountFen: 'amount' });
  const c = detail.claim;
  const acts = new Set<ClaimAction>(detail.allowedActions ?? []);
  const joint = c.state === 'jointReview';

  const start = (k: ModalKind) => {
    setError(undefined);
    setOpen(k);
  };

  const run = () =>
    submit(async (v) => {
      if (open === 'pass' || open === 'return' || open === 'reject') {
        const body: { action: typeof open; reason?: string; amountFen?: number; meetingRef?: string } = { action: open };
        if (typeof v.reason === 'string' && v.reason.trim()) body.reason = v.reason.trim();
        if (open === 'pass' && joint) {
          const m = v.amount as MoneyValue;
          try {
            body.amountFen = parseMoneyToFen(m?.amount ?? '', m?.unit ?? 'wan');
          } catch (e) {
            if (e instanceof MoneyInputError) {
              showFieldErrors(form, [{ name: ['amount'], messageZh: e.messageZh, messageEn: e.messageEn }], lang);
              return;
            }
            throw e;
          }
          body.meetingRef = String(v.meetingRef).trim();
        }
        await api.review(c.id, body);
      } else if (open === 'withdraw') {
        await api.withdraw(c.id, typeof v.reason === 'string' ? v.reason.trim() || undefined : undefined);
      } else if (open === 'pay') {
        await api.pay(c.id, { voucherNo: String(v.voucherNo).trim(), paidOn: String(v.paidOn) });
      }
      message.success(t('case.actionDone', { action: t(`action.${open!}`) }));
      setOpen(null);
      onDone();
    });

  const buttons: React.ReactNode[] = [];
  if (acts.has('pass')) buttons.push(<Button key="pass" type="primary" icon={<CheckOutlined />} onClick={() => start('pass')}>{t('action.pass')}</Button>);
  if (acts.has('return')) buttons.push(<Button key="return" icon={<RollbackOutlined />} onClick={() => start('return')}>{t('action.return')}</Button>);
  if (acts.has('reject')) buttons.push(<Button key="reject" danger icon={<CloseOutlined />} onClick={() => start('reject')}>{t('action.reject')}</Button>);
  if (acts.has('pay')) buttons.push(<Button key="pay" type="primary" icon={<PayCircleOutlined />} onClick={() => start('pay')}>{t('action.pay')}</Button>);
  if (acts.has('edit') || acts.has('resubmit') || acts.has('correct') || acts.has('submit'))
    buttons.push(
      <ButtonLink key="edit" type={c.state === 'returned' ? 'primary' : 'default'} icon={<EditOutlined />} to={`/portal/claims/${c.id}/edit`}>
        {/* "continue and submit" only where submitting is allowed (not while the enterprise is credit-listed) */}
        {!acts.has('submit') ? t('case.editDraft') : c.state === 'draft' ? t('case.continue') : t('action.edit')}
      </ButtonLink>,
    );
  if (acts.has('withdraw')) buttons.push(<Button key="withdraw" icon={<StopOutlined />} onClick={() => start('withdraw')}>{t('action.withdraw')}</Button>);

  const needsReason = open === 'return' || open === 'reject';
  return (
    <Card size="small" title={t('case.actions')} className="kf-actions">
      {buttons.length ? <Space wrap>{buttons}</Space> : <Typography.Text type="secondary">{t('case.noActions')}</Typography.Text>}
      <Modal
        open={!!open}
        title={open ? `${t(`action.${open}`)} · ${t('case.title', { id: c.id })}` : ''}
        onCancel={() => setOpen(null)}
        onOk={run}
        okText={open ? t(`action.${open}`) : t('common.confirm')}
        okButtonProps={{ loading: busy, danger: open === 'reject' || open === 'withdraw' }}
        cancelText={t('common.cancel')}
        destroyOnHidden
      >
        <ErrorAlert error={error} />
        {open === 'pass' && <Typography.Paragraph>{t('case.passNote')}</Typography.Paragraph>}
        {open === 'pass' && detail.preview && detail.preview.amountFen !== null && (
          <Typography.Paragraph>
            {t('case.preview')}：<Typography.Text strong>{money(detail.preview.amountFen)}</Typography.Text>
          </Typography.Paragraph>
        )}
        {open === 'withdraw' && <Typography.Paragraph>{t('case.withdrawConfirm')}</Typography.Paragraph>}
        {/* created afresh each time the modal opens (destroyOnHidden): defaults go in initialValues */}
        <Form form={form} layout="vertical" preserve={false} onFinish={run} initialValues={{ paidOn: todayShanghai() }}>
          {open === 'pass' && joint && (
            <>
              <Form.Item name="amount" label={t('case.jointAmount')} rules={[{ required: true, message: t('pub.fieldRequired', { field: t('case.jointAmount') }) }]}>
                <MoneyInput />
              </Form.Item>
              <Form.Item name="meetingRef" label={t('case.meeting')} rules={[{ required: true, whitespace: true, message: t('case.meetingRequired') }]}>
                <Input maxLength={100} />
              </Form.Item>
            </>
          )}
          {(open === 'pass' || needsReason) && (
            <Form.Item
              name="reason"
              label={needsReason ? t('case.reasonLabel') : t('case.opinion')}
              rules={needsReason ? [{ required: true, whitespace: true, message: t('case.reasonRequired') }] : []}
            >
              <Input.TextArea rows={4} maxLength={1000} showCount placeholder={needsReason ? t('case.reasonPh') : undefined} />
            </Form.Item>
          )}
          {open === 'withdraw' && (
            <Form.Item name="reason" label={t('case.withdrawReason')}>
              <Input.TextArea rows={3} maxLength={500} />
            </Form.Item>
          )}
          {open === 'pay' && (
            <>
              <Typography.Paragraph>
                {t('common.amount')}：<Typography.Text strong>{money(detail.decision?.amountFen ?? null)}</Typography.Text>
              </Typography.Paragraph>
              <PaymentFields />
            </>
          )}
        </Form>
      </Modal>
    </Card>
  );
}
