import { Alert, Button } from 'antd';
import { ApiError, describeError } from '../api/problem';
import { useI18n } from '../i18n';

/** An API or client error for a person: what went wrong, what to do, and the fields concerned. */
export function ErrorAlert({ error, onRetry, title, style }: { error: unknown; onRetry?: () => void; title?: string; style?: React.CSSProperties }) {
  const { lang, t } = useI18n();
  if (!error) return null;
  const fields = error instanceof ApiError ? error.errors : [];
  return (
    <Alert
      type="error"
      showIcon
      role="alert"
      style={{ marginBottom: 16, ...style }}
      title={title ?? describeError(error, lang)}
      description={
        fields.length > 0 || title ? (
          <>
            {title && <div>{describeError(error, lang)}</div>}
            {fields.length > 0 && (
              <ul style={{ margin: '4px 0 0', paddingInlineStart: 20 }}>
                {fields.map((f, i) => (
                  <li key={i}>
                    {f.path && <code style={{ marginInlineEnd: 6 }}>{f.path}</code>}
                    {lang === 'en' ? f.messageEn : f.messageZh}
                  </li>
                ))}
              </ul>
            )}
          </>
        ) : undefined
      }
      action={
        onRetry ? (
          <Button size="small" onClick={onRetry}>
            {t('common.retry')}
          </Button>
        ) : undefined
      }
    />
  );
}
