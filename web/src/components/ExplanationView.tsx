import { BulbOutlined, CheckCircleFilled, CloseCircleFilled, QuestionCircleFilled } from '@ant-design/icons';
import { Alert, Descriptions, Flex, Tag, Typography } from 'antd';
import type { Entitlement, Explanation } from '../api/types';
import { useI18n } from '../i18n';

/**
 * The engine's explanation of one entitlement: the clause, the facts used, each condition, the formula with
 * its intermediate values, the caps (and which one cut the amount), and for "no": why not and what would qualify.
 */
export function ExplanationView({ ent, exp }: { ent: Entitlement; exp: Explanation }) {
  const { t, lang, pick, money } = useI18n();
  const summary = pick(exp.summary.zh, exp.summary.en);
  const alertType = ent.status === 'eligible' ? 'success' : ent.status === 'notEligible' ? 'warning' : 'info';
  return (
    <Flex vertical gap={12} className="kf-explanation">
      <Alert type={alertType} showIcon title={summary} />

      {ent.status === 'notEligible' && exp.reasons.length > 0 && (
        <section aria-label={t('exp.why')}>
          <Typography.Text strong>{t('exp.why')}</Typography.Text>
          <ul style={{ margin: '4px 0', paddingInlineStart: 20 }}>
            {exp.reasons.map((r, i) => (
              <li key={i}>{pick(r.zh, r.en)}</li>
            ))}
          </ul>
        </section>
      )}
      {exp.whatWouldQualify && (
        <Alert type="info" icon={<BulbOutlined />} showIcon title={<><Typography.Text strong>{t('exp.whatWould')}：</Typography.Text>{pick(exp.whatWouldQualify.zh, exp.whatWouldQualify.en)}</>} />
      )}

      <Descriptions size="small" column={1} bordered styles={{ label: { width: 140, whiteSpace: 'nowrap' } }}>
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
                  {c.actual !== undefined && <Typography.Text type="secondary">（{t('exp.actual', { v: c.actual })}）</Typography.Text>}
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
                {exp.formula.baseDisplay && (
                  <Typography.Text code>
                    {exp.formula.baseDisplay}
                    {exp.formula.rate ? ` × ${exp.formula.rate}` : ''} = {money(exp.formula.rawFen)}
                  </Typography.Text>
                )}
                {!exp.formula.baseDisplay && <Typography.Text code>= {money(exp.formula.rawFen)}</Typography.Text>}
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
                  {c.applied ? <Tag color="red">{t('exp.capApplied')}</Tag> : <Tag>{t('exp.capNotApplied')}</Tag>}
                  {pick(c.label, c.labelEn)}
                  <div style={{ fontSize: 12, color: '#666' }}>
                    {t('exp.capLimit')} {money(c.limitFen)} · {t('exp.capUsed')} {money(c.usedBeforeFen)} · {t('exp.capRoom')} {money(c.roomFen)}
                  </div>
                </li>
              ))}
            </ul>
          </Descriptions.Item>
        )}
        {exp.cityAward && <Descriptions.Item label={t('exp.caps')}>{t('exp.cityAward', { v: money(exp.cityAward.amountFen), rule: exp.cityAward.rule })}</Descriptions.Item>}
        {!!exp.priorAwardsFen && <Descriptions.Item label={t('exp.capUsed')}>{t('exp.prior', { v: money(exp.priorAwardsFen) })}</Descriptions.Item>}
        {exp.factsUsed.length > 0 && (
          <Descriptions.Item label={t('exp.facts')}>
            {exp.factsUsed.map((f) => (
              <div key={f.name}>
                {lang === 'en' ? f.labelEn : f.label}：<Typography.Text strong>{f.display}</Typography.Text>
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
