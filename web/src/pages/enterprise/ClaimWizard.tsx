import { CalculatorOutlined, CheckCircleFilled, DeleteOutlined, InboxOutlined, LoadingOutlined, PaperClipOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Checkbox, Descriptions, Flex, Form, Input, List, Result, Skeleton, Space, Steps, Typography, Upload } from 'antd';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { api, idempotencyKey, policyYears } from '../../api/client';
import { describeError } from '../../api/problem';
import type { Claim, ClaimDetail, Entitlement, Evidence, IncentiveView, NewClaim } from '../../api/types';
import { useAuth, uscc as usccOf } from '../../auth/auth';
import { ButtonLink } from '../../components/ButtonLink';
import { ErrorAlert } from '../../components/ErrorAlert';
import { EvidenceList } from '../../components/EvidenceList';
import { ExplanationView } from '../../components/ExplanationView';
import { CivilDateInput, FactField } from '../../components/FactField';
import { IncentiveSelect } from '../../components/IncentivePicker';
import { MoneyInput } from '../../components/MoneyInput';
import { PageTitle } from '../../components/PageTitle';
import { KindTag, StatusTag } from '../../components/Tags';
import { useI18n } from '../../i18n';
import { useAreas } from '../../lib/areas';
import { checkEvidenceFile, EVIDENCE_ACCEPT, formatBytes } from '../../lib/evidence';
import { displayFact } from '../../lib/factDisplay';
import { allIncentives, factsOf, factsToForm, formToFacts, isEmpty, preferredUnit, type FormFacts, type FormProblem, type MoneyValue } from '../../lib/factForm';
import { clearFieldErrors, localProblem, problemsOf, showFieldErrors } from '../../lib/formErrors';
import { fenToInput, MoneyInputError, parseMoneyToFen } from '../../lib/money';
import { useAsync, usePolicy } from '../../lib/useAsync';
import { CreditAlert } from '../../components/CreditAlert';

interface FactsFormValues {
  item?: string;
  date?: string;
  amountClaimed?: MoneyValue;
  facts?: FormFacts;
}

const STEP_KEYS = ['wiz.step.choose', 'wiz.step.facts', 'wiz.step.evidence', 'wiz.step.summary'] as const;

