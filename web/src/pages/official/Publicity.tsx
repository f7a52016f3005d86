import { FileExcelOutlined, NotificationOutlined } from '@ant-design/icons';
import { App, Button, Card, Col, Empty, Form, Input, InputNumber, Row, Table, Typography } from 'antd';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { api, itemsOf, policyYears } from '../../api/client';
import type { Claim, PublicityBatch } from '../../api/types';
import { useAuth } from '../../auth/auth';
import { BatchStatusTag } from '../../components/BatchStatusTag';
import { ErrorAlert } from '../../components/ErrorAlert';
import { CivilDateInput } from '../../components/FactField';
import { PageTitle } from '../../components/PageTitle';
import { useI18n } from '../../i18n';
import { useAreas } from '../../lib/areas';
import { formatDate, todayShanghai } from '../../lib/dates';
import { allIncentives } from '../../lib/factForm';
import { useFormSubmit } from '../../lib/useFormSubmit';
import { useAsync, usePolicy } from '../../lib/useAsync';

export default function Publicity() {
  const { t, pick, money } = useI18n();
  const { user } = useAuth();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const { data: policy } = usePolicy();
  const { areaName } = useAreas();
  const candidates = useAsync(() => api.claims({ state: 'publicity', pageSize: 100 }), []);
  // the batches, and which claims already sit in an open one (those cannot be published again)
  const batches = useAsync(async () => {
    const list = itemsOf(await api.publicityList());
    const open = await Promise.all(list.filter((b) => !b.closedAt).map((b) => api.publicity(b.id)));
    return { list, inOpen: new Set(open.flatMap((b) => (b.items ?? []).map((i) => i.claimId))) };
  }, []);
  const [selected, setSelected] = useState<number[]>([]);
  const [form] = Form.useForm<{ title: string; startsOn: string; days: number }>();
  const { busy, error, submit } = useFormSubmit(form);
  const canPublish = user?.role === 'departmentReviewer' || user?.role === 'admin';
  const year = policyYears(policy)[0];

  const open = itemsOf(candidates.data).filter((c) => !batches.data?.inOpen.has(c.id));
  const title = (c: Claim) => {
    const i = policy ? allIncentives(policy).find((x) => x.id === c.incentive) : undefined;
    return i ? pick(i.title, i.titleEn) : (c.incentiveTitle ?? c.incentive);
  };

  const publish = () =>
    submit(async (v) => {
      if (!selected.length) {
        message.warning(t('pub.pickSome'));
        return;
      }
      const b = await api.publish({ title: v.title.trim(), claimIds: selected, startsOn: v.startsOn, days: v.days });
      message.success(t('pub.published'));
      navigate(`/work/publicity/${b.id}`);
    });

  return (
    <>
      <PageTitle title={t('pub.title')} />
      {canPublish && (
        <Card size="small" title={t('pub.assemble')} style={{ marginBottom: 16 }}>
          <ErrorAlert error={candidates.error} onRetry={candidates.reload} />
          <Typography.Text strong>{t('pub.candidates')}</Typography.Text>
          <Table<Claim>
            style={{ marginTop: 8 }}
            size="small"
            rowKey="id"
            loading={candidates.loading}
            dataSource={open}
            locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('pub.noCandidates')} /> }}
            rowSelection={{ selectedRowKeys: selected, onChange: (keys) => setSelected(keys as number[]) }}
            pagination={false}
            scroll={{ x: 720 }}
            columns={[
              { title: t('common.id'), dataIndex: 'id', width: 70, render: (id: number) => <Link to={`/work/claims/${id}`}>#{id}</Link> },
              { title: t('common.enterprise'), dataIndex: 'enterpriseName', render: (n: string | undefined, c) => n ?? c.enterpriseUscc },
              { title: t('common.area'), dataIndex: 'areaId', width: 100, render: (a: string) => areaName(a) },
              { title: t('common.incentive'), dataIndex: 'incentive', render: (_, c) => <>{title(c)}{c.item ? `（${c.item}）` : ''}</> },
              { title: t('common.amount'), key: 'amt', align: 'right', render: (_, c) => money(c.decidedFen ?? c.amountClaimedFen ?? null) },
            ]}
          />
          <ErrorAlert error={error} style={{ marginTop: 12 }} />
          <Form form={form} layout="vertical" style={{ marginTop: 12 }} initialValues={{ title: t('pub.batchTitleDefault', { year }), startsOn: todayShanghai(), days: 7 }} onFinish={publish}>
            <Row gutter={12} align="bottom">
              <Col xs={24} md={12}>
                <Form.Item name="title" label={t('pub.batchTitle')} rules={[{ required: true, whitespace: true, message: t('pub.fieldRequired', { field: t('pub.batchTitle') }) }]}>
                  <Input maxLength={200} />
                </Form.Item>
              </Col>
              <Col xs={12} md={5}>
                <Form.Item name="startsOn" label={t('pub.startsOn')} rules={[{ required: true, message: t('pub.fieldRequired', { field: t('pub.startsOn') }) }]}>
                  <CivilDateInput />
                </Form.Item>
              </Col>
              <Col xs={12} md={3}>
                <Form.Item name="days" label={t('pub.days')} rules={[{ required: true, message: t('pub.fieldRequired', { field: t('pub.days') }) }]}>
                  <InputNumber min={1} max={60} precision={0} style={{ width: '100%' }} />
                </Form.Item>
              </Col>
              <Col xs={24} md={4}>
                <Form.Item>
                  <Button type="primary" htmlType="submit" icon={<NotificationOutlined />} loading={busy} disabled={!selected.length} block>
                    {t('pub.publish', { n: selected.length })}
                  </Button>
                </Form.Item>
              </Col>
            </Row>
          </Form>
        </Card>
      )}

      <Card size="small" title={t('pub.batches')}>
        <ErrorAlert error={batches.error} onRetry={batches.reload} />
        <Table<PublicityBatch>
          size="small"
          rowKey="id"
          loading={batches.loading}
          dataSource={batches.data?.list ?? []}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          scroll={{ x: 760 }}
          columns={[
            { title: t('common.id'), dataIndex: 'id', width: 70, render: (id: number) => <Link to={`/work/publicity/${id}`}>#{id}</Link> },
            { title: t('pub.batchTitle'), dataIndex: 'title', render: (v: string, b) => <Link to={`/work/publicity/${b.id}`}>{v}</Link> },
            { title: t('pub.period'), key: 'period', width: 210, render: (_, b) => `${formatDate(b.startsOn)} ~ ${formatDate(b.endsOn)}` },
            { title: t('pub.itemCount'), key: 'n', width: 70, align: 'right', render: (_, b) => b.itemCount ?? b.items?.length ?? '—' },
            { title: t('common.amount'), key: 'total', align: 'right', width: 130, render: (_, b) => money(b.totalFen ?? b.items?.reduce((s, i) => s + i.amountFen, 0) ?? null) },
            { title: t('common.status'), key: 'st', width: 100, render: (_, b) => <BatchStatusTag b={b} /> },
            {
              title: t('common.actions'),
              key: 'op',
              width: 130,
              render: (_, b) => (
                <a href={api.publicityExportUrl(b.id)} download>
                  <FileExcelOutlined /> {t('common.export')}
                </a>
              ),
            },
          ]}
        />
      </Card>
    </>
  );
}
