/**
 * In-memory fakes of the ports, with the semantics the core relies on: Secrets Manager staging labels
 * (one version per label, AWSPREVIOUS following AWSCURRENT, value-less placeholders, immutable
 * versions), Genesys OAuth clients with one secret each and a usage counter, a credential probe that
 * checks the secret against the fake Genesys, Step Functions executions, and a clock that only moves
 * when told to (or when something sleeps).
 */
import type { RoleDivision } from '../../functions/shared/contract.js';
import {
  CredentialNotYetActiveError,
  InvalidInputError,
  PromotionConflictError,
  RotationInProgressError,
  TargetNotFoundError,
} from '../../functions/shared/errors.js';
import type {
  Clock,
  CredentialProbePort,
  DailyUsage,
  ExecutionStatus,
  ExecutionSummary,
  ExecutionsPort,
  GenesysAdminPort,
  GenesysClientRecord,
  GenesysClientState,
  GenesysClientWithSecret,
  NewGenesysClient,
  ProbeResult,
  SecretDescription,
  SecretStorePort,
} from '../../functions/shared/ports.js';

const AWSCURRENT = 'AWSCURRENT';
const AWSPENDING = 'AWSPENDING';
const AWSPREVIOUS = 'AWSPREVIOUS';

// ---- clock -------------------------------------------------------------------------------------

export interface FixedClock extends Clock {
  /** Every `sleep` duration asked for, in order. */
  readonly slept: number[];
  advance(ms: number): void;
  set(date: Date): void;
  /** Runs after each sleep has advanced the time (a way to let "the world" move while a step waits). */
  onSleep(listener: (now: Date) => void | Promise<void>): void;
}

/** A clock standing still at `date`; `sleep(ms)` returns at once and moves it `ms` forward. */
export function fixedClock(date: Date | string): FixedClock {
  let now = typeof date === 'string' ? Date.parse(date) : date.getTime();
  const slept: number[] = [];
  const listeners: Array<(now: Date) => void | Promise<void>> = [];
  return {
    slept,
    now: () => new Date(now),
    advance: (ms) => {
      now += ms;
    },
    set: (next) => {
      now = next.getTime();
    },
    onSleep: (listener) => {
      listeners.push(listener);
    },
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
      for (const listener of listeners) await listener(new Date(now));
    },
  };
}

// ---- fault injection ---------------------------------------------------------------------------

/** Errors queued per method name: the next call of that method throws the first queued error. */
class Faults<M extends string> {
  readonly #queued = new Map<M, Error[]>();

  failNext(method: M, error: Error): void {
    const queue = this.#queued.get(method) ?? [];
    queue.push(error);
    this.#queued.set(method, queue);
  }

  take(method: M): void {
    const error = this.#queued.get(method)?.shift();
    if (error !== undefined) throw error;
  }
}

// ---- Secrets Manager ---------------------------------------------------------------------------

export interface FakeVersion {
  readonly versionId: string;
  value: string | null;
  stages: string[];
}

export interface FakeSecret {
  readonly arn: string;
  readonly name: string;
  tags: Record<string, string>;
  rotationEnabled: boolean;
  rotationIntervalDays: number | null;
  versions: FakeVersion[];
}

export interface AddSecretOptions {
  readonly name: string;
  readonly value: string;
  readonly versionId?: string;
  readonly tags?: Record<string, string>;
  readonly rotationEnabled?: boolean;
  readonly rotationIntervalDays?: number | null;
}

type SecretStoreMethod = keyof SecretStorePort;

export class FakeSecretStore implements SecretStorePort {
  readonly secrets: FakeSecret[] = [];
  /** Every call, by method, with its arguments (values are stored, so tests can check what was written). */
  readonly calls: Array<{ method: SecretStoreMethod; args: readonly unknown[] }> = [];
  readonly #faults = new Faults<SecretStoreMethod>();

  static arnFor(name: string): string {
    return `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${name}-AbCdEf`;
  }

  addSecret(options: AddSecretOptions): FakeSecret {
    const secret: FakeSecret = {
      arn: FakeSecretStore.arnFor(options.name),
      name: options.name,
      tags: { ...(options.tags ?? {}) },
      rotationEnabled: options.rotationEnabled ?? true,
      rotationIntervalDays: options.rotationIntervalDays === undefined ? 30 : options.rotationIntervalDays,
      versions: [
        {
          versionId: options.versionId ?? 'v-initial-00000000000000000000000000',
          value: options.value,
          stages: [AWSCURRENT],
        },
      ],
    };
    this.secrets.push(secret);
    return secret;
  }

