import { CalendarOutlined, DeleteOutlined, PlusOutlined, SaveOutlined } from '@ant-design/icons';
import { Alert, AutoComplete, Button, Card, Col, Descriptions, Flex, Form, Input, InputNumber, Row, Skeleton, Table, Tag, Tooltip, Typography, App as AntApp } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { api } from '../../api/client';
import type { CalendarCoverage, CalendarYearInput, CalendarYearSummary } from '../../api/types';
import { ErrorAlert } from '../../components/ErrorAlert';
import { CivilDateInput } from '../../components/FactField';
import { PageTitle } from '../../components/PageTitle';
import { useI18n } from '../../i18n';
import { previewYear, type PreviewMonth } from '../../lib/calendarPreview';
import { useFormSubmit } from '../../lib/useFormSubmit';

const FESTIVALS = ['元旦', '春节', '清明节', '劳动节', '端午节', '中秋节', '国庆节', '国庆节、中秋节'];

interface FormValues {
  year: number;
  title: string;
  document: string;
  noticeDate: string;
  url?: string;
  holidays: Array<{ festival?: string; from?: string; to?: string }>;
  makeUpWorkdays: Array<{ date?: string; festival?: string }>;
}

/**
 * 工作日历维护 (administrator): each November the State Council publishes next year's holiday arrangement; the
 * administrator types it in here, sees the year before saving, and the platform counts due dates with it from then on.
 * The server validates exactly as it validates the shipped calendar file (src/calendar/official-calendar.ts).
 */
