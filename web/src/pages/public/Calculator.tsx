import { CalculatorOutlined, DeleteOutlined, ExperimentOutlined, LinkOutlined, PlusOutlined } from '@ant-design/icons';
import { Alert, App as AntApp, Button, Card, Col, Collapse, Empty, Flex, Form, Input, List, Row, Select, Skeleton, Space, Statistic, Tabs, Tag, Typography } from 'antd';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { api, policyYears } from '../../api/client';
import type { EvaluationResult, FactValue, IncentiveView, PolicyLibrary } from '../../api/types';
import { EntitlementTable } from '../../components/EntitlementTable';
import { ErrorAlert } from '../../components/ErrorAlert';
import { CivilDateInput, FactField } from '../../components/FactField';
import { IncentiveSelect } from '../../components/IncentivePicker';
import { MoneyInput } from '../../components/MoneyInput';
import { PageTitle } from '../../components/PageTitle';
import { KindTag } from '../../components/Tags';
import { VerdictTag } from '../../components/VerdictTag';
import { ApiError } from '../../api/problem';
import { translate, useI18n } from '../../i18n';
import { useAreas } from '../../lib/areas';
import { readEntitlement } from '../../lib/entitlement';
import { allIncentives, calcInputFromForm, factsOf, isEmpty, type ClaimRowForm, type FormFacts } from '../../lib/factForm';
import { clearFieldErrors, localProblem, problemsOf, showFieldErrors } from '../../lib/formErrors';
import { classifyProfile, profileGroups, profileInput, profileToSearch, searchToProfile, type ProfileEntry, type ProfileResult } from '../../lib/profile';
import { usePolicy } from '../../lib/useAsync';

type Mode = 'claims' | 'profile';

/**
 * 政策计算器, two ways: by incentive (choose incentives, fill in what each needs, see each amount and why), and
 * by profile (企业画像: describe the enterprise once, every incentive is evaluated and the matches, near misses
 * and the rest are listed). The mode and the profile live in the URL (?mode=profile&…), so both can be linked to.
 */
export default function Calculator() {
  const { t } = useI18n();
  const { data: policy, error: policyError, reload } = usePolicy();
  const [params, setParams] = useSearchParams();
  const mode: Mode = params.get('mode') === 'profile' ? 'profile' : 'claims';

  if (policyError) return <ErrorAlert error={policyError} onRetry={reload} />;
  if (!policy) return <Skeleton active paragraph={{ rows: 10 }} />;
  return (
    <>
      <PageTitle title={t('calc.title')} sub={t('calc.intro')} />
      <Tabs
        activeKey={mode}
        aria-label={t('calc.mode')}
        onChange={(k) => setParams(k === 'profile' ? { mode: 'profile' } : {}, { replace: false })}
        items={[
          { key: 'claims', label: t('calc.mode.claims'), children: mode === 'claims' ? <ClaimsCalculator policy={policy} /> : null },
          { key: 'profile', label: t('calc.mode.profile'), children: mode === 'profile' ? <ProfileCalculator policy={policy} /> : null },
        ]}
      />
    </>
  );
}

/** The result card's header: the total and a count per verdict. */
function Totals({ totalFen, counts }: { totalFen: number; counts: Record<string, number> }) {
  const { t, money } = useI18n();
  return (
    <Flex gap={24} wrap align="flex-end" style={{ marginBottom: 12 }}>
      <Statistic title={t('calc.total')} value={money(totalFen)} styles={{ content: { color: '#c81e1e', fontWeight: 600 } }} />
      <Space wrap size={4}>
        {(['eligible', 'claimable', 'needsInfo', 'notEligible', 'caseByCase', 'amountNotSet'] as const)
          .filter((s) => counts[s])
          .map((s) => (
            <Tag key={s}>
              {t(`verdict.${s}`)} {counts[s]}
            </Tag>
          ))}
      </Space>
    </Flex>
  );
}

