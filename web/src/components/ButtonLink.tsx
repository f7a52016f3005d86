import { Button, type ButtonProps } from 'antd';
import { useNavigate } from 'react-router-dom';

/** A button-looking link: one tab stop, opens in a new tab with ctrl/cmd-click, navigates in-app otherwise. */
export function ButtonLink({ to, ...props }: Omit<ButtonProps, 'href'> & { to: string }) {
  const navigate = useNavigate();
  return (
    <Button
      {...props}
      href={to}
      onClick={(e) => {
        if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
        e.preventDefault();
        navigate(to);
      }}
    />
  );
}
