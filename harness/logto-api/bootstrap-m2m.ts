import { z } from 'zod';
import { LogtoHttp } from './logto-http.ts';

const answers = {
  roles: z
    .array(z.looseObject({ id: z.string(), name: z.string() }))
    .min(1)
    .describe('a list of machine-to-machine roles'),
  application: z.looseObject({ id: z.string() }).describe('an application'),
  secrets: z
    .array(z.looseObject({ value: z.string().min(1) }))
    .min(1)
    .describe("a list of an application's secrets"),
};

/**
 * Management API access on a fresh instance: the container runs with INTEGRATION_TEST=true, which
 * makes Logto accept a `development-user-id` header in place of a token. That is used only here,
 * inside this throwaway container, to create an M2M app with the management role; everything
 * after uses that app's real client_credentials token. An answer that is not Logto's is an
 * EndpointAnswerError naming the container target.
 */
export async function bootstrapM2m(
  endpoint: string,
  options: { timeoutMs?: number } = {},
): Promise<{ appId: string; appSecret: string }> {
  const http = new LogtoHttp(endpoint, {
    field: '--target logto-container',
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  });
  const headers = { 'development-user-id': 'harness-bootstrap' };
  const { body: roles } = await http.request('GET', '/api/roles?type=MachineToMachine', {
    schema: answers.roles,
    headers,
  });
  const role = roles.find((candidate) => candidate.name === 'Logto Management API access') ?? roles[0]!;
  const json = { name: 'connector-harness-stack-m2m', type: 'MachineToMachine' };
  const { body: app } = await http.request('POST', '/api/applications', { schema: answers.application, headers, json });
  await http.request('POST', `/api/applications/${app.id}/roles`, { headers, json: { roleIds: [role.id] } });
  const { body: secrets } = await http.request('GET', `/api/applications/${app.id}/secrets`, {
    schema: answers.secrets,
    headers,
  });
  return { appId: app.id, appSecret: secrets[0]!.value };
}
