/**
 * What the hard-coded secret scan and the blast radius read, as narrow read-only ports. The SDK
 * adapter is `functions/shared/genesys/scan-source.ts`; the Secrets Manager one is
 * `functions/shared/aws/managed-secrets.ts`; unit tests pass fakes.
 */

export interface PageRequest {
  /** 1-based. */
  readonly pageNumber: number;
  readonly pageSize: number;
}

export interface Page<T> {
  readonly entities: readonly T[];
  /** Pages in all, as Genesys' listing says (`pageCount`); at least 1. */
  readonly pageCount: number;
}

/** A Data Action (published, auth action or draft) with its `config` when the API gave it. */
export interface ActionDocument {
  readonly id: string;
  readonly name: string;
  readonly integrationId: string | null;
  readonly category: string | null;
  /** `Action.config` (`includeConfig=true`); null when the answer had none. */
  readonly config: unknown;
}

export interface FlowSummary {
  readonly id: string;
  readonly name: string;
  readonly type: string | null;
}

export interface IntegrationSummary {
  readonly id: string;
  readonly name: string;
  readonly integrationType: string | null;
}

/** A resource consuming another in Architect dependency tracking (`Dependency`). */
export interface ConsumingResource {
  readonly id: string;
  readonly name: string;
  /** Dependency type, e.g. `INBOUNDCALLFLOW`. */
  readonly type: string | null;
}

/** Genesys, read-only, as the scan and the blast radius need it (genesys-cloud-api.md §4.4). */
export interface ScanSourcePort {
  /** `GET /api/v2/integrations/actions?includeConfig=true&includeAuthActions=true`. */
  listActions(page: PageRequest): Promise<Page<ActionDocument>>;
  /** `GET /api/v2/integrations/actions/drafts?includeConfig=true&includeAuthActions=true`. */
  listActionDrafts(page: PageRequest): Promise<Page<ActionDocument>>;
  /** `GET /api/v2/integrations/actions/{id}/draft?includeConfig=true`; null on 404. */
  getActionDraft(actionId: string): Promise<ActionDocument | null>;
  /** `GET /api/v2/flows`. */
  listFlows(page: PageRequest): Promise<Page<FlowSummary>>;
  /** `GET /api/v2/flows/{id}/latestconfiguration`; null on 404. */
  flowConfiguration(flowId: string): Promise<unknown>;
  /** `GET /api/v2/integrations`. */
  listIntegrations(page: PageRequest): Promise<Page<IntegrationSummary>>;
  /** Credential ids under `config/current`'s `credentials` map (key -> id); null on 404. */
  integrationCredentialIds(integrationId: string): Promise<Readonly<Record<string, string>> | null>;
  /** `GET /api/v2/architect/dependencytracking/consumingresources?id=&objectType=DATAACTION`. */
  flowsConsumingAction(actionId: string, page: PageRequest): Promise<Page<ConsumingResource>>;
}

export interface ManagedSecretRef {
  readonly arn: string;
  readonly name: string;
}

/** One version's value of a managed secret; held in memory only, never reported. */
export interface ManagedSecretValue {
  readonly stage: 'AWSCURRENT' | 'AWSPREVIOUS';
  readonly value: string;
}

/** The secrets this rotator manages (tagged `genesys:kind`), and their current and previous values. */
export interface ManagedSecretsPort {
  list(): Promise<ManagedSecretRef[]>;
  /** AWSCURRENT and AWSPREVIOUS values that exist (a placeholder version has none). */
  values(secretArn: string): Promise<ManagedSecretValue[]>;
}
