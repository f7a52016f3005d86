import { LockOutlined, SafetyCertificateOutlined, UserOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Form, Input, Space, Typography } from 'antd';
import { useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { ApiError } from '../../api/problem';
import type { Me } from '../../api/types';
import { homeOf, useAuth } from '../../auth/auth';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageTitle } from '../../components/PageTitle';
import { useI18n } from '../../i18n';

export default function Login() {
  const { t } = useI18n();
  const { login, completeSecondFactor, logout } = useAuth();
  // signed in with the password, a second factor's code still due
  const [codeDue, setCodeDue] = useState(false);
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const next = params.get('next');

  const go = (me: Me) => {
    // only same-site paths, never an absolute URL someone put in the link; a password to change comes first
    const target = next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login') && !me.mustChangePassword ? next : homeOf(me);
    navigate(target, { replace: true });
  };

  const onFinish = async (v: { username: string; password: string }) => {
    setBusy(true);
    setError(undefined);
    try {
      const me = await login(v.username.trim(), v.password);
      if (me.secondFactorPending) setCodeDue(true);
      else go(me);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const onCode = async (v: { code: string }) => {
    setBusy(true);
    setError(undefined);
    try {
      go(await completeSecondFactor(v.code.replace(/\s+/g, '')));
    } catch (e) {
      setError(e);
      // too many wrong codes end the session: back to the password
      if (e instanceof ApiError && e.status === 401) setCodeDue(false);
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
        {codeDue ? (
          <Form layout="vertical" onFinish={onCode} requiredMark={false} aria-label={t('login.codeTitle')}>
            <Typography.Paragraph>{t('login.codeAsk')}</Typography.Paragraph>
            <Form.Item name="code" label={t('login.code')} rules={[{ required: true, message: t('login.codeRequired') }, { pattern: /^\s*\d{3}\s*\d{3}\s*$/, message: t('account.codePattern') }]}>
              <Input prefix={<SafetyCertificateOutlined />} inputMode="numeric" autoComplete="one-time-code" autoFocus size="large" maxLength={7} />
            </Form.Item>
            <Button type="primary" htmlType="submit" block size="large" loading={busy}>
              {t('login.codeSubmit')}
            </Button>
            <Button type="link" block onClick={() => void logout().finally(() => setCodeDue(false))}>
              {t('login.codeCancel')}
            </Button>
          </Form>
        ) : (
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
        )}
      </Card>
      <Space style={{ marginTop: 16 }} wrap>
        <Typography.Text type="secondary">{t('login.noLogin')}</Typography.Text>
        <Link to="/policy">{t('nav.policy')}</Link>
        <Link to="/calculator">{t('nav.calculator')}</Link>
      </Space>
    </div>
  );
}
