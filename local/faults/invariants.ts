/**
 * DESIGN.md §7 as checks over what a finished fault scenario left behind. Pure: the runner
 * collects an `EndState`, this decides; tests feed it hand-made states to prove each check can fail.
 */
import type {
  GenesysClientSnapshot,
  IntegrationCredentialSnapshot,
  IntegrationSnapshot,
} from '../standins/genesys/index.js';
import type { LeakFinding } from './canary.js';

export type Outcome =
  | 'succeeded'
  | 'rolled-back'
  | 'refused'
  | 'needs-attention'
  | 'not-started'
  | 'failed'
  | 'aborted'
  | 'running';

export const CLEAN_OUTCOMES: ReadonlySet<Outcome> = new Set([
  'succeeded',
  'rolled-back',
  'refused',
  'needs-attention',
  'not-started',
]);

export interface ExecutionSnapshot {
  readonly arn: string;
  readonly status: string;
  readonly error: string | null;
  /** The Fail/Succeed state it ended in (the error names the cause, the state names the path). */
  readonly terminalState: string | null;
  /** When the execution entered `Create` and when it stopped (epoch ms); null: never created. */
  readonly rotationWindow: { readonly start: number; readonly end: number } | null;
}

/** Integrations following the rotated client (ScenarioSpec.follow), as the Genesys stand-in holds them. */
export interface DependentsEndState {
  /** The integration whose `pureCloudOAuthClient` credential follows, and the object it held before. */
  readonly integrationId: string;
  readonly legacyCredentialId: string;
  /** The simulated flow's own client: not the rotator's, never rotated. */
  readonly flowRunnerClientId: string;
  readonly credentials: readonly IntegrationCredentialSnapshot[];
  readonly integrations: readonly IntegrationSnapshot[];
  /** The simulated flow's Data Action executions during the run. */
  readonly flow: {
    readonly calls: number;
    readonly failedCalls: number;
    readonly failures: readonly string[];
  };
  /** Credential payloads the rotator sent: the client each names, and whether its secret is a canary. */
  readonly sentCredentials: ReadonlyArray<{
    readonly route: string;
    readonly clientId: string | null;
    readonly secretIsCanary: boolean;
  }>;
}

export interface EndState {
  readonly adminClientId: string;
  readonly legacyClientId: string;
  /** AWSCURRENT's version id before the trigger. */
  readonly initialCurrentVersionId: string;
  readonly clients: readonly GenesysClientSnapshot[];
  /** AWSCURRENT at the end, as a real SDK read it, and whether Genesys accepted it. */
  readonly current: {
    readonly versionId: string | null;
    readonly clientId: string | null;
    readonly accepted: boolean;
    readonly problem: string | null;
  };
  /** The client the AWSPENDING version names, if one holds a value. */
  readonly pendingClientId: string | null;
  /** Versions of the managed secret: id, staging labels, and whether the version holds a value. */
  readonly versions: ReadonlyArray<{
    readonly versionId: string;
    readonly stages: readonly string[];
    readonly hasValue: boolean;
  }>;
  /**
   * Tokens of native rotations that failed: Secrets Manager leaves their AWSPENDING in place and
   * reattempts them ("A previous rotation isn't complete"); that rotation is still open. The rotator
   * keeps a pending value it stored there, and the live client it names, for that reattempt.
   */
  readonly failedNativeTokens: readonly string[];
  /** Lambda invocations the run made: none means there was nothing to log. */
  readonly lambdaInvocations: number;
  /**
   * An execution failure the scenario expects instead of a clean ending: the audit bus itself is
   * down, so no audit event (and so no clean, announced ending) is possible. Matched on the error.
   */
  readonly expectedFailure: string | null;
  readonly executions: readonly ExecutionSnapshot[];
  /** Detail types of the events, with the resources (execution ARNs) each names. */
  readonly events: ReadonlyArray<{ readonly detailType: string; readonly resources: readonly string[] }>;
  readonly consumer: {
    readonly calls: number;
    readonly failedCalls: number;
    readonly failures: readonly string[];
  };
  /** A rotation Secrets Manager still drives (none once the scenario settled). */
  readonly rotationOpen: boolean;
  readonly leaks: readonly LeakFinding[];
  /** Lines of log output captured: zero means the leak search had nothing to search. */
  readonly capturedLogLines: number;
  /** The scenario did not settle in time, or its driver failed unexpectedly. */
  readonly harnessProblem: string | null;
  /** Present when dependents followed the rotation. */
  readonly dependents?: DependentsEndState | null;
}

