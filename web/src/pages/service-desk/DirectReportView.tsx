/**
 * One report for its department (/work/direct-reports/:id): completion per period and, for the chosen period, per
 * area and the enterprises that have not answered; 催报 (their inbox) and the download of every answer.
 */
import { DownloadOutlined } from '@ant-design/icons';
import { App, Button, Card, Col, Descriptions, List, Progress, Row, Select, Skeleton, Space, Table } from 'antd';
import { useState } from 'react';
import { useParams } from 'react-router-dom';
import { directReportApi } from '../../api/client';
import { useAuth } from '../../auth/auth';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageTitle } from '../../components/PageTitle';
import { useAsync } from '../../lib/useAsync';
import { useSdText } from './text';

export default function DirectReportView() {
  const s = useSdText();
  const { message } = App.useApp();
  const { user } = useAuth();
  const { id } = useParams();
  const [period, setPeriod] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [actError, setActError] = useState<unknown>();
  const c = useAsync(() => directReportApi.completion(id!, period), [id, period]);
  if (c.loading && !c.data) return <Skeleton active />;
  if (!c.data) return <ErrorAlert error={c.error} onRetry={c.reload} />;
  const { report, periods, missing } = c.data;
  const chosen = periods.find((p) => p.period === c.data!.period);
  const chase = async () => {
    setBusy(true);
    setActError(undefined);
    try {
      const r = await directReportApi.chase(report.id, c.data!.period!);
      message.success(s('drChased', { n: r.chased }));
    } catch (e) {
      setActError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <PageTitle
        title={report.title}
        sub={`${report.ownerZh} · ${report.periodKind === 'month' ? s('drMonth') : s('drQuarter')}`}
        extra={
          <Button icon={<DownloadOutlined />} href={directReportApi.answersUrl(report.id)} download>
            {s('drDownload')}
          </Button>
        }
      />
      <ErrorAlert error={actError} />
      <Card size="small" style={{ marginBottom: 16 }}>
        <Descriptions size="small" column={{ xs: 1, md: 3 }}>
          <Descriptions.Item label={s('drFields')}>{report.fields.map((f) => (f.unit ? `${f.label}（${f.unit}）` : f.label)).join('、')}</Descriptions.Item>
          <Descriptions.Item label={s('drDueDay')}>{report.dueDay}</Descriptions.Item>
          <Descriptions.Item label={s('drFirstPeriod')}>{report.firstPeriod}</Descriptions.Item>
        </Descriptions>
      </Card>
      <Table
        rowKey="period"
        size="small"
        pagination={false}
        dataSource={periods}
        style={{ marginBottom: 16 }}
        columns={[
          { title: s('drPeriod'), dataIndex: 'period' },
          { title: s('drDue'), dataIndex: 'dueOn' },
          { title: s('drExpected'), dataIndex: 'expected' },
          { title: s('drAnswered'), dataIndex: 'answered' },
          { title: s('drLate'), dataIndex: 'late' },
          { title: s('drRate'), render: (_: unknown, p) => <Progress percent={p.expected ? Math.round((p.answered / p.expected) * 100) : 0} size="small" style={{ width: 140 }} /> },
        ]}
      />
      {chosen && (
        <Row gutter={[16, 16]}>
          <Col xs={24} lg={12}>
            <Card
              title={
                <Space>
                  {s('drByArea')}
                  <Select size="small" value={chosen.period} onChange={setPeriod} options={periods.map((p) => ({ value: p.period, label: p.period }))} style={{ width: 120 }} />
                </Space>
              }
            >
              <Table
                rowKey="areaId"
                size="small"
                pagination={false}
                dataSource={chosen.areas}
                columns={[
                  { title: s('drAreas'), dataIndex: 'areaZh' },
                  { title: s('drExpected'), dataIndex: 'expected' },
                  { title: s('drAnswered'), dataIndex: 'answered' },
                ]}
              />
            </Card>
          </Col>
          <Col xs={24} lg={12}>
            <Card
              title={`${s('drMissing')}（${missing.length}）`}
              extra={
                user?.role === 'departmentReviewer' &&
                missing.length > 0 && (
                  <Button type="primary" loading={busy} onClick={chase}>
                    {s('drChase')}
                  </Button>
                )
              }
            >
              <List size="small" dataSource={missing} renderItem={(m) => <List.Item>{m.name}</List.Item>} />
            </Card>
          </Col>
        </Row>
      )}
    </>
  );
}
