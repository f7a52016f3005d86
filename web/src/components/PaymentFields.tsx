import { Form, Input } from 'antd';
import { useI18n } from '../i18n';
import { CivilDateInput } from './FactField';

/** The two fields of a payment (拨付): the voucher number and the date paid — in the case view and the payment list. */
export function PaymentFields() {
  const { t } = useI18n();
  return (
    <>
      <Form.Item name="voucherNo" label={t('case.voucher')} rules={[{ required: true, whitespace: true, message: t('case.voucherRequired') }]}>
        <Input maxLength={64} autoComplete="off" />
      </Form.Item>
      <Form.Item name="paidOn" label={t('case.paidOn')} rules={[{ required: true, message: t('case.paidOnRequired') }]}>
        <CivilDateInput />
      </Form.Item>
    </>
  );
}