  /** What RotateSecret does before invoking the rotation function: a value-less AWSPENDING version. */
  startNativeRotation(secretId: string, token: string): void {
    const secret = this.#find(secretId);
    const pending = secret.versions.find((version) => version.stages.includes(AWSPENDING));
    if (pending !== undefined && !pending.stages.includes(AWSCURRENT) && pending.versionId !== token) {
      throw new RotationInProgressError(`A previous rotation of ${secret.name} isn't complete`);
    }
    const existing = secret.versions.find((version) => version.versionId === token);
    if (existing === undefined) {
      secret.versions.push({ versionId: token, value: null, stages: [] });
    }
    this.#attach(secret, token, AWSPENDING);
  }

  /** Moves a label as UpdateSecretVersionStage would (for scripting "someone else" in tests). */
  moveStage(secretId: string, stage: string, toVersionId: string): void {
    const secret = this.#find(secretId);
    if (!secret.versions.some((version) => version.versionId === toVersionId)) {
      secret.versions.push({ versionId: toVersionId, value: null, stages: [] });
    }
    this.#attach(secret, toVersionId, stage);
  }

  /** Adds a version with a value and stages, moving those labels (PutSecretValue). */
  putVersion(secretId: string, versionId: string, value: string | null, stages: readonly string[]): void {
    const secret = this.#find(secretId);
    secret.versions.push({ versionId, value, stages: [] });
    for (const stage of stages) this.#attach(secret, versionId, stage);
  }

  failNext(method: SecretStoreMethod, error: Error): void {
    this.#faults.failNext(method, error);
  }

  secret(secretId: string): FakeSecret {
    return this.#find(secretId);
  }

  /** The version holding `stage`, or null. */
  versionWith(secretId: string, stage: string): FakeVersion | null {
    return this.#find(secretId).versions.find((version) => version.stages.includes(stage)) ?? null;
  }

  version(secretId: string, versionId: string): FakeVersion | null {
    return this.#find(secretId).versions.find((version) => version.versionId === versionId) ?? null;
  }

  stagesOf(secretId: string, versionId: string): string[] {
    return [...(this.version(secretId, versionId)?.stages ?? [])].sort();
  }

  callsOf(method: SecretStoreMethod): Array<readonly unknown[]> {
    return this.calls.filter((call) => call.method === method).map((call) => call.args);
  }

  async describe(secretId: string): Promise<SecretDescription> {
    this.calls.push({ method: 'describe', args: [secretId] });
    this.#faults.take('describe');
    const secret = this.#find(secretId);
    const versionIdsToStages: Record<string, readonly string[]> = {};
    for (const version of secret.versions) {
      if (version.stages.length > 0) versionIdsToStages[version.versionId] = [...version.stages];
    }
    return {
      arn: secret.arn,
      name: secret.name,
      tags: { ...secret.tags },
      rotationEnabled: secret.rotationEnabled,
      rotationIntervalDays: secret.rotationIntervalDays,
      versionIdsToStages,
      kmsKeyId: null,
    };
  }

  async getValue(secretId: string, selector: { versionId?: string; stage?: string }): Promise<string | null> {
    this.calls.push({ method: 'getValue', args: [secretId, selector] });
    this.#faults.take('getValue');
    const secret = this.#find(secretId);
    const stage = selector.stage ?? (selector.versionId === undefined ? AWSCURRENT : undefined);
    const version =
      selector.versionId !== undefined
        ? secret.versions.find((candidate) => candidate.versionId === selector.versionId)
        : secret.versions.find((candidate) => stage !== undefined && candidate.stages.includes(stage));
    if (version === undefined) return null;
    if (stage !== undefined && !version.stages.includes(stage)) return null;
    return version.value;
  }

  async putPending(secretId: string, token: string, value: string): Promise<void> {
    this.calls.push({ method: 'putPending', args: [secretId, token, value] });
    this.#faults.take('putPending');
    const secret = this.#find(secretId);
    const existing = secret.versions.find((version) => version.versionId === token);
    if (existing?.value != null) {
      if (existing.value === value) return;
      throw new RotationInProgressError(
        `Version ${token} of secret ${secret.name} already holds a different value`,
      );
    }
    if (existing === undefined) {
      secret.versions.push({ versionId: token, value, stages: [] });
    } else {
      existing.value = value;
    }
    this.#attach(secret, token, AWSPENDING);
  }

