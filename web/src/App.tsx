import { App as AntApp, ConfigProvider, Flex, Spin } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import dayjs from 'dayjs';
import { lazy, useEffect } from 'react';
import { BrowserRouter, Navigate, Route, Routes, useLocation, useNavigate } from 'react-router-dom';
import { setUnauthenticatedHandler } from './api/client';
import { AuthProvider, homeOf, OFFICIAL_ROLES, PAGE_ROLES, useAuth } from './auth/auth';
import { RequireRole } from './auth/RequireRole';
import { I18nProvider, useI18n } from './i18n';
import { AppLayout } from './layout/AppLayout';
import { PasswordGate } from './pages/account/PasswordGate';

/** every signed-in user (their own account page) */
const ALL_ROLES = ['enterprise', ...OFFICIAL_ROLES] as const;

// Every page is its own chunk: the public pages load without the workbench, charts or upload code.
const pages = {
  PolicyLibrary: () => import('./pages/public/PolicyLibrary'),
  Calculator: () => import('./pages/public/Calculator'),
  Login: () => import('./pages/public/Login'),
  EnterpriseHome: () => import('./pages/enterprise/EnterpriseHome'),
  ClaimWizard: () => import('./pages/enterprise/ClaimWizard'),
  MyClaims: () => import('./pages/enterprise/MyClaims'),
  CaseView: () => import('./pages/official/CaseView'),
  Queues: () => import('./pages/official/Queues'),
  Publicity: () => import('./pages/official/Publicity'),
  PublicityBatch: () => import('./pages/official/PublicityBatch'),
  Payments: () => import('./pages/official/Payments'),
  PaymentBatches: () => import('./pages/official/PaymentBatches'),
  PaymentBatch: () => import('./pages/official/PaymentBatch'),
  Budgets: () => import('./pages/official/Budgets'),
  Recoveries: () => import('./pages/official/Recoveries'),
  Overview: () => import('./pages/official/Overview'),
  Audit: () => import('./pages/official/Audit'),
  ServiceCases: () => import('./pages/official/ServiceCases'),
  ServiceCase: () => import('./pages/official/ServiceCase'),
  ServiceCompliance: () => import('./pages/official/ServiceCompliance'),
  ServiceRequests: () => import('./pages/service-desk/Requests'),
  ServiceRequest: () => import('./pages/service-desk/RequestView'),
  ServiceFigures: () => import('./pages/service-desk/Figures'),
  DirectReports: () => import('./pages/service-desk/DirectReports'),
  DirectReportView: () => import('./pages/service-desk/DirectReportView'),
  MyReports: () => import('./pages/service-desk/MyReports'),
  Liaison: () => import('./pages/service-desk/Liaison'),
  Assistance: () => import('./pages/service-desk/Assistance'),
  Financing: () => import('./pages/service-desk/Financing'),
  CalendarUpkeep: () => import('./pages/admin/CalendarUpkeep'),
  Users: () => import('./pages/admin/Users'),
  Enterprises: () => import('./pages/admin/Enterprises'),
  EnterpriseDetail: () => import('./pages/admin/EnterpriseDetail'),
  CityAwards: () => import('./pages/official/CityAwards'),
  CreditList: () => import('./pages/admin/CreditList'),
  InvestmentMap: () => import('./pages/investment/MapPage'),
  SiteMatching: () => import('./pages/investment/MatchPage'),
  LeadBoard: () => import('./pages/investment/LeadBoard'),
  Account: () => import('./pages/account/Account'),
  Forbidden: () => import('./pages/errors/Forbidden'),
  NotFound: () => import('./pages/errors/NotFound'),
};
const PolicyLibrary = lazy(pages.PolicyLibrary);
const Calculator = lazy(pages.Calculator);
const Login = lazy(pages.Login);
const EnterpriseHome = lazy(pages.EnterpriseHome);
const ClaimWizard = lazy(pages.ClaimWizard);
const MyClaims = lazy(pages.MyClaims);
const CaseView = lazy(pages.CaseView);
const Queues = lazy(pages.Queues);
const Publicity = lazy(pages.Publicity);
const PublicityBatchPage = lazy(pages.PublicityBatch);
const Payments = lazy(pages.Payments);
const PaymentBatches = lazy(pages.PaymentBatches);
const PaymentBatchPage = lazy(pages.PaymentBatch);
const Budgets = lazy(pages.Budgets);
const Recoveries = lazy(pages.Recoveries);
const Overview = lazy(pages.Overview);
const Audit = lazy(pages.Audit);
const ServiceCases = lazy(pages.ServiceCases);
const ServiceCase = lazy(pages.ServiceCase);
const ServiceCompliance = lazy(pages.ServiceCompliance);
const ServiceRequests = lazy(pages.ServiceRequests);
const ServiceRequest = lazy(pages.ServiceRequest);
const ServiceFigures = lazy(pages.ServiceFigures);
const DirectReports = lazy(pages.DirectReports);
const DirectReportView = lazy(pages.DirectReportView);
const MyReports = lazy(pages.MyReports);
const Liaison = lazy(pages.Liaison);
const Assistance = lazy(pages.Assistance);
const Financing = lazy(pages.Financing);
const CalendarUpkeep = lazy(pages.CalendarUpkeep);
const Users = lazy(pages.Users);
const Enterprises = lazy(pages.Enterprises);
const EnterpriseDetail = lazy(pages.EnterpriseDetail);
const CityAwards = lazy(pages.CityAwards);
const CreditList = lazy(pages.CreditList);
const InvestmentMap = lazy(pages.InvestmentMap);
const SiteMatching = lazy(pages.SiteMatching);
const LeadBoard = lazy(pages.LeadBoard);
const Account = lazy(pages.Account);
const Forbidden = lazy(pages.Forbidden);
const NotFound = lazy(pages.NotFound);

