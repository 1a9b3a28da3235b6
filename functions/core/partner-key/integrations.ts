/**
 * The partner-key flip's view of Genesys (`DataActionCredentialsPort`) over the shared
 * `IntegrationsPort` (its adapter `GenesysIntegrations` runs on the admin adapter's authenticated
 * client, token cache and retries), so both kinds reach Genesys through one adapter.
 */
import type {
  ActionTestOutcome,
  DataActionCredentialsPort,
  IntegrationCredentialReferences,
} from '../../shared/data-action-ports.js';
import type { IntegrationsPort } from '../../shared/integrations-port.js';

export function dataActionCredentialsOver(port: IntegrationsPort): DataActionCredentialsPort {
  return {
    async createCredential(input) {
      return (await port.createCredential({ name: input.name, type: input.type, fields: input.fields })).id;
    },
    async findCredentialByName(name) {
      return (await port.listCredentials()).find((credential) => credential.name === name)?.id ?? null;
    },
    deleteCredential: (credentialId) => port.deleteCredential(credentialId),
    async credentialReferences(integrationId): Promise<IntegrationCredentialReferences> {
      const config = await port.getConfig(integrationId);
      return { version: config.version, credentials: { ...config.credentials } };
    },
    async setCredentialReference(integrationId, key, credentialId) {
      const config = await port.getConfig(integrationId);
      const updated = await port.putConfig(integrationId, {
        ...config,
        credentials: { ...config.credentials, [key]: credentialId },
      });
      return updated.version;
    },
    async testAction(actionId, input): Promise<ActionTestOutcome> {
      const result = await port.testAction(actionId, input);
      return result.success
        ? { success: true, status: null, message: null }
        : { success: false, status: null, message: result.error?.slice(0, 300) ?? null };
    },
  };
}
