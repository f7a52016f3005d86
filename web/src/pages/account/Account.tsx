import { LockOutlined, SafetyCertificateOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Col, Descriptions, Form, Input, Row, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { api } from '../../api/client';
import type { SecondFactorOffer } from '../../api/types';
import { homeOf, useAuth } from '../../auth/auth';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageTitle } from '../../components/PageTitle';
import { useI18n } from '../../i18n';
import { useAreas } from '../../lib/areas';
import { useFormSubmit } from '../../lib/useFormSubmit';

/**
 * 账户与安全, every signed-in user's own page: change the password (the first thing after a one-time password:
 * the API allows nothing else until then), and for officials and administrators the TOTP second factor.
 */
export default function Account() {
  const { t } = useI18n();
  const { user } = useAuth();
  const { areaName } = useAreas();
  if (!user) return null;
  const scope = user.enterprise?.name ?? user.enterpriseUscc ?? (user.areaId ? areaName(user.areaId) : user.departmentId) ?? t('users.districtWide');
  return (
    <div style={{ maxWidth: 960 }}>
      <PageTitle title={t('account.title')} sub={`${user.displayName} · ${t(`role.${user.role}`)} · ${scope}`} />
      {user.mustChangePassword && <Alert type="warning" showIcon role="alert" style={{ marginBottom: 16 }} title={t('account.mustChange')} description={t('account.mustChangeSub')} />}
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={12}>
          <ChangePassword />
        </Col>
        <Col xs={24} lg={12}>
          <Card size="small" title={t('account.info')}>
            <Descriptions size="small" column={1}>
              <Descriptions.Item label={t('users.username')}>{user.username}</Descriptions.Item>
              <Descriptions.Item label={t('users.displayName')}>{user.displayName}</Descriptions.Item>
              <Descriptions.Item label={t('users.role')}>
                {t(`role.${user.role}`)} {user.enterpriseAdmin && <Tag color="gold">{t('users.enterpriseAdmin')}</Tag>}
              </Descriptions.Item>
              <Descriptions.Item label={t('users.scope')}>{scope}</Descriptions.Item>
            </Descriptions>
          </Card>
          {user.role !== 'enterprise' && !user.mustChangePassword && <SecondFactor />}
        </Col>
      </Row>
    </div>
  );
}

interface PasswordForm {
  currentPassword?: string;
  newPassword?: string;
  confirm?: string;
}

function ChangePassword() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const { user, refresh } = useAuth();
  const navigate = useNavigate();
  const [form] = Form.useForm<PasswordForm>();
  const { busy, error, submit } = useFormSubmit(form);
  const required = !!user?.mustChangePassword;

  const change = () =>
    submit(async (v) => {
      await api.changePassword(v.currentPassword!, v.newPassword!);
      form.resetFields();
      message.success(t('account.changed'));
      const me = await api.me().catch(() => null);
      await refresh();
      // a one-time password changed: on to the user's own page
      if (required) navigate(homeOf(me ?? { ...user!, mustChangePassword: false }), { replace: true });
    });

  return (
    <Card size="small" title={<Space><LockOutlined />{t('account.changePassword')}</Space>}>
      <ErrorAlert error={error} />
      <Form form={form} name="change-password" layout="vertical" onFinish={change} aria-label={t('account.changePassword')}>
        {/* the username, for the browser's password manager */}
        <input type="text" name="username" autoComplete="username" value={user?.username ?? ''} readOnly hidden />
        <Form.Item name="currentPassword" label={required ? t('account.oneTimePassword') : t('account.currentPassword')} rules={[{ required: true, message: t('account.currentRequired') }]}>
          <Input.Password autoComplete="current-password" />
        </Form.Item>
        <Form.Item name="newPassword" label={t('account.newPassword')} extra={t('account.rules')} rules={[{ required: true, message: t('account.newRequired') }]}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item
          name="confirm"
          label={t('account.confirm')}
          dependencies={['newPassword']}
          rules={[
            { required: true, message: t('account.confirmRequired') },
            ({ getFieldValue }) => ({ validator: (_, v) => (!v || v === getFieldValue('newPassword') ? Promise.resolve() : Promise.reject(new Error(t('account.mismatch')))) }),
          ]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={busy}>
          {t('account.changeSubmit')}
        </Button>
      </Form>
    </Card>
  );
}