/**
 * Fetch the chunk of the page the browser opened while React starts and the session is checked, instead of
 * after: the module loader hands React.lazy the same module later.
 */
export function preloadPageFor(pathname: string) {
  const p = pathname.replace(/\/+$/, '') || '/';
  const pick: Array<[RegExp, () => Promise<unknown>]> = [
    [/^\/policy$/, pages.PolicyLibrary],
    [/^\/calculator$/, pages.Calculator],
    [/^\/login$/, pages.Login],
    [/^\/portal$/, pages.EnterpriseHome],
    [/^\/portal\/apply$|^\/portal\/claims\/\d+\/edit$/, pages.ClaimWizard],
    [/^\/portal\/claims$/, pages.MyClaims],
    [/^\/(portal|work)\/claims\/\d+$/, pages.CaseView],
    [/^\/work\/queue$/, pages.Queues],
    [/^\/work\/publicity$/, pages.Publicity],
    [/^\/work\/publicity\/\d+$/, pages.PublicityBatch],
    [/^\/work\/payments$/, pages.Payments],
    [/^\/work\/payment-batches$/, pages.PaymentBatches],
    [/^\/work\/payment-batches\/\d+$/, pages.PaymentBatch],
    [/^\/work\/budgets$/, pages.Budgets],
    [/^\/work\/recoveries$/, pages.Recoveries],
    [/^\/work\/overview$/, pages.Overview],
    [/^\/work\/audit$/, pages.Audit],
    [/^\/work\/service-cases$/, pages.ServiceCases],
    [/^\/work\/service-cases\/\d+$/, pages.ServiceCase],
    [/^\/work\/service-compliance$/, pages.ServiceCompliance],
    [/^\/(portal|work)\/requests$/, pages.ServiceRequests],
    [/^\/(portal|work)\/requests\/\d+$/, pages.ServiceRequest],
    [/^\/work\/request-figures$|^\/service-figures$/, pages.ServiceFigures],
    [/^\/work\/direct-reports$/, pages.DirectReports],
    [/^\/work\/direct-reports\/\d+$/, pages.DirectReportView],
    [/^\/portal\/reports$/, pages.MyReports],
    [/^\/work\/liaison$/, pages.Liaison],
    [/^\/(portal|work)\/assistance$|^\/assistance-catalogue$/, pages.Assistance],
    [/^\/(portal|work)\/financing$|^\/bank$/, pages.Financing],
    [/^\/work\/calendar$/, pages.CalendarUpkeep],
    [/^\/work\/users$|^\/portal\/colleagues$/, pages.Users],
    [/^\/work\/enterprises$/, pages.Enterprises],
    [/^\/work\/enterprises\/[^/]+$/, pages.EnterpriseDetail],
    [/^\/work\/city-awards$/, pages.CityAwards],
    [/^\/work\/credit-list$/, pages.CreditList],
    [/^\/map$/, pages.InvestmentMap],
    [/^\/map\/match$/, pages.SiteMatching],
    [/^\/work\/leads$/, pages.LeadBoard],
    [/^\/account$/, pages.Account],
  ];
  const hit = pick.find(([re]) => re.test(p));
  if (hit) void hit[1]().catch(() => undefined);
}

