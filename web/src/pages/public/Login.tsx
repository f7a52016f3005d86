import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Form, Input, Space, Typography } from 'antd';
import { useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { homeOf, useAuth } from '../../auth/auth';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageTitle } from '../../components/PageTitle';
import { useI18n } from '../../i18n';

export default function Login() {
  const { t } = useI18n();
  const { login } = useAuth();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const next = params.get('next');

  const onFinish = async (v: { username: string; password: string }) => {
    setBusy(true);
    setError(undefined);
    try {
      const me = await login(v.username.trim(), v.password);
      // only same-site paths, never an absolute URL someone put in the link
      const target = next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login') ? next : homeOf(me);
      navigate(target, { replace: true });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div style={{ maxWidth: 420, margin: '24px auto' }}>
      <PageTitle title={t('login.title')} />
      <Card>
        <Typography.Paragraph type="secondary">{t('login.subtitle')}</Typography.Paragraph>
        {params.get('expired') && <Alert type="warning" showIcon style={{ marginBottom: 16 }} title={t('login.expired')} />}
        <ErrorAlert error={error} />
        <Form layout="vertical" onFinish={onFinish} requiredMark={false} aria-label={t('login.title')}>
          <Form.Item name="username" label={t('login.username')} rules={[{ required: true, message: t('login.usernameRequired') }]}>
            <Input prefix={<UserOutlined />} autoComplete="username" autoFocus size="large" />
          </Form.Item>
          <Form.Item name="password" label={t('login.password')} rules={[{ required: true, message: t('login.passwordRequired') }]}>
            <Input.Password prefix={<LockOutlined />} autoComplete="current-password" size="large" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block size="large" loading={busy}>
            {t('login.submit')}
          </Button>
        </Form>
      </Card>
      <Space style={{ marginTop: 16 }} wrap>
        <Typography.Text type="secondary">{t('login.noLogin')}</Typography.Text>
        <Link to="/policy">{t('nav.policy')}</Link>
        <Link to="/calculator">{t('nav.calculator')}</Link>
      </Space>
    </div>
  );
}
