import { Button, Flex, Result, Spin } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, useLocation } from 'react-router';
import { errorText, toApiError } from '../../api/errors';
import type { Me } from '../../api/types';
import { useAppSelector } from '../../app/hooks';
import { useMeQuery } from './authApi';
import { selectHasSession } from './authSlice';
import { loginPath } from './next';

/** Renders `children` only for a signed-in user; otherwise sends them to the login page. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const hasSession = useAppSelector(selectHasSession);
  const location = useLocation();
  const me = useMeQuery(undefined, { skip: !hasSession });

  if (!hasSession) return <Navigate to={loginPath(location)} replace />;
  if (me.data) return children;
  if (me.isError) {
    return (
      <Result
        status="warning"
        title={errorText(toApiError(me.error), t)}
        extra={<Button onClick={() => void me.refetch()}>{t('errors.retry')}</Button>}
      />
    );
  }
  return (
    <Flex align="center" justify="center" style={{ minHeight: '100vh' }}>
      <Spin size="large" tip={t('auth.checking')}>
        <div style={{ width: 200, height: 80 }} />
      </Spin>
    </Flex>
  );
}

/** The signed-in user and their permissions; only meaningful under <RequireAuth>, which loaded it. */
export function useCurrentUser(): Me | undefined {
  const hasSession = useAppSelector(selectHasSession);
  return useMeQuery(undefined, { skip: !hasSession }).data;
}
