import { useEffect } from 'react';
import { useLocation, useNavigate } from 'react-router-dom';
import { useAuth } from '../../auth/auth';

/**
 * A user holding a one-time (or the published demo) password is sent to the account page wherever they go: the
 * API refuses everything else (`password_change_required`) until the password is changed, so any other page
 * would only show errors. Public pages (policy library, calculator) stay open.
 */
export function PasswordGate() {
  const { user } = useAuth();
  const loc = useLocation();
  const navigate = useNavigate();
  const must = !!user?.mustChangePassword && !user.secondFactorPending;
  const open = loc.pathname === '/account' || loc.pathname === '/login' || loc.pathname === '/policy' || loc.pathname === '/calculator';
  useEffect(() => {
    if (must && !open) navigate('/account', { replace: true });
  }, [must, open, navigate]);
  return null;
}
