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

/** What the "sign in as anyone" form shows again after a refusal. */
export interface FreeFormInput {
  id: string;
  claims: string;
  problem?: string;
}

const CLAIMS_EXAMPLE = '{"email": "ada@example.com", "name": "Ada", "groups": ["admins"]}';

function freeFormSection(action: string, input: FreeFormInput | undefined, reach: string | undefined): string {
  const problem = input?.problem
    ? `<div class="error" role="alert" id="free-form-problem">${escapeHtml(input.problem)}</div>`
    : '';
  return `<form method="post" action="${escapeHtml(action)}" class="free-form" aria-labelledby="free-form-title">
    <h2 id="free-form-title">Or sign in as anyone</h2>
    <p>Any user id (it becomes <code>sub</code>) with the claims you type:
      userinfo answers them (with <code>sub</code>), the id_token carries them.${reach ? ` ${escapeHtml(reach)}` : ''}</p>
    ${problem}
    <label>User id <input name="id" autocomplete="off" spellcheck="false" value="${escapeHtml(input?.id ?? '')}" required></label>
    <label>Claims (a JSON object) <textarea name="claims" rows="5" spellcheck="false"
      placeholder="${escapeHtml(CLAIMS_EXAMPLE)}">${escapeHtml(input?.claims ?? '')}</textarea></label>
    <button type="submit" class="primary">Sign in with these claims</button>
  </form>`;
}

/**
 * The interactive sign-in page: a person picks one of the fixture's users, or signs in as any id
 * with claims typed as JSON. Plain HTML, no script, no assets.
 */
export function renderLoginPage(input: {
  action: string;
  clientId: string;
  users: FixtureUser[];
  description?: string;
  error?: string;
  freeFormAction: string;
  freeForm?: FreeFormInput;
  /** Where typed claims do not reach with this fixture (userinfo overridden or absent, no id_token). */
  claimsReach?: string;
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
  h2 { font-size: 1.05rem; margin: 1.75rem 0 .25rem; }
  label { display: grid; gap: .2rem; margin-bottom: .75rem; font-weight: 600; font-size: .95rem; }
  input, textarea { font: 14px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; padding: .45rem .6rem; \
border: 1px solid #d1d9e0; border-radius: 6px; }
  .free-form { border-top: 1px solid #d1d9e0; margin-top: 1.5rem; }
  footer { margin-top: 1.25rem; font-size: .9rem; color: #59636e; }
  button { width: 100%; padding: .75rem 1rem; border: 1px solid #d1d9e0; border-radius: 8px; background: #fff; \
cursor: pointer; font: inherit; }
  ul button { text-align: left; display: grid; }
  button.primary { display: block; text-align: center; background: #5d34f2; color: #fff; border-color: #5d34f2; \
font-weight: 600; }
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
  ${freeFormSection(input.freeFormAction, input.freeForm, input.claimsReach)}
  <footer>What the client sends and gets, as it happens: <a href="/_journal" target="_blank" rel="noopener">the journal (live)</a>.</footer>
</main>
</body>
</html>`;
}
