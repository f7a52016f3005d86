import { CalculatorOutlined, FileAddOutlined } from '@ant-design/icons';
import { Card, Col, Collapse, Descriptions, Empty, Flex, Input, Row, Select, Skeleton, Space, Tag, Typography } from 'antd';
import { useDeferredValue, useMemo } from 'react';
import { useSearchParams } from 'react-router-dom';
import type { IncentiveView, MeasureView, PolicyLibrary as Policy } from '../../api/types';
import { useAuth } from '../../auth/auth';
import { ButtonLink } from '../../components/ButtonLink';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageTitle } from '../../components/PageTitle';
import { KindTag } from '../../components/Tags';
import { useI18n } from '../../i18n';
import { Highlight } from '../../lib/highlight';
import { searchMeasures } from '../../lib/search';
import { usePolicy } from '../../lib/useAsync';

export default function PolicyLibrary() {
  const { t, pick } = useI18n();
  const { data: policy, error, loading, reload } = usePolicy();
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const section = Number(params.get('section') ?? 0);
  const deferredQ = useDeferredValue(q);

  const set = (k: string, v: string) => {
    const next = new URLSearchParams(params);
    if (v) next.set(k, v);
    else next.delete(k);
    setParams(next, { replace: true });
  };

  const hits = useMemo(() => {
    if (!policy) return [];
    return searchMeasures(policy.measures, deferredQ).filter((h) => !section || h.measure.section === section);
  }, [policy, deferredQ, section]);

  if (error) return <ErrorAlert error={error} onRetry={reload} />;
  if (loading || !policy) return <Skeleton active paragraph={{ rows: 12 }} />;

  const incentiveCount = hits.reduce((n, h) => n + h.incentives.length, 0);
  return (
    <>
      <PageTitle
        title={t('policy.title')}
        sub={
          <>
            {pick(policy.title, policy.titleEn)} · {t('policy.issued')} {policy.issued} · {t('policy.effective')} {policy.effective.from} ~ {policy.effective.to}
          </>
        }
      />
      <Card size="small" style={{ marginBottom: 16 }}>
        <Row gutter={[16, 8]} align="bottom">
          <Col xs={24} md={14}>
            <label htmlFor="policy-search" style={{ display: 'block', marginBottom: 4, fontWeight: 500 }}>
              {t('policy.searchLabel')}
            </label>
            <Input.Search id="policy-search" allowClear placeholder={t('policy.searchPh')} defaultValue={q} onChange={(e) => set('q', e.target.value)} onSearch={(v) => set('q', v)} enterButton={t('common.search')} />
          </Col>
          <Col xs={24} md={10}>
            <label htmlFor="policy-section" style={{ display: 'block', marginBottom: 4, fontWeight: 500 }}>
              {t('policy.sectionLabel')}
            </label>
            <Select
              id="policy-section"
              style={{ width: '100%' }}
              value={section}
              onChange={(v) => set('section', v ? String(v) : '')}
              options={[{ value: 0, label: t('policy.allSections') }, ...policy.sections.map((s) => ({ value: s.no, label: `${t('policy.section', { n: s.no })} ${pick(s.title, s.titleEn)}` }))]}
            />
          </Col>
        </Row>
        <Typography.Text type="secondary" style={{ display: 'block', marginTop: 8 }} aria-live="polite">
          {t('policy.result', { m: hits.length, i: incentiveCount })}
        </Typography.Text>
      </Card>

      {hits.length === 0 && <Empty description={t('policy.noResult', { q })} />}

      {policy.sections
        .filter((s) => hits.some((h) => h.measure.section === s.no))
        .map((s) => (
          <section key={s.no} aria-labelledby={`section-${s.no}`} style={{ marginBottom: 24 }}>
            <Typography.Title level={4} id={`section-${s.no}`}>
              {t('policy.section', { n: s.no })} · {pick(s.title, s.titleEn)}
            </Typography.Title>
            <Flex vertical gap={12}>
              {hits
                .filter((h) => h.measure.section === s.no)
                .map((h) => (
                  <MeasureCard key={h.measure.measure} m={h.measure} incentives={h.incentives} q={deferredQ} policy={policy} />
                ))}
            </Flex>
          </section>
        ))}

      {!q && !section && <GeneralSection policy={policy} />}
    </>
  );
}

function MeasureCard({ m, incentives, q, policy }: { m: MeasureView; incentives: IncentiveView[]; q: string; policy: Policy }) {
  const { t, pick } = useI18n();
  return (
    <Card
      id={`measure-${m.measure}`}
      className="kf-measure"
      title={
        <span style={{ whiteSpace: 'normal' }}>
          <Tag color="red">{t('common.measureNo', { n: m.measure })}</Tag>
          <Highlight text={pick(m.title, m.titleEn)} query={q} />
        </span>
      }
      extra={m.leadUnitName && <span className="kf-hide-xs">{t('policy.leadUnit')}：{m.leadUnitName}</span>}
    >
      <Row gutter={[16, 12]}>
        <Col xs={24} md={12}>
          <Typography.Text strong>{t('policy.clause')}</Typography.Text>
          <blockquote className="kf-clause" style={{ marginTop: 4 }}>
            <Highlight text={m.clause} query={q} />
          </blockquote>
        </Col>
        <Col xs={24} md={12}>
          <Typography.Text strong>{t('policy.summary')}</Typography.Text>
          <p className="kf-summary" style={{ marginTop: 4 }}>
            <Highlight text={pick(m.summary, m.summaryEn)} query={q} />
          </p>
          <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0, fontSize: 13 }}>
            {t('policy.leadUnit')}：{m.leadUnitName ?? '—'}
            {m.responsibleUnits.length > 0 && (
              <>
                {' · '}
                {t('policy.responsible')}：{m.responsibleUnits.map((u) => u.name).join('、')}
              </>
            )}
          </Typography.Paragraph>
        </Col>
      </Row>
      {m.incentives.length === 0 ? (
        <Typography.Paragraph type="secondary" style={{ marginTop: 12, marginBottom: 0 }}>
          {t('policy.noIncentive')}
        </Typography.Paragraph>
      ) : (
        <Flex vertical gap={8} style={{ marginTop: 12 }}>
          {incentives.map((i) => (
            <IncentiveBlock key={i.id} i={i} q={q} policy={policy} />
          ))}
        </Flex>
      )}
    </Card>
  );
}

