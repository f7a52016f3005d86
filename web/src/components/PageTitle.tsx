import { Flex, Typography } from 'antd';
import { useEffect } from 'react';
import { useI18n } from '../i18n';

/** The page's heading, also the document title (screen readers and browser tabs). */
export function PageTitle({ title, extra, sub }: { title: string; extra?: React.ReactNode; sub?: React.ReactNode }) {
  const { t } = useI18n();
  useEffect(() => {
    document.title = `${title} - ${t('app.name')}`;
  }, [title, t]);
  return (
    <Flex justify="space-between" align="flex-start" wrap gap={8} style={{ marginBottom: 16 }}>
      <div style={{ minWidth: 0 }}>
        <Typography.Title level={3} style={{ margin: 0 }}>
          {title}
        </Typography.Title>
        {sub && <Typography.Text type="secondary">{sub}</Typography.Text>}
      </div>
      {extra && <Flex gap={8} wrap>{extra}</Flex>}
    </Flex>
  );
}
