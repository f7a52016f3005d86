/** Where a 公示 batch stands on a given day (civil dates compare as text). */
export type BatchStatus = 'closed' | 'ended' | 'open' | 'notStarted';

export function batchStatus(b: { startsOn: string; endsOn: string; closedAt?: string | null }, today: string): BatchStatus {
  if (b.closedAt) return 'closed';
  if (today > b.endsOn) return 'ended';
  if (today < b.startsOn) return 'notStarted';
  return 'open';
}
