import { Result } from 'antd';
import { ButtonLink } from '../../components/ButtonLink';
import { homeOf, useAuth } from '../../auth/auth';
import { useI18n } from '../../i18n';

export default function Forbidden() {
  const { t } = useI18n();
  const { user } = useAuth();
  return (
    <Result
      status="403"
      title={t('err.403')}
      subTitle={t('err.403sub')}
      extra={
        <ButtonLink type="primary" to={homeOf(user)}>
          {t('err.home')}
        </ButtonLink>
      }
    />
  );
}
