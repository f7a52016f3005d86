import { DownloadOutlined, SafetyCertificateOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Col, Descriptions, Flex, Form, Input, Progress, Row, Select, Space, Spin, Table, Tag, Typography } from 'antd';
import { useEffect, useMemo, useRef, useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { auditApi } from '../../api/client';
import type { AuditTrailEntry, AuditTrailFilter, AuditVerifyState } from '../../api/types';
import CivilDatePicker from '../../components/CivilDatePicker';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageTitle } from '../../components/PageTitle';
import { useI18n } from '../../i18n';
import { formatDateTime } from '../../lib/dates';
import { useAsync } from '../../lib/useAsync';

const FILTER_KEYS = ['actor', 'action', 'entity', 'entityId', 'from', 'to', 'ip'] as const;
const ENTITIES = [
  ['claim', 'trail.entityClaim'],
  ['enterprise', 'trail.entityEnterprise'],
  ['user', 'trail.entityUser'],
  ['publicity', 'trail.entityPublicity'],
  ['paymentBatch', 'trail.entityPaymentBatch'],
  ['serviceCase', 'trail.entityServiceCase'],
  ['budget', 'trail.entityBudget'],
  ['calendar', 'trail.entityCalendar'],
] as const;

/** The filter from the URL; `?claim=12` (the case view's link) is the trail of claim 12. */
function filterOf(params: URLSearchParams): AuditTrailFilter {
  const f: AuditTrailFilter = {};
  for (const k of FILTER_KEYS) {
    const v = params.get(k);
    if (v) f[k] = v;
  }
  const claim = params.get('claim');
  if (claim) Object.assign(f, { entity: 'claim', entityId: claim.replace(/^#/, '') });
  return f;
}

export default function Audit() {
  const { t, pick, lang } = useI18n();
  const [params, setParams] = useSearchParams();
  const filter = useMemo(() => filterOf(params), [params]);
  const key = JSON.stringify(filter);
  const [form] = Form.useForm();
  const catalog = useAsync(() => auditApi.actions(), []);
  const [rows, setRows] = useState<AuditTrailEntry[]>([]);
  const [next, setNext] = useState<number | null>(null);
  const [more, setMore] = useState(false);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>();
  const loadSeq = useRef(0);

  const load = async (before: number | null) => {
    const seq = ++loadSeq.current;
    setLoading(true);
    setError(undefined);
    try {
      const page = await auditApi.trail(filter, before);
      if (seq !== loadSeq.current) return;
      setRows((r) => (before === null ? page.items : [...r, ...page.items]));
      setNext(page.next);
      setMore(page.more);
    } catch (e) {
      if (seq === loadSeq.current) setError(e);
    } finally {
      if (seq === loadSeq.current) setLoading(false);
    }
  };

  useEffect(() => {
    form.setFieldsValue({ actor: '', action: undefined, entity: undefined, entityId: '', from: undefined, to: undefined, ip: '', ...filter });
    setRows([]);
    load(null);
  }, [key]); // eslint-disable-line react-hooks/exhaustive-deps

  const actionOptions = useMemo(() => {
    const c = catalog.data;
    if (!c) return [];
    return c.domains.map((d) => {
      const domainActions = c.actions.filter((a) => a.domain === d.id);
      return {
        label: pick(d.zh, d.en),
        title: d.id,
        options: [
          { value: domainActions.map((a) => a.action).join(','), label: t('trail.allOfDomain', { domain: pick(d.zh, d.en) }) },
          ...domainActions.map((a) => ({ value: a.action, label: `${pick(a.zh, a.en)} · ${a.action}` })),
        ],
      };
    });
  }, [catalog.data, pick, t]);

  const apply = (v: Record<string, string | undefined>) => {
    const next = new URLSearchParams();
    for (const k of FILTER_KEYS) {
      const value = typeof v[k] === 'string' ? v[k]!.trim() : v[k];
      if (value) next.set(k, value);
    }
    setParams(next);
  };

  return (
    <>
      <PageTitle title={t('audit.title')} />
      <Alert type="info" showIcon style={{ marginBottom: 16 }} title={t('trail.hint')} />
      <ChainCheck />
      <Card size="small" style={{ marginBottom: 16 }}>
        <Form form={form} layout="vertical" onFinish={apply} aria-label={t('trail.search')}>
          <Row gutter={12} align="bottom">
            <Col xs={24} md={8}>
              <Form.Item name="action" label={t('trail.action')}>
                <Select allowClear showSearch={{ optionFilterProp: 'label' }} placeholder={t('trail.actionPh')} options={actionOptions} loading={catalog.loading} popupMatchSelectWidth={false} />
              </Form.Item>
            </Col>
            <Col xs={12} md={4}>
              <Form.Item name="from" label={t('trail.from')}>
                <CivilDatePicker id="trail-from" />
              </Form.Item>
            </Col>
            <Col xs={12} md={4}>
              <Form.Item name="to" label={t('trail.to')}>
                <CivilDatePicker id="trail-to" />
              </Form.Item>
            </Col>
            <Col xs={24} md={8}>
              <Form.Item name="actor" label={t('trail.actor')}>
                <Input allowClear placeholder={t('trail.actorPh')} />
              </Form.Item>
            </Col>
            <Col xs={12} md={5}>
              <Form.Item name="entity" label={t('trail.entity')}>
                <Select allowClear options={ENTITIES.map(([value, label]) => ({ value, label: t(label) }))} />
              </Form.Item>
            </Col>
            <Col xs={12} md={5}>
              <Form.Item name="entityId" label={t('trail.entityId')}>
                <Input allowClear placeholder={t('trail.entityIdPh')} />
              </Form.Item>
            </Col>
            <Col xs={24} md={6}>
              <Form.Item name="ip" label={t('trail.ip')}>
                <Input allowClear placeholder={t('trail.ipPh')} />
              </Form.Item>
            </Col>
            <Col xs={24} md={8}>
              <Form.Item>
                <Space wrap>
                  <Button type="primary" htmlType="submit">
                    {t('trail.search')}
                  </Button>
                  <Button onClick={() => setParams(new URLSearchParams())}>{t('trail.reset')}</Button>
                  <Button icon={<DownloadOutlined />} href={auditApi.exportUrl(filter)} title={t('trail.exportHint')}>
                    {t('trail.export')}
                  </Button>
                </Space>
              </Form.Item>
            </Col>
          </Row>
        </Form>
      </Card>
      <Card size="small" title={filter.entity === 'claim' && filter.entityId ? <Link to={`/work/claims/${filter.entityId}`}>{t('case.title', { id: filter.entityId })}</Link> : undefined}>
        <ErrorAlert error={error} onRetry={() => load(null)} />
        <Table<AuditTrailEntry>
          size="small"
          rowKey="id"
          loading={loading && rows.length === 0}
          dataSource={rows}
          locale={{ emptyText: t('trail.empty') }}
          pagination={false}
          scroll={{ x: 900 }}
          expandable={{
            expandedRowRender: (r) => (
              <Descriptions size="small" column={1} bordered>
                <Descriptions.Item label={t('trail.code')}>
                  <Typography.Text code>{r.action}</Typography.Text>
                </Descriptions.Item>
                <Descriptions.Item label={t('audit.entity')}>{`${r.entity}${r.entityId ? ` #${r.entityId}` : ''}`}</Descriptions.Item>
                <Descriptions.Item label={t('audit.ip')}>{r.ip ?? '—'}</Descriptions.Item>
                <Descriptions.Item label={t('trail.hash')}>{r.hash ? <Typography.Text code copyable style={{ fontSize: 12 }}>{r.hash}</Typography.Text> : t('audit.unsealed')}</Descriptions.Item>
                <Descriptions.Item label={t('audit.details')}>
                  <pre style={{ margin: 0, whiteSpace: 'pre-wrap', fontSize: 12 }}>{JSON.stringify(r.details, null, 2)}</pre>
                </Descriptions.Item>
              </Descriptions>
            ),
          }}
          columns={[
            { title: t('trail.time'), dataIndex: 'at', width: 150, render: formatDateTime },
            {
              title: t('trail.who'),
              key: 'who',
              width: 190,
              render: (_, r) => (
                <>
                  <div>{r.actorView.displayName ?? r.actor}</div>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {[pick(r.actorView.unitZh ?? '', r.actorView.unitEn ?? undefined), r.actor].filter(Boolean).join(' · ')}
                  </Typography.Text>
                </>
              ),
            },
            {
              title: t('trail.what'),
              key: 'what',
              render: (_, r) => (
                <>
                  <Tag>{pick(r.actionZh, r.actionEn)}</Tag>
                  <span className="kf-audit-sentence">{lang === 'zh' ? r.summaryZh : r.summaryEn}</span>
                </>
              ),
            },
            { title: t('audit.seq'), dataIndex: 'seq', width: 90, render: (v: number | null) => (v === null ? <Typography.Text type="secondary">{t('audit.unsealed')}</Typography.Text> : v) },
          ]}
        />
        <Flex justify="center" gap={12} align="center" style={{ marginTop: 12 }}>
          <Typography.Text type="secondary">{t('trail.shown', { n: rows.length })}</Typography.Text>
          {more ? (
            <Button loading={loading} onClick={() => load(next)}>
              {t('trail.more')}
            </Button>
          ) : rows.length > 0 ? (
            <Typography.Text type="secondary">{t('trail.end')}</Typography.Text>
          ) : null}
        </Flex>
      </Card>
    </>
  );
}

/** 校验审计链: runs the server's check as a job, follows its progress, and shows the head to write down. */
function ChainCheck() {
  const { t, pick } = useI18n();
  const [state, setState] = useState<AuditVerifyState>();
  const [error, setError] = useState<unknown>();
  const [starting, setStarting] = useState(false);
  const running = state?.job?.state === 'running';

  useEffect(() => {
    auditApi.verifyStatus().then(setState, setError);
  }, []);
  // While a check runs, ask how far it got.
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => auditApi.verifyStatus().then(setState, setError), 500);
    return () => clearInterval(timer);
  }, [running]);

  const run = async () => {
    setStarting(true);
    setError(undefined);
    try {
      setState(await auditApi.verify());
    } catch (e) {
      setError(e);
    } finally {
      setStarting(false);
    }
  };

  const job = state?.job;
  const result = job?.result;
  return (
    <Card size="small" style={{ marginBottom: 16 }} title={<><SafetyCertificateOutlined /> {t('chain.title')}</>}>
      <Typography.Paragraph type="secondary">{t('chain.what')}</Typography.Paragraph>
      <Space wrap style={{ marginBottom: 12 }}>
        <Button type="primary" onClick={run} loading={starting || running}>
          {t('chain.run')}
        </Button>
        {state?.anchorKeyConfigured ? (
          <Button icon={<DownloadOutlined />} href={auditApi.anchorUrl()} title={t('chain.anchorHint')}>
            {t('chain.anchor')}
          </Button>
        ) : state ? (
          <Typography.Text type="secondary">{t('chain.noKey')}</Typography.Text>
        ) : null}
      </Space>
      <ErrorAlert error={error} />
      {running && (
        <div role="status">
          <Spin size="small" /> {t('chain.running', { done: job!.verified, total: job!.total ?? '…' })}
          {job!.total ? <Progress percent={Math.floor((job!.verified / job!.total) * 100)} size="small" /> : null}
        </div>
      )}
      {job?.state === 'failed' && <Alert type="error" showIcon title={t('chain.failed')} description={job.error ? pick(job.error.messageZh, job.error.messageEn) : undefined} />}
      {job?.state === 'done' && result && (
        <div role="status" data-testid="chain-result">
          {result.ok ? (
            <>
              <Alert type="success" showIcon style={{ marginBottom: 12 }} title={result.headSeq === null ? t('chain.okEmpty') : t('chain.ok', { seq: result.headSeq })} />
              <Descriptions size="small" column={1} bordered>
                <Descriptions.Item label={t('chain.headSeq')}>{result.headSeq ?? '—'}</Descriptions.Item>
                <Descriptions.Item label={t('chain.headHash')}>
                  <Typography.Text code copyable data-testid="chain-head-hash" style={{ wordBreak: 'break-all' }}>
                    {result.headHash}
                  </Typography.Text>
                </Descriptions.Item>
                <Descriptions.Item label={t('chain.headAt')}>{result.headAt ? formatDateTime(result.headAt) : '—'}</Descriptions.Item>
                <Descriptions.Item label={t('chain.pending')}>{result.pending.count ? `${result.pending.count}（${formatDateTime(result.pending.oldestAt)}）` : t('chain.pendingNone')}</Descriptions.Item>
                <Descriptions.Item label={t('chain.lastAnchor')}>
                  {result.lastAnchor ? t('chain.lastAnchorValue', { seq: result.lastAnchor.seq, at: formatDateTime(result.lastAnchor.createdAt) }) : t('chain.noAnchor')}
                </Descriptions.Item>
                <Descriptions.Item label={t('chain.checkedAt')}>{formatDateTime(job.finishedAt)}</Descriptions.Item>
              </Descriptions>
            </>
          ) : (
            <Alert type="error" showIcon title={t('chain.broken', { seq: result.brokenSeq })} description={result.message} />
          )}
        </div>
      )}
    </Card>
  );
}
