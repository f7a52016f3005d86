import { Flex, Spin } from 'antd';
import { Navigate, Outlet, useLocation } from 'react-router-dom';
import type { Role } from '../api/types';
import { useAuth } from './auth';

/** Signed-out users go to the login page (and come back after); the wrong role sees 403. */
export function RequireRole({ roles, children }: { roles: readonly Role[]; children?: React.ReactNode }) {
  const { user, loading } = useAuth();
  const loc = useLocation();
  if (loading) return <Flex justify="center" style={{ padding: 64 }}><Spin /></Flex>;
  if (!user) return <Navigate to={`/login?next=${encodeURIComponent(loc.pathname + loc.search)}`} replace />;
  if (!roles.includes(user.role)) return <Navigate to="/403" replace state={{ from: loc.pathname }} />;
  return children ? <>{children}</> : <Outlet />;
}
