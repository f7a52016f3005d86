import { Grid, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useMemo } from 'react';
import type { Entitlement } from '../api/types';
import { useI18n } from '../i18n';
import { readEntitlement } from '../lib/entitlement';
import { ExplanationView } from './ExplanationView';
import { VerdictTag } from './VerdictTag';

/**
 * Entitlements with status, amount and, expanded, the engine's explanation. On a phone (below 576 px) the
 * measure and status columns fold into the incentive's cell, so that the amount stays on screen without
 * scrolling sideways.
 */
export function EntitlementTable({ items, action, expandAll = true, showItem = true }: { items: Entitlement[]; action?: (e: Entitlement) => React.ReactNode; expandAll?: boolean; showItem?: boolean }) {
  const { t, pick, money } = useI18n();
  const narrow = !Grid.useBreakpoint().sm;
  const rows = useMemo(() => items.map((e, i) => ({ ...e, key: `${e.claim}#${i}` })), [items]);
  const columns: ColumnsType<(typeof rows)[number]> = [
    {
      title: t('common.measure'),
      dataIndex: 'measure',
      width: 90,
      responsive: ['sm'],
      render: (m: number | null) => (m ? t('common.measureNo', { n: m }) : '—'),
    },
    {
      title: t('common.incentive'),
      dataIndex: 'title',
      render: (_, e) => (
        <>
          {narrow && e.measure ? <Typography.Text type="secondary">{t('common.measureNo', { n: e.measure })} · </Typography.Text> : null}
          <Typography.Text strong>{pick(e.title, e.titleEn)}</Typography.Text>
          {showItem && e.item && <Typography.Text type="secondary">（{e.item}）</Typography.Text>}
          {e.implicit && (
            <Tag color="magenta" style={{ marginInlineStart: 6 }}>
              {t('status.implicit')}
            </Tag>
          )}
          {narrow && (
            <div style={{ marginTop: 4 }}>
              <VerdictTag ent={e} />
            </div>
          )}
        </>
      ),
    },
    { title: t('common.status'), dataIndex: 'status', width: 130, responsive: ['sm'], render: (_, e) => <VerdictTag ent={e} /> },
    {
      title: t('common.amount'),
      dataIndex: 'amountFen',
      align: 'right',
      width: narrow ? 112 : 150,
      className: 'kf-amount',
      render: (v: number | null, e) => {
        const verdict = readEntitlement(e).verdict;
        if (verdict === 'eligible') return <Typography.Text strong={(v ?? 0) > 0}>{money(v)}</Typography.Text>;
        if (verdict === 'needsInfo') return <Typography.Text type="warning">{t('calc.amountVerdict.needsInfo')}</Typography.Text>;
        if (verdict === 'claimable') return <Typography.Text type="secondary">{t('calc.amountVerdict.claimable')}</Typography.Text>;
        if (verdict === 'notEligible') return <Typography.Text type="secondary">—</Typography.Text>;
        return <Typography.Text type="secondary">{t(`status.${e.status}`)}</Typography.Text>;
      },
    },
  ];
  if (action) columns.push({ title: t('common.actions'), key: 'action', width: 100, fixed: narrow ? undefined : 'right', render: (_, e) => action(e) });
  return (
    <Table
      className="kf-entitlements"
      size={narrow ? 'small' : 'middle'}
      rowKey="key"
      pagination={false}
      dataSource={rows}
      columns={columns}
      // on a phone the two columns fit the screen; wider, the table may scroll rather than squeeze the title
      scroll={narrow ? undefined : { x: 560 }}
      expandable={{
        defaultExpandAllRows: expandAll,
        rowExpandable: (e) => !!e.explanation,
        expandedRowRender: (e) => (e.explanation ? <ExplanationView ent={e} exp={e.explanation} /> : null),
      }}
    />
  );
}
