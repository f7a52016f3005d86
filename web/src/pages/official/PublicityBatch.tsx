import { CheckCircleOutlined, FileExcelOutlined, PlusOutlined } from '@ant-design/icons';
import { App, Button, Card, Descriptions, Form, Input, Modal, Radio, Select, Skeleton, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { api } from '../../api/client';
import type { Objection, PublicityItem } from '../../api/types';
import { useAuth } from '../../auth/auth';
import { BatchStatusTag } from '../../components/BatchStatusTag';
import { ButtonLink } from '../../components/ButtonLink';
import { ErrorAlert } from '../../components/ErrorAlert';
import { CivilDateInput } from '../../components/FactField';
import { PageTitle } from '../../components/PageTitle';
import { useI18n } from '../../i18n';
import { formatDate, formatDateTime, todayShanghai } from '../../lib/dates';
import { useFormSubmit } from '../../lib/useFormSubmit';
import { batchStatus } from '../../lib/publicity';
import { useAsync } from '../../lib/useAsync';

export default function PublicityBatchPage() {
  const { id = '' } = useParams();
  const { t, money } = useI18n();
  const { modal, message } = App.useApp();
  const { user } = useAuth();
  const res = useAsync(() => api.publicity(id), [id]);
  const [dialog, setDialog] = useState<{ kind: 'add' } | { kind: 'resolve'; objection: Objection } | null>(null);
  const [form] = Form.useForm<Record<string, string>>();
  const { busy, error, setError, submit } = useFormSubmit(form);
  const b = res.data;
  const canAct = (user?.role === 'departmentReviewer' || user?.role === 'admin') && !b?.closedAt;

  if (res.error && !b) return <ErrorAlert error={res.error} onRetry={res.reload} />;
  if (!b) return <Skeleton active />;
  const items = b.items ?? [];
  const objections = b.objections ?? [];
  const pending = objections.filter((o) => !o.outcome).length;
  const status = b.status ? ({ scheduled: 'notStarted', running: 'open', ended: 'ended', closed: 'closed' } as const)[b.status] : batchStatus(b, todayShanghai());

  const openDialog = (d: NonNullable<typeof dialog>) => {
    setError(undefined);
    setDialog(d);
  };

  const save = () =>
    submit(async (v) => {
      if (dialog?.kind === 'add') {
        await api.addObjection(b.id, {
          claimId: v.claimId ? Number(v.claimId) : undefined,
          objector: v.objector.trim(),
          contact: v.contact?.trim() || undefined,
          content: v.content.trim(),
          receivedOn: v.receivedOn,
        });
      } else if (dialog?.kind === 'resolve') {
        await api.resolveObjection(dialog.objection.id, { outcome: v.outcome as 'upheld' | 'dismissed', resolution: v.resolution.trim() });
      }
      message.success(t('common.saved'));
      setDialog(null);
      res.reload();
    });

  const close = () =>
    modal.confirm({
      title: t('pub.close'),
      content: t('pub.closeConfirm'),
      okText: t('pub.close'),
      cancelText: t('common.cancel'),
      onOk: async () => {
        try {
          await api.closePublicity(b.id);
          message.success(t('pub.closed'));
          res.reload();
        } catch (e) {
          setError(e);
        }
      },
    });

  const req = (field: string) => [{ required: true, whitespace: true, message: t('pub.fieldRequired', { field }) }];
  return (
    <>
      <PageTitle
        title={b.title}
        sub={`${t('pub.period')}：${formatDate(b.startsOn)} ~ ${formatDate(b.endsOn)}`}
        extra={
          <>
            <BatchStatusTag b={b} />
            <Button icon={<FileExcelOutlined />} href={api.publicityExportUrl(b.id)} download>
              {t('common.export')}
            </Button>
            {canAct && (
              <Button type="primary" icon={<CheckCircleOutlined />} onClick={close} disabled={pending > 0 || status === 'open' || status === 'notStarted'}>
                {t('pub.close')}
              </Button>
            )}
            <ButtonLink to="/work/publicity">{t('common.back')}</ButtonLink>
          </>
        }
      />
      <ErrorAlert error={error && !dialog ? error : undefined} />
      <Card size="small" title={`${t('pub.items')}（${items.length}）`} style={{ marginBottom: 16 }}>
        <Table<PublicityItem>
          size="small"
          rowKey="claimId"
          dataSource={items}
          pagination={false}
          scroll={{ x: 640 }}
          summary={(rows) => (
            <Table.Summary.Row>
              <Table.Summary.Cell index={0} colSpan={3}>
                {t('common.total')}
              </Table.Summary.Cell>
              <Table.Summary.Cell index={1} align="right">
                <Typography.Text strong>{money(rows.reduce((s, r) => s + r.amountFen, 0))}</Typography.Text>
              </Table.Summary.Cell>
            </Table.Summary.Row>
          )}
          columns={[
            { title: t('common.id'), dataIndex: 'claimId', width: 80, render: (cid: number) => <Link to={`/work/claims/${cid}`}>#{cid}</Link> },
            { title: t('common.enterprise'), dataIndex: 'enterpriseName', render: (n: string | undefined, r) => n ?? r.enterpriseUscc ?? '—' },
            { title: t('common.incentive'), dataIndex: 'incentiveTitle', render: (v: string | undefined, r) => <>{v ?? r.incentive}{r.item ? `（${r.item}）` : ''}</> },
            { title: t('common.amount'), dataIndex: 'amountFen', align: 'right', render: (v: number) => money(v) },
          ]}
        />
      </Card>
      <Card
        size="small"
        title={`${t('pub.objections')}（${objections.length}）`}
        extra={
          canAct && (
            <Button icon={<PlusOutlined />} onClick={() => openDialog({ kind: 'add' })}>
              {t('pub.addObjection')}
            </Button>
          )
        }
      >
        <Table<Objection>
          size="small"
          rowKey="id"
          dataSource={objections}
          pagination={false}
          locale={{ emptyText: t('pub.noObjections') }}
          scroll={{ x: 760 }}
          columns={[
            { title: t('pub.receivedOn'), dataIndex: 'receivedOn', width: 110, render: formatDate },
            { title: t('pub.objector'), dataIndex: 'objector', width: 120, render: (v: string, o) => <>{v}{o.contact && <div style={{ fontSize: 12, color: '#888' }}>{o.contact}</div>}</> },
            { title: t('pub.claim'), dataIndex: 'claimId', width: 80, render: (cid: number | null) => (cid ? <Link to={`/work/claims/${cid}`}>#{cid}</Link> : '—') },
            { title: t('pub.content'), dataIndex: 'content' },
            {
              title: t('pub.outcome'),
              key: 'outcome',
              width: 220,
              render: (_, o) =>
                o.outcome ? (
                  <>
                    <Tag color={o.outcome === 'upheld' ? 'red' : 'green'}>{o.outcome === 'upheld' ? t('pub.upheld') : t('pub.dismissed')}</Tag>
                    <div>{o.resolution}</div>
                    {o.resolvedAt && <Typography.Text type="secondary" style={{ fontSize: 12 }}>{formatDateTime(o.resolvedAt)}</Typography.Text>}
                  </>
                ) : canAct ? (
                  <Button size="small" onClick={() => openDialog({ kind: 'resolve', objection: o })}>
                    {t('pub.resolve')}
                  </Button>
                ) : (
                  <Tag color="orange">{t('pub.pending')}</Tag>
                ),
            },
          ]}
        />
      </Card>

      <Modal
        open={!!dialog}
        title={dialog?.kind === 'add' ? t('pub.addObjection') : t('pub.resolve')}
        onCancel={() => setDialog(null)}
        onOk={save}
        okButtonProps={{ loading: busy }}
        okText={t('common.submit')}
        cancelText={t('common.cancel')}
        destroyOnHidden
      >
        <ErrorAlert error={dialog ? error : undefined} />
        <Form form={form} layout="vertical" preserve={false} initialValues={{ receivedOn: todayShanghai() }}>
          {dialog?.kind === 'add' && (
            <>
              <Form.Item name="objector" label={t('pub.objector')} rules={req(t('pub.objector'))}>
                <Input maxLength={100} />
              </Form.Item>
              <Form.Item name="contact" label={`${t('pub.contact')}${t('common.optional')}`}>
                <Input maxLength={100} />
              </Form.Item>
              <Form.Item name="claimId" label={`${t('pub.claim')}${t('common.optional')}`}>
                <Select allowClear options={items.map((i) => ({ value: i.claimId, label: `#${i.claimId} ${i.enterpriseName ?? ''} ${i.incentiveTitle ?? ''}` }))} />
              </Form.Item>
              <Form.Item name="content" label={t('pub.content')} rules={req(t('pub.content'))}>
                <Input.TextArea rows={4} maxLength={2000} showCount />
              </Form.Item>
              <Form.Item name="receivedOn" label={t('pub.receivedOn')} rules={[{ required: true, message: t('pub.fieldRequired', { field: t('pub.receivedOn') }) }]}>
                <CivilDateInput />
              </Form.Item>
            </>
          )}
          {dialog?.kind === 'resolve' && (
            <>
              <Descriptions size="small" column={1} style={{ marginBottom: 12 }}>
                <Descriptions.Item label={t('pub.objector')}>{dialog.objection.objector}</Descriptions.Item>
                <Descriptions.Item label={t('pub.content')}>{dialog.objection.content}</Descriptions.Item>
              </Descriptions>
              <Form.Item name="outcome" label={t('pub.outcome')} rules={[{ required: true, message: t('pub.fieldRequired', { field: t('pub.outcome') }) }]}>
                <Radio.Group>
                  <Space orientation="vertical">
                    <Radio value="dismissed">{t('pub.dismissed')}</Radio>
                    <Radio value="upheld">{t('pub.upheld')}</Radio>
                  </Space>
                </Radio.Group>
              </Form.Item>
              <Form.Item name="resolution" label={t('pub.resolution')} rules={req(t('pub.resolution'))}>
                <Input.TextArea rows={4} maxLength={2000} showCount />
              </Form.Item>
            </>
          )}
        </Form>
      </Modal>
    </>
  );
}