/** The TOTP second factor: the QR code (or the key by hand), then the password and a code from the app. */
function SecondFactor() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const { user, refresh } = useAuth();
  const [offer, setOffer] = useState<SecondFactorOffer>();
  const [offerError, setOfferError] = useState<unknown>();
  const [starting, setStarting] = useState(false);
  const [enableForm] = Form.useForm<{ password?: string; code?: string }>();
  const [disableForm] = Form.useForm<{ password?: string }>();
  const enabling = useFormSubmit(enableForm);
  const disabling = useFormSubmit(disableForm);
  const on = !!user?.secondFactor;

  const start = async () => {
    setStarting(true);
    setOfferError(undefined);
    try {
      setOffer(await api.secondFactorSetup());
    } catch (e) {
      setOfferError(e);
    } finally {
      setStarting(false);
    }
  };

  const enable = () =>
    enabling.submit(async (v) => {
      await api.secondFactorEnable(v.password!, v.code!.replace(/\s+/g, ''));
      setOffer(undefined);
      message.success(t('account.tfaEnabled'));
      await refresh();
    });

  const disable = () =>
    disabling.submit(async (v) => {
      await api.secondFactorDisable(v.password!);
      disableForm.resetFields();
      message.success(t('account.tfaDisabled'));
      await refresh();
    });

  return (
    <Card size="small" style={{ marginTop: 16 }} title={<Space><SafetyCertificateOutlined />{t('account.tfa')}{on ? <Tag color="blue">{t('account.tfaOn')}</Tag> : <Tag>{t('account.tfaOff')}</Tag>}</Space>}>
      <Typography.Paragraph type="secondary">{t('account.tfaWhat')}</Typography.Paragraph>
      {on ? (
        <>
          <ErrorAlert error={disabling.error} />
          <Form form={disableForm} name="tfa-disable" layout="vertical" onFinish={disable}>
            <Form.Item name="password" label={t('account.password')} rules={[{ required: true, message: t('account.passwordRequired') }]}>
              <Input.Password autoComplete="current-password" />
            </Form.Item>
            <Button danger htmlType="submit" loading={disabling.busy}>
              {t('account.tfaDisable')}
            </Button>
          </Form>
        </>
      ) : !offer ? (
        <>
          <ErrorAlert error={offerError} />
          <Button type="primary" onClick={start} loading={starting}>
            {t('account.tfaStart')}
          </Button>
        </>
      ) : (
        <>
          <ol style={{ paddingInlineStart: 20 }}>
            <li>{t('account.tfaStep1')}</li>
            <li>{t('account.tfaStep2')}</li>
          </ol>
          <Space align="start" wrap size={16}>
            <img src={`data:image/svg+xml;utf8,${encodeURIComponent(offer.qrSvg)}`} width={180} height={180} alt={t('account.tfaQrAlt')} style={{ border: '1px solid #eee' }} />
            <div style={{ maxWidth: 260 }}>
              <Typography.Text type="secondary">{t('account.tfaKey')}</Typography.Text>
              <Typography.Paragraph copyable code style={{ wordBreak: 'break-all' }}>
                {offer.secret}
              </Typography.Paragraph>
              <Typography.Text type="secondary">{t('account.tfaUri')}</Typography.Text>
              <Typography.Paragraph copyable={{ text: offer.uri }} ellipsis={{ rows: 2 }} style={{ fontSize: 12 }} className="kf-otpauth-uri">
                {offer.uri}
              </Typography.Paragraph>
            </div>
          </Space>
          <ErrorAlert error={enabling.error} />
          <Form form={enableForm} name="tfa-enable" layout="vertical" onFinish={enable}>
            <Row gutter={12}>
              <Col xs={24} sm={12}>
                <Form.Item name="code" label={t('account.tfaCode')} rules={[{ required: true, message: t('account.codeRequired') }, { pattern: /^\s*\d{3}\s*\d{3}\s*$/, message: t('account.codePattern') }]}>
                  <Input inputMode="numeric" autoComplete="one-time-code" maxLength={7} />
                </Form.Item>
              </Col>
              <Col xs={24} sm={12}>
                <Form.Item name="password" label={t('account.password')} rules={[{ required: true, message: t('account.passwordRequired') }]}>
                  <Input.Password autoComplete="current-password" />
                </Form.Item>
              </Col>
            </Row>
            <Space>
              <Button type="primary" htmlType="submit" loading={enabling.busy}>
                {t('account.tfaEnable')}
              </Button>
              <Button onClick={() => setOffer(undefined)}>{t('common.cancel')}</Button>
            </Space>
          </Form>
        </>
      )}
    </Card>
  );
}