function countByVerdict(r: EvaluationResult): Record<string, number> {
  const c: Record<string, number> = {};
  for (const e of r.entitlements) {
    const v = readEntitlement(e).verdict;
    c[v] = (c[v] ?? 0) + 1;
  }
  return c;
}

/** "The form changed since this result": the old answer stays readable, marked, until the next calculation. */
function StaleNote({ stale }: { stale: boolean }) {
  const { t } = useI18n();
  return stale ? <Alert type="warning" showIcon role="status" className="kf-stale" style={{ marginBottom: 12 }} title={t('calc.stale')} /> : null;
}

// ── By incentive ──────────────────────────────────────────────────────────────────────────────────────
interface CalcForm {
  year: number;
  claims: ClaimRowForm[];
}

function ClaimsCalculator({ policy }: { policy: PolicyLibrary }) {
  const { t, lang } = useI18n();
  const [form] = Form.useForm<CalcForm>();
  const [params] = useSearchParams();
  const [result, setResult] = useState<EvaluationResult>();
  const [stale, setStale] = useState(false);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const resultRef = useRef<HTMLDivElement>(null);
  const rows = (Form.useWatch('claims', form) ?? []) as ClaimRowForm[];

  const byId = useMemo(() => new Map(allIncentives(policy).map((i) => [i.id, i])), [policy]);
  const years = useMemo(() => policyYears(policy), [policy]);

  // ?incentive=… from the policy library: start with that incentive chosen
  useEffect(() => {
    const id = params.get('incentive');
    if (id && byId.has(id) && !(form.getFieldValue('claims') ?? []).length) form.setFieldValue('claims', [{ incentive: id, facts: {} }]);
  }, [params, byId, form]);

  const picked = [...new Set(rows.map((r) => r?.incentive).filter(Boolean))];
  const onPick = (ids: string[]) => {
    const current = (form.getFieldValue('claims') ?? []) as ClaimRowForm[];
    const kept = current.filter((r) => ids.includes(r.incentive));
    for (const id of ids) if (!kept.some((r) => r.incentive === id)) kept.push({ incentive: id, facts: {} });
    form.setFieldValue('claims', kept);
    if (result) setStale(true);
  };

  const fillExample = () => {
    form.setFieldsValue({
      year: years[0],
      claims: [
        { incentive: 'equipment-investment', item: '光纤预制棒扩产项目', facts: { industryClass: 'leading', equipmentInvestment: { amount: '2500', unit: 'wan' } } },
        { incentive: 'equipment-investment', item: '智能纺织车间改造', facts: { industryClass: 'leading', equipmentInvestment: { amount: '1999', unit: 'wan' } } },
      ],
    });
    if (result) setStale(true);
  };

  /** A new error replaces the old answer: a result beside an error would read as the answer to the new input. */
  const fail = (e: unknown) => {
    setResult(undefined);
    setStale(false);
    setError(e);
  };

  const onFinish = async () => {
    clearFieldErrors(form);
    setError(undefined);
    const values = form.getFieldsValue(true) as CalcForm;
    const { input, problems } = calcInputFromForm(policy, values.year ?? years[0], values.claims ?? []);
    if (problems.length) {
      const rest = showFieldErrors(form, problems, lang);
      fail(localProblem(problems.length, rest));
      return;
    }
    setBusy(true);
    try {
      const r = await api.calc(input);
      setResult(r);
      setStale(false);
      requestAnimationFrame(() => resultRef.current?.scrollIntoView({ behavior: 'smooth', block: 'start' }));
    } catch (e) {
      showFieldErrors(form, problemsOf(e), lang);
      fail(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} xxl={13}>
        <Form<CalcForm>
          form={form}
          layout="vertical"
          initialValues={{ year: years[0], claims: [] }}
          onFinish={onFinish}
          onFinishFailed={() => fail(undefined)}
          onValuesChange={() => result && setStale(true)}
          scrollToFirstError
          aria-label={t('calc.title')}
        >
          <Card size="small" style={{ marginBottom: 12 }}>
            <Row gutter={12}>
              <Col xs={24} sm={8}>
                <Form.Item name="year" label={t('calc.year')}>
                  <Select options={years.map((y) => ({ value: y, label: String(y) }))} />
                </Form.Item>
              </Col>
              <Col xs={24} sm={16}>
                <Form.Item label={t('calc.pick')} htmlFor="calc-pick" help={t('calc.pickHelp')}>
                  <IncentiveSelect id="calc-pick" policy={policy} multiple value={picked} onChange={onPick as never} placeholder={t('calc.pickPh')} />
                </Form.Item>
              </Col>
            </Row>
          </Card>

          <Form.List name="claims">
            {(fields, { add, remove }) => (
              <Flex vertical gap={12}>
                {fields.length === 0 && (
                  <Card size="small">
                    <Empty description={t('calc.empty')}>
                      <Button icon={<ExperimentOutlined />} onClick={fillExample}>
                        {t('calc.example')}
                      </Button>
                    </Empty>
                  </Card>
                )}
                {fields.map((f) => {
                  const inc = byId.get(rows[f.name]?.incentive ?? form.getFieldValue(['claims', f.name, 'incentive']));
                  if (!inc) return null;
                  return <ClaimRowCard key={f.key} policy={policy} inc={inc} index={f.name} onRemove={() => remove(f.name)} onAddAnother={() => add({ incentive: inc.id, facts: { ...(rows[f.name]?.facts ?? {}) } }, f.name + 1)} />;
                })}
              </Flex>
            )}
          </Form.List>

          <Space style={{ marginTop: 16 }} wrap>
            <Button type="primary" htmlType="submit" icon={<CalculatorOutlined />} loading={busy} disabled={!rows.length}>
              {t('calc.run')}
            </Button>
            <Button
              onClick={() => {
                form.resetFields();
                setResult(undefined);
                setStale(false);
                setError(undefined);
              }}
            >
              {t('common.reset')}
            </Button>
            {rows.length > 0 && (
              <Button icon={<ExperimentOutlined />} onClick={fillExample}>
                {t('calc.example')}
              </Button>
            )}
          </Space>
        </Form>
      </Col>

      <Col xs={24} xxl={11}>
        <div ref={resultRef} style={{ position: 'sticky', top: 80 }}>
          <Card title={t('calc.result')} size="small" aria-live="polite" id="calc-result">
            <ErrorAlert error={error} />
            {!result && !error && <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('calc.noResult')} />}
            {result && (
              <div style={stale ? { opacity: 0.55 } : undefined}>
                <StaleNote stale={stale} />
                <Totals totalFen={result.totalFen} counts={countByVerdict(result)} />
                <Typography.Text type="secondary" style={{ display: 'block', marginBottom: 8, fontSize: 12 }}>
                  {t('calc.asOf', { date: result.asOf, version: result.policy.version })}
                </Typography.Text>
                <EntitlementTable key={JSON.stringify(result.entitlements.map((e) => [e.claim, e.amountFen]))} items={result.entitlements} />
                <Alert type="info" style={{ marginTop: 12 }} title={t('calc.disclaimer')} />
              </div>
            )}
          </Card>
        </div>
      </Col>
    </Row>
  );
}

