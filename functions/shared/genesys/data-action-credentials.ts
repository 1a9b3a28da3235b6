/**
 * `DataActionCredentialsPort` over the SDK's `IntegrationsApi` (genesys-cloud-api.md §4.1, §4.4).
 * Takes an `IntegrationsApi` already authenticated as the rotator's admin (the Genesys runtime
 * builds it), typed structurally so this module does not pick the SDK build.
 *
 * Errors keep only Genesys' status and code: the credential fields travel in request bodies, and
 * an SDK error can echo its request.
 */
import type { Models } from 'purecloud-platform-client-v2';
import type {
  ActionTestOutcome,
  DataActionCredentialsPort,
  IntegrationCredentialReferences,
} from '../data-action-ports.js';
import {
  InsufficientPrivilegeError,
  InvalidInputError,
  PromotionConflictError,
  TargetNotFoundError,
  TransientUpstreamError,
} from '../errors.js';
import type { PartnerCredentialType } from '../key-provider-contract.js';

/** The `IntegrationsApi` methods used, as v262 declares them. */
export interface IntegrationsApiLike {
  postIntegrationsCredentials(opts: { body: Models.Credential }): Promise<Models.CredentialInfo>;
  getIntegrationsCredentialsListing(opts: {
    pageSize?: string;
    after?: string;
  }): Promise<Models.CredentialInfoCursorListing>;
  deleteIntegrationsCredential(credentialId: string): Promise<void>;
  getIntegrationConfigCurrent(integrationId: string): Promise<Models.IntegrationConfiguration>;
  putIntegrationConfigCurrent(
    integrationId: string,
    opts: { body: Models.IntegrationConfiguration },
  ): Promise<Models.IntegrationConfiguration>;
  postIntegrationsActionTest(actionId: string, body: object): Promise<Models.TestExecutionResult>;
}

function statusOf(error: unknown): number | null {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : null;
}

function mapError(error: unknown, operation: string): Error {
  const status = statusOf(error);
  const code = (error as { code?: unknown } | null)?.code;
  const summary = `Genesys ${operation} failed: ${status ?? 'no status'}${typeof code === 'string' ? ` ${code}` : ''}`;
  const details = { operation, status };
  if (status === null || status === 429 || status >= 500)
    return new TransientUpstreamError(summary, { details });
  if (status === 401 || status === 403) return new InsufficientPrivilegeError(summary, { details });
  if (status === 404) return new TargetNotFoundError(summary, { details });
  if (status === 409) return new PromotionConflictError(summary, { details });
  return new InvalidInputError(summary, { details });
}

/** `nextUri`'s `after` cursor, if any. */
function afterCursor(nextUri: string | undefined): string | null {
  if (!nextUri) return null;
  return new URL(nextUri, 'http://genesys.invalid').searchParams.get('after');
}

const MAX_LISTING_PAGES = 50;

export class SdkDataActionCredentials implements DataActionCredentialsPort {
  readonly #api: IntegrationsApiLike;

  constructor(api: IntegrationsApiLike) {
    this.#api = api;
  }

  async createCredential(input: {
    name: string;
    type: PartnerCredentialType;
    fields: Readonly<Record<string, string>>;
  }): Promise<string> {
    try {
      const info = await this.#api.postIntegrationsCredentials({
        body: { name: input.name, type: { name: input.type }, credentialFields: { ...input.fields } },
      });
      if (!info.id) throw new TransientUpstreamError('Genesys created a credential without an id');
      return info.id;
    } catch (error) {
      if (error instanceof TransientUpstreamError) throw error;
      throw mapError(error, 'POST /api/v2/integrations/credentials');
    }
  }

  async findCredentialByName(name: string): Promise<string | null> {
    let after: string | null = null;
    for (let page = 0; page < MAX_LISTING_PAGES; page += 1) {
      let listing: Models.CredentialInfoCursorListing;
      try {
        listing = await this.#api.getIntegrationsCredentialsListing({
          pageSize: '200',
          ...(after ? { after } : {}),
        });
      } catch (error) {
        throw mapError(error, 'GET /api/v2/integrations/credentials/listing');
      }
      const found = listing.entities?.find((entity) => entity.name === name);
      if (found?.id) return found.id;
      after = afterCursor(listing.nextUri);
      if (after === null) return null;
    }
    throw new TransientUpstreamError(`Genesys listed more than ${MAX_LISTING_PAGES} pages of credentials`);
  }

  async deleteCredential(credentialId: string): Promise<void> {
    try {
      await this.#api.deleteIntegrationsCredential(credentialId);
    } catch (error) {
      if (statusOf(error) === 404) return;
      throw mapError(error, `DELETE /api/v2/integrations/credentials/${credentialId}`);
    }
  }

  async credentialReferences(integrationId: string): Promise<IntegrationCredentialReferences> {
    const config = await this.#config(integrationId);
    const credentials: Record<string, string> = {};
    for (const [key, info] of Object.entries(config.credentials ?? {})) {
      if (info?.id) credentials[key] = info.id;
    }
    return { version: config.version, credentials };
  }

  async setCredentialReference(integrationId: string, key: string, credentialId: string): Promise<number> {
    const config = await this.#config(integrationId);
    const credentials: Record<string, Models.CredentialInfo> = {};
    for (const [name, info] of Object.entries(config.credentials ?? {})) {
      if (info?.id) credentials[name] = { id: info.id } as Models.CredentialInfo;
    }
    credentials[key] = { id: credentialId } as Models.CredentialInfo;
    try {
      const updated = await this.#api.putIntegrationConfigCurrent(integrationId, {
        body: { ...config, credentials },
      });
      return updated.version;
    } catch (error) {
      throw mapError(error, `PUT /api/v2/integrations/${integrationId}/config/current`);
    }
  }

  async testAction(actionId: string, input: Readonly<Record<string, unknown>>): Promise<ActionTestOutcome> {
    let result: Models.TestExecutionResult;
    try {
      result = await this.#api.postIntegrationsActionTest(actionId, { ...input });
    } catch (error) {
      throw mapError(error, `POST /api/v2/integrations/actions/${actionId}/test`);
    }
    if (result.success) return { success: true, status: null, message: null };
    return {
      success: false,
      status: typeof result.error?.status === 'number' ? result.error.status : null,
      message: typeof result.error?.message === 'string' ? result.error.message.slice(0, 300) : null,
    };
  }

  async #config(integrationId: string): Promise<Models.IntegrationConfiguration> {
    try {
      return await this.#api.getIntegrationConfigCurrent(integrationId);
    } catch (error) {
      throw mapError(error, `GET /api/v2/integrations/${integrationId}/config/current`);
    }
  }
}
