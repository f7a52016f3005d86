import {
  AuditOutlined, BankOutlined, BarChartOutlined, CalendarOutlined, FieldTimeOutlined, FundOutlined, CalculatorOutlined, DownOutlined, FileAddOutlined, HomeOutlined,
  InboxOutlined, LoginOutlined, LogoutOutlined, MenuOutlined, NotificationOutlined, ProfileOutlined, ReadOutlined, UserOutlined,
  SafetyCertificateOutlined, TeamOutlined, TrophyOutlined, ShopOutlined, StopOutlined,
  RollbackOutlined, CustomerServiceOutlined, PieChartOutlined, FormOutlined, EnvironmentOutlined, AimOutlined, FunnelPlotOutlined,
} from '@ant-design/icons';
import { Alert, App, Badge, Button, Drawer, Dropdown, Flex, Grid, Layout, Menu, Segmented, Spin, Typography } from 'antd';
import type { MenuProps } from 'antd';
import { Suspense, useEffect, useState } from 'react';
import { Link, Outlet, useLocation, useNavigate } from 'react-router-dom';
import { api } from '../api/client';
import type { CalendarCoverage, QueueCounts, Role } from '../api/types';
import { mayOpen, useAuth } from '../auth/auth';
import { useI18n } from '../i18n';
import { InboxBell } from '../components/InboxBell';
import { useSdText } from '../pages/service-desk/text';

const { Header, Sider, Content, Footer } = Layout;

type Item = Required<MenuProps>['items'][number];


