import { FileAddOutlined } from '@ant-design/icons';
import { Alert, Card, Col, Descriptions, Empty, Flex, List, Row, Select, Skeleton, Statistic, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { Link } from 'react-router-dom';
import { api, itemsOf, policyYears } from '../../api/client';
import type { Entitlement } from '../../api/types';
import { useAuth, uscc as usccOf } from '../../auth/auth';
import { ButtonLink } from '../../components/ButtonLink';
import { EntitlementTable } from '../../components/EntitlementTable';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageTitle } from '../../components/PageTitle';
import { StateTag } from '../../components/Tags';
import { CreditAlert } from '../../components/CreditAlert';
import { useI18n } from '../../i18n';
import { useAreas } from '../../lib/areas';
import { formatDate } from '../../lib/dates';
import { enumLabel } from '../../lib/factForm';
import { useAsync, usePolicy } from '../../lib/useAsync';

export default function EnterpriseHome() {
  const { t, money, pick, lang } = useI18n();
  const { user } = useAuth();
  const uscc = usccOf(user);
  const { data: policy } = usePolicy();
  const { areaName } = useAreas();
  const industryLabel = (v: string) => {
    const decl = policy?.facts.find((f) => f.name === 'industryClass');
    return decl ? enumLabel(decl, v, lang) : v;
  };
  const years = useMemo(() => policyYears(policy), [policy]);
  const [year, setYear] = useState<number>();
  const y = year ?? years[years.length - 1];
  const ents = useAsync(() => (uscc ? api.entitlements(uscc, y) : Promise.resolve(undefined)), [uscc, y]);
  const recent = useAsync(() => api.claims({ page: 1, pageSize: 5 }), []);
  const credit = useAsync(() => (uscc ? api.enterpriseCredit(uscc) : Promise.resolve(undefined)), [uscc]);

  if (!uscc) return <Alert type="warning" showIcon title={t('home.noEnterprise')} />;

  const result = ents.data;
  const count = (s: Entitlement['status']) => result?.entitlements.filter((e) => e.status === s).length ?? 0;
  const canApply = (e: Entitlement) => e.status === 'eligible' || e.status === 'caseByCase';

  return (
    <>
      <PageTitle
        title={t('home.title', { year: y })}
        sub={user?.enterprise?.name ?? user?.displayName}
        extra={
          <>
            <label htmlFor="home-year" className="kf-hide-xs" style={{ alignSelf: 'center' }}>
              {t('common.year')}
            </label>
            <Select id="home-year" value={y} onChange={setYear} options={years.map((v) => ({ value: v, label: String(v) }))} style={{ width: 100 }} />
            <ButtonLink type="primary" icon={<FileAddOutlined />} to="/portal/apply">
              {t('nav.apply')}
            </ButtonLink>
          </>
        }
      />
      {user?.enterprise && (
        <Descriptions size="small" style={{ marginBottom: 12 }} column={{ xs: 1, md: 3 }}>
          <Descriptions.Item label={t('common.uscc')}>{user.enterprise.uscc}</Descriptions.Item>
          <Descriptions.Item label={t('common.area')}>{areaName(user.enterprise.areaId)}</Descriptions.Item>
          <Descriptions.Item label={t('case.industry')}>{industryLabel(user.enterprise.industryClass)}</Descriptions.Item>
        </Descriptions>
      )}

      {credit.data?.blocked && <CreditAlert credit={credit.data} type="warning" style={{ marginBottom: 12 }} />}
      <ErrorAlert error={ents.error} onRetry={ents.reload} />
      {ents.loading && !result && <Skeleton active />}
      {result && (
        <>
          <Row gutter={[12, 12]} style={{ marginBottom: 12 }}>
            <Col xs={24} md={9}>
              <Card size="small">
                <Statistic title={t('home.total')} value={money(result.totalFen)} styles={{ content: { color: '#c81e1e', fontWeight: 600 } }} />
              </Card>
            </Col>
            <Col xs={8} md={5}>
              <Card size="small">
                <Statistic title={t('home.eligibleCount')} value={count('eligible')} />
              </Card>
            </Col>
            <Col xs={8} md={5}>
              <Card size="small">
                <Statistic title={t('home.caseCount')} value={count('caseByCase')} />
              </Card>
            </Col>
            <Col xs={8} md={5}>
              <Card size="small">
                <Statistic title={t('home.notSetCount')} value={count('amountNotSet')} />
              </Card>
            </Col>
          </Row>
          <Alert type="info" showIcon style={{ marginBottom: 12 }} title={t('home.basis', { year: y })} />
          {result.entitlements.length === 0 ? (
            <Card>
              <Empty description={t('home.noFacts', { year: y })}>
                <ButtonLink to="/calculator">{t('nav.calculator')}</ButtonLink>
              </Empty>
            </Card>
          ) : (
            <Card size="small" styles={{ body: { padding: 0 } }}>
              <EntitlementTable
                items={result.entitlements}
                expandAll={false}
                action={(e) =>
                  canApply(e) ? (
                    <ButtonLink size="small" type="link" to={`/portal/apply?incentive=${encodeURIComponent(e.incentive)}${e.item ? `&item=${encodeURIComponent(e.item)}` : ''}`}>
                      {t('home.apply')}
                    </ButtonLink>
                  ) : null
                }
              />
            </Card>
          )}
        </>
      )}

      <Card size="small" title={t('home.recent')} style={{ marginTop: 16 }} extra={<Link to="/portal/claims">{t('home.allClaims')}</Link>}>
        {recent.error ? (
          <ErrorAlert error={recent.error} onRetry={recent.reload} />
        ) : (
          <List
            loading={recent.loading}
            locale={{ emptyText: t('claims.empty') }}
            dataSource={itemsOf(recent.data)}
            renderItem={(c) => {
              const inc = policy && [...policy.measures.flatMap((m) => m.incentives), ...policy.generalIncentives].find((i) => i.id === c.incentive);
              return (
                <List.Item actions={[<Link key="v" to={`/portal/claims/${c.id}`}>{t('common.view')}</Link>]}>
                  <Flex gap={8} wrap align="center">
                    <Typography.Text type="secondary">#{c.id}</Typography.Text>
                    <Typography.Text>{inc ? pick(inc.title, inc.titleEn) : (c.incentiveTitle ?? c.incentive)}</Typography.Text>
                    {c.item && <Typography.Text type="secondary">（{c.item}）</Typography.Text>}
                    <StateTag state={c.state} awaitingPublicity={c.awaitingPublicity} />
                    <Typography.Text type="secondary">{formatDate(c.updatedAt ?? c.createdAt)}</Typography.Text>
                  </Flex>
                </List.Item>
              );
            }}
          />
        )}
      </Card>
    </>
  );
}