  async promote(secretId: string, token: string, currentVersionId: string): Promise<void> {
    this.calls.push({ method: 'promote', args: [secretId, token, currentVersionId] });
    this.#faults.take('promote');
    const secret = this.#find(secretId);
    if (token === currentVersionId) return;
    const target = secret.versions.find((version) => version.versionId === token);
    if (target === undefined)
      throw new InvalidInputError(`Version ${token} of ${secret.name} does not exist`);
    const holder = secret.versions.find((version) => version.stages.includes(AWSCURRENT));
    if (holder !== undefined && holder !== target && holder.versionId !== currentVersionId) {
      throw new PromotionConflictError(
        `AWSCURRENT of ${secret.name} is on ${holder.versionId}, not ${currentVersionId}`,
      );
    }
    this.#attach(secret, token, AWSCURRENT);
  }

  async removeStage(secretId: string, stage: string, versionId: string): Promise<void> {
    this.calls.push({ method: 'removeStage', args: [secretId, stage, versionId] });
    this.#faults.take('removeStage');
    const secret = this.#find(secretId);
    const version = secret.versions.find((candidate) => candidate.versionId === versionId);
    if (version === undefined)
      throw new InvalidInputError(`Version ${versionId} of ${secret.name} does not exist`);
    if (stage === AWSCURRENT && version.stages.includes(AWSCURRENT)) {
      throw new InvalidInputError('AWSCURRENT can only be moved to another version, not removed');
    }
    version.stages = version.stages.filter((candidate) => candidate !== stage);
  }

  /** A label lives on one version; AWSCURRENT hands AWSPREVIOUS to the version it leaves. */
  #attach(secret: FakeSecret, versionId: string, stage: string): void {
    const target = secret.versions.find((version) => version.versionId === versionId);
    if (target === undefined) throw new Error(`fake: no version ${versionId}`);
    if (target.stages.includes(stage)) return;
    const holder = secret.versions.find((version) => version.stages.includes(stage));
    if (holder !== undefined) holder.stages = holder.stages.filter((candidate) => candidate !== stage);
    target.stages.push(stage);
    if (stage === AWSCURRENT && holder !== undefined) this.#attach(secret, holder.versionId, AWSPREVIOUS);
  }

  #find(secretId: string): FakeSecret {
    const secret = this.secrets.find(
      (candidate) => candidate.arn === secretId || candidate.name === secretId,
    );
    if (secret === undefined) throw new TargetNotFoundError(`Secret ${secretId} does not exist`);
    return secret;
  }
}

// ---- Genesys -----------------------------------------------------------------------------------

export interface FakeClient {
  record: GenesysClientRecord;
  secret: string;
  /** Total requests made with this client (what the usage API reports). */
  requests: number;
}

export interface FakeGenesysOptions {
  readonly orgId?: string;
  readonly orgName?: string;
  readonly adminClientId?: string;
  readonly adminRoleDivisions?: RoleDivision[];
  readonly clientLimit?: number | null;
}

type GenesysMethod = keyof GenesysAdminPort;

export class FakeGenesysAdmin implements GenesysAdminPort {
  readonly clients = new Map<string, FakeClient>();
  readonly calls: Array<{ method: GenesysMethod; args: readonly unknown[] }> = [];
  readonly orgId: string;
  readonly orgName: string;
  readonly adminClientId: string;
  adminRoleDivisions: RoleDivision[];
  clientLimit: number | null;
  readonly #faults = new Faults<GenesysMethod>();
  #sequence = 0;
  /** Daily usage rows per client, as a day-granular usage query reports them (reported days only). */
  readonly dailyUsage = new Map<string, DailyUsage[]>();

  constructor(options: FakeGenesysOptions = {}) {
    this.orgId = options.orgId ?? 'org-1';
    this.orgName = options.orgName ?? 'Acme Contact Centre';
    this.adminClientId = options.adminClientId ?? 'admin-client';
    this.adminRoleDivisions = options.adminRoleDivisions ?? [{ roleId: 'role-admin', divisionId: '*' }];
    this.clientLimit = options.clientLimit === undefined ? 100 : options.clientLimit;
  }

  /** Seeds a client (e.g. the legacy one) with its secret. */
  addClient(record: Partial<GenesysClientRecord> & { id: string }, secret: string): FakeClient {
    const client: FakeClient = {
      record: {
        name: `client ${record.id}`,
        description: '',
        state: 'active',
        authorizedGrantType: 'CLIENT-CREDENTIALS',
        roleDivisions: [],
        accessTokenValiditySeconds: 86_400,
        dateCreated: '2024-01-01T00:00:00.000Z',
        ...record,
      },
      secret,
      requests: 0,
    };
    this.clients.set(record.id, client);
    return client;
  }

  /** Records `count` requests made with the client. */
  use(clientId: string, count = 1): void {
    const client = this.clients.get(clientId);
    if (client === undefined) throw new Error(`fake: no client ${clientId}`);
    client.requests += count;
  }

