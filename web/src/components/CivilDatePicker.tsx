import { DatePicker } from 'antd';
import dayjs from 'dayjs';

/** antd's DatePicker on civil-date text: value and onChange carry 'YYYY-MM-DD'. */
export default function CivilDatePicker({ id, value, onChange }: { id?: string; value?: string; onChange?: (v: string | undefined) => void }) {
  return (
    <DatePicker
      id={id}
      style={{ width: '100%' }}
      format="YYYY-MM-DD"
      value={value ? dayjs(value, 'YYYY-MM-DD') : null}
      onChange={(d) => onChange?.(d ? d.format('YYYY-MM-DD') : undefined)}
    />
  );
}
