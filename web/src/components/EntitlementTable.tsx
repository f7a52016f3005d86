import { Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useMemo } from 'react';
import type { Entitlement } from '../api/types';
import { useI18n } from '../i18n';
import { ExplanationView } from './ExplanationView';
import { StatusTag } from './Tags';

/** Entitlements with status, amount and, expanded, the engine's explanation. */
export function EntitlementTable({ items, action, expandAll = true }: { items: Entitlement[]; action?: (e: Entitlement) => React.ReactNode; expandAll?: boolean }) {
  const { t, pick, money } = useI18n();
  const rows = useMemo(() => items.map((e, i) => ({ ...e, key: `${e.claim}#${i}` })), [items]);
  const columns: ColumnsType<(typeof rows)[number]> = [
    {
      title: t('common.measure'),
      dataIndex: 'measure',
      width: 90,
      render: (m: number | null) => (m ? t('common.measureNo', { n: m }) : '—'),
    },
    {
      title: t('common.incentive'),
      dataIndex: 'title',
      render: (_, e) => (
        <>
          <Typography.Text strong>{pick(e.title, e.titleEn)}</Typography.Text>
          {e.item && <Typography.Text type="secondary">（{e.item}）</Typography.Text>}
          {e.implicit && (
            <Tag color="magenta" style={{ marginInlineStart: 6 }}>
              {t('status.implicit')}
            </Tag>
          )}
        </>
      ),
    },
    { title: t('common.status'), dataIndex: 'status', width: 110, render: (s: Entitlement['status']) => <StatusTag status={s} /> },
    {
      title: t('common.amount'),
      dataIndex: 'amountFen',
      align: 'right',
      width: 150,
      render: (v: number | null, e) => (v === null ? <Typography.Text type="secondary">{t(`status.${e.status}`)}</Typography.Text> : <Typography.Text strong={v > 0}>{money(v)}</Typography.Text>),
    },
  ];
  if (action) columns.push({ title: t('common.actions'), key: 'action', width: 100, render: (_, e) => action(e) });
  return (
    <Table
      className="kf-entitlements"
      size="middle"
      rowKey="key"
      pagination={false}
      dataSource={rows}
      columns={columns}
      scroll={{ x: 560 }}
      expandable={{
        defaultExpandAllRows: expandAll,
        rowExpandable: (e) => !!e.explanation,
        expandedRowRender: (e) => (e.explanation ? <ExplanationView ent={e} exp={e.explanation} /> : null),
      }}
    />
  );
}
