import { Form, Input, InputNumber, Radio, Select } from 'antd';
import { lazy, Suspense } from 'react';
import type { FactDecl } from '../api/types';
import { enumLabel, fieldLabel, unitLabel } from '../lib/factForm';
import { useI18n } from '../i18n';
import { MoneyInput } from './MoneyInput';

const YEARS = Array.from({ length: 2030 - 2010 + 1 }, (_, i) => 2010 + i);

// The date picker is the heaviest form control and few facts are dates: it loads when first shown.
const CivilDatePicker = lazy(() => import('./CivilDatePicker'));

/** A date field whose value is the civil date text YYYY-MM-DD (what the API takes), not a dayjs object. */
export function CivilDateInput(props: { id?: string; value?: string; onChange?: (v: string | undefined) => void }) {
  return (
    <Suspense fallback={<Input id={props.id} value={props.value ?? ''} placeholder="YYYY-MM-DD" readOnly />}>
      <CivilDatePicker {...props} />
    </Suspense>
  );
}

/**
 * One fact of the policy as a labelled form field, generated from its declaration in facts.yaml. `required` marks
 * the field; the check itself is the form's (calcInputFromForm), so that a blank field is reported by its label
 * together with every other problem, and the previous result is cleared at the same moment.
 */
export function FactField({ decl, name, required }: { decl: FactDecl; name: (string | number)[]; required?: boolean }) {
  const { t, lang } = useI18n();
  const unit = decl.type === 'money' ? undefined : unitLabel(decl.unit, lang);
  const label = fieldLabel(decl, lang) + (unit ? (lang === 'en' ? ` (${unit})` : `（${unit}）`) : '');
  // the declaration's note (how the fact is counted) under the field; English only where the policy gives one
  const extra = (lang === 'en' ? decl.descriptionEn : decl.description) || undefined;
  const common = { name, label, extra, required };
  switch (decl.type) {
    case 'money':
      return (
        <Form.Item {...common}>
          <MoneyInput />
        </Form.Item>
      );
    case 'area':
    case 'number':
    case 'integer':
      return (
        <Form.Item {...common}>
          <InputNumber style={{ width: '100%' }} min={0} precision={decl.type === 'integer' ? 0 : undefined} placeholder={t('calc.numberPh')} addonAfter={unit} />
        </Form.Item>
      );
    case 'year':
      return (
        <Form.Item {...common}>
          <Select allowClear showSearch placeholder={t('calc.selectPh')} options={YEARS.map((y) => ({ value: y, label: String(y) }))} />
        </Form.Item>
      );
    case 'yearList':
      return (
        <Form.Item {...common}>
          <Select mode="multiple" allowClear placeholder={t('calc.yearListPh')} options={YEARS.map((y) => ({ value: y, label: String(y) }))} />
        </Form.Item>
      );
    case 'boolean':
      return (
        <Form.Item {...common}>
          <Radio.Group
            options={[
              { value: true, label: t('common.yes') },
              { value: false, label: t('common.no') },
            ]}
          />
        </Form.Item>
      );
    case 'date':
      return (
        <Form.Item {...common}>
          <CivilDateInput />
        </Form.Item>
      );
    case 'enum':
      return (
        <Form.Item {...common}>
          <Select allowClear placeholder={t('calc.selectPh')} options={(decl.values ?? []).map((v) => ({ value: v, label: enumLabel(decl, v, lang) }))} />
        </Form.Item>
      );
    default:
      return (
        <Form.Item {...common}>
          <Input />
        </Form.Item>
      );
  }
}
