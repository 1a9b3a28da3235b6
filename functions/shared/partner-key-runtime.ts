/**
 * What the partner-key strategy needs at run time, built from the environment: the key provider
 * (the customer's Lambda, invoked with this function's own role: only the functions granted
 * `lambda:InvokeFunction` on it can) and the Genesys integrations behind the admin adapter.
 */
import { dataActionCredentialsOver } from '../core/partner-key/integrations.js';
import type { KeyProviderFactory } from '../core/partner-key/rotation.js';
import type { AdminTarget } from './admin-credentials.js';
import { createLambdaClient, LambdaKeyProvider, resetLambdaClient } from './aws/key-provider.js';
import type { DataActionCredentialsPort } from './data-action-ports.js';
import { GenesysIntegrations } from './genesys/integrations.js';
import { getGenesysAdmin } from './genesys-runtime.js';
import { onResetRuntime } from './runtime.js';

onResetRuntime(() => resetLambdaClient());

export const keyProviderFactory: KeyProviderFactory = (functionName) =>
  new LambdaKeyProvider(createLambdaClient(), functionName);

/** The integrations of the managed secret's org, through its admin credential (`getGenesysAdmin`). */
export async function getDataActionCredentials(
  target: AdminTarget | null,
): Promise<DataActionCredentialsPort> {
  return dataActionCredentialsOver(new GenesysIntegrations(await getGenesysAdmin(target)));
}

/** The org the managed secret's admin credential is in. */
export async function getAdminOrg(target: AdminTarget | null): Promise<{ id: string; name: string }> {
  const me = await (await getGenesysAdmin(target)).whoAmI();
  return { id: me.orgId, name: me.orgName };
}
