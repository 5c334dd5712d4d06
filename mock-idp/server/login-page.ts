import { escapeHtml } from '../../lib/escape-html.ts';
import type { FixtureUser } from '../fixture/schema.ts';

function displayName(user: FixtureUser): string {
  const { profile } = user;
  for (const key of ['name', 'display_name', 'displayName', 'username', 'login', 'preferred_username']) {
    if (typeof profile[key] === 'string' && profile[key]) return profile[key];
  }
  return user.id;
}

function detail(user: FixtureUser): string {
  const email = user.profile.email;
  return typeof email === 'string' && email ? `${email} · id ${user.id}` : `id ${user.id}`;
}

/** The interactive sign-in page: a person picks one of the fixture's users. Plain HTML, no assets. */
export function renderLoginPage(input: {
  action: string;
  clientId: string;
  users: FixtureUser[];
  description?: string;
  error?: string;
}): string {
  const rows = input.users
    .map(
      (user) =>
        `<li><button type="submit" name="user" value="${escapeHtml(user.id)}"><strong>${escapeHtml(displayName(user))}</strong>` +
        `<span>${escapeHtml(detail(user))}</span></button></li>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in – mock IdP</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; background: #f4f5f7; margin: 0; display: grid; place-items: center; min-height: 100vh; color: #1f2328; }
  main { background: #fff; padding: 2rem 2.5rem; border-radius: 12px; box-shadow: 0 2px 12px rgba(0,0,0,.08); width: min(28rem, 90vw); }
  h1 { font-size: 1.3rem; margin: 0 0 .25rem; }
  p { margin: 0 0 1.25rem; color: #59636e; }
  ul { list-style: none; padding: 0; margin: 0; display: grid; gap: .6rem; }
  button { width: 100%; text-align: left; display: grid; padding: .75rem 1rem; \
border: 1px solid #d1d9e0; border-radius: 8px; background: #fff; cursor: pointer; font: inherit; }
  button:hover, button:focus { border-color: #5d34f2; outline: none; box-shadow: 0 0 0 3px rgba(93,52,242,.15); }
  button span { color: #59636e; font-size: .9rem; }
  .error { background: #ffebe9; color: #82071e; padding: .6rem .8rem; border-radius: 8px; margin-bottom: 1rem; }
</style>
</head>
<body>
<main>
  <h1>Sign in to the mock IdP</h1>
  <p>Application <code>${escapeHtml(input.clientId)}</code> asks you to sign in. Pick a user from the fixture.\
${input.description ? `<br>${escapeHtml(input.description)}` : ''}</p>
  ${input.error ? `<div class="error" role="alert">${escapeHtml(input.error)}</div>` : ''}
  <form method="post" action="${escapeHtml(input.action)}">
    <ul>
${rows}
    </ul>
  </form>
</main>
</body>
</html>`;
}
