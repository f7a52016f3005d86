import { KeyOutlined, PlusOutlined, ReloadOutlined, StopOutlined, UnlockOutlined, UserAddOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Checkbox, Col, Empty, Form, Input, Modal, Popconfirm, Row, Select, Space, Table, Tag, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { api } from '../../api/client';
import { usePolicyAgencies } from './agencies';
import type { CreatedUser, NewUser, Role, UserStatusFilter, UserView } from '../../api/types';
import { useAuth } from '../../auth/auth';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageTitle } from '../../components/PageTitle';
import { useI18n } from '../../i18n';
import { useAreas } from '../../lib/areas';
import { formatDateTime } from '../../lib/dates';
import { useAsync } from '../../lib/useAsync';
import { useFormSubmit } from '../../lib/useFormSubmit';

const ROLES: Role[] = ['enterprise', 'areaReviewer', 'departmentReviewer', 'finance', 'auditor', 'admin', 'bank'];

/**
 * 用户管理: the district administrator keeps every account (the auditor reads them); an enterprise's administrator
 * keeps its colleagues' (/portal/colleagues, same page: the server answers with that enterprise's users only).
 * New accounts and resets get a one-time password, shown here once.
 */
export default function Users() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const { user } = useAuth();
  const colleagues = user?.role === 'enterprise';
  const canManage = user?.role === 'admin' || (colleagues && !!user?.enterpriseAdmin);
  const [params, setParams] = useSearchParams();
  const role = (params.get('role') ?? '') as Role | '';
  const status = (params.get('status') ?? '') as UserStatusFilter | '';
  const areaId = params.get('areaId') ?? '';
  const departmentId = params.get('departmentId') ?? '';
  const enterpriseUscc = params.get('enterpriseUscc') ?? '';
  const q = params.get('q') ?? '';
  const page = Number(params.get('page') ?? 1);
  const pageSize = Number(params.get('pageSize') ?? 20);
  const list = useAsync(() => api.users({ role, status, areaId, departmentId, enterpriseUscc, q, page, pageSize }), [role, status, areaId, departmentId, enterpriseUscc, q, page, pageSize]);
  const { areas, areaName } = useAreas();
  const agencies = usePolicyAgencies();
  const [filter] = Form.useForm();
  const [creating, setCreating] = useState(false);
  const [shown, setShown] = useState<{ username: string; oneTimePassword: string; created: boolean }>();
  const [actionError, setActionError] = useState<unknown>();

  useEffect(() => filter.setFieldsValue({ role, status, areaId, departmentId, enterpriseUscc, q }), [filter, role, status, areaId, departmentId, enterpriseUscc, q]);

  const set = (patch: Record<string, string | number | undefined>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(patch)) (v === undefined || v === '' ? next.delete(k) : next.set(k, String(v)));
    setParams(next, { replace: true });
  };

  const deptName = (id: string | null) => (id ? (agencies.find((a) => a.id === id)?.label ?? id) : '—');

  const act = async (label: string, run: () => Promise<unknown>) => {
    setActionError(undefined);
    try {
      await run();
      message.success(label);
      list.reload();
    } catch (e) {
      setActionError(e);
    }
  };

  const reset = (u: UserView) =>
    act(t('users.resetDone', { user: u.username }), async () => {
      const r = await api.resetPassword(u.id);
      setShown({ username: u.username, oneTimePassword: r.oneTimePassword, created: false });
    });

  const items = list.data?.items ?? [];
  const filtered = !!(role || status || areaId || departmentId || enterpriseUscc || q);

  return (
    <>
      <PageTitle
        title={colleagues ? t('users.colleaguesTitle') : t('users.title')}
        sub={colleagues ? t('users.colleaguesSub', { name: user?.enterprise?.name ?? user?.enterpriseUscc ?? '' }) : t('users.sub')}
        extra={
          <>
            <Button icon={<ReloadOutlined />} onClick={list.reload}>
              {t('common.refresh')}
            </Button>
            {canManage && (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
                {colleagues ? t('users.addColleague') : t('users.create')}
              </Button>
            )}
          </>
        }
      />
      {!canManage && <Alert type="info" showIcon style={{ marginBottom: 16 }} title={t('users.readOnly')} />}
      <ErrorAlert error={actionError} />
      <Card size="small">
        <Form
          form={filter}
          name="users-filter"
          layout="vertical"
          onFinish={(v) => set({ role: v.role, status: v.status, areaId: v.areaId, departmentId: v.departmentId, enterpriseUscc: v.enterpriseUscc?.trim(), q: v.q?.trim(), page: undefined })}
        >
          <Row gutter={12} align="bottom">
            {!colleagues && (
              <Col xs={12} md={6} xl={4}>
                <Form.Item name="role" label={t('users.role')}>
                  <Select options={[{ value: '', label: t('common.all') }, ...ROLES.map((r) => ({ value: r, label: t(`role.${r}`) }))]} popupMatchSelectWidth={false} />
                </Form.Item>
              </Col>
            )}
            {!colleagues && (
              <Col xs={12} md={6} xl={4}>
                <Form.Item name="areaId" label={t('users.area')}>
                  <Select showSearch={{ optionFilterProp: 'label' }} options={[{ value: '', label: t('common.all') }, ...areas.map((a) => ({ value: a.id, label: a.name }))]} popupMatchSelectWidth={false} />
                </Form.Item>
              </Col>
            )}
            {!colleagues && (
              <Col xs={12} md={6} xl={4}>
                <Form.Item name="departmentId" label={t('users.department')}>
                  <Select showSearch={{ optionFilterProp: 'label' }} options={[{ value: '', label: t('common.all') }, ...agencies.map((a) => ({ value: a.id, label: a.label }))]} popupMatchSelectWidth={false} />
                </Form.Item>
              </Col>
            )}
            {!colleagues && (
              <Col xs={12} md={6} xl={4}>
                <Form.Item name="enterpriseUscc" label={t('users.uscc')}>
                  <Input allowClear maxLength={18} />
                </Form.Item>
              </Col>
            )}
            <Col xs={12} md={6} xl={3}>
              <Form.Item name="status" label={t('common.status')}>
                <Select
                  options={[
                    { value: '', label: t('common.all') },
                    { value: 'active', label: t('users.status.active') },
                    { value: 'disabled', label: t('users.status.disabled') },
                    { value: 'locked', label: t('users.status.locked') },
                    { value: 'mustChangePassword', label: t('users.status.mustChange') },
                  ]}
                  popupMatchSelectWidth={false}
                />
              </Form.Item>
            </Col>
            <Col xs={12} md={6} xl={3}>
              <Form.Item name="q" label={t('common.keyword')}>
                <Input allowClear placeholder={t('users.keywordPh')} />
              </Form.Item>
            </Col>
            <Col xs={24} md={12} xl={2}>
              <Form.Item>
                <Space>
                  <Button type="primary" htmlType="submit">
                    {t('common.search')}
                  </Button>
                  <Button onClick={() => set({ role: undefined, status: undefined, areaId: undefined, departmentId: undefined, enterpriseUscc: undefined, q: undefined, page: undefined })}>{t('common.reset')}</Button>
                </Space>
              </Form.Item>
            </Col>
          </Row>
        </Form>
        <ErrorAlert error={list.error} onRetry={list.reload} />
        {!list.loading && !list.error && items.length === 0 ? (
          <Empty description={filtered ? t('common.emptyFilter') : t('users.empty')} />
        ) : (
          <Table<UserView>
            size="small"
            rowKey="id"
            loading={list.loading}
            dataSource={items}
            scroll={{ x: 1200 }}
            pagination={{
              current: page,
              pageSize,
              total: list.data?.total ?? 0,
              showSizeChanger: true,
              showTotal: (n) => t('common.items', { n }),
              onChange: (p, ps) => set({ page: p, pageSize: ps }),
            }}
            columns={[
              {
                title: t('users.username'),
                dataIndex: 'username',
                width: 170,
                render: (v: string, r) => (
                  <>
                    <div>
                      <Typography.Text strong>{v}</Typography.Text>
                    </div>
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {r.displayName}
                    </Typography.Text>
                  </>
                ),
              },
              { title: t('users.role'), dataIndex: 'role', width: 120, render: (v: Role) => t(`role.${v}`) },
              {
                title: t('users.scope'),
                key: 'scope',
                width: 260,
                render: (_, r) =>
                  r.role === 'enterprise' ? (
                    <>
                      <div>
                        {r.enterpriseName ?? r.enterpriseUscc} {r.enterpriseAdmin && <Tag color="gold">{t('users.enterpriseAdmin')}</Tag>}
                      </div>
                      <Typography.Text type="secondary" style={{ fontSize: 12 }} copyable>
                        {r.enterpriseUscc}
                      </Typography.Text>
                    </>
                  ) : r.role === 'areaReviewer' ? (
                    areaName(r.areaId)
                  ) : r.role === 'departmentReviewer' ? (
                    deptName(r.departmentId)
                  ) : (
                    <Typography.Text type="secondary">{t('users.districtWide')}</Typography.Text>
                  ),
              },
              {
                title: t('common.status'),
                key: 'status',
                width: 220,
                render: (_, r) => (
                  <Space size={[0, 4]} wrap>
                    {r.status === 'disabled' ? <Tag color="default">{t('users.status.disabled')}</Tag> : <Tag color="green">{t('users.status.active')}</Tag>}
                    {r.locked && <Tag color="red">{t('users.status.lockedUntil', { until: formatDateTime(r.lockedUntil) })}</Tag>}
                    {r.mustChangePassword && <Tag color="orange">{t('users.status.mustChange')}</Tag>}
                    {r.secondFactor && <Tag color="blue">{t('users.secondFactorOn')}</Tag>}
                  </Space>
                ),
              },
              { title: t('users.lastLogin'), dataIndex: 'lastLoginAt', width: 150, render: (v: string | null) => (v ? formatDateTime(v) : <Typography.Text type="secondary">{t('users.never')}</Typography.Text>) },
              ...(canManage
                ? [
                    {
                      title: t('common.actions'),
                      key: 'actions',
                      width: 330,
                      fixed: 'right' as const,
                      render: (_: unknown, r: UserView) =>
                        r.id === user?.id ? (
                          <Typography.Text type="secondary">{t('users.self')}</Typography.Text>
                        ) : (
                          <Space size={4} wrap className="kf-user-actions">
                            {r.status === 'active' ? (
                              <Popconfirm title={t('users.disableConfirm', { user: r.username })} onConfirm={() => act(t('users.disabled', { user: r.username }), () => api.userAction(r.id, 'disable'))} okText={t('common.confirm')} cancelText={t('common.cancel')}>
                                <Button size="small" danger icon={<StopOutlined />}>
                                  {t('users.disable')}
                                </Button>
                              </Popconfirm>
                            ) : (
                              <Button size="small" onClick={() => act(t('users.enabled', { user: r.username }), () => api.userAction(r.id, 'enable'))}>
                                {t('users.enable')}
                              </Button>
                            )}
                            {r.locked && (
                              <Button size="small" icon={<UnlockOutlined />} onClick={() => act(t('users.unlocked', { user: r.username }), () => api.userAction(r.id, 'unlock'))}>
                                {t('users.unlock')}
                              </Button>
                            )}
                            <Popconfirm title={t('users.resetConfirm', { user: r.username })} onConfirm={() => reset(r)} okText={t('common.confirm')} cancelText={t('common.cancel')}>
                              <Button size="small" icon={<KeyOutlined />}>
                                {t('users.resetPassword')}
                              </Button>
                            </Popconfirm>
                            {!colleagues && r.secondFactor && (
                              <Popconfirm title={t('users.resetSecondFactorConfirm', { user: r.username })} onConfirm={() => act(t('users.secondFactorReset', { user: r.username }), () => api.userAction(r.id, 'second-factor/reset'))} okText={t('common.confirm')} cancelText={t('common.cancel')}>
                                <Button size="small">{t('users.resetSecondFactor')}</Button>
                              </Popconfirm>
                            )}
                            {!colleagues && r.role === 'enterprise' && !r.enterpriseAdmin && (
                              <Popconfirm title={t('users.makeAdminConfirm', { user: r.username })} onConfirm={() => act(t('users.madeAdmin', { user: r.username }), () => api.updateUser(r.id, { enterpriseAdmin: true }))} okText={t('common.confirm')} cancelText={t('common.cancel')}>
                                <Button size="small">{t('users.makeAdmin')}</Button>
                              </Popconfirm>
                            )}
                          </Space>
                        ),
                    },
                  ]
                : []),
            ]}
          />
        )}
      </Card>
      {canManage && (
        <CreateUserModal
          open={creating}
          colleagues={colleagues}
          onClose={() => setCreating(false)}
          onDone={(c) => {
            setCreating(false);
            setShown({ username: c.user.username, oneTimePassword: c.oneTimePassword, created: true });
            list.reload();
          }}
        />
      )}
      <OneTimePasswordModal shown={shown} onClose={() => setShown(undefined)} />
    </>
  );
}

