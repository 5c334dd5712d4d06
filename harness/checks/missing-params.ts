import { wireName } from '../connectors/wire-name.ts';

/** A parameter an IdP's refusal says is missing or wrong, with the value it wants when it says one. */
export interface WantedParam {
  name: string;
  value?: string;
}

// `missing required parameter "audience"`, `Missing required parameter: client_id`, `missing parameters: a, b and c`,
// each optionally followed (before the next `;`) by the value wanted: `… value "https://api"`.
const MISSING =
  /missing (?:required )?param(?:eter)?s?\b:?\s*((?:"?[A-Za-z_][\w.:-]*"?(?:\s*,\s*|\s+and\s+(?="?[A-Za-z_]))?)+)(?:[^;"]*?\bvalue "([^"]*)")?/gi;
// `parameter "prompt" must be "consent"`.
const WRONG = /param(?:eter)? "?([A-Za-z_][\w.:-]*)"? must be "([^"]*)"/gi;

/** Every parameter the IdP's error description names as missing or wrong, in its order, once each. Pure. */
export function wantedParams(description: string): WantedParam[] {
  const found = new Map<string, WantedParam>();
  const add = (name: string, value: string | undefined) => {
    if (!found.has(name) || value !== undefined) found.set(name, { name, ...(value !== undefined ? { value } : {}) });
  };
  for (const [, list = '', value] of description.matchAll(MISSING)) {
    const names = list
      .split(/\s*,\s*|\s+and\s+/)
      .map((name) => name.replace(/"/g, ''))
      .filter(Boolean);
    names.forEach((name, index) => add(name, index === names.length - 1 ? value : undefined));
  }
  for (const [, name = '', value] of description.matchAll(WRONG)) add(name, value);
  return [...found.values()];
}

// What the connectors send at authorize by themselves, and where that comes from.
const SENT_BY_CONNECTOR: Record<string, string> = {
  response_type: '"responseType" (default "code")',
  client_id: '"clientId"',
  scope: '"scope"',
  redirect_uri: "Logto's callback URL (https://<logto>/callback/<connector-id>; no setting)",
  state: 'Logto (no setting)',
  nonce: 'the OIDC connector (no setting)',
};

// @logto/connector-oidc's authRequestOptionalConfig: its keys reach authorize snake_cased, and only authorize.
const OIDC_AUTH_REQUEST = [
  'responseMode',
  'display',
  'prompt',
  'maxAge',
  'uiLocales',
  'idTokenHint',
  'loginHint',
  'acrValues',
];

const shown = (param: WantedParam) => JSON.stringify(param.value ?? '…');
const entries = (params: Array<[string, WantedParam]>) =>
  `{ ${params.map(([key, param]) => `"${key}": ${shown(param)}`).join(', ')} }`;

/**
 * Where each wanted authorize parameter goes in the config, with its value: the OIDC connector's
 * authRequestOptionalConfig for the OIDC parameters it knows, else customConfig (both connectors snake_case its
 * keys and send it at authorize AND token). A name snake_casing would change cannot be sent at all. Pure.
 */
export function wantedParamsHint(params: WantedParam[], connector: 'oauth2' | 'oidc'): string {
  const custom: Array<[string, WantedParam]> = [];
  const optional: Array<[string, WantedParam]> = [];
  const notes: string[] = [];
  for (const param of params) {
    const own = SENT_BY_CONNECTOR[param.name];
    const optionalKey = OIDC_AUTH_REQUEST.find((key) => wireName(key) === param.name);
    if (own) notes.push(`"${param.name}" comes from ${own}${param.value ? `: the IdP wants ${shown(param)}` : ''}`);
    else if (connector === 'oidc' && optionalKey) optional.push([optionalKey, param]);
    else if (wireName(param.name) !== param.name)
      notes.push(
        `"${param.name}" cannot be sent: the connector snake_cases customConfig keys, so it would arrive as "${wireName(param.name)}"`,
      );
    else custom.push([param.name, param]);
  }
  const parts = [
    ...(optional.length > 0 ? [`set "authRequestOptionalConfig": ${entries(optional)} (sent at authorize only)`] : []),
    ...(custom.length > 0
      ? [
          `add to customConfig: "customConfig": ${entries(custom)} (the connector sends customConfig at authorize and token)`,
        ]
      : []),
    ...notes,
  ];
  const names = params.map((param) => `"${param.name}"`).join(', ');
  const unknown = params.some((param) => param.value === undefined) ? '; "…" is the value the IdP documents' : '';
  return `the IdP requires ${names}: ${parts.join('; ')}${custom.length + optional.length > 0 ? unknown : ''}`;
}