export function App() {
  return (
    <I18nProvider>
      <Themed>
        <AuthProvider>
          <BrowserRouter>
            <SessionWatcher />
            <PasswordGate />
            <Routes>
              <Route element={<AppLayout />}>
                <Route index element={<Landing />} />
                <Route path="policy" element={<PolicyLibrary />} />
                <Route path="calculator" element={<Calculator />} />
                <Route path="service-figures" element={<ServiceFigures isPublic />} />
                <Route path="assistance-catalogue" element={<Assistance mode="public" />} />
                <Route path="bank" element={<RequireRole roles={['bank']}><Financing mode="bank" /></RequireRole>} />
                <Route path="map" element={<InvestmentMap />} />
                <Route path="map/match" element={<SiteMatching />} />
                <Route path="login" element={<Login />} />
                <Route path="portal" element={<RequireRole roles={PAGE_ROLES.portal} />}>
                  <Route index element={<EnterpriseHome />} />
                  <Route path="apply" element={<ClaimWizard />} />
                  <Route path="claims" element={<MyClaims />} />
                  <Route path="claims/:id" element={<CaseView />} />
                  <Route path="claims/:id/edit" element={<ClaimWizard />} />
                  <Route path="colleagues" element={<Users />} />
                  <Route path="requests" element={<ServiceRequests />} />
                  <Route path="requests/:id" element={<ServiceRequest />} />
                  <Route path="reports" element={<MyReports />} />
                  <Route path="assistance" element={<Assistance mode="portal" />} />
                  <Route path="financing" element={<Financing mode="portal" />} />
                </Route>
                <Route path="work" element={<RequireRole roles={OFFICIAL_ROLES} />}>
                  <Route index element={<Landing />} />
                  <Route path="queue" element={<RequireRole roles={PAGE_ROLES.queue}><Queues /></RequireRole>} />
                  <Route path="claims/:id" element={<RequireRole roles={PAGE_ROLES.caseView}><CaseView /></RequireRole>} />
                  <Route path="publicity" element={<RequireRole roles={PAGE_ROLES.publicity}><Publicity /></RequireRole>} />
                  <Route path="publicity/:id" element={<RequireRole roles={PAGE_ROLES.publicity}><PublicityBatchPage /></RequireRole>} />
                  <Route path="payments" element={<RequireRole roles={PAGE_ROLES.payments}><Payments /></RequireRole>} />
                  <Route path="payment-batches" element={<RequireRole roles={PAGE_ROLES.paymentBatches}><PaymentBatches /></RequireRole>} />
                  <Route path="payment-batches/:id" element={<RequireRole roles={PAGE_ROLES.paymentBatches}><PaymentBatchPage /></RequireRole>} />
                  <Route path="budgets" element={<RequireRole roles={PAGE_ROLES.budgets}><Budgets /></RequireRole>} />
                  <Route path="recoveries" element={<RequireRole roles={PAGE_ROLES.recoveries}><Recoveries /></RequireRole>} />
                  <Route path="overview" element={<RequireRole roles={PAGE_ROLES.overview}><Overview /></RequireRole>} />
                  <Route path="audit" element={<RequireRole roles={PAGE_ROLES.audit}><Audit /></RequireRole>} />
                  <Route path="service-cases" element={<RequireRole roles={PAGE_ROLES.serviceLimits}><ServiceCases /></RequireRole>} />
                  <Route path="service-cases/:id" element={<RequireRole roles={PAGE_ROLES.serviceLimits}><ServiceCase /></RequireRole>} />
                  <Route path="users" element={<RequireRole roles={PAGE_ROLES.users}><Users /></RequireRole>} />
                  <Route path="enterprises" element={<RequireRole roles={PAGE_ROLES.enterprises}><Enterprises /></RequireRole>} />
                  <Route path="enterprises/:uscc" element={<RequireRole roles={PAGE_ROLES.enterprises}><EnterpriseDetail /></RequireRole>} />
                  <Route path="city-awards" element={<RequireRole roles={PAGE_ROLES.cityAwards}><CityAwards /></RequireRole>} />
                  <Route path="credit-list" element={<RequireRole roles={PAGE_ROLES.creditList}><CreditList /></RequireRole>} />
                  <Route path="leads" element={<RequireRole roles={PAGE_ROLES.leads}><LeadBoard /></RequireRole>} />
                  <Route path="service-compliance" element={<RequireRole roles={PAGE_ROLES.serviceLimits}><ServiceCompliance /></RequireRole>} />
                  <Route path="calendar" element={<RequireRole roles={PAGE_ROLES.calendar}><CalendarUpkeep /></RequireRole>} />
                  <Route path="requests" element={<RequireRole roles={PAGE_ROLES.serviceRequests}><ServiceRequests /></RequireRole>} />
                  <Route path="requests/:id" element={<RequireRole roles={PAGE_ROLES.serviceRequests}><ServiceRequest /></RequireRole>} />
                  <Route path="request-figures" element={<RequireRole roles={PAGE_ROLES.serviceFigures}><ServiceFigures /></RequireRole>} />
                  <Route path="direct-reports" element={<RequireRole roles={PAGE_ROLES.directReports}><DirectReports /></RequireRole>} />
                  <Route path="direct-reports/:id" element={<RequireRole roles={PAGE_ROLES.directReports}><DirectReportView /></RequireRole>} />
                  <Route path="liaison" element={<RequireRole roles={PAGE_ROLES.liaison}><Liaison /></RequireRole>} />
                  <Route path="assistance" element={<RequireRole roles={PAGE_ROLES.assistance}><Assistance mode="work" /></RequireRole>} />
                  <Route path="financing" element={<RequireRole roles={PAGE_ROLES.financing}><Financing mode="work" /></RequireRole>} />
                </Route>
                <Route path="account" element={<RequireRole roles={ALL_ROLES}><Account /></RequireRole>} />
                <Route path="403" element={<Forbidden />} />
                <Route path="*" element={<NotFound />} />
              </Route>
            </Routes>
          </BrowserRouter>
        </AuthProvider>
      </Themed>
    </I18nProvider>
  );
}

