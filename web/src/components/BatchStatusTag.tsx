import { Tag } from 'antd';
import type { PublicityBatch } from '../api/types';
import { useI18n } from '../i18n';
import { todayShanghai } from '../lib/dates';
import { batchStatus } from '../lib/publicity';

const COLOR = { closed: 'default', ended: 'gold', open: 'cyan', notStarted: 'blue' } as const;
const FROM_SERVER = { scheduled: 'notStarted', running: 'open', ended: 'ended', closed: 'closed' } as const;
const KEY = { closed: 'pub.closed', ended: 'pub.ended', open: 'pub.open', notStarted: 'pub.notStarted' } as const;

export function BatchStatusTag({ b }: { b: PublicityBatch }) {
  const { t } = useI18n();
  // the server's reading (its clock decides when a period ends); computed here only if it did not say
  const s = b.status ? FROM_SERVER[b.status] : batchStatus(b, todayShanghai());
  return <Tag color={COLOR[s]}>{t(KEY[s])}</Tag>;
}
