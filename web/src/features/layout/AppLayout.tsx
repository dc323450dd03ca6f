import { Flex, Grid, Layout, Menu, Skeleton, Typography, theme } from 'antd';
import { Suspense, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Outlet, useLocation, useNavigate } from 'react-router';
import { PreferenceSwitches } from '../preferences/PreferenceSwitches';
import { NAV_ITEMS, selectedNavPath } from './nav';
import { UserMenu } from './UserMenu';

/**
 * Sider + header + page. The sider is expanded on wide screens, folds to icons on laptop
 * widths (below antd's `xl`, 1200px) and hides completely on phones.
 */
export function AppLayout() {
  const { t } = useTranslation();
  const { token } = theme.useToken();
  const screens = Grid.useBreakpoint();
  const location = useLocation();
  const navigate = useNavigate();
  const [collapsed, setCollapsed] = useState(false);
  const phone = screens.md === false;

  const selected = selectedNavPath(location.pathname);
  const items = NAV_ITEMS.map((item) => ({ key: item.path, icon: item.icon, label: t(item.labelKey) }));

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Sider
        breakpoint="xl"
        collapsible
        collapsed={collapsed}
        collapsedWidth={phone ? 0 : 80}
        onCollapse={setCollapsed}
        theme="light"
        style={{ borderRight: `1px solid ${token.colorBorderSecondary}` }}
      >
        <Typography.Title level={4} style={{ margin: 16, whiteSpace: 'nowrap', overflow: 'hidden' }}>
          {collapsed ? 'ET' : t('app.name')}
        </Typography.Title>
        <nav aria-label={t('nav.main')}>
          <Menu
            mode="inline"
            items={items}
            selectedKeys={selected ? [selected] : []}
            onClick={({ key }) => {
              void navigate(key);
              if (phone) setCollapsed(true);
            }}
            style={{ borderInlineEnd: 'none' }}
          />
        </nav>
      </Layout.Sider>
      <Layout>
        <Layout.Header
          style={{
            background: token.colorBgContainer,
            borderBottom: `1px solid ${token.colorBorderSecondary}`,
            paddingInline: 16,
          }}
        >
          <Flex justify="flex-end" align="center" gap={16} style={{ height: '100%' }}>
            <PreferenceSwitches />
            <UserMenu />
          </Flex>
        </Layout.Header>
        <Layout.Content style={{ padding: phone ? 16 : 24 }}>
          <Suspense fallback={<Skeleton active />}>
            <Outlet />
          </Suspense>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