export function AppLayout() {
  const { t, lang, setLang } = useI18n();
  const { user, logout } = useAuth();
  const { message } = App.useApp();
  const screens = Grid.useBreakpoint();
  const loc = useLocation();
  const navigate = useNavigate();
  const [drawer, setDrawer] = useState(false);
  const [queueTotal, setQueueTotal] = useState(0);
  const wide = screens.lg ?? true;
  const [version, setVersion] = useState<string>();

  useEffect(() => {
    api.health().then((h) => setVersion(h.version), () => undefined);
  }, []);

  useEffect(() => setDrawer(false), [loc.pathname]);

  // The queue badge in the menu: what is waiting for this official.
  useEffect(() => {
    if (!mayOpen(user, 'queue')) return setQueueTotal(0);
    let live = true;
    api.queues().then(
      (q: QueueCounts) => live && setQueueTotal(mineTotal(user!.role, q)),
      () => live && setQueueTotal(0),
    );
    return () => {
      live = false;
    };
  }, [user, loc.pathname]);

  const link = (to: string, label: string) => <Link to={to}>{label}</Link>;
  const sd = useSdText();
  const items: Item[] = [
    {
      type: 'group',
      label: t('nav.public'),
      key: 'g-public',
      children: [
        { key: '/policy', icon: <ReadOutlined />, label: link('/policy', t('nav.policy')) },
        { key: '/calculator', icon: <CalculatorOutlined />, label: link('/calculator', t('nav.calculator')) },
        { key: '/service-figures', icon: <PieChartOutlined />, label: link('/service-figures', sd('navPublic')) },
        { key: '/assistance-catalogue', icon: <CustomerServiceOutlined />, label: link('/assistance-catalogue', sd('asCatalogue')) },
        { key: '/map', icon: <EnvironmentOutlined />, label: link('/map', t('nav.map')) },
        { key: '/map/match', icon: <AimOutlined />, label: link('/map/match', t('inv.matchTitle')) },
      ],
    },
  ];
  if (mayOpen(user, 'portal')) {
    items.push({
      type: 'group',
      label: t('nav.portal'),
      key: 'g-portal',
      children: [
        { key: '/portal', icon: <HomeOutlined />, label: link('/portal', t('nav.home')) },
        { key: '/portal/apply', icon: <FileAddOutlined />, label: link('/portal/apply', t('nav.apply')) },
        { key: '/portal/claims', icon: <ProfileOutlined />, label: link('/portal/claims', t('nav.myClaims')) },
        { key: '/portal/requests', icon: <CustomerServiceOutlined />, label: link('/portal/requests', sd('navMine')) },
        { key: '/portal/reports', icon: <FormOutlined />, label: link('/portal/reports', sd('drMine')) },
        { key: '/portal/assistance', icon: <CustomerServiceOutlined />, label: link('/portal/assistance', sd('asNav')) },
        { key: '/portal/financing', icon: <BankOutlined />, label: link('/portal/financing', sd('fnMine')) },
        // the enterprise's administrator keeps its colleagues' accounts
        ...(user?.enterpriseAdmin ? [{ key: '/portal/colleagues', icon: <TeamOutlined />, label: link('/portal/colleagues', t('nav.colleagues')) }] : []),
      ],
    });
  }
  if (user && user.role !== 'enterprise' && user.role !== 'bank') {
    const work: Item[] = [];
    if (mayOpen(user, 'queue'))
      work.push({
        key: '/work/queue',
        icon: <InboxOutlined />,
        label: (
          <Link to="/work/queue">
            <Flex justify="space-between" align="center">
              {t('nav.queue')}
              {queueTotal > 0 && <Badge count={queueTotal} overflowCount={999} style={{ marginInlineStart: 8 }} />}
            </Flex>
          </Link>
        ),
      });
    if (mayOpen(user, 'publicity')) work.push({ key: '/work/publicity', icon: <NotificationOutlined />, label: link('/work/publicity', t('nav.publicity')) });
    if (mayOpen(user, 'payments')) work.push({ key: '/work/payments', icon: <BankOutlined />, label: link('/work/payments', t('nav.payments')) });
    if (mayOpen(user, 'recoveries')) work.push({ key: '/work/recoveries', icon: <RollbackOutlined />, label: link('/work/recoveries', t('rec.nav')) });
    if (mayOpen(user, 'paymentBatches')) work.push({ key: '/work/payment-batches', icon: <BankOutlined />, label: link('/work/payment-batches', t('nav.paymentBatches')) });
    if (mayOpen(user, 'budgets')) work.push({ key: '/work/budgets', icon: <FundOutlined />, label: link('/work/budgets', t('nav.budgets')) });
    if (mayOpen(user, 'overview')) work.push({ key: '/work/overview', icon: <BarChartOutlined />, label: link('/work/overview', t('nav.overview')) });
    if (mayOpen(user, 'audit')) work.push({ key: '/work/audit', icon: <AuditOutlined />, label: link('/work/audit', t('nav.audit')) });
    items.push({ type: 'group', label: t('nav.work'), key: 'g-work', children: work });
  }
  if (mayOpen(user, 'serviceLimits')) {
    items.push({
      type: 'group',
      label: t('nav.service'),
      key: 'g-service',
      children: [
        { key: '/work/service-cases', icon: <FieldTimeOutlined />, label: link('/work/service-cases', t('nav.serviceCases')) },
        { key: '/work/service-compliance', icon: <FundOutlined />, label: link('/work/service-compliance', t('nav.serviceCompliance')) },
      ],
    });
  }

  // 综合金融服务平台: a bank branch's one page
  if (user?.role === 'bank') items.push({ type: 'group', label: sd('fnNav'), key: 'g-bank', children: [{ key: '/bank', icon: <BankOutlined />, label: link('/bank', sd('fnBankQueue')) }] });
  // 政企服务 (measure 21): the unit's requests and the figures
  if (mayOpen(user, 'serviceFigures')) {
    items.push({
      type: 'group',
      label: sd('group'),
      key: 'g-service-desk',
      children: [
        ...(mayOpen(user, 'serviceRequests') ? [{ key: '/work/requests', icon: <CustomerServiceOutlined />, label: link('/work/requests', sd('navQueue')) }] : []),
        { key: '/work/request-figures', icon: <PieChartOutlined />, label: link('/work/request-figures', sd('navFigures')) },
        ...(mayOpen(user, 'directReports') ? [{ key: '/work/direct-reports', icon: <FormOutlined />, label: link('/work/direct-reports', sd('drNav')) }] : []),
        ...(mayOpen(user, 'liaison') ? [{ key: '/work/liaison', icon: <TeamOutlined />, label: link('/work/liaison', sd('lvNav')) }] : []),
        ...(mayOpen(user, 'assistance') ? [{ key: '/work/assistance', icon: <CustomerServiceOutlined />, label: link('/work/assistance', sd('asNav')) }] : []),
        ...((user?.role === 'departmentReviewer' && user.departmentId === 'financial-office') || user?.role === 'auditor' ? [{ key: '/work/financing', icon: <BankOutlined />, label: link('/work/financing', sd('fnPipeline')) }] : []),
      ],
    });
  }

  if (mayOpen(user, 'calendar')) {
    items.push({
      type: 'group',
      label: t('nav.admin'),
      key: 'g-admin',
      children: [{ key: '/work/calendar', icon: <CalendarOutlined />, label: link('/work/calendar', t('nav.calendar')) }],
    });
  }

  const allKeys = ['/work/calendar', '/portal/claims', '/portal/apply', '/portal', '/work/queue', '/work/claims', '/work/publicity', '/work/payment-batches', '/work/budgets', '/work/payments', '/work/recoveries', '/work/overview', '/work/audit', '/work/service-cases', '/work/service-compliance', '/policy', '/calculator', '/work/requests', '/work/request-figures', '/service-figures', '/work/direct-reports', '/work/liaison', '/work/assistance', '/assistance-catalogue', '/work/financing', '/bank'];
  // 用户管理 joins the administration group (made here when no other page of it is in the menu)
  if (mayOpen(user, 'users')) {
    let adminGroup = items.find((i) => i?.key === 'g-admin') as { children: Item[] } | undefined;
    if (!adminGroup) {
      adminGroup = { type: 'group', label: t('nav.adminGroup'), key: 'g-admin', children: [] } as never;
      items.push(adminGroup as Item);
    }
    adminGroup!.children.unshift({ key: '/work/users', icon: <TeamOutlined />, label: link('/work/users', t('nav.users')) });
  }
  allKeys.unshift('/work/users', '/portal/colleagues', '/account'); // before '/portal', which would match first
  allKeys.unshift('/portal/requests', '/portal/reports', '/portal/assistance', '/portal/financing'); // 政企服务: before '/portal' too
  // The registers (issue 10): the admin keeps enterprises and credit lists in the administration group; officials
  // read them among their work, where lead departments also keep their city awards.
  {
    const groupOf = (key: string) => items.find((i) => i?.key === key) as { children: Item[] } | undefined;
    const registers: Item[] = [];
    if (mayOpen(user, 'cityAwards')) registers.push({ key: '/work/city-awards', icon: <TrophyOutlined />, label: link('/work/city-awards', t('nav.cityAwards')) });
    if (mayOpen(user, 'enterprises')) registers.push({ key: '/work/enterprises', icon: <ShopOutlined />, label: link('/work/enterprises', t('nav.enterprises')) });
    if (mayOpen(user, 'creditList')) registers.push({ key: '/work/credit-list', icon: <StopOutlined />, label: link('/work/credit-list', t('nav.creditList')) });
    const home = user?.role === 'admin' ? groupOf('g-admin') : groupOf('g-work');
    if (home) home.children.push(...registers);
    else if (registers.length) items.push({ type: 'group', label: t('nav.adminGroup'), key: 'g-admin', children: registers } as Item);
    allKeys.unshift('/work/city-awards', '/work/enterprises', '/work/credit-list');
  }

  // The investment map (issue 13): the lead board sits with the commerce bureau's work (other readers open it by URL).
  if (mayOpen(user, 'leads') && (user?.role === 'auditor' || user?.departmentId === 'commerce-bureau')) {
    (items.find((i) => i?.key === 'g-work') as { children: Item[] } | undefined)?.children.push({ key: '/work/leads', icon: <FunnelPlotOutlined />, label: link('/work/leads', t('nav.leads')) });
  }
  allKeys.unshift('/map/match', '/map', '/work/leads');
  let selected = allKeys.find((k) => loc.pathname === k || loc.pathname.startsWith(k + '/')) ?? loc.pathname;
  if (selected === '/work/claims') selected = '/work/queue';

  const menu = <Menu mode="inline" selectedKeys={[selected]} items={items} style={{ borderInlineEnd: 0 }} aria-label={t('app.menu')} />;

  const onLogout = async () => {
    await logout();
    message.success(t('nav.loggedOut'));
    navigate('/policy');
  };

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <a className="kf-skip" href="#main">
        {t('app.skip')}
      </a>
      <Header style={{ display: 'flex', alignItems: 'center', gap: 12, paddingInline: wide ? 24 : 12, background: '#0f2f66', position: 'sticky', top: 0, zIndex: 20 }}>
        {!wide && <Button type="text" aria-label={t('app.menu')} icon={<MenuOutlined style={{ color: '#fff', fontSize: 18 }} />} onClick={() => setDrawer(true)} />}
        <Link to="/" className="kf-brand" style={{ flex: 1, minWidth: 0 }}>
          <span className="kf-brand-mark" aria-hidden>
            开
          </span>
          <span>{wide || screens.sm ? t('app.name') : t('app.short')}</span>
        </Link>
        <Segmented
          size="small"
          aria-label={t('app.lang')}
          value={lang}
          onChange={(v) => setLang(v as 'zh' | 'en')}
          options={[
            { value: 'zh', label: '中文' },
            { value: 'en', label: 'EN' },
          ]}
        />
        <InboxBell />
        {user ? (
          <Dropdown
            trigger={['click']}
            menu={{
              items: [
                { key: 'who', disabled: true, label: <span>{t(`role.${user.role}`)}{user.enterprise?.name ? ` · ${user.enterprise.name}` : ''}</span> },
                { type: 'divider' },
                { key: 'account', icon: <SafetyCertificateOutlined />, label: <Link to="/account">{t('nav.account')}</Link> },
                { key: 'logout', icon: <LogoutOutlined />, label: t('nav.logout'), onClick: onLogout },
              ],
            }}
          >
            <Button type="text" style={{ color: '#fff' }} icon={<UserOutlined />} aria-label={`${user.displayName} ${t(`role.${user.role}`)}`}>
              <span className="kf-hide-xs">{user.displayName}</span> <DownOutlined style={{ fontSize: 10 }} />
            </Button>
          </Dropdown>
        ) : loc.pathname === '/login' ? null : (
          <Button type="primary" ghost style={{ color: '#fff', borderColor: '#fff' }} icon={<LoginOutlined />} onClick={() => navigate(`/login?next=${encodeURIComponent(loc.pathname)}`)}>
            <span className="kf-hide-xs">{t('nav.login')}</span>
          </Button>
        )}
      </Header>
      <Layout>
        {wide ? (
          <Sider width={216} theme="light" style={{ borderInlineEnd: '1px solid #eee' }}>
            <nav style={{ position: 'sticky', top: 64, paddingTop: 8 }}>{menu}</nav>
          </Sider>
        ) : (
          <Drawer placement="left" open={drawer} onClose={() => setDrawer(false)} size={260} title={t('app.name')} styles={{ body: { padding: 0 } }}>
            <nav>{menu}</nav>
          </Drawer>
        )}
        <Layout>
          <Content id="main" tabIndex={-1} style={{ padding: wide ? 24 : 12, minWidth: 0, outline: 'none' }}>
            <CalendarBanner />
            <Suspense fallback={<Flex justify="center" style={{ padding: 80 }}><Spin size="large" /></Flex>}>
              <Outlet />
            </Suspense>
          </Content>
          <Footer style={{ textAlign: 'center', fontSize: 12, color: '#888', padding: '12px 24px' }}>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('app.footer', { version: version ?? '—' })} · <a href="/docs">{t('app.apiDocs')}</a>
            </Typography.Text>
          </Footer>
        </Layout>
      </Layout>
    </Layout>
  );
}

