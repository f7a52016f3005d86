import { Result } from 'antd';
import { ButtonLink } from '../../components/ButtonLink';
import { homeOf, useAuth } from '../../auth/auth';
import { useI18n } from '../../i18n';

export default function NotFound() {
  const { t } = useI18n();
  const { user } = useAuth();
  return (
    <Result
      status="404"
      title={t('err.404')}
      subTitle={t('err.404sub')}
      extra={
        <ButtonLink type="primary" to={homeOf(user)}>
          {t('err.home')}
        </ButtonLink>
      }
    />
  );
}