export default function ClaimWizard() {
  const { t, lang, pick, money } = useI18n();
  const { message } = App.useApp();
  const { user } = useAuth();
  const uscc = usccOf(user);
  const { areaName } = useAreas();
  const navigate = useNavigate();
  const { id: editId } = useParams();
  const [params] = useSearchParams();
  const { data: policy, error: policyError, reload } = usePolicy();
  const [form] = Form.useForm<FactsFormValues>();

  const [step, setStep] = useState(editId ? 1 : 0);
  const [incentiveId, setIncentiveId] = useState<string | undefined>(params.get('incentive') ?? undefined);
  const [claimId, setClaimId] = useState<number | undefined>(editId ? Number(editId) : undefined);
  const [detail, setDetail] = useState<ClaimDetail>();
  const [evidence, setEvidence] = useState<Evidence[]>([]);
  const [uploading, setUploading] = useState<Array<{ uid: string; name: string; error?: string }>>([]);
  const [preview, setPreview] = useState<Entitlement>();
  const [previewBusy, setPreviewBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [pledge, setPledge] = useState(false);
  const [pledgeError, setPledgeError] = useState(false);
  const [done, setDone] = useState<Claim>();
  const [prefilled, setPrefilled] = useState(false);
  const createKey = useRef<{ key: string; body: string } | null>(null);
  // A listed enterprise is told before it starts (and may keep a draft), not at the last step.
  const credit = useAsync(() => (uscc ? api.enterpriseCredit(uscc) : Promise.resolve(undefined)), [uscc]);
  const blocked = !!credit.data?.blocked;

  const incentives = useMemo(() => (policy ? allIncentives(policy) : []), [policy]);
  const inc: IncentiveView | undefined = incentives.find((i) => i.id === incentiveId);
  const decls = useMemo(() => (policy && inc ? factsOf(policy, inc) : []), [policy, inc]);
  const year = detail?.claim.year ?? policyYears(policy)[0];
  const lastReturn = detail?.reviews.filter((r) => r.action === 'return').at(-1);

  // Editing a stored claim (draft or returned): load it into the form.
  useEffect(() => {
    if (!editId || !policy) return;
    api.claim(editId).then(
      (d) => {
        setDetail(d);
        setIncentiveId(d.claim.incentive);
        setEvidence(d.evidence ?? []);
        const i = allIncentives(policy).find((x) => x.id === d.claim.incentive);
        const amt = d.claim.amountClaimedFen;
        form.setFieldsValue({
          item: d.claim.item || undefined,
          date: d.claim.date ?? undefined,
          amountClaimed: amt !== null && amt !== undefined ? { amount: fenToInput(amt, preferredUnit(amt)), unit: preferredUnit(amt) } : undefined,
          // the enterprise's registered industry class stands in where the claim does not give one
          facts: i ? factsToForm(factsOf(policy, i), { ...(d.enterprise?.industryClass ? { industryClass: d.enterprise.industryClass } : {}), ...d.claim.facts }) : {},
        });
      },
      setError,
    );
  }, [editId, policy, form]);

  // A new claim: fill in what the enterprise already has on file for the year, and the item named on the home page.
  useEffect(() => {
    if (editId || !inc || !uscc || step !== 1) return;
    const item = params.get('item');
    if (item && !form.getFieldValue('item')) form.setFieldValue('item', item);
    let live = true;
    // nothing on file (404) is normal: the enterprise fills it in
    api
      .enterpriseFacts(uscc, year)
      .catch(() => ({ facts: {} }))
      .then((res) => {
        if (!live) return;
        // the enterprise's registered industry class (措施16) counts as on file too
        const ind = user?.enterprise?.industryClass;
        const onFile = factsToForm(decls, { ...(ind ? { industryClass: ind } : {}), ...((res?.facts ?? {}) as Record<string, unknown>) });
        const current = (form.getFieldValue('facts') ?? {}) as FormFacts;
        const merged: FormFacts = { ...current };
        let any = false;
        for (const [k, v] of Object.entries(onFile)) {
          if (isEmpty(current[k])) {
            merged[k] = v;
            any = true;
          }
        }
        if (any) {
          form.setFieldValue('facts', merged);
          setPrefilled(true);
        }
      });
    return () => {
      live = false;
    };
  }, [editId, inc, uscc, step, year, decls, form, params, user]);

  /** The form → the claim body, or the problems to mark. */
  const collect = (): { body?: Omit<NewClaim, 'incentive' | 'year'>; problems: FormProblem[] } => {
    const v = form.getFieldsValue(true) as FactsFormValues;
    const { facts, problems } = formToFacts(decls, v.facts, ['facts']);
    const body: Omit<NewClaim, 'incentive' | 'year'> = { facts };
    if (inc?.item) {
      if (v.item?.trim()) body.item = v.item.trim();
      else problems.push({ name: ['item'], messageZh: `请填写${inc.item.label}名称`, messageEn: `name the ${inc.item.labelEn}` });
    }
    if (v.date) body.date = v.date;
    if (inc?.kind === 'cappedClaim') {
      if (v.amountClaimed && !isEmpty(v.amountClaimed)) {
        try {
          body.amountClaimedFen = parseMoneyToFen(v.amountClaimed.amount as string, v.amountClaimed.unit);
        } catch (e) {
          if (!(e instanceof MoneyInputError)) throw e;
          problems.push({ name: ['amountClaimed'], messageZh: e.messageZh, messageEn: e.messageEn });
        }
      } else problems.push({ name: ['amountClaimed'], messageZh: '请填写申报金额', messageEn: 'enter the amount claimed' });
    }
    return problems.length ? { problems } : { body, problems };
  };

  const runPreview = async (body?: Omit<NewClaim, 'incentive' | 'year'>) => {
    if (!inc) return;
    const b = body ?? collect().body;
    if (!b) return;
    setPreviewBusy(true);
    try {
      const r = await api.calc({ year, claims: [{ incentive: inc.id, item: b.item, date: b.date, amount: b.amountClaimedFen, facts: b.facts }] });
      setPreview(r.entitlements.find((e) => !e.implicit && e.incentive === inc.id) ?? r.entitlements[0]);
    } catch {
      setPreview(undefined); // the save reports the problem with its field
    } finally {
      setPreviewBusy(false);
    }
  };

  const next0 = () => {
    if (!inc) {
      setError(localProblem(1, [{ name: ['incentive'], messageZh: t('wiz.chooseRequired'), messageEn: 'Choose the incentive to claim' }]));
      return;
    }
    if (inc.kind === 'amountNotSet') return;
    setError(undefined);
    setStep(1);
  };

  const save1 = async () => {
    if (!inc) return;
    clearFieldErrors(form);
    setError(undefined);
    const { body, problems } = collect();
    if (!body) {
      const rest = showFieldErrors(form, problems, lang);
      setError(localProblem(problems.length, rest));
      return;
    }
    setBusy(true);
    try {
      if (claimId) {
        await api.patchClaim(claimId, body);
      } else {
        const full: NewClaim = { incentive: inc.id, year, ...body };
        const json = JSON.stringify(full);
        if (!createKey.current || createKey.current.body !== json) createKey.current = { key: idempotencyKey(), body: json };
        const c = await api.createClaim(full, createKey.current.key);
        setClaimId(c.id);
      }
      void runPreview(body);
      setStep(2);
    } catch (e) {
      showFieldErrors(form, problemsOf(e, { amountClaimedFen: 'amountClaimed' }), lang);
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const next2 = () => {
    if (!evidence.length) {
      setError(localProblem(1, [{ name: ['evidence'], messageZh: t('wiz.needEvidence'), messageEn: 'Upload at least one piece of evidence to continue.' }]));
      return;
    }
    setError(undefined);
    setStep(3);
  };

  const submit = async () => {
    if (!claimId) return;
    if (!pledge) {
      setPledgeError(true);
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const c = await api.submit(claimId);
      setDone(c ?? ({ id: claimId } as Claim));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const upload = async (file: File, uid: string) => {
    if (!claimId) return;
    setUploading((u) => [...u, { uid, name: file.name }]);
    try {
      const ev = await api.uploadEvidence(claimId, file);
      setEvidence((list) => [...list, ev]);
      setUploading((u) => u.filter((x) => x.uid !== uid));
      message.success(t('wiz.uploaded', { name: file.name }));
    } catch (e) {
      setUploading((u) => u.map((x) => (x.uid === uid ? { ...x, error: describeError(e, lang) } : x)));
    }
  };

  if (policyError) return <ErrorAlert error={policyError} onRetry={reload} />;
  if (!policy) return <Skeleton active />;

  if (done) {
    return (
      <Result
        status="success"
        icon={<CheckCircleFilled />}
        title={t('wiz.doneTitle')}
        subTitle={t('wiz.doneSub', { id: done.id ?? claimId ?? '', area: areaName(done.areaId ?? user?.enterprise?.areaId) !== '—' ? areaName(done.areaId ?? user?.enterprise?.areaId) : t('wiz.yourArea') })}
        extra={[
          <ButtonLink key="v" type="primary" to={`/portal/claims/${done.id ?? claimId}`}>
            {t('wiz.viewClaim')}
          </ButtonLink>,
          <Button
            key="a"
            onClick={() => {
              setDone(undefined);
              setStep(0);
              setIncentiveId(undefined);
              setClaimId(undefined);
              setDetail(undefined);
              setEvidence([]);
              setPreview(undefined);
              setPledge(false);
              setPrefilled(false);
              form.resetFields();
              createKey.current = null;
              navigate('/portal/apply');
            }}
          >
            {t('wiz.another')}
          </Button>,
        ]}
      />
    );
  }

  const title = !editId ? t('wiz.title') : detail?.claim.state === 'draft' ? t('wiz.draftTitle', { id: editId }) : t('wiz.editTitle', { id: editId });
  const summary = step === 3 ? collect().body : undefined;
  return (
    <>
      <PageTitle title={title} />
      <Card size="small" style={{ marginBottom: 16 }}>
        <Steps current={step} size="small" items={STEP_KEYS.map((k) => ({ title: t(k) }))} responsive />
      </Card>
      {lastReturn && (detail?.claim.state === 'returned' || detail?.claim.state === 'draft') && (
        <Alert type="warning" showIcon style={{ marginBottom: 16 }} title={t('wiz.returnedNote', { reason: lastReturn.reason ?? '—' })} description={t('case.returnedHint')} />
      )}
      {credit.data?.blocked && <CreditAlert credit={credit.data} type="warning" extra={t('wiz.creditNote')} style={{ marginBottom: 16 }} />}
      <ErrorAlert error={error} />

      {step === 0 && (
        <Card>
          <Form layout="vertical" onFinish={next0}>
            <Form.Item label={t('wiz.chooseLabel')} htmlFor="wiz-incentive" required>
              <IncentiveSelect id="wiz-incentive" policy={policy} value={incentiveId} onChange={((v: string) => setIncentiveId(v)) as never} placeholder={t('calc.pickPh')} />
            </Form.Item>
            {inc && <IncentiveSummary inc={inc} />}
            {inc?.kind === 'amountNotSet' && <Alert type="warning" showIcon style={{ marginTop: 12 }} title={t('wiz.notClaimable')} />}
            {inc?.kind === 'caseByCase' && <Alert type="info" showIcon style={{ marginTop: 12 }} title={t('wiz.caseByCaseNote')} />}
            <Space style={{ marginTop: 16 }}>
              <Button type="primary" htmlType="submit" disabled={!inc || inc.kind === 'amountNotSet'}>
                {t('common.next')}
              </Button>
            </Space>
          </Form>
        </Card>
      )}

      {/* kept mounted (hidden) on later steps: the summary reads the same form */}
      {inc && (
        <Card style={step === 1 ? undefined : { display: 'none' }} title={<span style={{ whiteSpace: 'normal' }}>{inc.measure ? `${t('common.measureNo', { n: inc.measure })} · ` : ''}{pick(inc.title, inc.titleEn)} <KindTag kind={inc.kind} /></span>}>
          {prefilled && <Alert type="info" showIcon style={{ marginBottom: 12 }} title={t('wiz.prefilled')} />}
          <Form<FactsFormValues> form={form} layout="vertical" onFinish={save1} scrollToFirstError style={{ maxWidth: 720 }}>
            {inc.item && (
              <Form.Item name="item" label={t('calc.itemName', { item: pick(inc.item.label, inc.item.labelEn) })} required>
                <Input placeholder={t('calc.itemPh')} maxLength={100} />
              </Form.Item>
            )}
            {inc.kind === 'cappedClaim' && (
              <Form.Item name="amountClaimed" label={t('calc.amountClaimed')} extra={t('calc.amountHelp')} required>
                <MoneyInput />
              </Form.Item>
            )}
            {inc.kind === 'fixed' && (
              <Form.Item name="date" label={`${t('calc.eventDate')}${t('common.optional')}`}>
                <CivilDateInput />
              </Form.Item>
            )}
            {decls.map((d) => (
              <FactField key={d.name} decl={d} name={['facts', d.name]} />
            ))}
            <PreviewBox preview={preview} busy={previewBusy} onRun={() => runPreview()} />
            <Space style={{ marginTop: 16 }} wrap>
              {!editId && <Button onClick={() => setStep(0)}>{t('common.prev')}</Button>}
              <Button type="primary" htmlType="submit" loading={busy}>
                {t('wiz.saveDraft')}
              </Button>
            </Space>
          </Form>
        </Card>
      )}

      {step === 2 && (
        <Card title={t('wiz.step.evidence')}>
          <Typography.Paragraph>{t('wiz.evidenceHelp')}</Typography.Paragraph>
          <Upload.Dragger
            multiple
            accept={EVIDENCE_ACCEPT}
            showUploadList={false}
            beforeUpload={(file) => {
              const problem = checkEvidenceFile(file);
              if (problem) {
                const msg = problem === 'type' ? t('wiz.badType', { name: file.name }) : problem === 'size' ? t('wiz.tooBig', { name: file.name, size: formatBytes(file.size) }) : t('wiz.emptyFile', { name: file.name });
                setUploading((u) => [...u, { uid: file.uid, name: file.name, error: msg }]);
                return Upload.LIST_IGNORE;
              }
              return true;
            }}
            customRequest={({ file, onSuccess }) => {
              const f = file as File & { uid: string };
              void upload(f, f.uid).then(() => onSuccess?.({}));
            }}
          >
            <p className="ant-upload-drag-icon">
              <InboxOutlined />
            </p>
            <p className="ant-upload-text">{t('wiz.dropHint')}</p>
            <p className="ant-upload-hint">PDF · JPG · PNG · XLSX · DOCX · ≤ 10MB</p>
          </Upload.Dragger>
          {uploading.length > 0 && (
            <List
              size="small"
              style={{ marginTop: 12 }}
              dataSource={uploading}
              renderItem={(u) => (
                <List.Item
                  actions={
                    u.error
                      ? [<Button key="x" type="text" size="small" icon={<DeleteOutlined />} aria-label={t('common.close')} onClick={() => setUploading((l) => l.filter((x) => x.uid !== u.uid))} />]
                      : undefined
                  }
                >
                  {u.error ? <Typography.Text type="danger" role="alert">{u.error}</Typography.Text> : <span><LoadingOutlined /> {u.name}</span>}
                </List.Item>
              )}
            />
          )}
          <EvidenceList claimId={claimId} evidence={evidence} />
          <Space style={{ marginTop: 16 }} wrap>
            <Button onClick={() => setStep(1)}>{t('common.prev')}</Button>
            <Button type="primary" onClick={next2} disabled={uploading.some((u) => !u.error)}>
              {t('common.next')}
            </Button>
          </Space>
        </Card>
      )}

      {step === 3 && inc && (
        <Card title={t('wiz.summaryTitle')}>
          <Descriptions bordered size="small" column={1} styles={{ label: { width: 220 } }}>
            <Descriptions.Item label={t('common.incentive')}>
              {inc.measure ? `${t('common.measureNo', { n: inc.measure })} · ` : ''}
              {pick(inc.title, inc.titleEn)}
            </Descriptions.Item>
            <Descriptions.Item label={t('common.year')}>{year}</Descriptions.Item>
            {form.getFieldValue('item') && <Descriptions.Item label={t('common.item')}>{form.getFieldValue('item')}</Descriptions.Item>}
            {form.getFieldValue('date') && <Descriptions.Item label={t('calc.eventDate')}>{form.getFieldValue('date')}</Descriptions.Item>}
            {summary?.amountClaimedFen !== undefined && <Descriptions.Item label={t('wiz.claimedAmount')}>{money(summary.amountClaimedFen)}</Descriptions.Item>}
            {decls.map((d) => {
              const v = summary?.facts[d.name];
              return (
                <Descriptions.Item key={d.name} label={lang === 'en' ? d.labelEn : d.label}>
                  {displayFact(d, v, lang)}
                </Descriptions.Item>
              );
            })}
            <Descriptions.Item label={t('case.evidence')}>
              {evidence.map((e) => (
                <div key={e.id}>
                  <PaperClipOutlined /> {e.fileName}（{formatBytes(e.sizeBytes)}）
                </div>
              ))}
            </Descriptions.Item>
            {preview && (
              <Descriptions.Item label={t('wiz.estimate')}>
                <StatusTag status={preview.status} /> <Typography.Text strong>{preview.amountFen !== null ? money(preview.amountFen) : ''}</Typography.Text>
              </Descriptions.Item>
            )}
          </Descriptions>
          <div style={{ marginTop: 16 }}>
            <Checkbox
              checked={pledge}
              onChange={(e) => {
                setPledge(e.target.checked);
                setPledgeError(false);
              }}
              aria-describedby={pledgeError ? 'pledge-error' : undefined}
            >
              {t('wiz.pledge')}
            </Checkbox>
            {pledgeError && (
              <div id="pledge-error" role="alert">
                <Typography.Text type="danger">{t('wiz.pledgeRequired')}</Typography.Text>
              </div>
            )}
          </div>
          <Space style={{ marginTop: 16 }} wrap>
            <Button onClick={() => setStep(2)}>{t('common.prev')}</Button>
            <Button type="primary" size="large" onClick={submit} loading={busy} disabled={blocked}>
              {detail?.claim.state === 'returned' ? t('wiz.resubmit') : t('wiz.submit')}
            </Button>
          </Space>
        </Card>
      )}
    </>
  );
}

function IncentiveSummary({ inc }: { inc: IncentiveView }) {
  const { t, pick } = useI18n();
  return (
    <Descriptions size="small" column={1} bordered styles={{ label: { width: 120 } }}>
      <Descriptions.Item label={t('policy.summary')}>{pick(inc.summary, inc.summaryEn)}</Descriptions.Item>
      <Descriptions.Item label={t('policy.howMuch')}>
        <Typography.Text strong>{inc.amountText}</Typography.Text>
      </Descriptions.Item>
      {inc.conditions.length > 0 && (
        <Descriptions.Item label={t('policy.conditions')}>
          <ul style={{ margin: 0, paddingInlineStart: 18 }}>
            {inc.conditions.map((c, i) => (
              <li key={i}>{pick(c.label, c.labelEn)}</li>
            ))}
          </ul>
        </Descriptions.Item>
      )}
      {inc.leadUnitName && <Descriptions.Item label={t('policy.leadUnit')}>{inc.leadUnitName}</Descriptions.Item>}
    </Descriptions>
  );
}

function PreviewBox({ preview, busy, onRun }: { preview?: Entitlement; busy: boolean; onRun: () => void }) {
  const { t, money } = useI18n();
  const [open, setOpen] = useState(false);
  return (
    <Card size="small" style={{ background: '#fafcff' }}>
      <Flex justify="space-between" align="center" wrap gap={8}>
        <span aria-live="polite">
          {preview ? (
            <>
              {t('wiz.preview')}：<StatusTag status={preview.status} />
              {preview.amountFen !== null && <Typography.Text strong style={{ color: '#c81e1e' }}>{money(preview.amountFen)}</Typography.Text>}
            </>
          ) : (
            <Typography.Text type="secondary">{t('wiz.preview')}：—</Typography.Text>
          )}
        </span>
        <Space>
          {preview?.explanation && (
            <Button type="link" onClick={() => setOpen((o) => !o)} aria-expanded={open}>
              {open ? t('exp.hide') : t('exp.show')}
            </Button>
          )}
          <Button icon={<CalculatorOutlined />} onClick={onRun} loading={busy}>
            {t('wiz.previewRun')}
          </Button>
        </Space>
      </Flex>
      {open && preview?.explanation && (
        <div style={{ marginTop: 12 }}>
          <ExplanationView ent={preview} exp={preview.explanation} />
        </div>
      )}
    </Card>
  );
}
