// Login: a token (viewer, CI or admin) and a name → a signed HttpOnly session cookie set by the guard.
import { api, type Session } from '../api.js';
import { errorBox, h, render } from '../dom.js';

export function loginPage(done: (s: Session) => void): void {
  const token = h('input', { type: 'password', name: 'token', autocomplete: 'off', required: true, id: 'login-token' });
  const name = h('input', { type: 'text', name: 'name', autocomplete: 'username', maxlength: 64, id: 'login-name' });
  const problem = h('div', {});
  const form = h(
    'form',
    {
      class: 'panel',
      onsubmit: async (e: Event) => {
        e.preventDefault();
        problem.replaceChildren();
        try {
          done(await api<Session>('/v1/session', { method: 'POST', body: { token: token.value, ...(name.value.trim() ? { name: name.value.trim() } : {}) } }));
        } catch (err) {
          problem.append(errorBox(err instanceof Error ? err.message : String(err)));
        }
      },
    },
    h('h1', {}, 'Log in'),
    h('p', { class: 'muted' }, 'Paste the viewer token to read, or the admin token to act. The guard keeps you logged in with a cookie for 12 hours.'),
    h(
      'div',
      { class: 'row' },
      h('label', {}, 'Token', token),
      h('label', {}, 'Your name (shown on actions)', name),
      h('button', { type: 'submit', class: 'primary' }, 'Log in'),
    ),
    problem,
  );
  render(form);
  token.focus();
}
