import { BulbOutlined, CheckCircleFilled, CloseCircleFilled, QuestionCircleFilled } from '@ant-design/icons';
import { Alert, Descriptions, Flex, Grid, Tag, Typography } from 'antd';
import type { Entitlement, Explanation } from '../api/types';
import { useI18n } from '../i18n';
import type { MessageKey } from '../i18n/messages';
import { capLimitKnown, conditionActualText, readEntitlement, usedFactText } from '../lib/entitlement';

/**
 * The engine's explanation of one entitlement: the clause, the facts used, each condition, the formula with
 * its intermediate values, the caps (and which one cut the amount), and for "no": why not and what would qualify.
 * A missing fact reads "需填写…" by its label; a formula is shown only where it computed an amount, and a cap
 * only with the amount it has (never "上限 0.00元" for a cap that depends on a fact not given).
 */
export function ExplanationView({ ent, exp }: { ent: Entitlement; exp: Explanation }) {
  const { t, lang, pick, money } = useI18n();
  const reading = readEntitlement({ status: ent.status, explanation: exp });
  // labels above their values on a phone, so that neither is squeezed to a few characters a line
  const narrow = !Grid.useBreakpoint().sm;
  const v = reading.verdict;
  const capsText = exp.caps.map((c) => pick(c.label, c.labelEn)).join(lang === 'en' ? '; ' : '；');
  const summary =
    v === 'needsInfo' && reading.missing
      ? t('exp.needFact', { field: pick(reading.missing.label, reading.missing.labelEn) })
      : v === 'claimable'
        ? t('profile.claimableNote', { caps: capsText })
        : pick(exp.summary.zh, exp.summary.en);
  const alertType = v === 'eligible' || v === 'claimable' ? 'success' : v === 'notEligible' || v === 'needsInfo' ? 'warning' : 'info';
  const rule = exp.cityAward ? (`overlap.${exp.cityAward.rule}` as MessageKey) : undefined;
  return (
    <Flex vertical gap={12} className="kf-explanation">
      <Alert type={alertType} showIcon title={summary} />

      {v === 'notEligible' && exp.reasons.length > 0 && (
        <section aria-label={t('exp.why')}>
          <Typography.Text strong>{t('exp.why')}</Typography.Text>
          <ul style={{ margin: '4px 0', paddingInlineStart: 20 }}>
            {exp.reasons.map((r, i) => (
              <li key={i}>{pick(r.zh, r.en)}</li>
            ))}
          </ul>
        </section>
      )}
      {exp.whatWouldQualify && v === 'notEligible' && (
        <Alert type="info" icon={<BulbOutlined />} showIcon title={<><Typography.Text strong>{t('exp.whatWould')}{lang === 'en' ? ': ' : '：'}</Typography.Text>{pick(exp.whatWouldQualify.zh, exp.whatWouldQualify.en)}</>} />
      )}

      <Descriptions size="small" column={1} bordered layout={narrow ? 'vertical' : 'horizontal'} styles={{ label: narrow ? {} : { width: 140, whiteSpace: 'nowrap' } }}>
        {exp.conditions.length > 0 && (
          <Descriptions.Item label={t('exp.conditions')}>
            <ul style={{ listStyle: 'none', margin: 0, padding: 0 }}>
              {exp.conditions.map((c, i) => (
                <li key={i} style={{ marginBottom: 2 }}>
                  {c.satisfied === true ? (
                    <CheckCircleFilled style={{ color: '#389e0d' }} aria-label={t('exp.met')} />
                  ) : c.satisfied === false ? (
                    <CloseCircleFilled style={{ color: '#cf1322' }} aria-label={t('exp.notMet')} />
                  ) : (
                    <QuestionCircleFilled style={{ color: '#faad14' }} aria-label={t('exp.unknownCond')} />
                  )}{' '}
                  {pick(c.label, c.labelEn)}
                  {c.actual !== undefined && c.satisfied !== null && (
                    <Typography.Text type="secondary">{lang === 'en' ? ` (${t('exp.actual', { v: conditionActualText(c, exp.factsUsed, lang) ?? '' })})` : `（${t('exp.actual', { v: c.actual })}）`}</Typography.Text>
                  )}
                </li>
              ))}
            </ul>
          </Descriptions.Item>
        )}
        {(exp.formula || exp.fixedFen !== undefined || exp.proposedFen !== undefined) && (
          <Descriptions.Item label={t('exp.formula')}>
            {exp.formula && (
              <div>
                <div>{pick(exp.formula.text, exp.formula.textEn)}</div>
                {reading.showFormula ? (
                  <Typography.Text code>
                    {exp.formula.baseDisplay ? `${pick(exp.formula.baseDisplay, exp.formula.baseDisplayEn)}${exp.formula.rate ? ` × ${pick(exp.formula.rate, exp.formula.rateEn)}` : ''} ` : ''}= {money(exp.formula.rawFen)}
                  </Typography.Text>
                ) : (
                  // below a threshold or with a fact missing there is nothing to multiply: say so, not "= 0.00元"
                  <Typography.Text type="secondary">{v === 'needsInfo' && reading.missing ? t('exp.needFact', { field: pick(reading.missing.label, reading.missing.labelEn) }) : t('exp.notComputed')}</Typography.Text>
                )}
              </div>
            )}
            {exp.fixedFen !== undefined && <div>{t('exp.fixed', { v: money(exp.fixedFen) })}</div>}
            {exp.proposedFen !== undefined && <div>{t('exp.proposed', { v: money(exp.proposedFen) })}</div>}
          </Descriptions.Item>
        )}
        {exp.caps.length > 0 && (
          <Descriptions.Item label={t('exp.caps')}>
            <ul style={{ listStyle: 'none', margin: 0, padding: 0 }}>
              {exp.caps.map((c, i) => (
                <li key={i} style={{ marginBottom: 4 }}>
                  {reading.showCaps && v !== 'claimable' && (c.applied ? <Tag color="red">{t('exp.capApplied')}</Tag> : <Tag>{t('exp.capNotApplied')}</Tag>)}
                  {pick(c.label, c.labelEn)}
                  {reading.showCaps && capLimitKnown(c) ? (
                    <div style={{ fontSize: 12, color: '#666' }}>
                      {t('exp.capLimit')} {money(c.limitFen)} · {t('exp.capUsed')} {money(c.usedBeforeFen)} · {t('exp.capRoom')} {money(c.roomFen)}
                    </div>
                  ) : null}
                </li>
              ))}
            </ul>
          </Descriptions.Item>
        )}
        {exp.cityAward && rule && <Descriptions.Item label={t('exp.caps')}>{t('exp.cityAward', { v: money(exp.cityAward.amountFen), rule: t(rule) === rule ? exp.cityAward.rule : t(rule) })}</Descriptions.Item>}
        {!!exp.priorAwardsFen && <Descriptions.Item label={t('exp.capUsed')}>{t('exp.prior', { v: money(exp.priorAwardsFen) })}</Descriptions.Item>}
        {exp.factsUsed.length > 0 && (
          <Descriptions.Item label={t('exp.facts')}>
            {exp.factsUsed.map((f) => (
              <div key={f.name}>
                {lang === 'en' ? `${f.labelEn}: ` : `${f.label}：`}
                <Typography.Text strong>{usedFactText(f, lang)}</Typography.Text>
              </div>
            ))}
          </Descriptions.Item>
        )}
        <Descriptions.Item label={t('exp.clause')}>
          <blockquote className="kf-clause">{exp.clause}</blockquote>
          {exp.policy && (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {exp.policy.title} · {exp.policy.version}
            </Typography.Text>
          )}
        </Descriptions.Item>
      </Descriptions>
    </Flex>
  );
}
