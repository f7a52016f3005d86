import { PaperClipOutlined } from '@ant-design/icons';
import { Flex, List, Typography } from 'antd';
import { api } from '../api/client';
import type { Evidence } from '../api/types';
import { useI18n } from '../i18n';
import { formatBytes } from '../lib/evidence';

/** Uploaded evidence with size and checksum; names link to the stored file. */
export function EvidenceList({ claimId, evidence }: { claimId?: number | string; evidence: Evidence[] }) {
  const { t } = useI18n();
  if (!evidence.length) return null;
  return (
    <List
      size="small"
      header={<Typography.Text strong>{t('wiz.evidenceList')}</Typography.Text>}
      style={{ marginTop: 12 }}
      dataSource={evidence}
      renderItem={(e) => (
        <List.Item>
          <Flex vertical style={{ minWidth: 0 }}>
            <span>
              <PaperClipOutlined />{' '}
              {claimId ? (
                <a href={api.evidenceUrl(claimId, e.id)} target="_blank" rel="noreferrer">
                  {e.fileName}
                </a>
              ) : (
                e.fileName
              )}{' '}
              <Typography.Text type="secondary">（{formatBytes(e.sizeBytes)}）</Typography.Text>
            </span>
            <Typography.Text type="secondary" style={{ fontSize: 12, wordBreak: 'break-all' }}>
              {t('wiz.checksum')}：{e.sha256}
            </Typography.Text>
          </Flex>
        </List.Item>
      )}
    />
  );
}
