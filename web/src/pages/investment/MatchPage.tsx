/**
 * 智慧选址 /map/match (public, issue 13): the project's needs → the ranked parcels (or carriers, when no land is
 * needed) with each criterion's fits / does not and why, and the incentives the engine expects — as the API returns
 * them, nothing re-ranked or re-computed here. A signed-in user sends an expression of interest (it becomes a lead of
 * 区商务局); a signed-out one is offered sign-in, which comes back here.
 */
import { CheckCircleTwoTone, CloseCircleTwoTone } from '@ant-design/icons';
import { Alert, App, Button, Card, Col, Form, Input, InputNumber, List, Modal, Row, Select, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import { Link, useLocation } from 'react-router-dom';
import { investmentApi, type MatchResult, type ProjectNeeds, type SiteMatch } from '../../api/investment';
import { describeError } from '../../api/problem';
import { useAuth } from '../../auth/auth';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageTitle } from '../../components/PageTitle';
import { useI18n } from '../../i18n';
import { useAsync } from '../../lib/useAsync';

interface FormValues {
  name?: string;
  industry: string;
  landAreaSqm?: number;
  floorAreaSqm?: number;
  investmentWan?: number;
  equipmentWan?: number;
  powerKva?: number;
  waterTonsPerDay?: number;
  startDate: string;
  industryClass: 'leading' | 'highTech' | 'other';
}

/** 万元 typed → integer fen (1万元 = 1,000,000 fen); anything finer than a fen is refused by the form's precision. */
const wanToFen = (w: number | undefined) => Math.round((w ?? 0) * 1_000_000);