  /** Adds a reported usage day (its start, ISO) with `requests` requests of the client. */
  reportDay(clientId: string, date: string, requests: number): void {
    const rows = this.dailyUsage.get(clientId) ?? [];
    rows.push({ date: new Date(date).toISOString(), requests });
    this.dailyUsage.set(clientId, rows);
  }

  failNext(method: GenesysMethod, error: Error): void {
    this.#faults.failNext(method, error);
  }

  callsOf(method: GenesysMethod): Array<readonly unknown[]> {
    return this.calls.filter((call) => call.method === method).map((call) => call.args);
  }

  #record(method: GenesysMethod, args: readonly unknown[]): void {
    this.calls.push({ method, args });
    this.#faults.take(method);
  }

  #newSecret(): string {
    this.#sequence += 1;
    return `gen-secret-${this.#sequence}-${Math.random().toString(36).slice(2, 12)}`;
  }

  async getClient(clientId: string): Promise<GenesysClientRecord | null> {
    this.#record('getClient', [clientId]);
    return this.clients.get(clientId)?.record ?? null;
  }

  async listClients(): Promise<GenesysClientRecord[]> {
    this.#record('listClients', []);
    return [...this.clients.values()].map((client) => client.record);
  }

  async createClient(request: NewGenesysClient): Promise<GenesysClientWithSecret> {
    this.#record('createClient', [request]);
    this.#sequence += 1;
    const id = `new-client-${this.#sequence}`;
    const client = this.addClient(
      {
        id,
        name: request.name,
        description: request.description,
        roleDivisions: [...request.roleDivisions],
        accessTokenValiditySeconds: request.accessTokenValiditySeconds,
        dateCreated: new Date(0).toISOString(),
      },
      this.#newSecret(),
    );
    return { client: client.record, secret: client.secret };
  }

  async setClientState(clientId: string, state: GenesysClientState): Promise<GenesysClientRecord> {
    this.#record('setClientState', [clientId, state]);
    const client = this.clients.get(clientId);
    if (client === undefined) throw new TargetNotFoundError(`OAuth client ${clientId} does not exist`);
    client.record = { ...client.record, state };
    return client.record;
  }

  async deleteClient(clientId: string): Promise<void> {
    this.#record('deleteClient', [clientId]);
    this.clients.delete(clientId);
  }

  async regenerateSecret(clientId: string): Promise<GenesysClientWithSecret> {
    this.#record('regenerateSecret', [clientId]);
    const client = this.clients.get(clientId);
    if (client === undefined) throw new TargetNotFoundError(`OAuth client ${clientId} does not exist`);
    client.secret = this.#newSecret();
    return { client: client.record, secret: client.secret };
  }

  async usageRequests(clientId: string, days: number): Promise<number> {
    this.#record('usageRequests', [clientId, days]);
    return this.clients.get(clientId)?.requests ?? 0;
  }

  async usageByDay(clientId: string, interval: { from: Date; to: Date }): Promise<DailyUsage[]> {
    this.#record('usageByDay', [clientId, interval]);
    const fromMs = interval.from.getTime();
    const toMs = interval.to.getTime();
    return (this.dailyUsage.get(clientId) ?? []).filter((row) => {
      const startMs = Date.parse(row.date);
      return startMs >= fromMs && startMs < toMs;
    });
  }

  async whoAmI(): Promise<{
    clientId: string;
    orgId: string;
    orgName: string;
    roleDivisions: RoleDivision[];
  }> {
    this.#record('whoAmI', []);
    return {
      clientId: this.adminClientId,
      orgId: this.orgId,
      orgName: this.orgName,
      roleDivisions: this.adminRoleDivisions.map((pair) => ({ ...pair })),
    };
  }

  async oauthClientLimit(): Promise<number | null> {
    this.#record('oauthClientLimit', []);
    return this.clientLimit;
  }
}

/**
 * Tests a credential against the fake Genesys: an unknown client, a wrong secret or a client that
 * is not active answers like `invalid_client` (CredentialNotYetActiveError). `notYetActive` makes
 * the next N probes fail that way even for a good credential (eventual consistency after create).
 */
export class FakeProbe implements CredentialProbePort {
  readonly probed: Array<{ clientId: string; environment: string }> = [];
  notYetActive = 0;
  /** Replaces the answer for a credential Genesys accepted (to script a misbehaving org). */
  answer: ((accepted: ProbeResult) => ProbeResult) | null = null;

  constructor(private readonly genesys: FakeGenesysAdmin) {}