type OutcomeFacts = Pick<ExecutionSnapshot, 'status' | 'terminalState'>;

export function outcomeOf(execution: OutcomeFacts): Outcome {
  if (execution.status === 'SUCCEEDED') return 'succeeded';
  if (execution.status === 'RUNNING') return 'running';
  if (execution.status === 'ABORTED' || execution.status === 'TIMED_OUT') return 'aborted';
  if (execution.terminalState === 'RotationRolledBack') return 'rolled-back';
  if (execution.terminalState === 'RotationRefused') return 'refused';
  if (execution.terminalState === 'NeedsAttention') return 'needs-attention';
  return 'failed';
}

const SIGNIFICANCE: readonly Outcome[] = [
  'failed',
  'running',
  'aborted',
  'needs-attention',
  'succeeded',
  'rolled-back',
  'refused',
  'not-started',
];

/** The scenario's outcome: the most significant of its executions' (an anomaly first, then a change). */
export function scenarioOutcome(executions: readonly OutcomeFacts[]): Outcome {
  const outcomes = new Set(executions.map(outcomeOf));
  return SIGNIFICANCE.find((outcome) => outcomes.has(outcome)) ?? 'not-started';
}

const EVENT_FOR: Partial<Record<Outcome, string>> = {
  succeeded: 'Rotation Succeeded',
  'rolled-back': 'Rotation Rolled Back',
  refused: 'Rotation Refused',
  'needs-attention': 'Rotation Needs Attention',
};