function ClaimRowCard({ policy, inc, index, onRemove, onAddAnother }: { policy: PolicyLibrary; inc: IncentiveView; index: number; onRemove: () => void; onAddAnother: () => void }) {
  const { t, pick } = useI18n();
  const decls = factsOf(policy, inc);
  const itemLabel = inc.item ? pick(inc.item.label, inc.item.labelEn) : '';
  return (
    <Card
      size="small"
      className="kf-claim-row"
      title={
        <span style={{ whiteSpace: 'normal' }}>
          {inc.measure ? `${t('common.measureNo', { n: inc.measure })} · ` : ''}
          {pick(inc.title, inc.titleEn)} <KindTag kind={inc.kind} />
        </span>
      }
      extra={<Button type="text" danger size="small" icon={<DeleteOutlined />} onClick={onRemove} aria-label={`${t('calc.remove')} ${pick(inc.title, inc.titleEn)}`} />}
    >
      <Typography.Paragraph type="secondary" style={{ fontSize: 13 }}>
        {pick(inc.summary, inc.summaryEn)} <Typography.Text strong>{pick(inc.amountText, inc.amountTextEn)}</Typography.Text>
      </Typography.Paragraph>
      <Form.Item name={[index, 'incentive']} hidden>
        <Input />
      </Form.Item>
      {/* required fields are checked by calcInputFromForm, with every other problem at once */}
      {inc.item && (
        <Form.Item name={[index, 'item']} label={t('calc.itemName', { item: itemLabel })} required>
          <Input placeholder={t('calc.itemPh')} maxLength={100} />
        </Form.Item>
      )}
      {inc.kind === 'cappedClaim' && (
        <Form.Item name={[index, 'amount']} label={t('calc.amountClaimed')} extra={t('calc.amountHelp')} required>
          <MoneyInput />
        </Form.Item>
      )}
      {inc.kind === 'fixed' && (
        <Form.Item name={[index, 'date']} label={`${t('calc.eventDate')}${t('common.optional')}`}>
          <CivilDateInput />
        </Form.Item>
      )}
      {decls.map((d) => (
        <FactField key={d.name} decl={d} name={[index, 'facts', d.name]} required />
      ))}
      {inc.item && (
        <Button type="dashed" size="small" icon={<PlusOutlined />} onClick={onAddAnother}>
          {t('calc.addAnother', { item: itemLabel })}
        </Button>
      )}
    </Card>
  );
}

