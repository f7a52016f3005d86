import { CalculatorOutlined, DeleteOutlined, ExperimentOutlined, PlusOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Col, Empty, Flex, Form, Input, Row, Select, Skeleton, Space, Statistic, Tag, Typography } from 'antd';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { api, policyYears } from '../../api/client';
import type { EvaluationResult, IncentiveView, PolicyLibrary } from '../../api/types';
import { EntitlementTable } from '../../components/EntitlementTable';
import { ErrorAlert } from '../../components/ErrorAlert';
import { CivilDateInput, FactField } from '../../components/FactField';
import { IncentiveSelect } from '../../components/IncentivePicker';
import { MoneyInput } from '../../components/MoneyInput';
import { PageTitle } from '../../components/PageTitle';
import { KindTag } from '../../components/Tags';
import { useI18n } from '../../i18n';
import { allIncentives, calcInputFromForm, factsOf, type ClaimRowForm } from '../../lib/factForm';
import { clearFieldErrors, localProblem, problemsOf, showFieldErrors } from '../../lib/formErrors';
import { usePolicy } from '../../lib/useAsync';

interface CalcForm {
  year: number;
  claims: ClaimRowForm[];
}

export default function Calculator() {
  const { t, lang, money } = useI18n();
  const { data: policy, error: policyError, reload } = usePolicy();
  const [form] = Form.useForm<CalcForm>();
  const [params] = useSearchParams();
  const [result, setResult] = useState<EvaluationResult>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const resultRef = useRef<HTMLDivElement>(null);
  const rows = (Form.useWatch('claims', form) ?? []) as ClaimRowForm[];

  const byId = useMemo(() => new Map(policy ? allIncentives(policy).map((i) => [i.id, i]) : []), [policy]);
  const years = useMemo(() => policyYears(policy), [policy]);

  // ?incentive=… from the policy library: start with that incentive chosen
  useEffect(() => {
    const id = params.get('incentive');
    if (policy && id && byId.has(id) && !(form.getFieldValue('claims') ?? []).length) form.setFieldValue('claims', [{ incentive: id, facts: {} }]);
  }, [policy, params, byId, form]);

  const picked = [...new Set(rows.map((r) => r?.incentive).filter(Boolean))];
  const onPick = (ids: string[]) => {
    const current = (form.getFieldValue('claims') ?? []) as ClaimRowForm[];
    const kept = current.filter((r) => ids.includes(r.incentive));
    for (const id of ids) if (!kept.some((r) => r.incentive === id)) kept.push({ incentive: id, facts: {} });
    form.setFieldValue('claims', kept);
  };

  const fillExample = () => {
    form.setFieldsValue({
      year: years[0],
      claims: [
        { incentive: 'equipment-investment', item: '光纤预制棒扩产项目', facts: { industryClass: 'leading', equipmentInvestment: { amount: '2500', unit: 'wan' } } },
        { incentive: 'equipment-investment', item: '智能纺织车间改造', facts: { industryClass: 'leading', equipmentInvestment: { amount: '1999', unit: 'wan' } } },
      ],
    });
  };

  const onFinish = async () => {
    if (!policy) return;
    clearFieldErrors(form);
    setError(undefined);
    const values = form.getFieldsValue(true) as CalcForm;
    const { input, problems } = calcInputFromForm(policy, values.year ?? years[0], values.claims ?? []);
    if (problems.length) {
      const rest = showFieldErrors(form, problems, lang);
      setError(localProblem(problems.length, rest));
      return;
    }
    setBusy(true);
    try {
      const r = await api.calc(input);
      setResult(r);
      requestAnimationFrame(() => resultRef.current?.scrollIntoView({ behavior: 'smooth', block: 'start' }));
    } catch (e) {
      showFieldErrors(form, problemsOf(e), lang);
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  if (policyError) return <ErrorAlert error={policyError} onRetry={reload} />;
  if (!policy) return <Skeleton active paragraph={{ rows: 10 }} />;

  const counts = result ? countByStatus(result) : null;
  return (
    <>
      <PageTitle title={t('calc.title')} sub={t('calc.intro')} />
      <Row gutter={[16, 16]}>
        <Col xs={24} xxl={13}>
          <Form<CalcForm> form={form} layout="vertical" initialValues={{ year: years[0], claims: [] }} onFinish={onFinish} scrollToFirstError aria-label={t('calc.title')}>
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
              {result && counts && (
                <>
                  <Flex gap={24} wrap align="flex-end" style={{ marginBottom: 12 }}>
                    <Statistic title={t('calc.total')} value={money(result.totalFen)} styles={{ content: { color: '#c81e1e', fontWeight: 600 } }} />
                    <Space wrap size={4}>
                      {(['eligible', 'notEligible', 'caseByCase', 'amountNotSet'] as const)
                        .filter((s) => counts[s])
                        .map((s) => (
                          <Tag key={s}>
                            {t(`status.${s}`)} {counts[s]}
                          </Tag>
                        ))}
                    </Space>
                  </Flex>
                  <Typography.Text type="secondary" style={{ display: 'block', marginBottom: 8, fontSize: 12 }}>
                    {t('calc.asOf', { date: result.asOf, version: result.policy.version })}
                  </Typography.Text>
                  <EntitlementTable key={JSON.stringify(result.entitlements.map((e) => [e.claim, e.amountFen]))} items={result.entitlements} />
                  <Alert type="info" style={{ marginTop: 12 }} title={t('calc.disclaimer')} />
                </>
              )}
            </Card>
          </div>
        </Col>
      </Row>
    </>
  );
}

function countByStatus(r: EvaluationResult): Record<string, number> {
  const c: Record<string, number> = {};
  for (const e of r.entitlements) c[e.status] = (c[e.status] ?? 0) + 1;
  return c;
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
        {pick(inc.summary, inc.summaryEn)} <Typography.Text strong>{inc.amountText}</Typography.Text>
      </Typography.Paragraph>
      <Form.Item name={[index, 'incentive']} hidden>
        <Input />
      </Form.Item>
      {inc.item && (
        <Form.Item name={[index, 'item']} label={t('calc.itemName', { item: itemLabel })} rules={[{ required: true, message: t('pub.fieldRequired', { field: t('calc.itemName', { item: itemLabel }) }) }]}>
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
        <FactField key={d.name} decl={d} name={[index, 'facts', d.name]} />
      ))}
      {inc.item && (
        <Button type="dashed" size="small" icon={<PlusOutlined />} onClick={onAddAnother}>
          {t('calc.addAnother', { item: itemLabel })}
        </Button>
      )}
    </Card>
  );
}
