/**
 * `IntegrationsPort` over the SDK's `IntegrationsApi` (genesys-cloud-api.md §4), on the admin
 * adapter's authenticated client: same token cache, 401 renewal, retries and typed errors.
 */
import type { Models } from 'purecloud-platform-client-v2';
import { InvalidInputError } from '../errors.js';
import type {
  DataActionRecord,
  DataActionTestResult,
  IntegrationConfig,
  IntegrationCredentialInfo,
  IntegrationRecord,
  IntegrationsPort,
  NewIntegrationCredential,
} from '../integrations-port.js';
import type { GenesysAdmin } from './admin.js';
import { IntegrationsApi } from './platform-integrations.js';
import type { GenesysApiClient } from './sdk.js';

/** Largest page the listings accept (§4.1: cursor listing `pageSize ≤ 200`; paged listings 100). */
const CURSOR_PAGE_SIZE = '200';
const PAGE_SIZE = 100;
/** A listing longer than this is refused rather than walked forever (a cursor that never ends). */
const MAX_PAGES = 500;

type AdminCalls = Pick<GenesysAdmin, 'withApiClient'>;

function typeName(type: Models.CredentialType | { name?: string } | undefined): string {
  return type?.name ?? '';
}

function afterCursor(nextUri: string | undefined): string | null {
  if (!nextUri) return null;
  return new URL(nextUri, 'http://genesys.invalid').searchParams.get('after');
}

export class GenesysIntegrations implements IntegrationsPort {
  readonly #admin: AdminCalls;

  constructor(admin: AdminCalls) {
    this.#admin = admin;
  }

