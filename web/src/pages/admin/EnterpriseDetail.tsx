import { EditOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Descriptions, Empty, Space, Table, Tag, Tabs, Typography } from 'antd';
import { useState } from 'react';
import { useParams } from 'react-router-dom';
import { registers } from '../../api/registers';
import { BankAccountCard } from '../../components/BankAccountCard';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageTitle } from '../../components/PageTitle';
import { useI18n } from '../../i18n';
import { useAreas } from '../../lib/areas';
import { formatDate, formatDateTime } from '../../lib/dates';
import { usePolicy, useAsync } from '../../lib/useAsync';
import { EnterpriseForm } from './Enterprises';

/**
 * One enterprise: the register's entry (the admin edits it; the code never changes), its facts on file by year with
 * each value's source — who stated it and when —, its users, how many claims it has, its credit status. Officials
 * who may read the enterprise see the same, read-only and without its users.
 */
export default function EnterpriseDetail() {
  const { uscc = '' } = useParams();
  const { t, pick } = useI18n();
  const { message } = App.useApp();
  const profile = useAsync(() => registers.enterpriseProfile(uscc), [uscc]);
  const policy = usePolicy();
  const { areaName } = useAreas();
  const [editing, setEditing] = useState(false);
  if (profile.error) return <ErrorAlert error={profile.error} onRetry={profile.reload} />;
  const p = profile.data;
  if (!p) return <Card loading />;
  const e = p.enterprise;
  const label = (name: string) => {
    const f = policy.data?.facts.find((x) => x.name === name);
    return f ? pick(f.label, f.labelEn) : name;
  };
  const show = (v: unknown) =>
    typeof v === 'boolean' ? t(v ? 'common.yes' : 'common.no') : Array.isArray(v) ? v.join('、') : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
  return (
    <>
      <PageTitle
        title={e.name}
        sub={e.uscc}
        extra={
          p.canEdit ? (
            <Button icon={<EditOutlined />} onClick={() => setEditing(true)}>
              {t('ent.edit')}
            </Button>
          ) : (
            <Tag>{t('ent.readOnly')}</Tag>
          )
        }
      />
      {p.credit.blocked && <Alert type="error" showIcon style={{ marginBottom: 16 }} message={t('ent.creditBlocked')} description={p.credit.entries.map((c) => `${c.listName}（${c.unit}，${c.listedOn}）`).join('；')} />}
      <Card style={{ marginBottom: 16 }}>
        <Descriptions column={{ xs: 1, md: 2 }} size="small">
          <Descriptions.Item label={t('ent.uscc')}>{e.uscc}</Descriptions.Item>
          <Descriptions.Item label={t('ent.area')}>{areaName(e.areaId)}</Descriptions.Item>
          <Descriptions.Item label={t('ent.class')}>{t(`ent.class.${e.industryClass}` as never)}</Descriptions.Item>
          <Descriptions.Item label={t('ent.registeredOn')}>{formatDate(e.createdAt)}</Descriptions.Item>
          <Descriptions.Item label={t('ent.claims')}>
            {p.claims.total} {Object.entries(p.claims.byState).map(([s, n]) => <Tag key={s}>{`${t(`state.${s}` as never)} ${n}`}</Tag>)}
          </Descriptions.Item>
          <Descriptions.Item label={t('ent.credit')}>{p.credit.blocked ? <Tag color="red">{t('creditList.blocksNow')}</Tag> : <Tag color="green">{t('ent.creditClear')}</Tag>}</Descriptions.Item>
        </Descriptions>
      </Card>
      <BankAccountCard uscc={e.uscc} />
      <Card title={t('ent.facts')} style={{ marginBottom: 16 }}>
        {p.factYears.length === 0 ? (
          <Empty description={t('ent.noFacts')} />
        ) : (
          <Tabs
            items={p.factYears.map((y) => ({
              key: String(y.year),
              label: String(y.year),
              children: (
                <Table
                  size="small"
                  rowKey="name"
                  pagination={false}
                  dataSource={y.facts}
                  columns={[
                    { title: t('ent.fact'), dataIndex: 'name', render: (n: string) => label(n) },
                    { title: t('ent.value'), dataIndex: 'value', render: (v: unknown) => show(v) },
                    {
                      title: t('ent.source'),
                      dataIndex: 'source',
                      render: (s: { name: string | null; username: string | null; at: string | null }) => (
                        <Typography.Text type="secondary">{`${s.name ?? '—'}${s.username ? `（${s.username}）` : ''} · ${formatDateTime(s.at)}`}</Typography.Text>
                      ),
                    },
                  ]}
                />
              ),
            }))}
          />
        )}
      </Card>
      {p.users && (
        <Card title={t('ent.usersTitle')} style={{ marginBottom: 16 }}>
          <Table
            size="small"
            rowKey="id"
            pagination={false}
            dataSource={p.users}
            columns={[
              { title: t('ent.username'), dataIndex: 'username' },
              { title: t('ent.displayName'), dataIndex: 'displayName', render: (v: string, u) => <Space>{v}{u.enterpriseAdmin && <Tag color="blue">{t('ent.entAdmin')}</Tag>}</Space> },
              { title: t('ent.status'), dataIndex: 'status', render: (s: string) => (s === 'active' ? <Tag color="green">{t('ent.active')}</Tag> : <Tag>{t('ent.disabled')}</Tag>) },
              { title: t('ent.lastLogin'), dataIndex: 'lastLoginAt', render: (v: string | null) => formatDateTime(v) },
            ]}
          />
        </Card>
      )}
      <Card title={t('ent.creditHistory')}>
        <Table
          size="small"
          rowKey="id"
          pagination={false}
          dataSource={p.credit.history}
          columns={[
            { title: t('creditList.listName'), dataIndex: 'listName' },
            { title: t('creditList.reason'), dataIndex: 'reason' },
            { title: t('creditList.source'), dataIndex: 'source' },
            { title: t('creditList.listedOn'), dataIndex: 'listedOn' },
            { title: t('creditList.delistedOn'), dataIndex: 'delistedOn' },
          ]}
        />
      </Card>
      {editing && (
        <EnterpriseForm
          current={e}
          onClose={() => setEditing(false)}
          onSaved={() => {
            setEditing(false);
            message.success(t('ent.saved'));
            profile.reload();
          }}
        />
      )}
    </>
  );
}
