/**
 * Finance's calls and shapes (budgets with their history, payment batches, enterprises' bank accounts): the HTTP
 * API of src/http/routes/budgets.ts and payment-batches.ts, through the one request() of client.ts.
 */
import { idempotencyKey, qs, request } from './client';
import type { Page } from './types';

export interface BudgetRow {
  measure: string;
  title: string;
  year: number;
  budgetFen: number | null;
  committedFen: number;
  paidFen: number;
  remainingFen: number | null;
}

export interface BudgetChange {
  id: number;
  measure: string;
  title: string;
  year: number;
  fromFen: number | null;
  toFen: number;
  reason: string | null;
  changedBy: string | null;
  changedAt: string;
}

export interface BatchFilters {
  measure?: string;
  areaId?: string;
  approvedFrom?: string;
  approvedTo?: string;
}

export interface BatchCandidate {
  claimId: number;
  uscc: string;
  enterpriseName: string;
  areaId: string;
  measureId: string;
  incentive: string;
  title: string;
  item: string;
  year: number;
  amountFen: number;
  approvedOn: string | null;
  hasBankAccount: boolean;
  lastFailure: { batchId: number; reason: string } | null;
}

export interface BatchTotals {
  lines: number;
  amountFen: number;
  pending: number;
  pendingFen: number;
  paid: number;
  paidFen: number;
  failed: number;
  failedFen: number;
  cancelled: number;
  cancelledFen: number;
}

export type BatchStatus = 'open' | 'closed' | 'cancelled';
export type LineStatus = 'pending' | 'paid' | 'failed' | 'cancelled';

export interface PaymentBatch {
  id: number;
  title: string;
  status: BatchStatus;
  filters: BatchFilters;
  createdAt: string;
  createdBy: string | null;
  exportedAt: string | null;
  closedAt: string | null;
  cancelledAt: string | null;
  totals: BatchTotals;
}

export interface PaymentBatchLine {
  lineNo: number;
  claimId: number;
  uscc: string;
  enterpriseName: string;
  accountName: string;
  bankName: string;
  accountNo: string;
  measureId: string;
  areaId: string;
  incentive: string;
  title: string;
  item: string;
  amountFen: number;
  status: LineStatus;
  voucherNo: string | null;
  paidOn: string | null;
  failureReason: string | null;
  returnedAt: string | null;
  claimState: string;
}

export interface PaymentBatchDetail extends PaymentBatch {
  lines: PaymentBatchLine[];
  reconciliation: { ok: boolean; paidFen: number; paymentsFen: number; problems: string[] };
}

export interface ReturnResult {
  batchId: number;
  paid: number;
  failed: number;
  unchanged: number;
  closed: boolean;
}

export interface BankAccount {
  accountName: string;
  bankName: string;
  accountNo: string;
}

export const financeApi = {
  budgets: (year: number) => request<Page<BudgetRow>>('/api/budgets', { query: { year, pageSize: 100 } }),
  budgetChanges: (year: number, measure?: string) => request<Page<BudgetChange>>('/api/budgets/changes', { query: { year, measure, pageSize: 100 } }),
  setBudget: (measure: string, year: number, body: { amountFen: number; reason?: string }) => request<BudgetRow>(`/api/budgets/${measure}/${year}`, { method: 'PUT', body }),

  batchCandidates: (f: BatchFilters) => request<{ items: BatchCandidate[]; total: number; amountFen: number }>('/api/payment-batches/candidates', { query: { ...f } }),
  batches: (status?: BatchStatus) => request<Page<PaymentBatch>>('/api/payment-batches', { query: { status, pageSize: 100 } }),
  batch: (id: number | string) => request<PaymentBatchDetail>(`/api/payment-batches/${id}`),
  buildBatch: (body: { title: string; claimIds: number[]; filters?: BatchFilters }, key: string = idempotencyKey()) =>
    request<{ id: number; title: string; lines: number; amountFen: number }>('/api/payment-batches', { body, idempotent: key }),
  markExported: (id: number | string) => request<{ id: number; exported: boolean }>(`/api/payment-batches/${id}/export`, { method: 'POST', body: {} }),
  cancelBatch: (id: number | string) => request<{ id: number }>(`/api/payment-batches/${id}/cancel`, { method: 'POST', body: {} }),
  bankFileUrl: (id: number | string) => `/api/payment-batches/${id}/bank-file.xlsx`,
  returnTemplateUrl: (id: number | string) => `/api/payment-batches/${id}/return-template.xlsx`,
  uploadReturn: (id: number | string, file: File, paidOn?: string) => {
    const form = new FormData();
    form.append('file', file, file.name);
    return request<ReturnResult>(`/api/payment-batches/${id}/return${qs({ paidOn })}`, { form, idempotent: true });
  },
  returnLine: (id: number | string, lineNo: number, body: { result: 'paid' | 'failed'; voucherNo?: string; paidOn?: string; reason?: string }) =>
    request<ReturnResult>(`/api/payment-batches/${id}/lines/${lineNo}/return`, { body }),

  bankAccount: (uscc: string) => request<{ uscc: string; name: string; bankAccount: BankAccount | null }>(`/api/enterprises/${encodeURIComponent(uscc)}/bank-account`),
  setBankAccount: (uscc: string, body: Partial<BankAccount>) =>
    request<{ uscc: string; name: string; bankAccount: BankAccount | null }>(`/api/enterprises/${encodeURIComponent(uscc)}/bank-account`, { method: 'PUT', body }),
};
