// The review UI: a small client-side router over the guard's API. Pages: deploys, deploy, rules, quality, backtest.
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { api, ApiError, type Session } from './api.js';
import type { Ctx } from './ctx.js';
import { errorBox, render } from './dom.js';
import { backtestPage } from './pages/backtest.js';
import { deployPage } from './pages/deploy.js';
import { listPage } from './pages/list.js';
import { loginPage } from './pages/login.js';
import { qualityPage } from './pages/quality.js';
import { rulesPage } from './pages/rules.js';

let leaving: Array<() => void> = [];
let session: Session | null = null;

function applyTheme(theme: string | null): void {
  if (theme === 'dark' || theme === 'light') document.documentElement.dataset.theme = theme;
}

async function route(): Promise<void> {
  for (const fn of leaving) fn();
  leaving = [];
  const path = location.pathname.replace(/\/+$/, '') || '/ui';
  const ctx: Ctx = { session: session as Session, go, onLeave: (fn) => leaving.push(fn) };
  document
    .querySelectorAll<HTMLAnchorElement>('nav a')
    .forEach((a) => a.setAttribute('aria-current', String(a.pathname === path || (a.pathname === '/ui' && path.startsWith('/ui/deploys')))));
  try {
    if (path === '/ui/login' || !session)
      return loginPage(async (s) => {
        session = s;
        showWho();
        go(path === '/ui/login' ? '/ui' : path + location.search);
      });
    const deploy = /^\/ui\/deploys\/([^/]+)$/.exec(path);
    if (deploy?.[1]) return await deployPage(ctx, decodeURIComponent(deploy[1]));
    if (path === '/ui/rules') return await rulesPage(ctx);
    if (path === '/ui/quality') return await qualityPage(ctx);
    if (path === '/ui/backtest') return await backtestPage(ctx);
    return await listPage(ctx);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      session = null;
      showWho();
      return route();
    }
    render(errorBox(err instanceof Error ? err.message : String(err)));
  } finally {
    document.getElementById('main')?.focus({ preventScroll: true });
  }
}

function go(path: string): void {
  history.pushState(null, '', path);
  void route();
}

function showWho(): void {
  const who = document.getElementById('who') as HTMLElement;
  who.textContent = session ? `${session.name} (${session.role})` : '';
  (document.getElementById('logout') as HTMLButtonElement).hidden = !session;
}

async function start(): Promise<void> {
  applyTheme(localStorage.getItem('rg-theme'));
  document.getElementById('theme')?.addEventListener('click', () => {
    const dark = document.documentElement.dataset.theme
      ? document.documentElement.dataset.theme === 'dark'
      : matchMedia('(prefers-color-scheme: dark)').matches;
    const next = dark ? 'light' : 'dark';
    localStorage.setItem('rg-theme', next);
    applyTheme(next);
    void route();
  });
  document.getElementById('logout')?.addEventListener('click', async () => {
    await api('/v1/session', { method: 'DELETE' });
    session = null;
    showWho();
    go('/ui/login');
  });
  document.addEventListener('click', (e) => {
    const a = (e.target as Element).closest?.('a[data-nav]') as HTMLAnchorElement | null;
    if (!a || e.metaKey || e.ctrlKey || e.shiftKey || a.origin !== location.origin) return;
    e.preventDefault();
    go(a.pathname + a.search);
  });
  window.addEventListener('popstate', () => void route());
  session = await api<Session>('/v1/session').catch(() => null);
  showWho();
  await route();
}

void start();