/** The counts an official acts on, for the menu badge. */
export function mineTotal(role: Role, q: QueueCounts): number {
  const keys: Record<Role, (keyof QueueCounts)[]> = {
    enterprise: [],
    areaReviewer: ['firstReview'],
    departmentReviewer: ['departmentReview', 'jointReview', 'publicity'],
    finance: ['awaitingPayment'],
    auditor: [],
    admin: [],
    bank: [],
  };
  return keys[role].reduce((s, k) => s + (q[k] ?? 0), 0);
}

/** Officials who count time limits (and the administrator who keeps the calendar) read the calendar's coverage. */
const CALENDAR_READERS: readonly Role[] = ['areaReviewer', 'departmentReviewer', 'finance', 'auditor', 'admin'];

/**
 * From 1 November (configurable) of the calendar's last covered year until next year's State Council notice is
 * entered: every official sees that due dates beyond the coverage are provisional, and the administrator a link to
 * enter it. Not on the calendar page itself, which says so in its own words.
 */
function CalendarBanner() {
  const { t } = useI18n();
  const { user } = useAuth();
  const loc = useLocation();
  const [coverage, setCoverage] = useState<CalendarCoverage | null>(null);
  const reader = !!user && CALENDAR_READERS.includes(user.role);
  useEffect(() => {
    if (!reader) return setCoverage(null);
    let live = true;
    api.calendar().then((c) => live && setCoverage(c), () => live && setCoverage(null));
    return () => {
      live = false;
    };
  }, [reader, loc.pathname === '/work/calendar']); // eslint-disable-line react-hooks/exhaustive-deps
  if (!coverage?.reminder || loc.pathname === '/work/calendar') return null;
  return (
    <Alert
      type="warning"
      showIcon
      banner
      style={{ marginBottom: 12 }}
      title={t('cal.banner', { year: coverage.nextYear, through: coverage.coveredThrough })}
      action={mayOpen(user, 'calendar') ? <Link to="/work/calendar">{t('cal.bannerAction')}</Link> : undefined}
    />
  );
}
