import { Alert, Button, Card, Col, Form, Input, Row, Table, Typography } from 'antd';
import { useEffect } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { api, itemsOf } from '../../api/client';
import type { AuditEntry } from '../../api/types';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageTitle } from '../../components/PageTitle';
import { useI18n } from '../../i18n';
import { formatDateTime } from '../../lib/dates';
import { useAsync } from '../../lib/useAsync';

export default function Audit() {
  const { t } = useI18n();
  const [params, setParams] = useSearchParams();
  const claim = params.get('claim') ?? '';
  const [form] = Form.useForm();
  useEffect(() => form.setFieldsValue({ claim }), [form, claim]);
  const res = useAsync(() => (claim ? api.claimAudit(claim) : Promise.resolve(undefined)), [claim]);
  const rows = itemsOf(res.data);

  return (
    <>
      <PageTitle title={t('audit.title')} />
      <Alert type="info" showIcon style={{ marginBottom: 16 }} title={t('audit.hint')} />
      <Card size="small" style={{ marginBottom: 16 }}>
        <Form form={form} layout="vertical" onFinish={(v) => setParams(v.claim?.trim() ? { claim: v.claim.trim().replace(/^#/, '') } : {})}>
          <Row gutter={12} align="bottom">
            <Col xs={24} sm={12} md={8}>
              <Form.Item
                name="claim"
                label={t('audit.claimId')}
                rules={[{ required: true, message: t('audit.claimIdPh') }, { pattern: /^#?\d+$/, message: t('audit.claimIdPh') }]}
              >
                <Input placeholder={t('audit.claimIdPh')} inputMode="numeric" />
              </Form.Item>
            </Col>
            <Col xs={24} sm={12} md={6}>
              <Form.Item>
                <Button type="primary" htmlType="submit">
                  {t('audit.query')}
                </Button>
              </Form.Item>
            </Col>
          </Row>
        </Form>
      </Card>
      {claim && (
        <Card size="small" title={<>{t('case.audit')} · <Link to={`/work/claims/${claim}`}>{t('case.title', { id: claim })}</Link></>}>
          <ErrorAlert error={res.error} onRetry={res.reload} />
          <Table<AuditEntry>
            size="small"
            rowKey="id"
            loading={res.loading}
            dataSource={rows}
            locale={{ emptyText: t('audit.empty') }}
            pagination={{ pageSize: 50, hideOnSinglePage: true }}
            scroll={{ x: 900 }}
            expandable={{
              rowExpandable: (r) => (r.details ?? r.data) !== undefined && (r.details ?? r.data) !== null,
              expandedRowRender: (r) => <pre style={{ margin: 0, whiteSpace: 'pre-wrap', fontSize: 12 }}>{JSON.stringify(r.details ?? r.data, null, 2)}</pre>,
            }}
            columns={[
              { title: t('audit.seq'), dataIndex: 'seq', width: 90, render: (v: number | null) => (v === null ? <Typography.Text type="secondary">{t('audit.unsealed')}</Typography.Text> : v) },
              { title: t('common.time'), dataIndex: 'at', width: 160, render: formatDateTime },
              { title: t('audit.actor'), dataIndex: 'actor', width: 160 },
              { title: t('audit.action'), dataIndex: 'action', render: (v: string) => <Typography.Text code>{v}</Typography.Text> },
              { title: t('audit.entity'), key: 'entity', render: (_, r) => `${r.entity}${r.entityId ? ` #${r.entityId}` : ''}` },
              { title: t('audit.ip'), dataIndex: 'ip', width: 130 },
            ]}
          />
        </Card>
      )}
    </>
  );
}