  async probe(credential: {
    clientId: string;
    clientSecret: string;
    environment: string;
  }): Promise<ProbeResult> {
    this.probed.push({ clientId: credential.clientId, environment: credential.environment });
    if (this.notYetActive > 0) {
      this.notYetActive -= 1;
      throw new CredentialNotYetActiveError(`Client ${credential.clientId} is not accepted yet`);
    }
    const client = this.genesys.clients.get(credential.clientId);
    if (
      client === undefined ||
      client.secret !== credential.clientSecret ||
      client.record.state !== 'active'
    ) {
      throw new CredentialNotYetActiveError(`Genesys answered invalid_client for ${credential.clientId}`);
    }
    const accepted: ProbeResult = {
      clientId: client.record.id,
      orgId: this.genesys.orgId,
      roleDivisions: client.record.roleDivisions.map((pair) => ({ ...pair })),
    };
    return this.answer === null ? accepted : this.answer(accepted);
  }
}

// ---- Step Functions ----------------------------------------------------------------------------

export interface FakeExecution {
  readonly executionArn: string;
  readonly name: string;
  readonly input: unknown;
  status: ExecutionStatus;
  error: string | null;
  cause: string | null;
  completedStates: string[];
}

export const FAKE_STATE_MACHINE_ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:rotation';

/**
 * Executions of one state machine. `onStart` plays the state machine's part when an execution
 * starts (e.g. write the pending value and mark `Create` done); tests can also move executions on
 * with `complete`, `succeed` and `fail`.
 */
export class FakeExecutions implements ExecutionsPort {
  readonly executions = new Map<string, FakeExecution>();
  readonly started: Array<{ name: string; input: unknown }> = [];
  onStart: ((execution: FakeExecution) => void | Promise<void>) | null = null;

  static arnFor(name: string): string {
    return `arn:aws:states:eu-west-1:123456789012:execution:rotation:${name}`;
  }

  /** Seeds an execution in any status (e.g. one started by an earlier attempt). */
  seed(name: string, input: unknown, status: ExecutionStatus = 'RUNNING'): FakeExecution {
    const execution: FakeExecution = {
      executionArn: FakeExecutions.arnFor(name),
      name,
      input,
      status,
      error: null,
      cause: null,
      completedStates: [],
    };
    this.executions.set(name, execution);
    return execution;
  }

  complete(name: string, ...states: string[]): void {
    this.#get(name).completedStates.push(...states);
  }

  succeed(name: string): void {
    this.#get(name).status = 'SUCCEEDED';
  }

  fail(name: string, error: string, cause: string | null): void {
    const execution = this.#get(name);
    execution.status = 'FAILED';
    execution.error = error;
    execution.cause = cause;
  }

  async start(name: string, input: unknown): Promise<{ executionArn: string }> {
    const existing = this.executions.get(name);
    if (existing !== undefined) {
      if (existing.status === 'RUNNING' && JSON.stringify(existing.input) === JSON.stringify(input)) {
        return { executionArn: existing.executionArn };
      }
      throw new InvalidInputError(`An execution named ${name} already exists (${existing.status})`);
    }
    this.started.push({ name, input });
    const execution = this.seed(name, input);
    if (this.onStart !== null) await this.onStart(execution);
    return { executionArn: execution.executionArn };
  }

  async describeByName(name: string): Promise<ExecutionSummary | null> {
    const execution = this.executions.get(name);
    if (execution === undefined) return null;
    return {
      executionArn: execution.executionArn,
      name: execution.name,
      status: execution.status,
      error: execution.error,
      cause: execution.cause,
    };
  }

  async completedStates(executionArn: string): Promise<string[]> {
    const execution = [...this.executions.values()].find(
      (candidate) => candidate.executionArn === executionArn,
    );
    return [...(execution?.completedStates ?? [])];
  }

  async runningFor(secret: { arn: string; name: string }, exceptArn?: string): Promise<ExecutionSummary[]> {
    const matches: ExecutionSummary[] = [];
    for (const execution of this.executions.values()) {
      if (execution.status !== 'RUNNING' || execution.executionArn === exceptArn) continue;
      const input = execution.input;
      const secretId =
        typeof input === 'object' && input !== null && 'secretId' in input ? input.secretId : undefined;
      if (secretId === secret.arn || secretId === secret.name) {
        matches.push({
          executionArn: execution.executionArn,
          name: execution.name,
          status: execution.status,
          error: execution.error,
          cause: execution.cause,
        });
      }
    }
    return matches;
  }

  #get(name: string): FakeExecution {
    const execution = this.executions.get(name);
    if (execution === undefined) throw new Error(`fake: no execution ${name}`);
    return execution;
  }
}