/** The one-time password, once: the administrator passes it on; the user must change it at first sign-in. */
function OneTimePasswordModal({ shown, onClose }: { shown?: { username: string; oneTimePassword: string; created: boolean }; onClose: () => void }) {
  const { t } = useI18n();
  return (
    <Modal open={!!shown} title={shown?.created ? t('users.createdTitle') : t('users.resetTitle')} onCancel={onClose} onOk={onClose} okText={t('users.otpDone')} cancelButtonProps={{ style: { display: 'none' } }} destroyOnHidden>
      {shown && (
        <div className="kf-otp">
          <Alert type="warning" showIcon style={{ marginBottom: 16 }} title={t('users.otpOnce')} />
          <Typography.Paragraph>
            {t('users.username')}: <Typography.Text strong>{shown.username}</Typography.Text>
          </Typography.Paragraph>
          <Typography.Paragraph>
            {t('users.oneTimePassword')}:{' '}
            <Typography.Text code copyable className="kf-otp-value" style={{ fontSize: 18 }}>
              {shown.oneTimePassword}
            </Typography.Text>
          </Typography.Paragraph>
          <Typography.Paragraph type="secondary">{t('users.otpHint')}</Typography.Paragraph>
        </div>
      )}
    </Modal>
  );
}

interface CreateForm {
  username?: string;
  displayName?: string;
  role?: Role;
  areaId?: string;
  departmentId?: string;
  enterpriseUscc?: string;
  enterpriseAdmin?: boolean;
}