export default function CalendarUpkeep() {
  const { t, lang } = useI18n();
  const { message } = AntApp.useApp();
  const [coverage, setCoverage] = useState<CalendarCoverage>();
  const [loadError, setLoadError] = useState<unknown>();
  const [form] = Form.useForm<FormValues>();
  const { busy, error, submit } = useFormSubmit(form, {});
  const year = Form.useWatch('year', form);
  const holidays = Form.useWatch('holidays', form) ?? [];
  const makeUp = Form.useWatch('makeUpWorkdays', form) ?? [];

  const load = () => api.calendar().then(setCoverage, setLoadError);
  useEffect(() => {
    void load();
  }, []);

  // A new year starts from an empty arrangement; a year already entered is loaded for correction.
  useEffect(() => {
    if (!coverage) return;
    form.resetFields();
    form.setFieldsValue({ year: coverage.nextYear, title: `国务院办公厅关于${coverage.nextYear}年部分节假日安排的通知`, holidays: [{}], makeUpWorkdays: [] });
  }, [coverage?.nextYear]); // eslint-disable-line react-hooks/exhaustive-deps

  const loadYear = async (y: number) => {
    const e = await api.calendarYear(y);
    form.setFieldsValue({ year: y, title: e.notice.title, document: e.notice.document, noticeDate: e.notice.date, url: e.notice.url, holidays: e.holidays, makeUpWorkdays: e.makeUpWorkdays });
  };

  const preview = useMemo(() => (year && year >= 2000 && year <= 2999 ? previewYear(year, holidays, makeUp) : null), [year, holidays, makeUp]);

  const save = () =>
    submit(async (v) => {
      const body: CalendarYearInput = {
        notice: { title: v.title.trim(), document: v.document.trim(), date: v.noticeDate, ...(v.url?.trim() ? { url: v.url.trim() } : {}) },
        holidays: (v.holidays ?? []).map((h) => ({ festival: (h.festival ?? '').trim(), from: h.from ?? '', to: h.to ?? '' })),
        makeUpWorkdays: (v.makeUpWorkdays ?? []).map((m) => ({ date: m.date ?? '', festival: (m.festival ?? '').trim() })),
      };
      const r = await api.saveCalendarYear(v.year, body);
      setCoverage(r.coverage);
      message.success(t('cal.saved', { year: r.saved.year, through: r.coverage.coveredThrough }));
    });

  if (loadError) return <ErrorAlert error={loadError} />;
  if (!coverage) return <Skeleton active />;

  const source = (s: CalendarYearSummary) => (s.source === 'file' ? <Tag>{t('cal.sourceFile')}</Tag> : <Tag color="blue">{t('cal.sourceEntered')}</Tag>);
  const required = (field: string) => [{ required: true, whitespace: true, message: t('cal.required', { field }) }];

  return (
    <>
      <PageTitle title={t('cal.title')} sub={t('cal.coverage', { from: coverage.coveredFrom, through: coverage.coveredThrough })} />
      {coverage.reminder && (
        <Alert type="warning" showIcon style={{ marginBottom: 16 }} title={t('cal.reminder', { year: coverage.nextYear })} description={t('cal.reminderSub', { through: coverage.computableThrough })} />
      )}
      <Card title={t('cal.years')} size="small" style={{ marginBottom: 16 }}>
        <Table<CalendarYearSummary>
          size="small"
          rowKey="year"
          pagination={false}
          scroll={{ x: 720 }}
          dataSource={[...coverage.years].reverse()}
          columns={[
            { title: t('cal.year'), dataIndex: 'year', width: 80, fixed: 'left' },
            { title: t('cal.document'), dataIndex: 'document' },
            { title: t('cal.noticeDate'), dataIndex: 'noticeDate', width: 110 },
            { title: t('cal.holidayRanges'), dataIndex: 'holidays', width: 90 },
            { title: t('cal.makeUpDays'), dataIndex: 'makeUpWorkdays', width: 90 },
            { title: t('cal.source'), key: 'source', width: 110, render: (_, s) => source(s) },
            { title: t('cal.enteredBy'), key: 'by', render: (_, s) => (s.enteredBy ? `${s.enteredBy} · ${s.enteredAt?.slice(0, 10)}${s.version && s.version > 1 ? ` · v${s.version}` : ''}` : '—') },
            { title: '', key: 'edit', width: 90, render: (_, s) => (s.source === 'entered' ? <Button size="small" onClick={() => void loadYear(s.year)}>{t('cal.correct')}</Button> : null) },
          ]}
        />
      </Card>
      <Row gutter={16}>
        <Col xs={24} xl={11}>
          <Card title={<span><CalendarOutlined /> {t('cal.enterTitle')}</span>} size="small" style={{ marginBottom: 16 }}>
            <ErrorAlert error={error} />
            <Form form={form} layout="vertical" onFinish={save} disabled={busy}>
              <Row gutter={12}>
                <Col xs={24} sm={8}>
                  <Form.Item name="year" label={t('cal.year')} rules={[{ required: true, message: t('cal.required', { field: t('cal.year') }) }]}>
                    <InputNumber min={2000} max={2999} precision={0} style={{ width: '100%' }} />
                  </Form.Item>
                </Col>
                <Col xs={24} sm={16}>
                  <Form.Item name="document" label={t('cal.document')} rules={required(t('cal.document'))} extra={t('cal.documentHint')}>
                    <Input placeholder={`国办发明电〔${(year ?? coverage.nextYear) - 1}〕N号`} maxLength={60} />
                  </Form.Item>
                </Col>
              </Row>
              <Form.Item name="title" label={t('cal.noticeTitle')} rules={required(t('cal.noticeTitle'))}>
                <Input maxLength={200} />
              </Form.Item>
              <Row gutter={12}>
                <Col xs={24} sm={10}>
                  <Form.Item name="noticeDate" label={t('cal.noticeDate')} rules={[{ required: true, message: t('cal.required', { field: t('cal.noticeDate') }) }]}>
                    <CivilDateInput />
                  </Form.Item>
                </Col>
                <Col xs={24} sm={14}>
                  <Form.Item name="url" label={t('cal.url')}>
                    <Input placeholder="https://www.gov.cn/…" maxLength={500} />
                  </Form.Item>
                </Col>
              </Row>
              <Typography.Title level={5}>{t('cal.holidays')}</Typography.Title>
              <Form.List name="holidays">
                {(fields, { add, remove }) => (
                  <>
                    {fields.map((f, i) => (
                      <Flex key={f.key} gap={8} align="flex-start" wrap>
                        <Form.Item name={[f.name, 'festival']} rules={required(t('cal.festival'))} style={{ width: 150 }}>
                          <AutoComplete options={FESTIVALS.map((x) => ({ value: x }))} placeholder={t('cal.festival')} aria-label={`${t('cal.festival')} ${i + 1}`} />
                        </Form.Item>
                        <Form.Item name={[f.name, 'from']} rules={[{ required: true, message: t('cal.required', { field: t('cal.from') }) }]} style={{ width: 150 }}>
                          <CivilDateInput id={`holiday-${i}-from`} />
                        </Form.Item>
                        <Form.Item name={[f.name, 'to']} rules={[{ required: true, message: t('cal.required', { field: t('cal.to') }) }]} style={{ width: 150 }}>
                          <CivilDateInput id={`holiday-${i}-to`} />
                        </Form.Item>
                        <Tooltip title={t('cal.remove')}>
                          <Button icon={<DeleteOutlined />} aria-label={t('cal.remove')} onClick={() => remove(f.name)} />
                        </Tooltip>
                      </Flex>
                    ))}
                    <Button icon={<PlusOutlined />} onClick={() => add({})} style={{ marginBottom: 16 }}>
                      {t('cal.addHoliday')}
                    </Button>
                  </>
                )}
              </Form.List>
              <Typography.Title level={5}>{t('cal.makeUp')}</Typography.Title>
              <Form.List name="makeUpWorkdays">
                {(fields, { add, remove }) => (
                  <>
                    {fields.map((f, i) => (
                      <Flex key={f.key} gap={8} align="flex-start" wrap>
                        <Form.Item name={[f.name, 'date']} rules={[{ required: true, message: t('cal.required', { field: t('cal.date') }) }]} style={{ width: 150 }}>
                          <CivilDateInput id={`makeup-${i}-date`} />
                        </Form.Item>
                        <Form.Item name={[f.name, 'festival']} rules={required(t('cal.festival'))} style={{ width: 150 }}>
                          <AutoComplete options={FESTIVALS.map((x) => ({ value: x }))} placeholder={t('cal.festival')} aria-label={`${t('cal.makeUp')} ${t('cal.festival')} ${i + 1}`} />
                        </Form.Item>
                        <Tooltip title={t('cal.remove')}>
                          <Button icon={<DeleteOutlined />} aria-label={t('cal.remove')} onClick={() => remove(f.name)} />
                        </Tooltip>
                      </Flex>
                    ))}
                    <Button icon={<PlusOutlined />} onClick={() => add({})} style={{ marginBottom: 16 }}>
                      {t('cal.addMakeUp')}
                    </Button>
                  </>
                )}
              </Form.List>
              {preview && preview.problems.length > 0 && (
                <Alert type="error" showIcon style={{ marginBottom: 12 }} title={t('cal.previewProblems')} description={<ul style={{ margin: 0, paddingInlineStart: 18 }}>{preview.problems.map((p, i) => <li key={i}>{lang === 'en' ? p.en : p.zh}</li>)}</ul>} />
              )}
              <Button type="primary" htmlType="submit" icon={<SaveOutlined />} loading={busy}>
                {t('cal.save')}
              </Button>
            </Form>
          </Card>
        </Col>
        <Col xs={24} xl={13}>
          <Card
            title={t('cal.preview', { year: year ?? '' })}
            size="small"
            extra={preview && <Typography.Text type="secondary">{t('cal.previewCounts', { holidays: preview.holidayDays, makeUp: preview.makeUpDays })}</Typography.Text>}
          >
            <Descriptions size="small" column={3} style={{ marginBottom: 8 }} items={[
              { key: 'h', label: <span className="kf-cal-day kf-cal-holiday">1</span>, children: t('cal.legendHoliday') },
              { key: 'm', label: <span className="kf-cal-day kf-cal-makeUpWorkday">1</span>, children: t('cal.legendMakeUp') },
              { key: 'w', label: <span className="kf-cal-day kf-cal-weekend">1</span>, children: t('cal.legendWeekend') },
            ]} />
            {preview ? (
              <div className="kf-cal-year" role="list" aria-label={t('cal.preview', { year: year ?? '' })}>
                {preview.months.map((m) => <MonthGrid key={m.month} m={m} />)}
              </div>
            ) : (
              <Typography.Text type="secondary">{t('cal.previewEmpty')}</Typography.Text>
            )}
          </Card>
        </Col>
      </Row>
    </>
  );
}

function MonthGrid({ m }: { m: PreviewMonth }) {
  const { t } = useI18n();
  const kindText = { holiday: t('cal.legendHoliday'), makeUpWorkday: t('cal.legendMakeUp'), weekend: t('cal.legendWeekend'), weekday: t('cal.weekday') };
  return (
    <div className="kf-cal-month" role="listitem">
      <div className="kf-cal-month-title">{t('cal.month', { month: m.month })}</div>
      <div className="kf-cal-grid">
        {Array.from({ length: 7 }, (_, i) => (
          <span key={i} className="kf-cal-head" aria-hidden>
            {t(`cal.wd${i}` as 'cal.wd0')}
          </span>
        ))}
        {Array.from({ length: m.firstWeekday }, (_, i) => <span key={`b${i}`} />)}
        {m.days.map((d) => (
          <span key={d.date} className={`kf-cal-day kf-cal-${d.kind}`} title={`${d.date} ${kindText[d.kind]}${d.festival ? ` · ${d.festival}` : ''}`} data-date={d.date} data-kind={d.kind}>
            {d.day}
          </span>
        ))}
      </div>
    </div>
  );
}
