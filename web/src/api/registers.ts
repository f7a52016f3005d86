/**
 * The registers the owning units keep (issue 10): enterprises (admin), city awards for 就高不重复 (lead departments),
 * credit lists (admin). Calls and shapes as docs/api.md gives them, through the one `request` of client.ts.
 */
import { qs, request } from './client';
import type { Page } from './types';

export type IndustryClass = 'leading' | 'highTech' | 'other';

export interface EnterpriseRow {
  uscc: string;
  name: string;
  areaId: string;
  areaName: string | null;
  industryClass: IndustryClass;
  createdAt: string;
  userCount?: number;
}

export interface FactSource {
  userId: number | null;
  name: string | null;
  username: string | null;
  role: string | null;
  at: string | null;
}

export interface CreditEntryView {
  id: number;
  uscc: string;
  enterpriseName?: string | null;
  listName: string;
  reason: string;
  source: string | null;
  listedOn: string;
  delistedOn: string | null;
  delistedReason: string | null;
  blocksNow?: boolean;
}

export interface EnterpriseProfile {
  enterprise: EnterpriseRow & { updatedAt: string };
  factYears: Array<{ year: number; updatedAt: string; updatedBy: FactSource; facts: Array<{ name: string; value: unknown; source: FactSource; sourceIsRow: boolean }> }>;
  users: Array<{ id: number; username: string; displayName: string; enterpriseAdmin: boolean; status: 'active' | 'disabled'; lastLoginAt: string | null; createdAt: string }> | null;
  claims: { total: number; byState: Record<string, number> };
  credit: { blocked: boolean; blocks: string[]; entries: Array<CreditEntryView & { unit: string }>; history: CreditEntryView[] };
  canEdit: boolean;
}

export interface CityAwardView {
  id: number;
  uscc: string;
  enterpriseName: string;
  areaName: string | null;
  incentive: string;
  incentiveTitle: string;
  incentiveTitleEn: string;
  measureId: string;
  item: string;
  year: number;
  amountFen: number;
  netFen: number;
  ended: boolean;
  setOffFen: number;
  reference: string;
  createdAt: string;
  recordedBy: string | null;
  corrections: Array<{ id: number; amountFen: number; reason: string | null; reference: string | null; at: string; byName: string | null }>;
}

export interface ImportAnswer {
  count: number;
}

const upload = <T>(path: string, file: File) => {
  const form = new FormData();
  form.append('file', file, file.name);
  return request<T>(path, { form, idempotent: true });
};

export const registers = {
  enterprises: (q: { q?: string; areaId?: string; industryClass?: string; page?: number; pageSize?: number }) => request<Page<EnterpriseRow>>('/api/enterprises', { query: q }),
  createEnterprise: (body: { uscc: string; name: string; areaId: string; industryClass: IndustryClass }) => request<EnterpriseRow>('/api/enterprises', { body, idempotent: true }),
  updateEnterprise: (uscc: string, body: { name?: string; areaId?: string; industryClass?: IndustryClass }) => request<EnterpriseRow>(`/api/enterprises/${encodeURIComponent(uscc)}`, { method: 'PATCH', body }),
  enterpriseProfile: (uscc: string) => request<EnterpriseProfile>(`/api/enterprises/${encodeURIComponent(uscc)}/profile`),
  importEnterprises: (file: File) => upload<ImportAnswer>('/api/enterprises/import', file),
  enterpriseTemplateUrl: '/api/enterprises/template.xlsx',
  enterpriseExportUrl: (q: { q?: string; areaId?: string; industryClass?: string }) => `/api/enterprises/export.xlsx${qs(q)}`,

  cityAwards: (q: { year?: number | string; incentive?: string; q?: string; status?: string; page?: number; pageSize?: number }) => request<Page<CityAwardView>>('/api/city-awards', { query: q }),
  cityAwardIncentives: () => request<{ items: Array<{ id: string; title: string; titleEn: string; measureId: string }> }>('/api/city-awards/incentives'),
  cityAwardEnterprises: (q: string) => request<{ items: Array<{ uscc: string; name: string; areaName: string | null }> }>('/api/city-awards/enterprises', { query: { q } }),
  recordCityAward: (body: { uscc: string; incentive: string; item?: string; year: number; amountFen: number; reference: string }) => request<{ id: number }>('/api/city-awards', { body, idempotent: true }),
  correctCityAward: (id: number, body: { amountFen: number; reason: string; reference?: string }) => request<{ netFen: number; setOffFen: number }>(`/api/city-awards/${id}/correct`, { body, idempotent: true }),
  importCityAwards: (file: File) => upload<ImportAnswer>('/api/city-awards/import', file),
  cityAwardTemplateUrl: '/api/city-awards/template.xlsx',

  credit: (q: { uscc?: string; status?: string; page?: number; pageSize?: number }) => request<Page<CreditEntryView>>('/api/credit', { query: q }),
  addCredit: (body: { uscc: string; listName: string; reason: string; listedOn: string; source: string }) => request<CreditEntryView>('/api/credit', { body, idempotent: true }),
  delistCredit: (id: number, body: { reason: string; delistedOn: string }) => request<CreditEntryView>(`/api/credit/${id}/delist`, { body, idempotent: true }),
  importCredit: (file: File) => upload<ImportAnswer>('/api/credit/import', file),
  creditTemplateUrl: '/api/credit/template.xlsx',
  creditExportUrl: (q: { uscc?: string; status?: string }) => `/api/credit/export.xlsx${qs(q)}`,
};
