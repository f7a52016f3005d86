import { BellOutlined } from '@ant-design/icons';
import { Alert, Badge, Button, Drawer, Empty, List, Spin, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { Link, useLocation } from 'react-router-dom';
import { inboxApi } from '../api/client';
import type { InboxItem, InboxView } from '../api/types';
import { mayOpen, useAuth } from '../auth/auth';
import { useI18n } from '../i18n';
import { formatDateTime } from '../lib/dates';
import { ErrorAlert } from './ErrorAlert';

/**
 * The bell in the top bar: how many things changed for this user since they last opened the inbox (GET
 * /api/inbox/count, asked again on every page change and each minute), and the inbox itself in a drawer. Opening
 * it marks what it shows as seen, up to the newest item shown — something arriving meanwhile stays new.
 */
export function InboxBell() {
  const { t, lang } = useI18n();
  const { user } = useAuth();
  const loc = useLocation();
  const [count, setCount] = useState<{ unseen: number; unseenMore: boolean }>({ unseen: 0, unseenMore: false });
  const [open, setOpen] = useState(false);
  const [view, setView] = useState<InboxView>();
  const [error, setError] = useState<unknown>();
  const [loading, setLoading] = useState(false);
  const signedIn = !!user && !user.mustChangePassword;

  useEffect(() => {
    if (!signedIn) return;
    let live = true;
    const ask = () => inboxApi.count().then((c) => live && setCount(c), () => undefined);
    ask();
    const timer = setInterval(ask, 60_000);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [signedIn, loc.pathname]);

  if (!signedIn) return null;

  const openInbox = async () => {
    setOpen(true);
    setLoading(true);
    setError(undefined);
    try {
      const v = await inboxApi.inbox();
      setView(v);
      const newest = v.items[0]?.id;
      if (newest !== undefined && v.items.some((i) => i.unseen)) {
        await inboxApi.seen(newest);
        setCount(await inboxApi.count());
      }
    } catch (e) {
      setError(e);
    } finally {
      setLoading(false);
    }
  };

  const linkOf = (i: InboxItem): string | null => {
    if (i.claimId !== null) return user.role === 'enterprise' ? `/portal/claims/${i.claimId}` : mayOpen(user, 'caseView') ? `/work/claims/${i.claimId}` : null;
    if (i.batchId !== null && mayOpen(user, 'publicity')) return `/work/publicity/${i.batchId}`;
    return null;
  };
  const label = count.unseenMore ? '99+' : String(count.unseen);

  return (
    <>
      <Badge count={count.unseen} overflowCount={99} size="small" offset={[-4, 4]} data-testid="inbox-count">
        <Button type="text" style={{ color: '#fff' }} icon={<BellOutlined style={{ fontSize: 18 }} />} aria-label={t('inbox.open', { n: label })} onClick={openInbox} />
      </Badge>
      <Drawer open={open} onClose={() => setOpen(false)} title={t('inbox.title')} size={420} placement="right">
        <ErrorAlert error={error} onRetry={openInbox} />
        {loading && !view ? (
          <Spin />
        ) : view ? (
          <>
            <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
              {view.lastSeenAt ? t('inbox.since', { at: formatDateTime(view.lastSeenAt) }) : t('inbox.never')}
            </Typography.Paragraph>
            {view.reminders.length > 0 && (
              <>
                <Typography.Title level={5}>{t('inbox.reminders')}</Typography.Title>
                {view.reminders.map((r) => (
                  <Alert
                    key={r.batchId}
                    type={r.kind === 'batchEnded' ? 'warning' : 'info'}
                    showIcon
                    style={{ marginBottom: 8 }}
                    title={
                      <Link to={`/work/publicity/${r.batchId}`} onClick={() => setOpen(false)}>
                        {r.kind === 'batchEnded'
                          ? t('inbox.batchEnded', { title: r.title, date: r.endsOn, n: r.claims })
                          : r.daysLeft === 0
                            ? t('inbox.batchEndsToday', { title: r.title, n: r.claims })
                            : t('inbox.batchEnding', { title: r.title, date: r.endsOn, days: r.daysLeft, n: r.claims })}
                      </Link>
                    }
                  />
                ))}
                <Typography.Title level={5}>{t('inbox.changes')}</Typography.Title>
              </>
            )}
            {view.items.length === 0 ? (
              <Empty description={t('inbox.empty')} />
            ) : (
              <List
                size="small"
                dataSource={view.items}
                renderItem={(i) => {
                  const to = linkOf(i);
                  const text = lang === 'zh' ? i.summaryZh : i.summaryEn;
                  return (
                    <List.Item className="kf-inbox-item">
                      <div>
                        <div>
                          {i.unseen && <Tag color="red">{t('inbox.new')}</Tag>}
                          {to ? (
                            <Link to={to} onClick={() => setOpen(false)}>
                              {text}
                            </Link>
                          ) : (
                            text
                          )}
                        </div>
                        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                          {formatDateTime(i.at)} · {lang === 'zh' ? i.actionZh : i.actionEn}
                        </Typography.Text>
                      </div>
                    </List.Item>
                  );
                }}
              />
            )}
          </>
        ) : null}
      </Drawer>
    </>
  );
}
