/**
 * What the partner-key rotation needs of Genesys: integration credentials, an integration's
 * credential references (`config/current`) and an action test (genesys-cloud-api.md §4.1, §4.4).
 * Narrow on purpose; `core/partner-key/integrations.ts` implements it over the shared
 * `IntegrationsPort` (adapter `genesys/integrations.ts`).
 */
import type { PartnerCredentialType } from './key-provider-contract.js';

export interface IntegrationCredentialReferences {
  /** `IntegrationConfiguration.version`: a PUT must name it (optimistic concurrency). */
  readonly version: number;
  /** Key under `config.credentials` -> credential id. */
  readonly credentials: Readonly<Record<string, string>>;
}

export interface ActionTestOutcome {
  readonly success: boolean;
  /** Genesys' `ErrorBody.status` of a failed test (e.g. 400 for a backend's 401). */
  readonly status: number | null;
  /** Genesys' `ErrorBody.message`, which quotes the backend's answer and never the credential. */
  readonly message: string | null;
}

export interface DataActionCredentialsPort {
  /** `POST /api/v2/integrations/credentials`; returns the new credential's id. */
  createCredential(input: {
    name: string;
    type: PartnerCredentialType;
    fields: Readonly<Record<string, string>>;
  }): Promise<string>;
  /** The id of the credential with this exact name, or null (`GET .../credentials/listing`). */
  findCredentialByName(name: string): Promise<string | null>;
  /** Resolves when it is gone; a 404 counts as gone. */
  deleteCredential(credentialId: string): Promise<void>;
  credentialReferences(integrationId: string): Promise<IntegrationCredentialReferences>;
  /**
   * GET then PUT `config/current` with `credentials[key] = credentialId`, everything else as read.
   * Throws `PromotionConflictError` when the version moved in between.
   */
  setCredentialReference(integrationId: string, key: string, credentialId: string): Promise<number>;
  testAction(actionId: string, input: Readonly<Record<string, unknown>>): Promise<ActionTestOutcome>;
}
