/**
 * Genesys integrations, credentials and Data Actions as the rotation needs them
 * (genesys-cloud-api.md §4). The adapter (`genesys/integrations.ts`) implements it over the SDK's
 * `IntegrationsApi`; unit tests pass fakes. No method returns a credential's field values: Genesys
 * redacts them on read (§4.1), and a value passes in only through `createCredential`, from the
 * caller that read it from Secrets Manager in the same call.
 */

/** §4.2: `type.name` of an integration credential. */
export type IntegrationCredentialType =
  | 'basicAuth'
  | 'userDefined'
  | 'userDefinedOAuth'
  | 'pureCloudOAuthClient'
  | (string & {});

/** `CredentialInfo`: no field values. */
export interface IntegrationCredentialInfo {
  readonly id: string;
  readonly name: string;
  readonly type: IntegrationCredentialType;
}

export interface NewIntegrationCredential {
  readonly name: string;
  readonly type: IntegrationCredentialType;
  /** The values; the only place a secret crosses this port. */
  readonly fields: Readonly<Record<string, string>>;
}

export interface IntegrationRecord {
  readonly id: string;
  readonly name: string;
  /** `integrationType.id`, e.g. `purecloud-data-actions`, `custom-rest-actions`. */
  readonly integrationType: string;
}

/** `IntegrationConfiguration` of `config/current`: credential references by key. */
export interface IntegrationConfig {
  readonly name: string;
  /** Optimistic lock: a PUT must carry the version it read. */
  readonly version: number;
  readonly properties: Readonly<Record<string, unknown>>;
  readonly advanced: Readonly<Record<string, unknown>>;
  readonly notes: string;
  /** key (e.g. `pureCloudOAuthClient`) -> credential id */
  readonly credentials: Readonly<Record<string, string>>;
}

export interface DataActionRecord {
  readonly id: string;
  readonly name: string;
  readonly integrationId: string;
  readonly category: string;
  readonly secure: boolean;
}

/** `TestExecutionResult`, reduced to what a health check reads (never the action's output). */
export interface DataActionTestResult {
  readonly success: boolean;
  /** `error.message` of the result, or of the failed operation; null on success. */
  readonly error: string | null;
}

export interface IntegrationsPort {
  /** Every credential of the org (cursor listing, all pages). */
  listCredentials(): Promise<IntegrationCredentialInfo[]>;
  /** `null` on 404. Field values are redacted by Genesys: this returns only the info. */
  getCredential(credentialId: string): Promise<IntegrationCredentialInfo | null>;
  /**
   * Field names of a credential with the values Genesys shows unredacted (ids such as `clientId`).
   * `null` on 404. Used to find which credential holds a given OAuth client id.
   */
  credentialPublicFields(credentialId: string): Promise<Readonly<Record<string, string>> | null>;
  createCredential(request: NewIntegrationCredential): Promise<IntegrationCredentialInfo>;
  /** Resolves when the credential is gone; a 404 counts as gone. */
  deleteCredential(credentialId: string): Promise<void>;
  listIntegrations(): Promise<IntegrationRecord[]>;
  getConfig(integrationId: string): Promise<IntegrationConfig>;
  /** Full PUT of `config/current`; Genesys answers 409 when `config.version` is stale. */
  putConfig(integrationId: string, config: IntegrationConfig): Promise<IntegrationConfig>;
  /** Actions of one integration (published, auth actions included). */
  listActions(integrationId: string): Promise<DataActionRecord[]>;
  /** `POST /api/v2/integrations/actions/{id}/test`. */
  testAction(actionId: string, input: Readonly<Record<string, unknown>>): Promise<DataActionTestResult>;
}