export function checkInvariants(state: EndState): { outcome: Outcome; violations: string[] } {
  const violations: string[] = [];
  const outcome = scenarioOutcome(state.executions);
  if (state.harnessProblem) violations.push(`harness: ${state.harnessProblem}`);

  // (a) No access-denial window, as the consumer saw it.
  if (state.consumer.failedCalls > 0) {
    violations.push(
      `consumer: ${state.consumer.failedCalls} failed call(s): ${state.consumer.failures.slice(0, 3).join('; ')}`,
    );
  }
  if (state.consumer.calls < 3) violations.push(`consumer: only ${state.consumer.calls} call(s) made`);

  // (b) Exactly the right Genesys clients.
  const byId = new Map(state.clients.map((client) => [client.id, client]));
  const live = state.clients.filter((client) => !client.deleted);
  const admin = byId.get(state.adminClientId);
  if (!admin || admin.deleted || admin.state !== 'active')
    violations.push('clients: the admin client is not active');
  const currentId = state.current.clientId;
  const current = currentId ? byId.get(currentId) : undefined;
  if (!current || current.deleted || current.state !== 'active') {
    violations.push(`clients: the AWSCURRENT client ${currentId ?? '(none)'} is not an active client`);
  }
  // A rollback that AWS stopped half-way (NeedsAttention) leaves the new client named by AWSPENDING:
  // tracked, its secret stored, the event raised; not an orphan.
  // A failed native rotation keeps its pending value and the client it names for Secrets Manager's
  // reattempt (docs/ARCHITECTURE.md, "Secrets Manager retries"): tracked by AWSPENDING, not an orphan.
  const pendingVersion = state.versions.find(
    (version) => version.stages.includes('AWSPENDING') && !version.stages.includes('AWSCURRENT'),
  );
  const keptForReattempt =
    pendingVersion !== undefined && state.failedNativeTokens.includes(pendingVersion.versionId);
  const trackedPending = outcome === 'needs-attention' || keptForReattempt ? state.pendingClientId : null;
  if (keptForReattempt && pendingVersion?.hasValue) {
    const kept = state.pendingClientId ? byId.get(state.pendingClientId) : undefined;
    if (!kept || kept.deleted || kept.state !== 'active') {
      violations.push(
        `clients: AWSPENDING kept for a reattempt names client ${state.pendingClientId ?? '(none)'}, which is not active`,
      );
    }
  }
  for (const client of live) {
    const tracked = [
      state.adminClientId,
      state.legacyClientId,
      currentId,
      trackedPending,
      state.dependents?.flowRunnerClientId ?? null,
    ];
    if (tracked.includes(client.id)) continue;
    const who = client.createdByClientId === state.adminClientId ? 'created by the rotator' : 'untracked';
    violations.push(`clients: orphan client ${client.id} (${client.name}, ${client.state}, ${who})`);
  }
  const legacy = byId.get(state.legacyClientId);
  const changed = outcome === 'succeeded' || outcome === 'needs-attention';
  if (outcome === 'succeeded') {
    if (currentId === state.legacyClientId)
      violations.push('clients: succeeded but AWSCURRENT is the legacy client');
    if (legacy && !legacy.deleted && legacy.state === 'active')
      violations.push('clients: succeeded but the legacy client is still active');
  } else if (outcome === 'needs-attention') {
    if (!legacy) violations.push('clients: needs attention but the legacy client is gone');
  } else if (!changed) {
    if (currentId !== state.legacyClientId)
      violations.push(`clients: outcome ${outcome} but AWSCURRENT is not the legacy client`);
    if (!legacy || legacy.deleted || legacy.state !== 'active')
      violations.push(`clients: outcome ${outcome} but the legacy client is not active`);
  }

  // (c) AWSCURRENT works; no stray AWSPENDING.
  if (!state.current.accepted)
    violations.push(`secret: Genesys refuses AWSCURRENT (${state.current.problem ?? '?'})`);
  const pendingAside = state.versions.filter(
    (version) =>
      version.stages.includes('AWSPENDING') &&
      !version.stages.includes('AWSCURRENT') &&
      // Left for a failed native rotation Secrets Manager will reattempt (a value names a live client, above).
      !state.failedNativeTokens.includes(version.versionId) &&
      // NeedsAttention hands the secret to a human, the announced reason included (e.g. AWS refusing the very call).
      outcome !== 'needs-attention',
  );
  if (pendingAside.length > 0 && !state.rotationOpen) {
    violations.push(`secret: AWSPENDING left on version ${pendingAside.map((v) => v.versionId).join(', ')}`);
  }
  if (
    (outcome === 'refused' || outcome === 'rolled-back' || outcome === 'not-started') &&
    state.current.versionId !== state.initialCurrentVersionId
  ) {
    violations.push(`secret: outcome ${outcome} but AWSCURRENT moved off its version`);
  }

  // (d) Every execution ended cleanly, loudly, and one at a time.
  for (const execution of state.executions) {
    const ended = outcomeOf(execution);
    const name = execution.arn.split(':').pop() ?? execution.arn;
    if (ended === 'failed' && state.expectedFailure !== null && execution.error === state.expectedFailure)
      continue;
    if (!CLEAN_OUTCOMES.has(ended)) {
      violations.push(
        `execution ${name}: ended ${execution.status} in ${execution.terminalState ?? '?'} ${execution.error ?? ''}`.trim(),
      );
      continue;
    }
    const expected = EVENT_FOR[ended];
    if (
      expected &&
      !state.events.some((event) => event.detailType === expected && event.resources.includes(execution.arn))
    ) {
      violations.push(`execution ${name}: ${ended} without a '${expected}' event`);
    }
  }
  const windows = state.executions.filter((execution) => execution.rotationWindow !== null);
  for (let i = 0; i < windows.length; i += 1) {
    for (let j = i + 1; j < windows.length; j += 1) {
      const a = windows[i]?.rotationWindow;
      const b = windows[j]?.rotationWindow;
      if (a && b && a.start < b.end && b.start < a.end) {
        violations.push('executions: two rotations of the secret were creating/promoting at the same time');
      }
    }
  }

  if (state.dependents) checkDependents(state, state.dependents, outcome, trackedPending, violations);

  // (e) No secret value anywhere.
  for (const leak of state.leaks) violations.push(`leak: ${leak.what} in ${leak.where}`);
  if (state.capturedLogLines === 0 && state.lambdaInvocations > 0)
    violations.push('leak search: no log output was captured');

  return { outcome, violations };
}

/** The credential key of a Genesys Cloud Data Actions integration (genesys-cloud-api.md §4.2). */
const FOLLOWED_KEY = 'pureCloudOAuthClient';

