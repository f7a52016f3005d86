import { CheckCircleOutlined, ClockCircleOutlined, PauseCircleOutlined, PlayCircleOutlined, ReloadOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Col, Descriptions, Flex, Form, Input, Modal, Row, Skeleton, Timeline, Typography } from 'antd';
import type { TimelineItemProps } from 'antd';
import { useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { api } from '../../api/client';
import type { ServiceCase as Case, ServiceEventKind } from '../../api/types';
import { serviceCaseWriter, useAuth } from '../../auth/auth';
import { ErrorAlert } from '../../components/ErrorAlert';
import { CivilDateInput } from '../../components/FactField';
import { PageTitle } from '../../components/PageTitle';
import { dueText, ServiceStateTag, StandingTag } from '../../components/ServiceTags';
import { useI18n } from '../../i18n';
import { formatDate, formatDateTime, todayShanghai } from '../../lib/dates';
import { useFormSubmit } from '../../lib/useFormSubmit';
import { amountText, TIME_RE } from '../../lib/serviceCases';
import { useAsync } from '../../lib/useAsync';

const EVENT_ICON: Record<ServiceEventKind, React.ReactNode> = {
  suspended: <PauseCircleOutlined />,
  resumed: <PlayCircleOutlined />,
  completed: <CheckCircleOutlined />,
};
const EVENT_COLOR: Record<ServiceEventKind, string> = { suspended: 'orange', resumed: 'blue', completed: 'green' };
const ACTION_LABEL: Record<ServiceEventKind, 'svc.ev.suspended' | 'svc.ev.resumed' | 'svc.ev.completed'> = { suspended: 'svc.ev.suspended', resumed: 'svc.ev.resumed', completed: 'svc.ev.completed' };

/** 服务时限 · 办件详情: the case's timeline (受理 → 补正 ↔ 恢复 → 办结), due date and remaining time. */
export default function ServiceCase() {
  const { id } = useParams();
  const { t, pick, lang } = useI18n();
  const { message } = App.useApp();
  const { user } = useAuth();
  const res = useAsync(() => api.serviceCase(id!), [id]);
  const catalog = useAsync(() => api.serviceLimits(), []);
  const [kind, setKind] = useState<ServiceEventKind | null>(null);
  const [form] = Form.useForm<{ on?: string; at?: string; note?: string }>();
  const { busy, error, setError, submit } = useFormSubmit(form);
  const c = res.data;
  const limit = catalog.data?.limits.find((l) => l.id === c?.limitId);
  const writer = serviceCaseWriter(user);
  const mayWrite = !!c && writer !== false && (writer === null || writer === c.departmentId);
  const state = c?.status?.state ?? (c?.events.some((e) => e.kind === 'completed') ? 'completed' : c?.events.at(-1)?.kind === 'suspended' ? 'suspended' : 'open');
  const actions: ServiceEventKind[] = !c || c.recording === 'hours' ? [] : state === 'completed' ? [] : state === 'suspended' ? ['resumed', 'completed'] : c.recording === 'timed' ? ['suspended', 'completed'] : ['completed'];

  const record = () =>
    submit(async (v) => {
      if (!kind || !c) return;
      await api.serviceCaseEvent(c.id, { kind, on: v.on!, at: v.at?.trim() || undefined, note: v.note?.trim() || undefined });
      message.success(t('svc.eventRecorded', { kind: t(ACTION_LABEL[kind]) }));
      setKind(null);
      res.reload();
    });

  const unit = (u: 'workingDays' | 'calendarDays') => t(`svc.unit.${u}`);
  const title = c ? t('svc.caseTitle', { ref: c.reference }) : t('svc.caseTitle', { ref: `#${id}` });

  return (
    <>
      <PageTitle
        title={title}
        sub={c ? `${t('common.measureNo', { n: c.measure })} · ${pick(c.limitLabel, c.limitLabelEn)}` : undefined}
        extra={
          <>
            <Link to="/work/service-cases">{t('case.backToList')}</Link>
            <Button icon={<ReloadOutlined />} onClick={res.reload}>
              {t('common.refresh')}
            </Button>
          </>
        }
      />
      <ErrorAlert error={res.error} onRetry={res.reload} />
      {res.loading && !c && <Skeleton active paragraph={{ rows: 8 }} />}
      {c && (
        <Row gutter={[16, 16]}>
          <Col xs={24} lg={14}>
            <Card size="small" title={t('svc.info')}>
              {c.undetermined && <Alert type="warning" showIcon style={{ marginBottom: 12 }} title={lang === 'en' ? c.undetermined.messageEn : c.undetermined.messageZh} />}
              {c.status?.dueProvisional && <Alert type="warning" showIcon style={{ marginBottom: 12 }} title={t('svc.provisional')} />}
              {c.status?.beyondCalendar && <Alert type="warning" showIcon style={{ marginBottom: 12 }} title={t('svc.beyondCalendar', { due: c.status.due.date })} />}
              <Descriptions size="small" column={{ xs: 1, sm: 2 }} bordered>
                <Descriptions.Item label={t('svc.limit')} span={2}>
                  {pick(c.limitLabel, c.limitLabelEn)}
                </Descriptions.Item>
                <Descriptions.Item label={t('svc.reference')}>{c.reference}</Descriptions.Item>
                <Descriptions.Item label={t('svc.subject')}>{c.subject}</Descriptions.Item>
                <Descriptions.Item label={t('svc.department')}>{pick(c.departmentName, limit?.owners.find((o) => o.id === c.departmentId)?.nameEn)}</Descriptions.Item>
                <Descriptions.Item label={t('svc.limitValue')}>{limit?.target ?? '—'}</Descriptions.Item>
                <Descriptions.Item label={t('svc.acceptedOn')}>{c.acceptedAt ? `${formatDate(c.acceptedOn)} ${c.acceptedAt}` : formatDate(c.acceptedOn)}</Descriptions.Item>
                <Descriptions.Item label={t('svc.due')}>
                  <Typography.Text strong className="kf-due">{dueText(c)}</Typography.Text>
                </Descriptions.Item>
                <Descriptions.Item label={t('svc.state')}>
                  <ServiceStateTag state={c.status?.state} />
                </Descriptions.Item>
                <Descriptions.Item label={t('svc.standing')}>
                  <StandingTag c={c} />
                </Descriptions.Item>
                {c.status && (
                  <>
                    <Descriptions.Item label={t('svc.elapsed')}>
                      {amountText(c.status.elapsed)}
                      {unit(c.status.countUnit)}
                    </Descriptions.Item>
                    <Descriptions.Item label={t('svc.suspendedDays')}>
                      {amountText(c.status.suspendedDays)}
                      {unit(c.status.countUnit)}
                    </Descriptions.Item>
                  </>
                )}
                {c.simplified !== null && <Descriptions.Item label={t('svc.simplified')}>{c.simplified ? t('common.yes') : t('common.no')}</Descriptions.Item>}
                {c.hours !== null && <Descriptions.Item label={t('svc.hours')}>{c.hours}</Descriptions.Item>}
                <Descriptions.Item label={t('svc.asOf')}>{c.asOf}</Descriptions.Item>
              </Descriptions>
              {limit && (
                <>
                  <Typography.Title level={5} style={{ marginTop: 16 }}>
                    {t('svc.clause')}
                  </Typography.Title>
                  <p className="kf-clause">{limit.clause}</p>
                </>
              )}
            </Card>
          </Col>
          <Col xs={24} lg={10}>
            <Card size="small" title={t('svc.timeline')}>
              <Timeline items={timelineOf(c, t)} />
              {mayWrite &&
                (actions.length ? (
                  <Flex gap={8} wrap className="kf-actions">
                    {actions.map((k) => (
                      <Button
                        key={k}
                        type={k === 'completed' ? 'primary' : 'default'}
                        icon={EVENT_ICON[k]}
                        onClick={() => {
                          setError(undefined);
                          setKind(k);
                        }}
                      >
                        {t(ACTION_LABEL[k])}
                      </Button>
                    ))}
                  </Flex>
                ) : (
                  <Typography.Text type="secondary">{t('svc.finished')}</Typography.Text>
                ))}
            </Card>
          </Col>
        </Row>
      )}
      <Modal
        open={!!kind}
        title={kind ? `${t('svc.recordEvent')} · ${t(ACTION_LABEL[kind])}` : ''}
        onCancel={() => setKind(null)}
        onOk={record}
        okText={t('svc.recordEvent')}
        cancelText={t('common.cancel')}
        okButtonProps={{ loading: busy }}
        destroyOnHidden
      >
        <ErrorAlert error={error} />
        {kind === 'completed' && limit?.halfDay && <Alert type="info" showIcon style={{ marginBottom: 12 }} title={t('svc.halfDayNote')} />}
        <Form form={form} name="svc-event" layout="vertical" preserve={false} onFinish={record} initialValues={{ on: todayShanghai() }}>
          <Form.Item name="on" label={t('svc.eventOn')} rules={[{ required: true, message: t('svc.eventOnRequired') }]}>
            <CivilDateInput />
          </Form.Item>
          <Form.Item name="at" label={t('svc.eventAt')} rules={[{ required: kind === 'completed' && !!limit?.halfDay, pattern: TIME_RE, message: t('svc.timeFormat') }]}>
            <Input placeholder="15:00" maxLength={5} autoComplete="off" />
          </Form.Item>
          <Form.Item name="note" label={t('svc.eventNote')}>
            <Input.TextArea rows={2} maxLength={500} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}

type T = ReturnType<typeof useI18n>['t'];

/** 受理, then each event in order, then 应办结 while the case is still open. */
function timelineOf(c: Case, t: T): TimelineItemProps[] {
  const when = (on: string, at: string | null) => (at ? `${formatDate(on)} ${/^\d{2}:\d{2}$/.test(at) ? at : formatDateTime(at).slice(11)}` : formatDate(on));
  const items: TimelineItemProps[] = [
    {
      color: 'blue',
      content: (
        <>
          <Stamp>{when(c.acceptedOn, c.acceptedAt)}</Stamp>
          <Typography.Text strong>{t('svc.ev.accepted')}</Typography.Text>
          <div>
            <Typography.Text type="secondary">{c.subject}</Typography.Text>
          </div>
        </>
      ),
    },
  ];
  for (const e of c.events) {
    items.push({
      color: EVENT_COLOR[e.kind],
      icon: EVENT_ICON[e.kind],
      content: (
        <>
          <Stamp>{when(e.on, e.at)}</Stamp>
          <Typography.Text strong>{t(ACTION_LABEL[e.kind])}</Typography.Text>
          {e.note && <div>{e.note}</div>}
          <div>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('svc.recordedBy', { at: formatDateTime(e.recordedAt) })}
            </Typography.Text>
          </div>
        </>
      ),
    });
  }
  if (c.status && c.status.state !== 'completed') {
    items.push({
      color: c.status.overdue ? 'red' : 'gray',
      icon: <ClockCircleOutlined />,
      content: (
        <>
          <Stamp>{dueText(c)}</Stamp>
          <Typography.Text type={c.status.overdue ? 'danger' : 'secondary'}>
            {t('svc.ev.due')}
            {c.status.dueProvisional ? `（${t('svc.state.suspended')}）` : ''}
          </Typography.Text>
        </>
      ),
    });
  }
  return items;
}

function Stamp({ children }: { children: React.ReactNode }) {
  return (
    <div>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {children}
      </Typography.Text>
    </div>
  );
}
