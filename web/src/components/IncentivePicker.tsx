import { Select } from 'antd';
import { useMemo } from 'react';
import type { PolicyLibrary } from '../api/types';
import { useI18n } from '../i18n';

/** Incentives grouped by measure, searchable by measure number, title or summary. */
export function useIncentiveOptions(policy: PolicyLibrary | undefined, filter?: (kind: string) => boolean) {
  const { t, pick } = useI18n();
  return useMemo(() => {
    if (!policy) return [];
    const groups = policy.measures
      .filter((m) => m.incentives.length)
      .map((m) => ({
        label: `${t('common.measureNo', { n: m.measure })} ${pick(m.title, m.titleEn)}`,
        title: `${t('common.measureNo', { n: m.measure })} ${pick(m.title, m.titleEn)}`,
        options: m.incentives
          .filter((i) => !filter || filter(i.kind))
          .map((i) => ({ value: i.id, label: pick(i.title, i.titleEn), search: `${m.measure} 第${m.measure}条 ${m.title} ${i.title} ${i.titleEn ?? ''} ${i.summary}`.toLowerCase() })),
      }))
      .filter((g) => g.options.length);
    const general = policy.generalIncentives.filter((i) => !filter || filter(i.kind));
    if (general.length) groups.push({ label: t('policy.general'), title: t('policy.general'), options: general.map((i) => ({ value: i.id, label: pick(i.title, i.titleEn), search: `${i.title} ${i.titleEn ?? ''} ${i.summary}`.toLowerCase() })) });
    return groups;
  }, [policy, filter, t, pick]);
}

export function IncentiveSelect(props: { id?: string; policy: PolicyLibrary | undefined; value?: string | string[]; onChange?: (v: never) => void; multiple?: boolean; placeholder?: string; filter?: (kind: string) => boolean; 'aria-label'?: string }) {
  const options = useIncentiveOptions(props.policy, props.filter);
  return (
    <Select
      id={props.id}
      aria-label={props['aria-label']}
      mode={props.multiple ? 'multiple' : undefined}
      showSearch={{ filterOption: (input, option) => String((option as { search?: string })?.search ?? '').includes(input.toLowerCase()) }}
      allowClear
      value={props.value as never}
      onChange={props.onChange}
      placeholder={props.placeholder}
      options={options}
      style={{ width: '100%' }}
      listHeight={360}
    />
  );
}
