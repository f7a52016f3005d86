import { PlusOutlined, UploadOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Form, Input, InputNumber, Modal, Select, Space, Table, Tag, Typography } from 'antd';
import { useEffect, useState, useRef } from 'react';
import { useSearchParams } from 'react-router-dom';
import { registers, type CityAwardView } from '../../api/registers';
import { ErrorAlert } from '../../components/ErrorAlert';
import { MoneyInput } from '../../components/MoneyInput';
import { PageTitle } from '../../components/PageTitle';
import { useI18n } from '../../i18n';
import { formatDateTime } from '../../lib/dates';
import { useAsync } from '../../lib/useAsync';
import type { MoneyValue } from '../../lib/factForm';
import { parseMoneyToFen } from '../../lib/money';
import { useFormSubmit } from '../../lib/useFormSubmit';
import { ImportDialog } from '../admin/Enterprises';

/**
 * 市级奖励 (lead departments, for 就高不重复): the city awards of their measures with filters in the URL; record one,
 * import a list (all or nothing), correct or end one. A correction is a negative entry in the append-only ledger; a
 * district decision that already set the city award off stays as decided, later decisions see the reduced amount.
 */
export default function CityAwards() {
  const { t, pick, money } = useI18n();
  const { message } = App.useApp();
  const [params, setParams] = useSearchParams();
  const year = params.get('year') ?? '';
  const incentive = params.get('incentive') ?? '';
  const q = params.get('q') ?? '';
  const page = Number(params.get('page') ?? 1);
  const list = useAsync(() => registers.cityAwards({ year, incentive, q, page, pageSize: 20 }), [year, incentive, q, page]);
  const incentives = useAsync(() => registers.cityAwardIncentives(), []);
  const mayRecord = (incentives.data?.items.length ?? 0) > 0;
  const [filter] = Form.useForm();
  const [recording, setRecording] = useState(false);
  const [importing, setImporting] = useState(false);
  const [correcting, setCorrecting] = useState<CityAwardView>();
  useEffect(() => filter.setFieldsValue({ year, incentive, q }), [filter, year, incentive, q]);
  const set = (patch: Record<string, string | number | undefined>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(patch)) (v === undefined || v === '' ? next.delete(k) : next.set(k, String(v)));
    setParams(next, { replace: true });
  };
  return (
    <>
      <PageTitle
        title={t('city.title')}
        extra={
          mayRecord && (
            <Space wrap>
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setRecording(true)}>
                {t('city.record')}
              </Button>
              <Button icon={<UploadOutlined />} onClick={() => setImporting(true)}>
                {t('city.import')}
              </Button>
            </Space>
          )
        }
      />
      <Alert type="info" showIcon style={{ marginBottom: 16 }} message={t('city.rule')} />
      <Card size="small" style={{ marginBottom: 16 }}>
        <Form form={filter} layout="inline" onFinish={(v: { year?: string; incentive?: string; q?: string }) => set({ year: v.year?.trim(), incentive: v.incentive, q: v.q?.trim(), page: undefined })}>
          <Form.Item name="year" label={t('city.year')}>
            <Input allowClear style={{ width: 100 }} />
          </Form.Item>
          <Form.Item name="incentive" label={t('city.incentive')}>
            <Select allowClear style={{ width: 240 }} options={(incentives.data?.items ?? []).map((i) => ({ value: i.id, label: pick(i.title, i.titleEn) }))} />
          </Form.Item>
          <Form.Item name="q" label={t('city.enterprise')}>
            <Input allowClear placeholder={t('ent.searchHint')} style={{ width: 220 }} />
          </Form.Item>
          <Button htmlType="submit">{t('ent.filter')}</Button>
        </Form>
      </Card>
      {list.error ? <ErrorAlert error={list.error} onRetry={list.reload} /> : null}
      <Table<CityAwardView>
        rowKey="id"
        loading={list.loading}
        dataSource={list.data?.items ?? []}
        scroll={{ x: 1000 }}
        pagination={{ current: page, pageSize: 20, total: list.data?.total ?? 0, onChange: (p) => set({ page: p }) }}
        columns={[
          { title: t('city.enterprise'), dataIndex: 'enterpriseName', render: (v: string, r) => <Space direction="vertical" size={0}>{v}<Typography.Text type="secondary">{r.uscc}</Typography.Text></Space> },
          { title: t('city.incentive'), dataIndex: 'incentiveTitle', render: (v: string, r) => pick(v, r.incentiveTitleEn) },
          { title: t('city.item'), dataIndex: 'item' },
          { title: t('city.year'), dataIndex: 'year' },
          {
            title: t('city.amount'),
            dataIndex: 'netFen',
            align: 'right',
            render: (v: number, r) => (
              <Space direction="vertical" size={0}>
                {money(v)}
                {r.corrections.length > 0 && <Typography.Text type="secondary" delete>{money(r.amountFen)}</Typography.Text>}
              </Space>
            ),
          },
          { title: t('city.reference'), dataIndex: 'reference' },
          { title: t('city.setOff'), dataIndex: 'setOffFen', align: 'right', render: (v: number) => (v ? money(v) : '—') },
          { title: t('city.status'), dataIndex: 'ended', render: (ended: boolean, r) => (ended ? <Tag>{t('city.ended')}</Tag> : r.corrections.length ? <Tag color="orange">{t('city.corrected')}</Tag> : <Tag color="green">{t('city.standing')}</Tag>) },
          { title: t('city.recordedAt'), dataIndex: 'createdAt', render: (v: string, r) => `${formatDateTime(v)} ${r.recordedBy ?? ''}` },
          { title: '', key: 'act', render: (_: unknown, r) => (mayRecord && !r.ended ? <Button size="small" onClick={() => setCorrecting(r)}>{t('city.correct')}</Button> : null) },
        ]}
      />
      {recording && (
        <RecordCityAward
          incentives={incentives.data?.items ?? []}
          onClose={() => setRecording(false)}
          onSaved={() => {
            setRecording(false);
            message.success(t('city.recorded'));
            list.reload();
          }}
        />
      )}
      {importing && (
        <ImportDialog
          title={t('city.import')}
          templateUrl={registers.cityAwardTemplateUrl}
          send={registers.importCityAwards}
          onClose={() => setImporting(false)}
          onDone={(n) => {
            setImporting(false);
            message.success(t('reg.imported', { n }));
            list.reload();
          }}
        />
      )}
      {correcting && (
        <CorrectCityAward
          award={correcting}
          onClose={() => setCorrecting(undefined)}
          onSaved={() => {
            setCorrecting(undefined);
            message.success(t('city.correctedDone'));
            list.reload();
          }}
        />
      )}
    </>
  );
}