// ── By profile (企业画像) ──────────────────────────────────────────────────────────────────────────────
interface ProfileForm {
  year: number;
  area?: string;
  facts: FormFacts;
}

function ProfileCalculator({ policy }: { policy: PolicyLibrary }) {
  const { t, lang, pick } = useI18n();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<ProfileForm>();
  const [params, setParams] = useSearchParams();
  const { areas } = useAreas();
  const years = useMemo(() => policyYears(policy), [policy]);
  const groups = useMemo(() => profileGroups(policy), [policy]);
  const [result, setResult] = useState<ProfileResult & { asOf: string; version: string }>();
  const [stale, setStale] = useState(false);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [open, setOpen] = useState<string[]>(() => (groups[0] ? [groups[0].key] : []));
  const [ignored, setIgnored] = useState<string[]>([]);
  const resultRef = useRef<HTMLDivElement>(null);
  const factValues = (Form.useWatch('facts', form) ?? {}) as FormFacts;

  const fail = (e: unknown) => {
    setResult(undefined);
    setStale(false);
    setError(e);
  };

  const run = async (values: ProfileForm, updateUrl: boolean) => {
    clearFieldErrors(form);
    setError(undefined);
    const { input, problems, filled } = profileInput(policy, values, years[0], t('profile.itemName'));
    if (problems.length) {
      setOpen((o) => [...new Set([...o, ...groups.filter((g) => problems.some((p) => g.facts.some((f) => f.name === p.name[1]))).map((g) => g.key)])]);
      // the panels open first, then the messages go beside their fields
      requestAnimationFrame(() => fail(localProblem(problems.length, showFieldErrors(form, problems, lang))));
      return;
    }
    if (!filled) return fail(new ApiError(422, { code: 'client_validation', messageZh: translate('zh', 'profile.empty'), messageEn: translate('en', 'profile.empty') }));
    if (updateUrl) setParams(profileToSearch(policy.facts, values), { replace: true });
    setBusy(true);
    try {
      const r = await api.calc(input);
      setResult({ ...classifyProfile(policy, r, input.facts as Record<string, FactValue>), asOf: r.asOf, version: r.policy.version });
      setStale(false);
      requestAnimationFrame(() => resultRef.current?.scrollIntoView({ behavior: 'smooth', block: 'start' }));
    } catch (e) {
      showFieldErrors(form, problemsOf(e), lang);
      fail(e);
    } finally {
      setBusy(false);
    }
  };

  // A link with a profile (?mode=profile&industryClass=…) fills the form and runs it once.
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    const v = searchToProfile(policy.facts, params);
    setIgnored(v.ignored);
    if (!Object.keys(v.facts).length) return;
    const values: ProfileForm = { year: v.year && years.includes(v.year) ? v.year : years[0], area: v.area, facts: v.facts };
    form.setFieldsValue(values);
    setOpen(groups.filter((g) => g.facts.some((f) => v.facts[f.name] !== undefined)).map((g) => g.key));
    void run(values, false);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const copyLink = async () => {
    try {
      await navigator.clipboard.writeText(window.location.href);
      message.success(t('profile.linkCopied'));
    } catch {
      message.info(window.location.href);
    }
  };

  const filledIn = (names: string[]) => names.filter((n) => !isEmpty(factValues[n])).length;

  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} xxl={13}>
        <Typography.Paragraph type="secondary">{t('profile.intro')}</Typography.Paragraph>
        {ignored.length > 0 && (
          <Alert
            type="warning"
            showIcon
            style={{ marginBottom: 12 }}
            title={t('profile.linkIgnored', { fields: ignored.map((n) => policy.facts.find((f) => f.name === n)).map((d) => (d ? pick(d.label, d.labelEn) : '')).join(lang === 'en' ? ', ' : '、') })}
          />
        )}
        <Form<ProfileForm>
          form={form}
          layout="vertical"
          initialValues={{ year: years[0], facts: {} }}
          onFinish={() => run(form.getFieldsValue(true) as ProfileForm, true)}
          onValuesChange={() => result && setStale(true)}
          aria-label={t('calc.mode.profile')}
        >
          <Card size="small" style={{ marginBottom: 12 }}>
            <Row gutter={12}>
              <Col xs={24} sm={8}>
                <Form.Item name="year" label={t('calc.year')}>
                  <Select options={years.map((y) => ({ value: y, label: String(y) }))} />
                </Form.Item>
              </Col>
              <Col xs={24} sm={16}>
                <Form.Item name="area" label={t('profile.area')}>
                  <Select allowClear showSearch={{ optionFilterProp: 'label' }} placeholder={t('calc.selectPh')} options={areas.map((a) => ({ value: a.id, label: a.name }))} />
                </Form.Item>
              </Col>
            </Row>
          </Card>
          <Collapse
            activeKey={open}
            onChange={(k) => setOpen(Array.isArray(k) ? k : [k])}
            items={groups.map((g) => {
              const n = filledIn(g.facts.map((f) => f.name));
              return {
                key: g.key,
                // every group is rendered, open or not, so that a linked value and a field's message have a place
                forceRender: true,
                label: (
                  <span>
                    {g.section ? `${pick(g.title, g.titleEn)}` : t('profile.other')}
                    {n > 0 && <Tag color="blue" style={{ marginInlineStart: 8 }}>{t('profile.filled', { n })}</Tag>}
                  </span>
                ),
                children: g.facts.map((d) => <FactField key={d.name} decl={d} name={['facts', d.name]} />),
              };
            })}
          />
          <Space style={{ marginTop: 16 }} wrap>
            <Button type="primary" htmlType="submit" icon={<CalculatorOutlined />} loading={busy}>
              {t('profile.run')}
            </Button>
            <Button
              onClick={() => {
                form.resetFields();
                setResult(undefined);
                setStale(false);
                setError(undefined);
                setParams({ mode: 'profile' }, { replace: true });
              }}
            >
              {t('common.reset')}
            </Button>
          </Space>
        </Form>
      </Col>

      <Col xs={24} xxl={11}>
        <div ref={resultRef} style={{ position: 'sticky', top: 80 }}>
          <Card
            title={t('calc.result')}
            size="small"
            aria-live="polite"
            id="profile-result"
            extra={
              result && (
                <Button size="small" icon={<LinkOutlined />} onClick={copyLink}>
                  {t('profile.copyLink')}
                </Button>
              )
            }
          >
            <ErrorAlert error={error} />
            {!result && !error && <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('calc.noResult')} />}
            {result && <ProfileAnswer r={result} stale={stale} />}
          </Card>
        </div>
      </Col>
    </Row>
  );
}