function IncentiveBlock({ i, q, policy }: { i: IncentiveView; q: string; policy: Policy }) {
  const { t, pick, lang } = useI18n();
  const { user } = useAuth();
  const interp = policy.interpretations.filter((x) => i.interpretations?.includes(x.id) && x.id !== 'policy-period');
  return (
    <Card size="small" type="inner" className="kf-incentive" title={<span style={{ whiteSpace: 'normal' }}><Highlight text={pick(i.title, i.titleEn)} query={q} /> <KindTag kind={i.kind} /></span>}>
      <Descriptions size="small" column={{ xs: 1, md: 2 }} styles={{ label: { whiteSpace: 'nowrap' } }}>
        <Descriptions.Item label={t('policy.howMuch')} span={2}>
          <Typography.Text strong>
            <Highlight text={pick(i.amountText, i.amountTextEn)} query={q} />
          </Typography.Text>
        </Descriptions.Item>
        {i.conditions.length > 0 && (
          <Descriptions.Item label={t('policy.conditions')} span={2}>
            <ul style={{ margin: 0, paddingInlineStart: 18 }}>
              {i.conditions.map((c, k) => (
                <li key={k}>{pick(c.label, c.labelEn)}</li>
              ))}
            </ul>
          </Descriptions.Item>
        )}
        {i.caps.length > 0 && (
          <Descriptions.Item label={t('policy.caps')} span={2}>
            {i.caps.map((c) => pick(c.label, c.labelEn)).join(lang === 'en' ? '; ' : '；')}
          </Descriptions.Item>
        )}
        {i.item && <Descriptions.Item label={t('common.item')}>{t('policy.perItem', { item: pick(i.item.label, i.item.labelEn) })}</Descriptions.Item>}
        {i.leadUnitName && <Descriptions.Item label={t('policy.leadUnit')}>{i.leadUnitName}</Descriptions.Item>}
      </Descriptions>
      <Typography.Paragraph style={{ marginBottom: 8 }}>
        <Highlight text={pick(i.summary, i.summaryEn)} query={q} />
      </Typography.Paragraph>
      {interp.length > 0 && (
        <Collapse
          size="small"
          ghost
          items={[
            {
              key: 'i',
              label: `${t('policy.interpretations')}（${interp.length}）`,
              children: interp.map((x) => (
                <div key={x.id} style={{ marginBottom: 8 }}>
                  <Typography.Text strong>{pick(x.question, x.questionEn)}</Typography.Text>
                  <div>
                    {t('policy.interpChoice')}：{pick(x.options?.find((o) => o.key === x.choice)?.label ?? x.choice, x.options?.find((o) => o.key === x.choice)?.labelEn)}
                  </div>
                  {x.basis && <Typography.Text type="secondary">{t('policy.interpBasis')}：{x.basis}</Typography.Text>}
                </div>
              )),
            },
          ]}
        />
      )}
      <Space wrap>
        <ButtonLink to={`/calculator?incentive=${i.id}`} size="small" icon={<CalculatorOutlined />}>
          {t('policy.tryCalc')}
        </ButtonLink>
        {user?.role === 'enterprise' && i.kind !== 'amountNotSet' && (
          <ButtonLink to={`/portal/apply?incentive=${i.id}`} size="small" type="primary" icon={<FileAddOutlined />}>
            {t('policy.apply')}
          </ButtonLink>
        )}
      </Space>
    </Card>
  );
}

function GeneralSection({ policy }: { policy: Policy }) {
  const { t, pick } = useI18n();
  return (
    <section aria-labelledby="general" style={{ marginBottom: 24 }}>
      <Typography.Title level={4} id="general">
        {t('policy.general')}
      </Typography.Title>
      <Flex vertical gap={12}>
        {(policy.generalProvisions ?? []).map((g) => (
          <Card key={g.id} size="small">
            <Row gutter={[16, 12]}>
              <Col xs={24} md={12}>
                <Typography.Text strong>{t('policy.clause')}</Typography.Text>
                <blockquote className="kf-clause" style={{ marginTop: 4 }}>
                  {g.clause}
                </blockquote>
              </Col>
              <Col xs={24} md={12}>
                <Typography.Text strong>{t('policy.summary')}</Typography.Text>
                <p className="kf-summary" style={{ marginTop: 4 }}>
                  {pick(g.summary, g.summaryEn)}
                </p>
              </Col>
            </Row>
          </Card>
        ))}
        {policy.generalIncentives.map((i) => (
          <IncentiveBlock key={i.id} i={i} q="" policy={policy} />
        ))}
      </Flex>
    </section>
  );
}
