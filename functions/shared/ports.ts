/**
 * Narrow interfaces the core rotation logic depends on. Adapters implement them over the real
 * SDKs (`purecloud-platform-client-v2`, AWS SDK v3); unit tests pass fakes.
 */
import type { RoleDivision } from './contract.js';

export type GenesysClientState = 'active' | 'inactive' | 'disabled';

/** An OAuth client as Genesys describes it, without its secret. */
export interface GenesysClientRecord {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly state: string;
  readonly authorizedGrantType: string;
  readonly roleDivisions: readonly RoleDivision[];
  readonly accessTokenValiditySeconds: number;
  readonly dateCreated: string | null;
}

export interface NewGenesysClient {
  readonly name: string;
  readonly description: string;
  readonly roleDivisions: readonly RoleDivision[];
  readonly accessTokenValiditySeconds: number;
}

/** A client together with the secret Genesys returned for it (create and regenerate only). */
export interface GenesysClientWithSecret {
  readonly client: GenesysClientRecord;
  readonly secret: string;
}

/** One row of a day-granular usage query. */
export interface DailyUsage {
  /** Start of the usage day (ISO-8601, as Genesys writes `ApiUsageRow.date`). */
  readonly date: string;
  readonly requests: number;
}

/** What the rotator does in Genesys with its own admin credential. */
export interface GenesysAdminPort {
  /** `null` when Genesys answers 404. */
  getClient(clientId: string): Promise<GenesysClientRecord | null>;
  listClients(): Promise<GenesysClientRecord[]>;
  createClient(request: NewGenesysClient): Promise<GenesysClientWithSecret>;
  /**
   * GET then full PUT with the new state (Genesys has no PATCH). `current`: the client as the caller
   * has just read it, which the PUT is built from instead of a second GET.
   */
  setClientState(
    clientId: string,
    state: GenesysClientState,
    current?: GenesysClientRecord,
  ): Promise<GenesysClientRecord>;
  /** Resolves when the client is gone; a 404 counts as gone. */
  deleteClient(clientId: string): Promise<void>;
  /** Emergency path only: replaces the client's single secret; the old one stops working. */
  regenerateSecret(clientId: string): Promise<GenesysClientWithSecret>;
  /** Total requests the client made in the last `days` days (asynchronous usage query, polled). */
  usageRequests(clientId: string, days: number): Promise<number>;
  /**
   * Requests per usage day in `[from, to)` (`granularity: Day`, metric `Requests`), as Genesys reports
   * them: completed days only, and only once reported. A day with no row had no requests, or is not
   * reported yet.
   */
  usageByDay(clientId: string, interval: { from: Date; to: Date }): Promise<DailyUsage[]>;
  /** The admin credential's own client and org (`GET /api/v2/tokens/me`). */
  whoAmI(): Promise<{ clientId: string; orgId: string; orgName: string; roleDivisions: RoleDivision[] }>;
  /** The org's OAuth client limit, when the limits API reports one. */
  oauthClientLimit(): Promise<number | null>;
}

export interface ProbeResult {
  readonly clientId: string;
  readonly orgId: string;
  readonly roleDivisions: readonly RoleDivision[];
}

/** Tests one credential on an isolated SDK client: token grant, `GET /tokens/me`, revoke. */
export interface CredentialProbePort {
  /**
   * Throws `CredentialNotYetActiveError` when Genesys answers `invalid_client` (a new client may
   * take a moment to become usable) and `TransientUpstreamError` on 429/5xx.
   */
  probe(credential: { clientId: string; clientSecret: string; environment: string }): Promise<ProbeResult>;
}

export interface SecretDescription {
  readonly arn: string;
  readonly name: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly rotationEnabled: boolean;
  /** Days between rotations when the schedule is `rate(N days)`; null for cron or none. */
  readonly rotationIntervalDays: number | null;
  readonly versionIdsToStages: Readonly<Record<string, readonly string[]>>;
  readonly kmsKeyId: string | null;
}

/** Secrets Manager, as the rotation needs it. */
export interface SecretStorePort {
  /** Throws `TargetNotFoundError` when the secret does not exist. */
  describe(secretId: string): Promise<SecretDescription>;
  /** The string value of a version; `null` when that version or stage has no value (placeholder). */
  getValue(secretId: string, selector: { versionId?: string; stage?: string }): Promise<string | null>;
  /** PutSecretValue staged AWSPENDING with `ClientRequestToken = token`; a replay is a no-op. */
  putPending(secretId: string, token: string, value: string): Promise<void>;
  /** Moves AWSCURRENT to `token` from `currentVersionId`; AWSPREVIOUS follows. */
  promote(secretId: string, token: string, currentVersionId: string): Promise<void>;
  /** Removes `stage` from `versionId` (used to discard a pending version). */
  removeStage(secretId: string, stage: string, versionId: string): Promise<void>;
}

export type ExecutionStatus =
  | 'RUNNING'
  | 'SUCCEEDED'
  | 'FAILED'
  | 'TIMED_OUT'
  | 'ABORTED'
  | 'PENDING_REDRIVE';

export interface ExecutionSummary {
  readonly executionArn: string;
  readonly name: string;
  readonly status: ExecutionStatus;
  readonly error: string | null;
  readonly cause: string | null;
}

/** Step Functions, as the hook and the concurrency check need it. */
export interface ExecutionsPort {
  /** StartExecution; a repeat with the same name and input returns the same execution. */
  start(name: string, input: unknown): Promise<{ executionArn: string }>;
  /** `null` when no execution has that name. */
  describeByName(name: string): Promise<ExecutionSummary | null>;
  /** Names of the states this execution has left successfully, in order. */
  completedStates(executionArn: string): Promise<string[]>;
  /** Running executions whose input names `secretId` (by ARN or name), except `exceptArn`. */
  runningFor(secret: { arn: string; name: string }, exceptArn?: string): Promise<ExecutionSummary[]>;
}

export interface Clock {
  now(): Date;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};