function ProfileAnswer({ r, stale }: { r: ProfileResult & { asOf: string; version: string }; stale: boolean }) {
  const { t, pick, lang } = useI18n();
  const counts: Record<string, number> = {};
  for (const m of r.matches) counts[m.reading.verdict] = (counts[m.reading.verdict] ?? 0) + 1;
  const sep = lang === 'en' ? ', ' : '、';
  const nearText = (m: ProfileEntry) =>
    m.missing.length ? t('exp.needFacts', { fields: m.missing.map((d) => pick(d.label, d.labelEn)).join(sep) }) : m.ent.explanation?.whatWouldQualify ? pick(m.ent.explanation.whatWouldQualify.zh, m.ent.explanation.whatWouldQualify.en) : '';
  const title = (m: ProfileEntry) => `${m.ent.measure ? `${t('common.measureNo', { n: m.ent.measure })} · ` : ''}${pick(m.ent.title, m.ent.titleEn)}`;
  return (
    <div style={stale ? { opacity: 0.55 } : undefined} className="kf-profile-answer">
      <StaleNote stale={stale} />
      <Totals totalFen={r.totalFen} counts={counts} />
      <Typography.Text type="secondary" style={{ display: 'block', marginBottom: 8, fontSize: 12 }}>
        {t('calc.asOf', { date: r.asOf, version: r.version })}
      </Typography.Text>

      <Typography.Title level={5} id="profile-matches">{t('profile.matches', { n: r.matches.length })}</Typography.Title>
      {r.matches.length ? <EntitlementTable items={r.matches.map((m) => m.ent)} expandAll={false} showItem={false} /> : <Typography.Paragraph type="secondary">{t('profile.noMatches')}</Typography.Paragraph>}

      {r.near.length > 0 && (
        <>
          <Typography.Title level={5} style={{ marginTop: 16 }}>{t('profile.almost', { n: r.near.length })}</Typography.Title>
          <List
            size="small"
            className="kf-profile-near"
            dataSource={r.near}
            renderItem={(m) => (
              <List.Item>
                <div>
                  <Typography.Text strong>{title(m)}</Typography.Text> <VerdictTag ent={m.ent} />
                  <div>
                    <Typography.Text type="warning">{nearText(m)}</Typography.Text>
                  </div>
                </div>
              </List.Item>
            )}
          />
        </>
      )}

      {r.notEligible.length > 0 && (
        <Collapse
          style={{ marginTop: 16 }}
          size="small"
          items={[
            {
              key: 'no',
              label: t('profile.others', { n: r.notEligible.length }),
              children: (
                <List
                  size="small"
                  dataSource={r.notEligible}
                  renderItem={(m) => (
                    <List.Item>
                      <div>
                        <Typography.Text>{title(m)}</Typography.Text>
                        <div>
                          <Typography.Text type="secondary">{m.ent.explanation?.reasons.map((x) => pick(x.zh, x.en)).join(lang === 'en' ? '; ' : '；')}</Typography.Text>
                        </div>
                      </div>
                    </List.Item>
                  )}
                />
              ),
            },
          ]}
        />
      )}
      {r.untouched > 0 && <Typography.Paragraph type="secondary" style={{ marginTop: 12, fontSize: 12 }}>{t('profile.untouched', { n: r.untouched })}</Typography.Paragraph>}
      <Alert type="info" style={{ marginTop: 12 }} title={t('calc.disclaimer')} />
    </div>
  );
}