/** 新建用户: the role, then the one scope it takes (area, department or USCC). */
function CreateUserModal({ open, colleagues, onClose, onDone }: { open: boolean; colleagues: boolean; onClose: () => void; onDone: (c: CreatedUser) => void }) {
  const { t } = useI18n();
  const [form] = Form.useForm<CreateForm>();
  const { busy, error, setError, submit } = useFormSubmit(form);
  const { areas } = useAreas();
  const agencies = usePolicyAgencies();
  const role = Form.useWatch('role', form);
  const options = useMemo(() => ROLES.map((r) => ({ value: r, label: t(`role.${r}`) })), [t]);

  useEffect(() => {
    if (!open) setError(undefined);
  }, [open, setError]);

  const create = () =>
    submit(async (v) => {
      const body: NewUser = {
        username: v.username!.trim(),
        displayName: v.displayName!.trim(),
        ...(colleagues
          ? {}
          : {
              role: v.role,
              areaId: v.role === 'areaReviewer' ? v.areaId : undefined,
              departmentId: v.role === 'departmentReviewer' ? v.departmentId : undefined,
              enterpriseUscc: v.role === 'enterprise' ? v.enterpriseUscc?.trim() : undefined,
              enterpriseAdmin: v.role === 'enterprise' ? !!v.enterpriseAdmin : undefined,
            }),
      };
      onDone(await api.createUser(body));
    });

  return (
    <Modal
      open={open}
      title={colleagues ? t('users.addColleague') : t('users.create')}
      onCancel={onClose}
      onOk={create}
      okText={t('users.createOk')}
      cancelText={t('common.cancel')}
      okButtonProps={{ loading: busy, icon: <UserAddOutlined /> }}
      destroyOnHidden
      width={560}
    >
      <ErrorAlert error={error} />
      <Form form={form} name="user-create" layout="vertical" preserve={false} onFinish={create}>
        <Row gutter={12}>
          <Col xs={24} sm={12}>
            <Form.Item name="username" label={t('users.username')} extra={t('users.usernameHint')} rules={[{ required: true, whitespace: true, message: t('users.usernameRequired') }, { pattern: /^\s*[A-Za-z0-9][A-Za-z0-9._-]{2,63}\s*$/, message: t('users.usernamePattern') }]}>
              <Input maxLength={64} autoComplete="off" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="displayName" label={t('users.displayName')} rules={[{ required: true, whitespace: true, message: t('users.displayNameRequired') }]}>
              <Input maxLength={100} autoComplete="off" />
            </Form.Item>
          </Col>
        </Row>
        {!colleagues && (
          <Form.Item name="role" label={t('users.role')} rules={[{ required: true, message: t('users.roleRequired') }]}>
            <Select options={options} />
          </Form.Item>
        )}
        {!colleagues && role === 'areaReviewer' && (
          <Form.Item name="areaId" label={t('users.area')} rules={[{ required: true, message: t('users.areaRequired') }]}>
            <Select showSearch={{ optionFilterProp: 'label' }} options={areas.map((a) => ({ value: a.id, label: a.name }))} />
          </Form.Item>
        )}
        {!colleagues && role === 'departmentReviewer' && (
          <Form.Item name="departmentId" label={t('users.department')} rules={[{ required: true, message: t('users.departmentRequired') }]}>
            <Select showSearch={{ optionFilterProp: 'label' }} options={agencies.map((a) => ({ value: a.id, label: a.label }))} />
          </Form.Item>
        )}
        {!colleagues && role === 'enterprise' && (
          <>
            <Form.Item name="enterpriseUscc" label={t('users.uscc')} extra={t('users.usccHint')} rules={[{ required: true, whitespace: true, message: t('users.usccRequired') }, { len: 18, transform: (v: string) => v?.trim(), message: t('users.usccLength') }]}>
              <Input maxLength={18} autoComplete="off" style={{ fontFamily: 'monospace' }} />
            </Form.Item>
            <Form.Item name="enterpriseAdmin" valuePropName="checked">
              <Checkbox>{t('users.enterpriseAdminCheck')}</Checkbox>
            </Form.Item>
          </>
        )}
        {colleagues && <Alert type="info" showIcon title={t('users.colleagueNote')} />}
        <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0 }}>
          {t('users.otpWillShow')}
        </Typography.Paragraph>
      </Form>
    </Modal>
  );
}
