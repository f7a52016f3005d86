import { Card, Col, Empty, Progress, Row, Select, Skeleton, Statistic, Table, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { api, policyYears } from '../../api/client';
import type { Overview as OverviewData } from '../../api/types';
import { EChart } from '../../components/EChart';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageTitle } from '../../components/PageTitle';
import { useI18n } from '../../i18n';
import { useAreas } from '../../lib/areas';
import { measureLabel, measureNumber } from '../../lib/measures';
import { cumulativeByMonth, toWan, totals } from '../../lib/overview';
import { useAsync, usePolicy } from '../../lib/useAsync';

const BLUE = '#1d5bbf';
const GREEN = '#389e0d';
const RED = '#c81e1e';
const GREY = '#bfbfbf';

export default function Overview() {
  const { t, money, pick } = useI18n();
  const { data: policy } = usePolicy();
  const { areaName } = useAreas();
  const years = useMemo(() => policyYears(policy), [policy]);
  const [year, setYear] = useState<number>();
  const y = year ?? years[0];
  const res = useAsync(() => api.overview(y), [y]);
  const data = res.data;

  const measureTitle = (m: number | string, fallback: string) => {
    const mm = policy?.measures.find((x) => String(x.measure) === String(m));
    return mm ? pick(mm.title, mm.titleEn) : fallback;
  };

  const charts = useMemo(() => (data ? buildCharts(data, t, measureTitle, areaName) : null), [data, t, policy, areaName]); // eslint-disable-line react-hooks/exhaustive-deps
  const tot = data ? totals(data.byMeasure) : null;

  return (
    <>
      <PageTitle
        title={t('ov.title')}
        extra={
          <>
            <label htmlFor="ov-year" style={{ alignSelf: 'center' }}>
              {t('common.year')}
            </label>
            <Select id="ov-year" value={y} onChange={setYear} options={years.map((v) => ({ value: v, label: String(v) }))} style={{ width: 100 }} />
          </>
        }
      />
      <ErrorAlert error={res.error} onRetry={res.reload} />
      {res.loading && !data && <Skeleton active paragraph={{ rows: 10 }} />}
      {data && tot && charts && (
        <>
          <Row gutter={[12, 12]} style={{ marginBottom: 12 }}>
            <Col xs={12} md={4}><Card size="small"><Statistic title={t('ov.claims')} value={tot.claims} /></Card></Col>
            <Col xs={12} md={4}><Card size="small"><Statistic title={t('ov.approved')} value={tot.approved} /></Card></Col>
            <Col xs={12} md={5}><Card size="small"><Statistic title={t('ov.approvedFen')} value={money(tot.approvedFen, 'wan')} /></Card></Col>
            <Col xs={12} md={5}><Card size="small"><Statistic title={t('ov.paidFen')} value={money(tot.paidFen, 'wan')} /></Card></Col>
            <Col xs={24} md={6}>
              <Card size="small">
                <Typography.Text type="secondary">{t('ov.approvedOfBudget')}</Typography.Text>
                {!tot.budgetFen ? (
                  <div>{t('ov.noBudget')}</div>
                ) : (
                  <Progress percent={pct(tot.budgetedApprovedFen, tot.budgetFen)} success={{ percent: pct(tot.budgetedPaidFen, tot.budgetFen) }} status={tot.budgetedApprovedFen > tot.budgetFen ? 'exception' : 'normal'} />
                )}
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {t('ov.budgetFen')} {money(tot.budgetFen, 'wan')} · {t('ov.budgetedOnly')}
                </Typography.Text>
              </Card>
            </Col>
          </Row>
          {tot.claims === 0 && <Empty description={t('ov.empty')} style={{ margin: '24px 0' }} />}
          <Row gutter={[12, 12]}>
            <Col xs={24} xl={14}>
              <Card size="small" title={t('ov.byMeasure')}>
                <EChart option={charts.byMeasure} height={Math.max(300, data.byMeasure.length * 34 + 60)} ariaLabel={t('ov.byMeasure')} />
              </Card>
            </Col>
            <Col xs={24} xl={10}>
              <Card size="small" title={t('ov.byArea')}>
                <EChart option={charts.byArea} height={Math.max(300, data.byArea.length * 28 + 60)} ariaLabel={t('ov.byArea')} />
              </Card>
            </Col>
            <Col xs={24}>
              <Card size="small" title={t('ov.byMonth')}>
                <EChart option={charts.byMonth} height={320} ariaLabel={t('ov.byMonth')} />
              </Card>
            </Col>
            <Col xs={24}>
              <Card size="small" title={t('ov.table')}>
                <Table
                  size="small"
                  rowKey={(r) => String(r.measure)}
                  dataSource={data.byMeasure}
                  pagination={false}
                  scroll={{ x: 820 }}
                  columns={[
                    { title: t('common.measure'), dataIndex: 'measure', width: 80, render: (m: number | string) => measureLabel(t, m) },
                    { title: t('ov.measureTitle'), dataIndex: 'title', render: (v: string, r) => measureTitle(r.measure, v) },
                    { title: t('ov.claims'), dataIndex: 'claims', align: 'right', width: 80 },
                    { title: t('ov.approved'), dataIndex: 'approved', align: 'right', width: 80 },
                    { title: t('ov.approvedFen'), dataIndex: 'approvedFen', align: 'right', render: (v: number) => money(v, 'wan') },
                    { title: t('ov.paidFen'), dataIndex: 'paidFen', align: 'right', render: (v: number) => money(v, 'wan') },
                    { title: t('ov.budgetFen'), dataIndex: 'budgetFen', align: 'right', render: (v: number | null) => (v ? money(v, 'wan') : t('ov.noBudget')) },
                    {
                      title: t('ov.approvedOfBudget'),
                      key: 'exec',
                      width: 180,
                      render: (_, r) => (r.budgetFen ? <Progress size="small" percent={pct(r.approvedFen ?? 0, r.budgetFen)} success={{ percent: pct(r.paidFen ?? 0, r.budgetFen) }} status={(r.approvedFen ?? 0) > r.budgetFen ? 'exception' : 'normal'} /> : '—'),
                    },
                  ]}
                />
              </Card>
            </Col>
          </Row>
        </>
      )}
    </>
  );
}

