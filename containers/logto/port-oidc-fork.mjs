// Logto core depends on its GitHub fork of oidc-provider, which an offline build cannot fetch; the
// build uses the upstream release the fork is based on and ports, as small edits, the three fork
// behaviours Logto's flows rely on. Each edit is printed; an edit whose anchor is missing (another
// upstream version) stops the build instead of producing a Logto that misbehaves later.
// Usage: node port-oidc-fork.mjs <logto tree>   (after the production install)
import { readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const tree = process.argv[2];
const store = join(tree, 'node_modules/.pnpm');
const copies = readdirSync(store)
  .filter((name) => name.startsWith('oidc-provider@'))
  .map((name) => join(store, name, 'node_modules/oidc-provider'));
if (copies.length === 0) throw new Error(`no oidc-provider under ${store}`);

// Interaction cookie value: a JSON map client id -> interaction uid, plus `_legacy` (the latest uid)
// for requests that name no client. Helpers inlined where they are used, so no new module is added.
const parseMap = `(value) => {
  if (!value) return {};
  try {
    const parsed = JSON.parse(value);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed : {};
  } catch {
    return { _legacy: value };
  }
}`;

const edits = [
  {
    behaviour: 'scope always present',
    file: 'lib/helpers/grant_common.js',
    from: 'scope: source.scope ? at.scope : (at.scope || undefined),',
    to: 'scope: at.scope, // Logto fork behaviour: scope is always present, also when empty',
  },
  {
    behaviour: 'scope always present',
    file: 'lib/actions/introspection.js',
    from: 'scope: token.scope || undefined,',
    to: 'scope: token.scope, // Logto fork behaviour: scope is always present',
  },
  {
    behaviour: 'scope always present',
    file: 'lib/models/formats/jwt.js',
    from: 'scope: scope || undefined,',
    to: 'scope, // Logto fork behaviour: scope is always present',
  },
  {
    behaviour: 'looser redirect URIs (web: any scheme but javascript:/data:/…)',
    file: 'lib/helpers/client_schema.js',
    from: /if \(!\['https:', 'http:'\]\.includes\(protocol\)\) \{\s*this\.invalidate\(`\$\{label\} must only contain web uris`\);\s*\}/,
    to:
      'if (FORBIDDEN_SCHEMES.has(protocol)) { // Logto fork behaviour: legacy app schemes allowed' +
      '\n              this.invalidate(`${label} must not use the ${protocol.slice(0, -1)} URI scheme`);\n            }',
  },
  {
    behaviour: 'looser redirect URIs (native: no loopback rules for http:/https:)',
    file: 'lib/helpers/client_schema.js',
    from: /case 'http:':\s*if \(!LOOPBACKS\.has\(hostname\)\)[\s\S]*?break;\s*case 'https:':\s*if \(LOOPBACKS\.has\(hostname\)\)[\s\S]*?break;\s*/,
    to: "case 'http:': case 'https:': break; // Logto fork behaviour: no loopback rules\n              ",
  },
  {
    behaviour: 'one interaction cookie for several apps (write)',
    file: 'lib/actions/authorization/interactions.js',
    from: /ctx\.cookies\.set\(\s*oidc\.provider\.cookieName\('interaction'\),\s*uid,/,
    to: `ctx.cookies.set(
    oidc.provider.cookieName('interaction'),
    // Logto fork behaviour: the cookie maps each app (client id) to its own interaction uid.
    JSON.stringify({
      ...(${parseMap})(ctx.cookies.get(oidc.provider.cookieName('interaction'), cookieOptions)),
      [ctx.oidc.client.clientId]: uid,
      _legacy: uid,
    }),`,
  },
  {
    behaviour: 'one interaction cookie for several apps (read: Logto-App-Id header or app_id query)',
    file: 'lib/provider.js',
    from: new RegExp(
      String.raw`const id = ctx\.cookies\.get\(\s*this\.cookieName\('interaction'\),\s*this\.#int\.configuration\.cookies\.short,\s*\);\s*` +
        String.raw`if \(!id\) \{\s*throw new SessionNotFound\('interaction session id cookie not found'\);\s*\}\s*` +
        String.raw`const interaction = await this\.Interaction\.find\(id\);\s*` +
        String.raw`if \(!interaction\) \{\s*throw new SessionNotFound\('interaction session not found'\);\s*\}`,
    ),
    to: `const cookie = ctx.cookies.get(
      this.cookieName('interaction'),
      this.#int.configuration.cookies.short,
    );
    if (!cookie) {
      throw new SessionNotFound('interaction session id cookie not found');
    }
    // Logto fork behaviour: pick this app's interaction from the cookie's map.
    const appId = ctx.get('logto-app-id') || new URL(ctx.url, this.issuer).searchParams.get('app_id');
    const uids = (${parseMap})(cookie);
    const id = (appId && uids[appId]) || uids._legacy;
    const interaction = id && await this.Interaction.find(id);
    if (!interaction) {
      throw new SessionNotFound('interaction session not found');
    }
    if (appId && interaction.params.client_id !== appId) {
      throw new SessionNotFound('interaction client_id mismatch');
    }`,
  },
];

for (const dir of copies) {
  const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  for (const { behaviour, file, from, to } of edits) {
    const path = join(dir, file);
    const source = readFileSync(path, 'utf8');
    const found = typeof from === 'string' ? source.includes(from) : from.test(source);
    if (!found) {
      if (source.includes(to)) continue; // already applied
      throw new Error(`oidc-provider ${version} ${file}: the code to change for "${behaviour}" is not there`);
    }
    // Write a new file: pnpm hard-links node_modules to its global store, which must stay intact.
    writeFileSync(
      `${path}.tmp`,
      source.replace(from, () => to),
    );
    renameSync(`${path}.tmp`, path);
    console.log(`oidc-provider fork: ${behaviour}: ${file} (oidc-provider ${version})`);
  }
}
