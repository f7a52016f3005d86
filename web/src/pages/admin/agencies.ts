import { useMemo } from 'react';
import type { PolicyLibrary } from '../../api/types';
import { useI18n } from '../../i18n';
import { usePolicy } from '../../lib/useAsync';

export interface AgencyOption {
  id: string;
  label: string;
}

/**
 * The departments a department reviewer can belong to: the policy's agencies (agencies.yaml, the ids the server
 * checks), the lead units of measures first, without the collective addressees (各区镇 …), which are not units.
 */
export function agencyOptions(policy: PolicyLibrary | undefined, pick: (zh: string, en?: string) => string): AgencyOption[] {
  if (!policy) return [];
  const leads = new Set(policy.measures.map((m) => m.leadUnit).filter((x): x is string => !!x));
  return policy.agencies
    .filter((a) => a.kind !== 'areas')
    .map((a) => ({ id: a.id, label: `${pick(a.name, a.nameEn)} · ${a.id}`, lead: leads.has(a.id) }))
    .sort((a, b) => Number(b.lead) - Number(a.lead))
    .map(({ id, label }) => ({ id, label }));
}

export function usePolicyAgencies(): AgencyOption[] {
  const { pick } = useI18n();
  const policy = usePolicy();
  return useMemo(() => agencyOptions(policy.data, pick), [policy.data, pick]);
}
