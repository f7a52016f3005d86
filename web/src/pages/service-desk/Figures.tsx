/**
 * 诉求统计 (/work/request-figures) and its public copy (/service-figures, no sign-in): per unit, category or area —
 * received, answered on time, average working days, 办结率 and 满意率 — as charts and a table. No enterprise is named.
 */
import { Card, Col, Row, Segmented, Table, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { serviceDeskApi } from '../../api/client';
import type { ServiceFigureRow } from '../../api/types';
import { EChart } from '../../components/EChart';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageTitle } from '../../components/PageTitle';
import { useI18n } from '../../i18n';
import { useAsync } from '../../lib/useAsync';
import { useSdText } from './text';

export default function Figures({ isPublic = false }: { isPublic?: boolean }) {
  const s = useSdText();
  const { pick } = useI18n();
  const [by, setBy] = useState<'unit' | 'category' | 'area'>('unit');
  const f = useAsync(() => serviceDeskApi.figures(by, isPublic), [by, isPublic]);
  const rows = f.data?.rows ?? [];
  const labels = rows.map((r) => pick(r.labelZh, r.labelEn));
  const counts = useMemo(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: {},
      grid: { left: 40, right: 16, bottom: 90 },
      xAxis: { type: 'category', data: labels, axisLabel: { rotate: 30, interval: 0 } },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        { name: s('received'), type: 'bar', data: rows.map((r) => r.received) },
        { name: s('answeredOnTime'), type: 'bar', data: rows.map((r) => r.answeredOnTime) },
        { name: s('overdueOpen'), type: 'bar', data: rows.map((r) => r.overdueOpen), itemStyle: { color: '#cf1322' } },
      ],
    }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [f.data, labels.join('|')],
  );
  const rates = useMemo(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: {},
      grid: { left: 40, right: 16, bottom: 90 },
      xAxis: { type: 'category', data: labels, axisLabel: { rotate: 30, interval: 0 } },
      yAxis: { type: 'value', max: 100 },
      series: [
        { name: s('closeRate'), type: 'bar', data: rows.map((r) => r.closeRate) },
        { name: s('satisfactionRate'), type: 'bar', data: rows.map((r) => r.satisfactionRate) },
      ],
    }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [f.data, labels.join('|')],
  );
  const pct = (v: number | null) => (v === null ? '—' : `${v}%`);
  return (
    <>
      <PageTitle title={isPublic ? s('navPublic') : s('navFigures')} sub={f.data ? s('satisfiedNote', { from: f.data.satisfiedFrom, scale: f.data.scale }) : undefined} />
      <Segmented
        style={{ marginBottom: 16 }}
        value={by}
        onChange={(v) => setBy(v as never)}
        options={[
          { value: 'unit', label: s('byUnit') },
          { value: 'category', label: s('byCategory') },
          { value: 'area', label: s('byArea') },
        ]}
      />
      <ErrorAlert error={f.error} onRetry={f.reload} />
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={12}>
          <Card title={s('chartCounts')}>
            <EChart option={counts} ariaLabel={s('chartCounts')} />
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card title={s('chartRates')}>
            <EChart option={rates} ariaLabel={s('chartRates')} />
          </Card>
        </Col>
      </Row>
      <Table<ServiceFigureRow>
        style={{ marginTop: 16 }}
        rowKey="key"
        loading={f.loading}
        dataSource={f.data ? [...rows, f.data.total] : []}
        pagination={false}
        scroll={{ x: true }}
        columns={[
          { title: s('by'), render: (_: unknown, r) => (r.key === 'total' ? <Typography.Text strong>{s('total')}</Typography.Text> : pick(r.labelZh, r.labelEn)) },
          { title: s('received'), dataIndex: 'received' },
          { title: s('answered'), dataIndex: 'answered' },
          { title: s('answeredOnTime'), dataIndex: 'answeredOnTime' },
          { title: s('overdueOpen'), dataIndex: 'overdueOpen' },
          { title: s('avgDays'), render: (_: unknown, r) => r.averageWorkingDays ?? '—' },
          { title: s('closeRate'), render: (_: unknown, r) => pct(r.closeRate) },
          { title: s('satisfactionRate'), render: (_: unknown, r) => pct(r.satisfactionRate) },
        ]}
      />
    </>
  );
}