function RecordCityAward({ incentives, onClose, onSaved }: { incentives: Array<{ id: string; title: string; titleEn: string }>; onClose: () => void; onSaved: () => void }) {
  const { t, pick } = useI18n();
  const [form] = Form.useForm<{ uscc: string; incentive: string; item?: string; year: number; amount: MoneyValue; reference: string }>();
  const { busy, error, submit } = useFormSubmit(form, { amountFen: 'amount' });
  const [options, setOptions] = useState<Array<{ value: string; label: string }>>([]);
  // The latest search wins: an answer to an earlier, slower search must not replace the list a person is choosing
  // from (or the option just chosen). An emptied search box keeps the list, so the chosen enterprise keeps its name.
  const asked = useRef(0);
  const search = async (text: string) => {
    if (!text.trim()) return;
    const n = ++asked.current;
    const r = await registers.cityAwardEnterprises(text).catch(() => ({ items: [] }));
    if (n === asked.current) setOptions(r.items.map((e) => ({ value: e.uscc, label: `${e.name}（${e.uscc}）` })));
  };
  const save = () =>
    submit(async (v) => {
      await registers.recordCityAward({ uscc: v.uscc, incentive: v.incentive, item: v.item?.trim() || undefined, year: Number(v.year), amountFen: fenOf(v.amount, zeroOk(false)), reference: v.reference });
      onSaved();
    });
  return (
    <Modal open title={t('city.record')} onCancel={onClose} onOk={save} okText={t('reg.save')} confirmLoading={busy} destroyOnHidden>
      {error ? <ErrorAlert error={error} /> : null}
      <Form form={form} name="cityAward" layout="vertical" initialValues={{ year: 2020 }}>
        <Form.Item name="uscc" label={t('city.enterprise')} rules={[{ required: true, message: t('city.enterpriseRule') }]}>
          <Select showSearch filterOption={false} onSearch={search} options={options} placeholder={t('ent.searchHint')} notFoundContent={null} />
        </Form.Item>
        <Form.Item name="incentive" label={t('city.incentive')} rules={[{ required: true, message: t('city.incentiveRule') }]}>
          <Select options={incentives.map((i) => ({ value: i.id, label: pick(i.title, i.titleEn) }))} />
        </Form.Item>
        <Form.Item name="item" label={t('city.item')} extra={t('city.itemHint')}>
          <Input maxLength={200} />
        </Form.Item>
        <Form.Item name="year" label={t('city.year')} rules={[{ required: true }]}>
          <InputNumber min={2000} max={2100} precision={0} />
        </Form.Item>
        <Form.Item name="amount" label={t('city.amount')} rules={[{ validator: (_, v: MoneyValue | undefined) => (String(v?.amount ?? "").trim() ? Promise.resolve() : Promise.reject(new Error(t('city.amountRule')))) }]}>
          <MoneyInput />
        </Form.Item>
        <Form.Item name="reference" label={t('city.reference')} rules={[{ required: true, whitespace: true, message: t('city.referenceRule') }]}>
          <Input maxLength={200} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function CorrectCityAward({ award, onClose, onSaved }: { award: CityAwardView; onClose: () => void; onSaved: () => void }) {
  const { t, money } = useI18n();
  const [form] = Form.useForm<{ amount: MoneyValue; reason: string; reference?: string }>();
  const { busy, error, submit } = useFormSubmit(form, { amountFen: 'amount' });
  const save = () =>
    submit(async (v) => {
      await registers.correctCityAward(award.id, { amountFen: fenOf(v.amount, zeroOk(true)), reason: v.reason, reference: v.reference?.trim() || undefined });
      onSaved();
    });
  return (
    <Modal open title={t('city.correct')} onCancel={onClose} onOk={save} okText={t('reg.save')} confirmLoading={busy} destroyOnHidden>
      <Alert type="warning" showIcon style={{ marginBottom: 12 }} message={t('city.correctRule', { now: money(award.netFen), setOff: money(award.setOffFen) })} />
      {error ? <ErrorAlert error={error} /> : null}
      <Form form={form} name="cityCorrection" layout="vertical">
        <Form.Item name="amount" label={t('city.newAmount')} extra={t('city.newAmountHint')} rules={[{ validator: (_, v: MoneyValue | undefined) => (String(v?.amount ?? "").trim() ? Promise.resolve() : Promise.reject(new Error(t('city.amountRule')))) }]}>
          <MoneyInput />
        </Form.Item>
        <Form.Item name="reason" label={t('city.reason')} rules={[{ required: true, whitespace: true, message: t('city.reasonRule') }]}>
          <Input.TextArea rows={2} maxLength={2000} />
        </Form.Item>
        <Form.Item name="reference" label={t('city.reference')}>
          <Input maxLength={200} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

const zeroOk = (ok: boolean) => ok;
/** The typed amount as integer fen; a malformed one throws (caught by the form's submit and shown). */
function fenOf(v: MoneyValue, allowZero: boolean): number {
  const fen = parseMoneyToFen(v?.amount ?? '', v?.unit ?? 'wan');
  if (!allowZero && fen <= 0) return -1; // the server names the field (amountFen) beside it
  return fen;
}
