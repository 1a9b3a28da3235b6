import platformClient from 'purecloud-platform-client-v2';

export type SdkApiClient = InstanceType<typeof platformClient.ApiClientClass>;

/** An SDK response under `setReturnExtendedResponses(true)` (genesys-cloud-api.md §5), resolved or rejected. */
export interface SdkExtendedResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/**
 * An isolated SDK client aimed at a stand-in (genesys-cloud-api.md §5): its own configuration, no
 * `~/.genesyscloudjavascript/config` watcher, the gateway instead of `setEnvironment`.
 */
export function sdkClientFor(gateway: { host: string; protocol: 'http'; port: number }): SdkApiClient {
  const client = new platformClient.ApiClientClass();
  client.config.setConfigPath('');
  client.setGateway(gateway);
  return client;
}

export async function loggedInSdkClient(
  gateway: { host: string; protocol: 'http'; port: number },
  clientId: string,
  clientSecret: string,
): Promise<SdkApiClient> {
  const client = sdkClientFor(gateway);
  await client.loginClientCredentialsGrant(clientId, clientSecret);
  return client;
}