/**
 * (f) Dependents that follow: the flow never failed; no credential object the rotator made is left
 * unreferenced (none at all after an ending that changed nothing); the integration references an
 * object that exists and holds a client Genesys accepts, the right one for the outcome; every
 * credential payload the rotator sent holds a canary (so the leak search covers it) of a client it made.
 */
function checkDependents(
  state: EndState,
  dependents: DependentsEndState,
  outcome: Outcome,
  trackedPending: string | null,
  violations: string[],
): void {
  const { flow } = dependents;
  if (flow.failedCalls > 0) {
    violations.push(
      `flow: ${flow.failedCalls} failed Data Action call(s): ${flow.failures.slice(0, 3).join('; ')}`,
    );
  }
  if (flow.calls < 3) violations.push(`flow: only ${flow.calls} Data Action call(s) made`);

  const unchanged = outcome === 'rolled-back' || outcome === 'refused' || outcome === 'not-started';
  const referenced = new Set(dependents.integrations.flatMap((i) => Object.values(i.credentials)));
  const byId = new Map(dependents.credentials.map((credential) => [credential.id, credential]));
  for (const credential of dependents.credentials) {
    if (credential.createdByClientId !== state.adminClientId) continue;
    const what = `credential object ${credential.id} (${credential.name}) the rotator made`;
    if (unchanged) violations.push(`dependents: outcome ${outcome} but ${what} is still there`);
    else if (!referenced.has(credential.id)) {
      // A rollback AWS stopped half-way hands the pending client, and what holds it, to a human.
      const tracked = outcome === 'needs-attention' && credential.clientId === trackedPending;
      if (!tracked) violations.push(`dependents: orphan ${what}, referenced by no integration`);
    }
  }

  const integration = dependents.integrations.find((i) => i.id === dependents.integrationId);
  const referencedId = integration?.credentials[FOLLOWED_KEY];
  const credential = referencedId ? byId.get(referencedId) : undefined;
  if (!integration) violations.push(`dependents: integration ${dependents.integrationId} is gone`);
  else if (!referencedId)
    violations.push(`dependents: integration ${integration.id} references no credential`);
  else if (!credential) {
    violations.push(
      `dependents: integration ${integration.id} references credential ${referencedId}, which does not exist`,
    );
  } else {
    if (credential.authenticates !== true) {
      violations.push(
        `dependents: integration ${integration.id} references credential ${credential.id}, whose client ${credential.clientId ?? '(none)'} Genesys refuses`,
      );
    }
    const expected =
      outcome === 'succeeded'
        ? [state.current.clientId]
        : unchanged
          ? [state.legacyClientId]
          : [state.legacyClientId, state.current.clientId];
    if (!expected.includes(credential.clientId)) {
      violations.push(
        `dependents: outcome ${outcome} but integration ${integration.id} holds client ${credential.clientId ?? '(none)'}, not ${expected.join(' or ')}`,
      );
    }
    if (unchanged && credential.id !== dependents.legacyCredentialId) {
      violations.push(
        `dependents: outcome ${outcome} but integration ${integration.id} is not back on credential ${dependents.legacyCredentialId}`,
      );
    }
  }
  if (outcome === 'succeeded' && byId.has(dependents.legacyCredentialId)) {
    violations.push(
      `dependents: succeeded but the legacy credential object ${dependents.legacyCredentialId} is still there`,
    );
  }

  // A client a rollback deleted is no longer listed: only a listed client not made by the rotator,
  // or one of the clients it must never hand out, is the wrong one.
  const clientsById = new Map(state.clients.map((client) => [client.id, client]));
  const neverSent = [state.adminClientId, state.legacyClientId, dependents.flowRunnerClientId];
  for (const sent of dependents.sentCredentials) {
    if (!sent.secretIsCanary) {
      violations.push(
        `leak search: a credential payload the rotator sent (${sent.route}) holds a secret the canary vault did not issue`,
      );
    }
    const listed = sent.clientId === null ? undefined : clientsById.get(sent.clientId);
    if (
      sent.clientId === null ||
      neverSent.includes(sent.clientId) ||
      (listed !== undefined && listed.createdByClientId !== state.adminClientId)
    ) {
      violations.push(
        `dependents: a credential payload the rotator sent (${sent.route}) names client ${sent.clientId ?? '(none)'}, not one it created`,
      );
    }
  }
}
