import { Grid, Table, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { Link } from 'react-router-dom';
import type { Claim, PolicyLibrary } from '../api/types';
import { useI18n } from '../i18n';
import { formatDate } from '../lib/dates';
import { allIncentives } from '../lib/factForm';
import { StateTag } from './Tags';
import { measureLabel } from '../lib/measures';

/**
 * A page of claims; `official` adds the enterprise and area columns. On a phone (below 576 px) the number, the
 * enterprise and the state fold into the incentive's cell and year, area, date and actions give way, so that the
 * amount and the state are on screen without scrolling sideways.
 */
export function ClaimsTable({ items, total, page, pageSize, loading, onPage, linkTo, policy, official, areaName, extraColumns }: {
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
  /** columns a page adds before the actions (the queue's time on each item) */
  extraColumns?: ColumnsType<Claim>;
}) {
  const { t, pick, money } = useI18n();
  const narrow = !Grid.useBreakpoint().sm;
  const incTitle = (id: string, fallback?: string) => {
    const i = policy ? allIncentives(policy).find((x) => x.id === id) : undefined;
    return i ? pick(i.title, i.titleEn) : (fallback ?? id);
  };
  const columns: ColumnsType<Claim> = [
    { title: t('common.id'), dataIndex: 'id', width: 80, responsive: ['sm'], render: (id: number, c) => <Link to={linkTo(c)}>#{id}</Link> },
    ...(official
      ? ([
          {
            title: t('common.enterprise'),
            dataIndex: 'enterpriseName',
            responsive: ['sm'],
            render: (n: string | undefined, c: Claim) => (
              <>
                <div>{n ?? c.enterpriseUscc}</div>
                {n && <Typography.Text type="secondary" style={{ fontSize: 12 }}>{c.enterpriseUscc}</Typography.Text>}
              </>
            ),
          },
          { title: t('common.area'), dataIndex: 'areaId', width: 110, responsive: ['md'], render: (a: string, c: Claim) => c.areaName ?? areaName?.(a) ?? a },
        ] as ColumnsType<Claim>)
      : []),
    {
      title: t('common.incentive'),
      dataIndex: 'incentive',
      render: (id: string, c) => (
        <>
          {narrow && (
            <div>
              <Link to={linkTo(c)}>#{c.id}</Link>
              {official && <Typography.Text> {c.enterpriseName ?? c.enterpriseUscc}</Typography.Text>}
            </div>
          )}
          <div>
            {c.measure ? <Typography.Text type="secondary">{measureLabel(t, c.measure)} · </Typography.Text> : null}
            {incTitle(id, c.incentiveTitle)}
          </div>
          {c.item && <Typography.Text type="secondary">{c.item}</Typography.Text>}
          {narrow && (
            <div style={{ marginTop: 4 }}>
              <StateTag state={c.state} awaitingPublicity={c.awaitingPublicity} />
            </div>
          )}
        </>
      ),
    },
    { title: t('common.year'), dataIndex: 'year', width: 70, responsive: ['md'] },
    {
      title: t('claims.amount'),
      key: 'amount',
      align: 'right',
      width: narrow ? 110 : 140,
      // a refused claim has no amount to show, whatever was decided before it was reversed
      render: (_, c) => (c.state === 'rejected' ? '—' : money(c.decidedFen ?? c.amountClaimedFen ?? c.previewFen ?? null)),
    },
    { title: t('common.status'), dataIndex: 'state', width: 130, responsive: ['sm'], render: (s: Claim['state'], c) => <StateTag state={s} awaitingPublicity={c.awaitingPublicity} /> },
    { title: t('claims.updated'), key: 'updated', width: 110, responsive: ['md'], render: (_, c) => formatDate(c.updatedAt ?? c.submittedAt ?? c.createdAt) },
    ...(extraColumns ?? []),
    {
      title: t('common.actions'),
      key: 'op',
      width: 80,
      fixed: 'right',
      responsive: ['sm'],
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
      scroll={narrow ? undefined : { x: official ? 980 : 760 }}
      pagination={{ current: page, pageSize, total, showSizeChanger: true, showTotal: (n) => t('common.items', { n }), onChange: onPage }}
    />
  );
}