  #api<T>(
    operation: string,
    fn: (api: InstanceType<typeof IntegrationsApi>) => Promise<T>,
    on404?: () => T,
  ): Promise<T> {
    return this.#admin.withApiClient(
      operation,
      (client: GenesysApiClient) => fn(new IntegrationsApi(client)),
      on404,
    );
  }

  async listCredentials(): Promise<IntegrationCredentialInfo[]> {
    const found: IntegrationCredentialInfo[] = [];
    let after: string | null = null;
    for (let page = 0; page < MAX_PAGES; page += 1) {
      const cursor = after;
      const listing = await this.#api('list integration credentials', (api) =>
        api.getIntegrationsCredentialsListing({
          pageSize: CURSOR_PAGE_SIZE,
          ...(cursor === null ? {} : { after: cursor }),
        }),
      );
      for (const entity of listing.entities ?? []) {
        if (entity.id) found.push({ id: entity.id, name: entity.name ?? '', type: typeName(entity.type) });
      }
      after = afterCursor(listing.nextUri);
      if (after === null) return found;
    }
    throw new InvalidInputError(`Genesys listed more than ${MAX_PAGES} pages of integration credentials`);
  }

  async getCredential(credentialId: string): Promise<IntegrationCredentialInfo | null> {
    return this.#api(
      `get integration credential ${credentialId}`,
      async (api) => {
        const credential = await api.getIntegrationsCredential(credentialId);
        return {
          id: credential.id ?? credentialId,
          name: credential.name ?? '',
          type: typeName(credential.type),
        };
      },
      () => null,
    );
  }

  async credentialPublicFields(credentialId: string): Promise<Readonly<Record<string, string>> | null> {
    return this.#api(
      `get integration credential ${credentialId}`,
      async (api) => ({ ...((await api.getIntegrationsCredential(credentialId)).credentialFields ?? {}) }),
      () => null,
    );
  }

  async createCredential(request: NewIntegrationCredential): Promise<IntegrationCredentialInfo> {
    // The body carries the value: the operation name (which errors quote) names only the credential.
    const created = await this.#api(`create integration credential "${request.name}"`, (api) =>
      api.postIntegrationsCredentials({
        body: {
          name: request.name,
          type: { name: request.type } as Models.CredentialType,
          credentialFields: { ...request.fields },
        },
      }),
    );
    if (!created.id)
      throw new InvalidInputError(`Genesys created credential "${request.name}" without an id`);
    return { id: created.id, name: created.name ?? request.name, type: typeName(created.type) };
  }

  async deleteCredential(credentialId: string): Promise<void> {
    await this.#api(
      `delete integration credential ${credentialId}`,
      (api) => api.deleteIntegrationsCredential(credentialId),
      () => undefined,
    );
  }

  async listIntegrations(): Promise<IntegrationRecord[]> {
    const found: IntegrationRecord[] = [];
    for (let pageNumber = 1; pageNumber <= MAX_PAGES; pageNumber += 1) {
      const listing = await this.#api('list integrations', (api) =>
        api.getIntegrations({ pageSize: PAGE_SIZE, pageNumber }),
      );
      for (const entity of listing.entities ?? []) {
        if (entity.id) {
          found.push({
            id: entity.id,
            name: entity.name ?? '',
            integrationType: entity.integrationType?.id ?? '',
          });
        }
      }
      if (pageNumber >= (listing.pageCount ?? 1)) return found;
    }
    throw new InvalidInputError(`Genesys listed more than ${MAX_PAGES} pages of integrations`);
  }

  async getConfig(integrationId: string): Promise<IntegrationConfig> {
    return toConfig(
      await this.#api(`get the current config of integration ${integrationId}`, (api) =>
        api.getIntegrationConfigCurrent(integrationId),
      ),
    );
  }

  async putConfig(integrationId: string, config: IntegrationConfig): Promise<IntegrationConfig> {
    const body: Models.IntegrationConfiguration = {
      name: config.name,
      version: config.version,
      properties: { ...config.properties },
      advanced: { ...config.advanced },
      notes: config.notes,
      credentials: Object.fromEntries(
        Object.entries(config.credentials).map(([key, id]) => [key, { id } as Models.CredentialInfo]),
      ),
    };
    return toConfig(
      await this.#api(`update the current config of integration ${integrationId}`, (api) =>
        api.putIntegrationConfigCurrent(integrationId, { body }),
      ),
    );
  }

  async listActions(integrationId: string): Promise<DataActionRecord[]> {
    const found: DataActionRecord[] = [];
    for (let pageNumber = 1; pageNumber <= MAX_PAGES; pageNumber += 1) {
      const listing = await this.#api('list data actions', (api) =>
        api.getIntegrationsActions({ pageSize: PAGE_SIZE, pageNumber, includeAuthActions: 'true' }),
      );
      for (const action of listing.entities ?? []) {
        if (action.id && action.integrationId === integrationId) {
          found.push({
            id: action.id,
            name: action.name ?? '',
            integrationId,
            category: action.category ?? '',
            secure: action.secure ?? false,
          });
        }
      }
      if (pageNumber >= (listing.pageCount ?? 1)) return found;
    }
    throw new InvalidInputError(`Genesys listed more than ${MAX_PAGES} pages of data actions`);
  }

  async testAction(
    actionId: string,
    input: Readonly<Record<string, unknown>>,
  ): Promise<DataActionTestResult> {
    const result = await this.#api(`test data action ${actionId}`, (api) =>
      api.postIntegrationsActionTest(actionId, { ...input }),
    );
    if (result.success === true) return { success: true, error: null };
    const failedStep = (result.operations ?? []).find((operation) => operation.success === false);
    return {
      success: false,
      error: result.error?.message ?? failedStep?.error?.message ?? 'the test reported no success',
    };
  }
}

function toConfig(config: Models.IntegrationConfiguration): IntegrationConfig {
  const credentials: Record<string, string> = {};
  for (const [key, reference] of Object.entries(config.credentials ?? {})) {
    if (reference?.id) credentials[key] = reference.id;
  }
  return {
    name: config.name ?? '',
    version: config.version ?? 0,
    properties: (config.properties ?? {}) as Record<string, unknown>,
    advanced: (config.advanced ?? {}) as Record<string, unknown>,
    notes: config.notes ?? '',
    credentials,
  };
}
