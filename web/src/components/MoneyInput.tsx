import { Input, Select, Space } from 'antd';
import type { MoneyValue } from '../lib/factForm';
import { useI18n } from '../i18n';

/**
 * An amount with its unit (万元 or 元), as officials and enterprises write it. The value stays the typed text
 * until submit, when it becomes integer fen; nothing is rounded behind the person's back.
 */
export function MoneyInput({ id, value, onChange, placeholder, 'aria-describedby': describedBy, status }: {
  id?: string;
  value?: MoneyValue;
  onChange?: (v: MoneyValue) => void;
  placeholder?: string;
  'aria-describedby'?: string;
  status?: '' | 'error' | 'warning';
}) {
  const { t } = useI18n();
  const v: MoneyValue = value ?? { amount: '', unit: 'wan' };
  return (
    <Space.Compact style={{ width: '100%' }}>
      <Input
        id={id}
        inputMode="decimal"
        autoComplete="off"
        value={v.amount ?? ''}
        placeholder={placeholder ?? t('calc.numberPh')}
        aria-describedby={describedBy}
        status={status}
        onChange={(e) => onChange?.({ ...v, amount: e.target.value })}
        style={{ textAlign: 'right' }}
      />
      <Select
        aria-label={t('calc.unitLabel')}
        value={v.unit}
        onChange={(unit) => onChange?.({ ...v, unit })}
        style={{ width: 110 }}
        options={[
          { value: 'wan', label: t('calc.unitWan') },
          { value: 'yuan', label: t('calc.unitYuan') },
        ]}
      />
    </Space.Compact>
  );
}
