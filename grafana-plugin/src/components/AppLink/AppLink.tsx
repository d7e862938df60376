// Links between the app's pages that navigate through the app's router instead of loading the page again: the
// router is react-router-dom, which Grafana shares with the plugin. (@grafana/ui's TextLink goes through
// react-router-dom-v5-compat, a second router package, so it is not used for in-app links.) A modified click
// (new tab, new window) is left to the browser.
import type { ComponentProps, MouseEvent, ReactNode } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { LinkButton, useStyles2 } from '@grafana/ui';
import { Link, useNavigate } from 'react-router-dom';

function isPlainLeftClick(event: MouseEvent): boolean {
  return event.button === 0 && !event.metaKey && !event.ctrlKey && !event.shiftKey && !event.altKey;
}

/** A LinkButton to another page of the app: a text label, or an icon with an aria-label. */
export function AppLinkButton(props: ComponentProps<typeof LinkButton> & { href: string }) {
  const navigate = useNavigate();
  return (
    <LinkButton
      {...props}
      onClick={(event) => {
        if (!isPlainLeftClick(event)) return;
        event.preventDefault();
        navigate(props.href);
      }}
    />
  );
}

/** A text link to another page of the app, styled like Grafana's links. */
export function AppTextLink({ href, children, title }: { href: string; children: ReactNode; title?: string }) {
  const styles = useStyles2(getStyles);
  return (
    <Link to={href} className={styles.link} title={title}>
      {children}
    </Link>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  link: css({
    color: theme.colors.text.link,
    textDecoration: 'none',
    '&:hover': { textDecoration: 'underline' },
  }),
});