export default function MatchPage() {
  const { t, pick, money, lang } = useI18n();
  const { user } = useAuth();
  const loc = useLocation();
  const { message } = App.useApp();
  const base = useAsync(() => investmentApi.base(), []);
  const [result, setResult] = useState<MatchResult>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [interestIn, setInterestIn] = useState<SiteMatch>();
  const [sent, setSent] = useState<Record<string, number>>({});
  const [form] = Form.useForm<FormValues>();
  const [eoi] = Form.useForm<{ enterpriseName: string; contact: string }>();

  const townName = (id: string) => {
    const a = base.data?.areas.find((x) => x.id === id);
    return a ? pick(a.nameZh, a.nameEn) : id;
  };

  async function run(v: FormValues) {
    const project: ProjectNeeds = {
      ...(v.name?.trim() ? { name: v.name.trim() } : {}),
      industry: v.industry,
      landAreaSqm: v.landAreaSqm ?? 0,
      floorAreaSqm: v.floorAreaSqm ?? 0,
      investmentFen: wanToFen(v.investmentWan),
      equipmentFen: wanToFen(v.equipmentWan),
      powerKva: v.powerKva ?? 0,
      waterTonsPerDay: v.waterTonsPerDay ?? 0,
      startDate: v.startDate,
      industryClass: v.industryClass,
    };
    setBusy(true);
    setError(undefined);
    try {
      setResult(await investmentApi.match(project));
    } catch (e) {
      setResult(undefined);
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  async function sendInterest() {
    if (!result || !interestIn) return;
    const v = await eoi.validateFields();
    try {
      const r = await investmentApi.interest({ project: result.project, siteCode: interestIn.code, enterpriseName: v.enterpriseName, contact: v.contact });
      setSent((s) => ({ ...s, [interestIn.code]: r.id }));
      message.success(t('inv.interestSent', { id: r.id }));
      setInterestIn(undefined);
    } catch (e) {
      message.error(describeError(e, lang));
    }
  }

  const num = (name: keyof FormValues, label: string, unit: string) => (
    <Col xs={24} sm={12} md={8}>
      <Form.Item name={name} label={label} rules={[{ type: 'number', min: 0, message: t('inv.nonNegative') }]}>
        <InputNumber style={{ width: '100%' }} min={0} suffix={unit} />
      </Form.Item>
    </Col>
  );

  return (
    <div>
      <PageTitle title={t('inv.matchTitle')} extra={<Link to="/map">{t('inv.mapTitle')}</Link>} sub={t('inv.matchSub')} />
      {base.error ? <ErrorAlert error={base.error} onRetry={base.reload} /> : null}
      <Card size="small">
        <Form form={form} layout="vertical" onFinish={run} initialValues={{ industryClass: 'other', startDate: '' }}>
          <Row gutter={12}>
            <Col xs={24}>
              <Form.Item name="name" label={t('inv.projectName')}>
                <Input maxLength={200} placeholder={t('inv.projectNamePh')} />
              </Form.Item>
            </Col>
            <Col xs={24} sm={12} md={8}>
              <Form.Item name="industry" label={t('inv.industry')} rules={[{ required: true, message: t('inv.required') }]}>
                <Select aria-label={t('inv.industry')} options={(base.data?.industries ?? []).map((i) => ({ value: i.id, label: pick(i.zh, i.en) }))} />
              </Form.Item>
            </Col>
            <Col xs={24} sm={12} md={8}>
              <Form.Item name="industryClass" label={t('inv.industryClass')}>
                <Select
                  aria-label={t('inv.industryClass')}
                  options={(['leading', 'highTech', 'other'] as const).map((c) => ({ value: c, label: t(`inv.class.${c}`) }))}
                />
              </Form.Item>
            </Col>
            <Col xs={24} sm={12} md={8}>
              <Form.Item name="startDate" label={t('inv.startDate')} rules={[{ required: true, pattern: /^\d{4}-\d{2}-\d{2}$/, message: t('inv.dateFormat') }]}>
                <Input type="date" aria-label={t('inv.startDate')} />
              </Form.Item>
            </Col>
            {num('landAreaSqm', t('inv.landArea'), 'm²')}
            {num('floorAreaSqm', t('inv.floorArea'), 'm²')}
            {num('investmentWan', t('inv.investment'), t('inv.wan'))}
            {num('equipmentWan', t('inv.equipment'), t('inv.wan'))}
            {num('powerKva', t('inv.power'), 'kVA')}
            {num('waterTonsPerDay', t('inv.water'), t('inv.tonsPerDay'))}
          </Row>
          <Typography.Paragraph type="secondary">{t('inv.landHint')}</Typography.Paragraph>
          <Button type="primary" htmlType="submit" loading={busy}>
            {t('inv.findSites')}
          </Button>
        </Form>
      </Card>
      {error ? <ErrorAlert error={error} style={{ marginTop: 12 }} /> : null}
      {result && (
        <Row gutter={12} style={{ marginTop: 12 }}>
          <Col xs={24} lg={16}>
            <Card size="small" title={t('inv.sites', { n: result.sites.length })}>
              {!user && (
                <Alert
                  type="info"
                  showIcon
                  style={{ marginBottom: 8 }}
                  title={
                    <span>
                      {t('inv.signInForInterest')} <Link to={`/login?next=${encodeURIComponent(loc.pathname + loc.search)}`}>{t('inv.signIn')}</Link>
                    </span>
                  }
                />
              )}
              <List
                dataSource={result.sites}
                data-testid="inv-sites"
                renderItem={(s, i) => (
                  <List.Item data-testid="inv-site" key={s.code}>
                    <div style={{ width: '100%' }}>
                      <Space wrap>
                        <Typography.Text strong>
                          {i + 1}. {s.name}
                        </Typography.Text>
                        <Typography.Text type="secondary">
                          {s.code} · {townName(s.areaId)}
                        </Typography.Text>
                        {s.fits ? <Tag color="success">{t('inv.fitsAll')}</Tag> : <Tag color="warning">{t('inv.misses', { n: s.misses })}</Tag>}
                        {s.stale && <Tag color="warning">{t('inv.stale')}</Tag>}
                        <Link to={`/map?sel=${s.layer}:${encodeURIComponent(s.code)}`}>{t('inv.onMap')}</Link>
                        {user && (sent[s.code] ? <Tag color="blue">{t('inv.interestSent', { id: sent[s.code] })}</Tag> : <Button size="small" onClick={() => setInterestIn(s)}>{t('inv.interest')}</Button>)}
                      </Space>
                      <ul style={{ listStyle: 'none', paddingLeft: 0, margin: '6px 0 0' }} aria-label={t('inv.reasons')}>
                        {s.criteria.map((c) => (
                          <li key={c.id}>
                            {c.fits ? <CheckCircleTwoTone twoToneColor="#52c41a" aria-label={t('inv.fits')} /> : <CloseCircleTwoTone twoToneColor="#ff4d4f" aria-label={t('inv.doesNotFit')} />}{' '}
                            <span>{pick(c.zh, c.en)}</span>
                            <Typography.Text type="secondary">：{pick(c.whyZh, c.whyEn)}</Typography.Text>
                          </li>
                        ))}
                      </ul>
                    </div>
                  </List.Item>
                )}
              />
            </Card>
          </Col>
          <Col xs={24} lg={8}>
            <Card size="small" title={t('inv.incentives', { year: result.year })} data-testid="inv-incentives">
              <List
                dataSource={result.incentives}
                locale={{ emptyText: t('inv.noIncentives') }}
                renderItem={(h) => (
                  <List.Item>
                    <div>
                      <Space wrap>
                        <Tag color={h.status === 'eligible' ? 'success' : 'default'}>{h.status === 'eligible' ? t('inv.eligible') : h.status === 'notEligible' ? t('inv.notEligible') : h.status}</Tag>
                        {h.amountFen ? <Typography.Text strong>{money(h.amountFen)}</Typography.Text> : null}
                      </Space>
                      <Typography.Paragraph style={{ marginBottom: 0 }}>{pick(h.summaryZh, h.summaryEn)}</Typography.Paragraph>
                    </div>
                  </List.Item>
                )}
              />
            </Card>
          </Col>
        </Row>
      )}
      <Modal open={!!interestIn} title={t('inv.interestTitle', { site: interestIn?.name ?? '' })} onOk={sendInterest} onCancel={() => setInterestIn(undefined)} okText={t('inv.send')} destroyOnHidden>
        <Form form={eoi} layout="vertical" initialValues={{ enterpriseName: user?.enterprise?.name ?? '' }}>
          <Form.Item name="enterpriseName" label={t('inv.enterpriseName')} rules={[{ required: true, whitespace: true, message: t('inv.required') }]}>
            <Input maxLength={200} />
          </Form.Item>
          <Form.Item name="contact" label={t('inv.contact')} rules={[{ required: true, whitespace: true, message: t('inv.required') }]}>
            <Input maxLength={100} />
          </Form.Item>
        </Form>
      </Modal>
    </div>
  );
}
