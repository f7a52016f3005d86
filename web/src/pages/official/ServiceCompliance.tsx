import { FileExcelOutlined, ReloadOutlined } from '@ant-design/icons';
import { Button, Card, Col, Empty, Row, Skeleton, Statistic, Table, Tag, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { Link } from 'react-router-dom';
import { api } from '../../api/client';
import type { LimitCompliance } from '../../api/types';
import { EChart } from '../../components/EChart';
import { ErrorAlert } from '../../components/ErrorAlert';
import { CivilDateInput } from '../../components/FactField';
import { PageTitle } from '../../components/PageTitle';
import { useI18n } from '../../i18n';
import { amountText, shapeCompliance, type ComplianceShape } from '../../lib/serviceCases';
import { useAsync } from '../../lib/useAsync';

const BLUE = '#1d5bbf';
const GREEN = '#389e0d';
const RED = '#c81e1e';
const GREY = '#bfbfbf';

/** 服务时限 · 合规看板: on-time share per service and department, averages against targets, the 40% share. */
export default function ServiceCompliance() {
  const { t, pick } = useI18n();
  const [asOf, setAsOf] = useState<string>();
  const res = useAsync(() => api.serviceCompliance({ asOf }), [asOf]);
  const data = res.data;
  const shape = useMemo(() => (data ? shapeCompliance(data) : null), [data]);
  const charts = useMemo(() => (shape ? buildCharts(shape, t, pick) : null), [shape, t, pick]);
  const withCases = data?.byLimit.filter((l) => l.cases > 0) ?? [];
  const totals = withCases.reduce((s, l) => ({ cases: s.cases + l.cases, completed: s.completed + l.completed, late: s.late + l.late, openOverdue: s.openOverdue + l.openOverdue }), { cases: 0, completed: 0, late: 0, openOverdue: 0 });
  const met = withCases.filter((l) => l.targetMet === true).length;
  const judged = withCases.filter((l) => l.targetMet !== null).length;

  return (
    <>
      <PageTitle
        title={t('svc.compTitle')}
        sub={data ? t('svc.compSub', { asOf: data.asOf }) : undefined}
        extra={
          <>
            <label htmlFor="svc-asof" style={{ alignSelf: 'center' }}>
              {t('svc.asOf')}
            </label>
            <div style={{ width: 150 }}>
              <CivilDateInput id="svc-asof" value={asOf ?? data?.asOf} onChange={setAsOf} />
            </div>
            <Button icon={<ReloadOutlined />} onClick={res.reload}>
              {t('common.refresh')}
            </Button>
            <Button icon={<FileExcelOutlined />} href={api.serviceComplianceXlsxUrl({ asOf })} download>
              {t('svc.export')}
            </Button>
          </>
        }
      />
      <ErrorAlert error={res.error} onRetry={res.reload} />
      {res.loading && !data && <Skeleton active paragraph={{ rows: 10 }} />}
      {data && shape && charts && (
        <>
          <Row gutter={[12, 12]} style={{ marginBottom: 12 }}>
            <Col xs={12} md={6}><Card size="small"><Statistic title={t('svc.cases')} value={totals.cases} /></Card></Col>
            <Col xs={12} md={6}><Card size="small"><Statistic title={t('svc.completedN')} value={totals.completed} /></Card></Col>
            <Col xs={12} md={6}><Card size="small"><Statistic title={`${t('svc.lateN')} / ${t('svc.openOverdueN')}`} value={`${totals.late} / ${totals.openOverdue}`} styles={{ content: { color: totals.late + totals.openOverdue ? RED : undefined } }} /></Card></Col>
            <Col xs={12} md={6}><Card size="small"><Statistic title={t('svc.targetMet')} value={judged ? `${met} / ${judged}` : '—'} /></Card></Col>
          </Row>
          {totals.cases === 0 && <Empty description={t('svc.empty')} style={{ margin: '24px 0' }} />}
          <Row gutter={[12, 12]}>
            <Col xs={24} xl={14}>
              <Card size="small" title={t('svc.onTimeByLimit')}>
                {shape.onTime.length ? <EChart option={charts.onTime} height={Math.max(220, shape.onTime.length * 34 + 60)} ariaLabel={t('svc.onTimeByLimit')} /> : <Empty description={t('svc.noCases')} />}
              </Card>
            </Col>
            <Col xs={24} xl={10}>
              <Card size="small" title={t('svc.onTimeByDept')}>
                {shape.departments.length ? <EChart option={charts.byDept} height={Math.max(220, shape.departments.length * 34 + 60)} ariaLabel={t('svc.onTimeByDept')} /> : <Empty description={t('svc.noCases')} />}
              </Card>
            </Col>
            <Col xs={24} xl={14}>
              <Card size="small" title={t('svc.averages')}>
                {shape.averages.length ? <EChart option={charts.averages} height={Math.max(220, shape.averages.length * 50 + 60)} ariaLabel={t('svc.averages')} /> : <Empty description={t('svc.noCases')} />}
              </Card>
            </Col>
            <Col xs={24} xl={10}>
              <Card size="small" title={t('svc.shareTitle')}>
                {shape.shares.some((s) => s.denominator > 0) ? <EChart option={charts.share} height={240} ariaLabel={t('svc.shareTitle')} /> : <Empty description={t('svc.noCases')} />}
                {shape.shares.map((s) => (
                  <Typography.Paragraph key={s.id} type="secondary" style={{ margin: '8px 0 0' }}>
                    {s.denominator ? `${s.numerator} / ${s.denominator} = ${s.percent ?? 0}%` : t('svc.noData')} · {t('svc.shareTarget', { v: s.target })} <ResultTag met={s.targetMet} />
                  </Typography.Paragraph>
                ))}
              </Card>
            </Col>
            <Col xs={24}>
              <Card size="small" title={t('svc.table')}>
                <Table<LimitCompliance>
                  size="small"
                  rowKey="limitId"
                  dataSource={data.byLimit}
                  pagination={false}
                  scroll={{ x: 1000 }}
                  columns={[
                    { title: t('common.measure'), dataIndex: 'measure', width: 80, render: (m: number) => t('common.measureNo', { n: m }) },
                    { title: t('svc.limit'), key: 'label', render: (_, r) => <Link to={`/work/service-cases?limitId=${r.limitId}`}>{pick(r.label, r.labelEn)}</Link> },
                    { title: t('svc.targetLabel'), dataIndex: 'target', width: 150 },
                    { title: t('svc.cases'), dataIndex: 'cases', align: 'right', width: 70 },
                    { title: t('svc.completedN'), dataIndex: 'completed', align: 'right', width: 70 },
                    { title: t('svc.lateN'), dataIndex: 'late', align: 'right', width: 80 },
                    { title: t('svc.openOverdueN'), dataIndex: 'openOverdue', align: 'right', width: 80, render: (v: number) => (v ? <Typography.Text type="danger">{v}</Typography.Text> : v) },
                    {
                      title: t('svc.onTimeShare'),
                      key: 'share',
                      align: 'right',
                      width: 130,
                      render: (_, r) =>
                        r.kind === 'average' && r.averageElapsed !== null
                          ? `${t('svc.averageLabel')} ${amountText(r.averageElapsed)}${r.countUnit ? t(`svc.unit.${r.countUnit}`) : ''}`
                          : r.kind === 'share' && r.share?.percent != null
                            ? `${r.share.percent}%`
                            : r.onTimeShare?.percent != null
                              ? `${r.onTimeShare.percent}%`
                              : '—',
                    },
                    { title: t('svc.result'), key: 'met', width: 90, render: (_, r) => <ResultTag met={r.targetMet} /> },
                  ]}
                />
                {data.annualTotals.map((a) => (
                  <Typography.Paragraph key={a.limitId} type="secondary" style={{ margin: '8px 0 0' }}>
                    {t('svc.taxTime', { year: a.year, n: a.totals.length, avg: a.averageHours === null ? '—' : amountText(a.averageHours), target: a.target })} <ResultTag met={a.targetMet} />
                  </Typography.Paragraph>
                ))}
              </Card>
            </Col>
          </Row>
        </>
      )}
    </>
  );
}

function ResultTag({ met }: { met: boolean | null }) {
  const { t } = useI18n();
  if (met === null) return <Tag>{t('svc.noData')}</Tag>;
  return met ? <Tag color="success">{t('svc.targetMet')}</Tag> : <Tag color="error">{t('svc.targetMissed')}</Tag>;
}

type T = ReturnType<typeof useI18n>['t'];
type Pick = ReturnType<typeof useI18n>['pick'];

function buildCharts(s: ComplianceShape, t: T, pick: Pick) {
  const pctAxis = { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } };
  const onTime = {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v: number) => `${v}%` },
    grid: { left: 8, right: 72, top: 16, bottom: 8, containLabel: true },
    xAxis: pctAxis,
    yAxis: { type: 'category', inverse: true, data: s.onTime.map((x) => truncate(pick(x.label, x.labelEn), 18)) },
    series: [
      {
        name: t('svc.onTimeShare'),
        type: 'bar',
        barMaxWidth: 18,
        label: { show: true, position: 'right', formatter: (p: { dataIndex: number; value: number }) => `${p.value}% (${s.onTime[p.dataIndex].numerator}/${s.onTime[p.dataIndex].denominator})` },
        data: s.onTime.map((x) => ({ value: x.percent, itemStyle: { color: x.percent >= 100 ? GREEN : x.percent >= 90 ? BLUE : RED } })),
      },
    ],
  };
  const byDept = {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v: number) => `${v}%` },
    grid: { left: 8, right: 40, top: 16, bottom: 8, containLabel: true },
    xAxis: pctAxis,
    yAxis: { type: 'category', inverse: true, data: s.departments.map((d) => truncate(pick(d.name, d.nameEn), 14)) },
    series: [
      {
        name: t('svc.onTimeShare'),
        type: 'bar',
        barMaxWidth: 18,
        label: { show: true, position: 'right', formatter: '{c}%' },
        data: s.departments.map((d) => ({ value: d.percent ?? 0, itemStyle: { color: (d.percent ?? 0) >= 100 ? GREEN : (d.percent ?? 0) >= 90 ? BLUE : RED } })),
      },
    ],
  };
  const averages = {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: { top: 0 },
    grid: { left: 8, right: 40, top: 32, bottom: 28, containLabel: true },
    xAxis: { type: 'value', name: t('svc.unit.workingDays').trim(), nameLocation: 'middle', nameGap: 24 },
    yAxis: { type: 'category', inverse: true, data: s.averages.map((a) => truncate(pick(a.label, a.labelEn), 18)) },
    series: [
      {
        name: t('svc.averageLabel'),
        type: 'bar',
        barMaxWidth: 16,
        label: { show: true, position: 'right' },
        data: s.averages.map((a) => ({ value: Math.round(a.average * 100) / 100, itemStyle: { color: a.targetMet === false ? RED : BLUE } })),
      },
      { name: t('svc.targetLabel'), type: 'bar', barMaxWidth: 16, label: { show: true, position: 'right' }, data: s.averages.map((a) => a.target), itemStyle: { color: GREY } },
    ],
  };
  const shares = s.shares.filter((x) => x.denominator > 0);
  const target = shares[0]?.target ?? 40;
  const share = {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v: number) => `${v}%` },
    grid: { left: 8, right: 24, top: 24, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: shares.map((x) => truncate(pick(x.label, x.labelEn), 14)) },
    yAxis: pctAxis,
    series: [
      {
        name: t('svc.shareTitle'),
        type: 'bar',
        barMaxWidth: 56,
        label: { show: true, position: 'top', formatter: '{c}%' },
        data: shares.map((x) => ({ value: x.percent ?? 0, itemStyle: { color: x.targetMet ? GREEN : RED } })),
        markLine: { symbol: 'none', label: { position: 'insideEndTop', formatter: t('svc.shareTarget', { v: target }) }, lineStyle: { type: 'dashed', color: RED }, data: [{ yAxis: target }] },
      },
    ],
  };
  return { onTime, byDept, averages, share };
}

function truncate(s: string, n: number) {
  return s.length > n ? s.slice(0, n) + '…' : s;
}
