import { Form, Link, NavLink, useLocation } from '@remix-run/react';
import { useEffect, useState, type ReactNode } from 'react';
import { LOCALES, type Locale, type MessageKey } from '~/i18n';
import { useLocale, useT } from '~/i18n/use-t';
import { can, ROLE_HOME, type Role } from '~/domain/permissions';
import { bellFigure, BELL_CAP } from '~/domain/notifications/centre';
import { DismissButton } from './dismiss-button';

export interface ShellUser {
  name: string;
  role: Role;
}

interface NavItem {
  to: string;
  label: MessageKey;
  show: (role: Role) => boolean;
  end?: boolean;
}

// Only links the role may use; the server enforces the same rules again.
const NAV: NavItem[] = [
  { to: '/members', label: 'members.nav', show: (role) => can(role, 'member:read') },
  { to: '/pipeline', label: 'board.nav', show: (role) => can(role, 'member:read') },
  { to: '/reports', label: 'reports.nav', show: (role) => can(role, 'report:read') },
  // Managers edit criteria sets; school roles read the active ones of their school kind.
  {
    to: '/criteria',
    label: 'criteria.nav',
    show: (role) => can(role, 'criteria:manage') || role === 'school_union' || role === 'school_party',
  },
  { to: '/admin/units', label: 'nav.units', show: (role) => can(role, 'unit:read') },
  { to: '/admin/users', label: 'nav.users', show: (role) => can(role, 'user:manage') },
  { to: '/admin/holidays', label: 'nav.holidays', show: (role) => can(role, 'holiday:manage') },
  // The audit log and API tokens are the admin's (their routes require user:manage). The
  // scheduled jobs and the outbox are linked from the admin's home: one more item here would
  // wrap the admin's menu onto a second line at 1280 px.
  { to: '/admin/audit', label: 'nav.audit', show: (role) => can(role, 'user:manage') },
  { to: '/admin/tokens', label: 'nav.tokens', show: (role) => can(role, 'user:manage') },
  { to: '/school/submissions', label: 'me.queue.nav', show: (role) => can(role, 'pipeline:union') },
  { to: '/school/party-cells', label: 'register.nav', show: (role) => role === 'school_party' },
  { to: '/me', label: 'nav.myRecord', show: (role) => can(role, 'self:read') },
];

export function AppShell({
  user,
  unread = 0,
  toast,
  children,
}: {
  user: ShellUser | null;
  /** Unread notices, counted up to one past the bell's cap (root loader). */
  unread?: number;
  toast: MessageKey | null;
  children: ReactNode;
}) {
  const t = useT();
  const [menuOpen, setMenuOpen] = useState(false);
  // Before hydration (or without JavaScript) the menu stays open: the toggle needs JS.
  const [hydrated, setHydrated] = useState(false);
  const location = useLocation();
  useEffect(() => setHydrated(true), []);
  useEffect(() => setMenuOpen(false), [location.pathname]);

  const home = user ? ROLE_HOME[user.role] : '/';
  const items = user
    ? [{ to: home, label: 'nav.home' as const, show: () => true, end: true }, ...NAV].filter(
        // A student's home is their record: one link, not two to the same page.
        (i) => i.show(user.role) && (i.to !== home || i.label === 'nav.home'),
      )
    : [];

  return (
    <>
      <a href="#main" className="skip-link">
        {t('shell.skipToContent')}
      </a>
      <header className="site-header">
        <div className="header-inner">
          <div className="header-bar">
            <Link to="/" className="brand">
              {t('app.name')}
            </Link>
            {user ? (
              <div className="header-bar-end">
                <Bell unread={unread} place="bar" />
                {hydrated ? (
                  <button
                    type="button"
                    className="menu-button"
                    aria-expanded={menuOpen}
                    aria-controls="site-menu"
                    onClick={() => setMenuOpen((open) => !open)}
                  >
                    {t('shell.menu')}
                  </button>
                ) : null}
              </div>
            ) : null}
          </div>
          <div
            id="site-menu"
            className="header-menu"
            data-collapsed={(user && hydrated && !menuOpen) || undefined}
          >
            {user ? (
              <nav aria-label={t('shell.mainNav')}>
                <ul className="nav-list">
                  {items.map((item) => (
                    <li key={item.to}>
                      <NavLink to={item.to} end={item.end}>
                        {t(item.label)}
                      </NavLink>
                    </li>
                  ))}
                </ul>
              </nav>
            ) : null}
            <div className="header-tools">
              <LanguageSwitch />
              {user ? (
                <>
                  <Bell unread={unread} place="tools" />
                  <UserName name={user.name} role={t(`role.${user.role}`)} />
                  <Form method="post" action="/logout">
                    <button type="submit" className="button-secondary">
                      {t('shell.signOut')}
                    </button>
                  </Form>
                </>
              ) : null}
            </div>
          </div>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {toast ? <Toast message={toast} /> : null}
        {children}
      </main>
      <footer className="site-footer">
        <p>{t('app.footer')}</p>
      </footer>
    </>
  );
}

/**
 * The bell: a link to /notifications with the unread count, "99+" beyond the cap. Twice in
 * the header, one shown at a time by CSS: on a phone in the top bar beside the menu button
 * (the menu is folded away), on wider screens among the user's tools.
 */
function Bell({ unread, place }: { unread: number; place: 'bar' | 'tools' }) {
  const t = useT();
  const figure = bellFigure(unread);
  const label =
    unread > BELL_CAP
      ? t('notifications.bell.many', { count: BELL_CAP })
      : unread > 0
        ? t('notifications.bell.unread', { count: unread })
        : t('notifications.bell.none');
  return (
    <Link to="/notifications" className={`bell bell-${place}`} aria-label={label} title={label}>
      <svg aria-hidden="true" focusable="false" viewBox="0 0 24 24" width="22" height="22">
        <path
          fill="currentColor"
          d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2Z"
        />
      </svg>
      {figure ? (
        <span className="bell-count" aria-hidden="true" data-testid="bell-count">
          {figure}
        </span>
      ) : null}
    </Link>
  );
}

/** The signed-in user's name and role; the role once when it is the name (the administrator). */
function UserName({ name, role }: { name: string; role: string }) {
  return (
    <span className="user-name" title={`${name} (${role})`}>
      {name}
      {role === name ? null : <span className="user-role"> ({role})</span>}
    </span>
  );
}

function LanguageSwitch() {
  const t = useT();
  const locale = useLocale();
  const location = useLocation();
  return (
    <Form
      method="post"
      action="/settings/locale"
      // A page load: the new language's catalogue comes with the page (root.tsx).
      reloadDocument
      className="language-switch"
      aria-label={t('shell.switchLanguage')}
    >
      <input type="hidden" name="redirectTo" value={location.pathname + location.search} />
      {LOCALES.filter((l: Locale) => l !== locale).map((l) => (
        <button key={l} type="submit" name="locale" value={l} lang={l} className="button-link">
          {t(`locale.${l}`)}
        </button>
      ))}
    </Form>
  );
}

function Toast({ message }: { message: MessageKey }) {
  const t = useT();
  const [open, setOpen] = useState(true);
  useEffect(() => setOpen(true), [message]);
  if (!open) return null;
  return (
    <div className="toast" role="status" data-testid="toast">
      <span>{t(message)}</span>
      <DismissButton onDismiss={() => setOpen(false)} />
    </div>
  );
}
