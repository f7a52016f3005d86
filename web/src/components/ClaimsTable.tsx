import { Table, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { Link } from 'react-router-dom';
import type { Claim, PolicyLibrary } from '../api/types';
import { useI18n } from '../i18n';
import { formatDate } from '../lib/dates';
import { allIncentives } from '../lib/factForm';
import { StateTag } from './Tags';
import { measureLabel } from '../lib/measures';

/** A page of claims; `official` adds the enterprise and area columns. */
export function ClaimsTable({ items, total, page, pageSize, loading, onPage, linkTo, policy, official, areaName }: {
  items: Claim[];
  total: number;
  page: number;
  pageSize: number;
  loading?: boolean;
  onPage: (page: number, pageSize: number) => void;
  linkTo: (c: Claim) => string;
  policy?: PolicyLibrary;
  official?: boolean;
  areaName?: (id: string) => string;
}) {
  const { t, pick, money } = useI18n();
  const incTitle = (id: string, fallback?: string) => {
    const i = policy ? allIncentives(policy).find((x) => x.id === id) : undefined;
    return i ? pick(i.title, i.titleEn) : (fallback ?? id);
  };
  const columns: ColumnsType<Claim> = [
    { title: t('common.id'), dataIndex: 'id', width: 80, render: (id: number, c) => <Link to={linkTo(c)}>#{id}</Link> },
    ...(official
      ? ([
          {
            title: t('common.enterprise'),
            dataIndex: 'enterpriseName',
            render: (n: string | undefined, c: Claim) => (
              <>
                <div>{n ?? c.enterpriseUscc}</div>
                {n && <Typography.Text type="secondary" style={{ fontSize: 12 }}>{c.enterpriseUscc}</Typography.Text>}
              </>
            ),
          },
          { title: t('common.area'), dataIndex: 'areaId', width: 110, render: (a: string, c: Claim) => c.areaName ?? areaName?.(a) ?? a },
        ] as ColumnsType<Claim>)
      : []),
    {
      title: t('common.incentive'),
      dataIndex: 'incentive',
      render: (id: string, c) => (
        <>
          <div>
            {c.measure ? <Typography.Text type="secondary">{measureLabel(t, c.measure)} · </Typography.Text> : null}
            {incTitle(id, c.incentiveTitle)}
          </div>
          {c.item && <Typography.Text type="secondary">{c.item}</Typography.Text>}
        </>
      ),
    },
    { title: t('common.year'), dataIndex: 'year', width: 70 },
    {
      title: t('claims.amount'),
      key: 'amount',
      align: 'right',
      width: 140,
      // a refused claim has no amount to show, whatever was decided before it was reversed
      render: (_, c) => (c.state === 'rejected' ? '—' : money(c.decidedFen ?? c.amountClaimedFen ?? c.previewFen ?? null)),
    },
    { title: t('common.status'), dataIndex: 'state', width: 130, render: (s: Claim['state'], c) => <StateTag state={s} awaitingPublicity={c.awaitingPublicity} /> },
    { title: t('claims.updated'), key: 'updated', width: 110, render: (_, c) => formatDate(c.updatedAt ?? c.submittedAt ?? c.createdAt) },
    {
      title: t('common.actions'),
      key: 'op',
      width: 80,
      fixed: 'right',
      render: (_, c) => <Link to={linkTo(c)} aria-label={`${official ? t('common.handle') : t('common.view')} #${c.id}`}>{official ? t('common.handle') : t('common.view')}</Link>,
    },
  ];
  return (
    <Table<Claim>
      rowKey="id"
      size="middle"
      loading={loading}
      dataSource={items}
      columns={columns}
      scroll={{ x: official ? 980 : 760 }}
      pagination={{ current: page, pageSize, total, showSizeChanger: true, showTotal: (n) => t('common.items', { n }), onChange: onPage }}
    />
  );
}