type T = ReturnType<typeof useI18n>['t'];

function buildCharts(data: OverviewData, t: T, measureTitle: (m: number | string, f: string) => string, areaName: (id: string) => string) {
  const measures = [...data.byMeasure].reverse(); // first measure on top of a horizontal bar chart
  const byMeasure = {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v: number) => `${v.toLocaleString('en-US')} 万元` },
    legend: { top: 0 },
    grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
    xAxis: { type: 'value', name: '万元' },
    yAxis: { type: 'category', data: measures.map((m) => (measureNumber(m.measure) === null ? measureLabel(t, m.measure) : `${measureLabel(t, m.measure)} ${truncate(measureTitle(m.measure, m.title), 10)}`)) },
    series: [
      { name: t('ov.approvedFen'), type: 'bar', barMaxWidth: 18, data: measures.map((m) => toWan(m.approvedFen)), itemStyle: { color: BLUE } },
      { name: t('ov.paidFen'), type: 'bar', barMaxWidth: 18, data: measures.map((m) => toWan(m.paidFen)), itemStyle: { color: GREEN } },
      { name: t('ov.budgetFen'), type: 'bar', barMaxWidth: 18, data: measures.map((m) => toWan(m.budgetFen)), itemStyle: { color: GREY }, barGap: '10%' },
    ],
  };
  const areas = [...data.byArea].sort((a, b) => (b.claims ?? 0) - (a.claims ?? 0));
  const byArea = {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: { top: 0 },
    grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', inverse: true, data: areas.map((a) => a.name ?? a.area ?? areaName(a.areaId ?? '')) },
    series: [
      { name: t('ov.claims'), type: 'bar', barMaxWidth: 14, data: areas.map((a) => a.claims), itemStyle: { color: BLUE } },
      { name: t('ov.approved'), type: 'bar', barMaxWidth: 14, data: areas.map((a) => a.approved), itemStyle: { color: GREEN } },
    ],
  };
  const months = cumulativeByMonth(data.byMonth);
  const budget = toWan(totals(data.byMeasure).budgetFen);
  const byMonth = {
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 8, right: 8, top: 40, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: months.map((m) => m.month) },
    yAxis: [
      { type: 'value', name: t('ov.claims'), minInterval: 1 },
      // the budget line must stay in view even before much is paid
      { type: 'value', name: '万元', splitLine: { show: false }, max: (v: { max: number }) => Math.ceil(Math.max(v.max, budget) * 1.1) },
    ],
    series: [
      { name: t('ov.claims'), type: 'bar', barMaxWidth: 36, data: months.map((m) => m.claims), itemStyle: { color: BLUE } },
      { name: t('ov.approved'), type: 'bar', barMaxWidth: 36, data: months.map((m) => m.approved), itemStyle: { color: GREEN } },
      {
        name: t('ov.cumulativePaid'),
        type: 'line',
        yAxisIndex: 1,
        data: months.map((m) => toWan(m.cumPaidFen)),
        itemStyle: { color: RED },
        markLine: budget ? { symbol: 'none', label: { formatter: t('ov.budgetLine') }, lineStyle: { type: 'dashed', color: GREY }, data: [{ yAxis: budget }] } : undefined,
      },
    ],
  };
  return { byMeasure, byArea, byMonth };
}

function pct(part: number, whole: number): number {
  return Math.round((part / whole) * 1000) / 10;
}

function truncate(s: string, n: number) {
  return s.length > n ? s.slice(0, n) + '…' : s;
}
