// Grafana's page chrome for the preview: a top bar with the app's pages, breadcrumbs from the page's pageNav, the
// title with its subtitle and actions, the page body. (What Grafana installs through setPluginPage at boot.)
import type { ReactNode } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2, NavModelItem } from '@grafana/data';
import { config, type PluginPageProps } from '@grafana/runtime';
import { Icon, Stack, useStyles2 } from '@grafana/ui';
import { NavLink, useLocation } from 'react-router-dom';
import pluginJson from '../src/plugin.json';
import { roleIncludes } from '../src/test/grafanaHttp';

function trail(item: NavModelItem | undefined): NavModelItem[] {
  return item ? [...trail(item.parentItem), item] : [];
}

/** The page of plugin.json that Grafana's navigation would show for `pathname`, when the page names none itself. */
function includeFor(pathname: string): NavModelItem | undefined {
  const page = pluginJson.includes.find((include) => include.path && new RegExp(`^${include.path.replace(/:[^/]+/g, '[^/]+')}$`).test(pathname));
  return page ? { text: page.name } : undefined;
}

export function PreviewPluginPage({ pageNav: ownNav, subTitle, actions, children }: PluginPageProps) {
  const styles = useStyles2(getStyles);
  const { pathname } = useLocation();
  const pageNav = ownNav ?? includeFor(pathname);
  const crumbs = trail(pageNav);
  return (
    <div className={styles.page}>
      <nav aria-label="Breadcrumbs" className={styles.crumbs}>
        <span>probekit TCP probes</span>
        {crumbs.map((crumb, index) => (
          <span key={index}>
            <Icon name="angle-right" />{' '}
            {crumb.url && index < crumbs.length - 1 ? <a href={crumb.url}>{crumb.text}</a> : crumb.text}
          </span>
        ))}
      </nav>
      <header className={styles.header}>
        <div>
          {pageNav && <h1 className={styles.title}>{pageNav.text}</h1>}
          {(subTitle ?? pageNav?.subTitle) && <div className={styles.subTitle}>{subTitle ?? pageNav?.subTitle}</div>}
        </div>
        {actions && <div>{actions}</div>}
      </header>
      <main>{children}</main>
    </div>
  );
}

/** The app's pages that plugin.json adds to Grafana's navigation, for the user's role. */
const NAV_PAGES = pluginJson.includes.filter((include) => include.type === 'page' && include.addToNav && roleIncludes(config.bootData.user.orgRole, include.role ?? 'Viewer'));

export function PreviewShell({ children }: { children: ReactNode }) {
  const styles = useStyles2(getStyles);
  const { login, orgRole } = config.bootData.user;
  return (
    <div className={styles.shell}>
      <div className={styles.topBar}>
        <Stack gap={3} alignItems="center">
          <strong>Grafana · preview</strong>
          {NAV_PAGES.map((include) => (
            <NavLink key={include.path} to={include.path!} className={styles.navLink}>
              {include.name}
            </NavLink>
          ))}
        </Stack>
        <span className={styles.user}>
          <Icon name="user" /> {login} ({orgRole})
        </span>
      </div>
      <div className={styles.content}>{children}</div>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  shell: css({ minHeight: '100vh', background: theme.colors.background.canvas }),
  topBar: css({
    display: 'flex',
    justifyContent: 'space-between',
    alignItems: 'center',
    padding: theme.spacing(1, 2),
    background: theme.colors.background.primary,
    borderBottom: `1px solid ${theme.colors.border.weak}`,
  }),
  navLink: css({ color: theme.colors.text.secondary, '&.active': { color: theme.colors.text.primary, fontWeight: theme.typography.fontWeightMedium } }),
  user: css({ color: theme.colors.text.secondary }),
  content: css({ padding: theme.spacing(2, 3) }),
  page: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(2) }),
  crumbs: css({ display: 'flex', gap: theme.spacing(1), color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
  header: css({ display: 'flex', justifyContent: 'space-between', alignItems: 'flex-start', gap: theme.spacing(2), flexWrap: 'wrap' }),
  title: css({ margin: 0, fontSize: theme.typography.h2.fontSize }),
  subTitle: css({ color: theme.colors.text.secondary, marginTop: theme.spacing(0.5) }),
});