function Themed({ children }: { children: React.ReactNode }) {
  const { lang } = useI18n();
  useEffect(() => {
    dayjs.locale(lang === 'en' ? 'en' : 'zh-cn');
  }, [lang]);
  return (
    <ConfigProvider
      locale={lang === 'en' ? enUS : zhCN}
      theme={{ token: { colorPrimary: '#1d5bbf', borderRadius: 6, fontSize: 14 } }}
      form={{ requiredMark: true }}
    >
      <AntApp>{children}</AntApp>
    </ConfigProvider>
  );
}

/** "/" sends each person where they work. */
function Landing() {
  const { user, loading } = useAuth();
  if (loading) return <Flex justify="center" style={{ padding: 64 }}><Spin /></Flex>;
  return <Navigate to={homeOf(user)} replace />;
}

/** A 401 anywhere: forget the user and ask them to sign in, coming back here afterwards. */
function SessionWatcher() {
  const { expire } = useAuth();
  const navigate = useNavigate();
  const loc = useLocation();
  useEffect(() => {
    setUnauthenticatedHandler(() => {
      expire();
      if (loc.pathname !== '/login') navigate(`/login?expired=1&next=${encodeURIComponent(loc.pathname + loc.search)}`, { replace: true });
    });
    return () => setUnauthenticatedHandler(null);
  }, [expire, navigate, loc.pathname, loc.search]);
  return null;
}
