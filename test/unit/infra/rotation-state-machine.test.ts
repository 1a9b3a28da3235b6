import { Template } from 'aws-cdk-lib/assertions';
import { StateMachine } from 'aws-local-stepfunctions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../infra/app.js';
import { DETAIL_TYPE, EVENT_SOURCE, STATE } from '../../../infra/constructs/rotation-state-machine.js';
import { jsonPathsIn, VALUE_BEARING_PATH } from '../../helpers/event-contract.js';

type Json = Record<string, unknown>;
type JSONValue = Parameters<StateMachine['run']>[0];
interface AslState extends Json {
  Type: string;
  Next?: string;
  End?: boolean;
  Resource?: string;
  Parameters?: Json;
  ResultPath?: string | null;
  Retry?: Array<Json & { ErrorEquals: string[] }>;
  Catch?: Array<{ ErrorEquals: string[]; ResultPath?: string; Next: string }>;
  Choices?: Array<Json & { Next: string }>;
  Default?: string;
}
interface Asl {
  StartAt: string;
  QueryLanguage?: string;
  States: Record<string, AslState>;
}

/** Resolves the definition's `Fn::Join` tokens to readable placeholders and parses the ASL. */
function aslOf(template: Template): Asl {
  const [machine] = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
  const definition = machine?.Properties.DefinitionString as { 'Fn::Join': [string, unknown[]] };
  const placeholder = (part: unknown): string => {
    if (typeof part === 'string') return part;
    const token = part as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
    if (token.Ref !== undefined) return `REF_${token.Ref.replace('AWS::', '')}`;
    if (token['Fn::GetAtt'] !== undefined) return `GETATT_${token['Fn::GetAtt'].join('_')}`;
    throw new Error(`Unexpected token ${JSON.stringify(part)}`);
  };
  const [separator, parts] = definition['Fn::Join'];
  return JSON.parse(parts.map(placeholder).join(separator)) as Asl;
}

function state(asl: Asl, name: string): AslState {
  const found = asl.States[name];
  if (found === undefined) throw new Error(`No state ${name}`);
  return found;
}

function retrier(task: AslState, error: string): Json | undefined {
  return task.Retry?.find((r) => r.ErrorEquals.includes(error));
}

function catchAll(task: AslState): { ResultPath?: string; Next: string } | undefined {
  return task.Catch?.find((c) => c.ErrorEquals.includes('States.ALL'));
}

const LAMBDA_TASKS = [
  STATE.Fetch,
  STATE.Validate,
  STATE.EmergencyReplace,
  STATE.EmergencyRegenerate,
  STATE.Create,
  STATE.Verify,
  STATE.Sync,
  STATE.CheckAdoption,
  STATE.DeactivateLegacy,
  STATE.CheckRetirement,
  STATE.ReactivateLegacy,
  STATE.DeleteLegacy,
  STATE.DiscardRefusedPending,
  STATE.Rollback,
  STATE.DiscardPending,
] as const;

const EMIT_STATES = Object.values(STATE).filter((name) => name.startsWith('Emit'));

describe('RotationStateMachine', () => {
  let template: Template;
  let asl: Asl;

  beforeAll(() => {
    const { stack } = buildApp({ bundling: false, nag: false });
    template = Template.fromStack(stack);
    asl = aslOf(template);
  });

  it('is a Standard state machine that logs every transition without execution data and traces', () => {
    // Assess
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false },
    });
  });

  it('uses the JSONPath query language, never JSONata', () => {
    // Assess
    expect(asl.QueryLanguage ?? 'JSONPath').toBe('JSONPath');
    for (const [name, s] of Object.entries(asl.States)) {
      expect(s.QueryLanguage, name).toBeUndefined();
      expect(s.Arguments, name).toBeUndefined();
    }
  });

  it('has exactly the states of the contract, wrapping the raw input before Fetch', () => {
    // Assess
    expect(asl.StartAt).toBe(STATE.WrapInput);
    expect(state(asl, STATE.WrapInput)).toMatchObject({
      Type: 'Pass',
      Parameters: { 'input.$': '$' },
      Next: STATE.Fetch,
    });
    expect(Object.keys(asl.States).sort()).toEqual(Object.values(STATE).sort());
  });

  it('gives every Lambda task its documented payload and result path, and invokes the function directly', () => {
    // Prepare
    const expected: Record<string, { parameters: Json; resultPath: string; fn: string }> = {
      [STATE.Fetch]: {
        parameters: { 'input.$': '$.input', 'executionId.$': '$$.Execution.Id' },
        resultPath: '$',
        fn: 'Fetch',
      },
      [STATE.Validate]: { parameters: { 'state.$': '$' }, resultPath: '$.validation', fn: 'Validate' },
      [STATE.Create]: {
        parameters: { rotatorTask: 'create', 'state.$': '$' },
        resultPath: '$.created',
        fn: 'Rotator',
      },
      [STATE.Verify]: { parameters: { 'state.$': '$' }, resultPath: '$.verified', fn: 'Verify' },
      [STATE.Sync]: {
        parameters: { rotatorTask: 'sync', 'state.$': '$' },
        resultPath: '$.synced',
        fn: 'Rotator',
      },
      [STATE.EmergencyReplace]: {
        parameters: { rotatorTask: 'emergency', 'state.$': '$' },
        resultPath: '$.emergency',
        fn: 'Rotator',
      },
      [STATE.EmergencyRegenerate]: {
        parameters: { rotatorTask: 'emergency', 'state.$': '$' },
        resultPath: '$.emergency',
        fn: 'Rotator',
      },
      [STATE.CheckAdoption]: {
        parameters: { check: 'adoption', 'state.$': '$' },
        resultPath: '$.adoption',
        fn: 'CheckAdoption',
      },
      [STATE.CheckRetirement]: {
        parameters: { check: 'retirement', 'state.$': '$' },
        resultPath: '$.retirement',
        fn: 'CheckAdoption',
      },
      [STATE.ReactivateLegacy]: {
        parameters: { mode: 'reactivate', 'state.$': '$' },
        resultPath: '$.retired',
        fn: 'DeleteOrRollback',
      },
      [STATE.DeactivateLegacy]: {
        parameters: { mode: 'deactivate', 'state.$': '$' },
        resultPath: '$.retired',
        fn: 'DeleteOrRollback',
      },
      [STATE.DeleteLegacy]: {
        parameters: { mode: 'delete', 'state.$': '$' },
        resultPath: '$.retired',
        fn: 'DeleteOrRollback',
      },
      [STATE.Rollback]: {
        parameters: { mode: 'rollback', 'state.$': '$' },
        resultPath: '$.rolledBack',
        fn: 'DeleteOrRollback',
      },
      [STATE.DiscardPending]: {
        parameters: { rotatorTask: 'discardPending', 'state.$': '$' },
        resultPath: '$.rolledBack',
        fn: 'Rotator',
      },
      [STATE.DiscardRefusedPending]: {
        parameters: { rotatorTask: 'discardPending', 'state.$': '$' },
        resultPath: '$.rolledBack',
        fn: 'Rotator',
      },
    };

    // Assess
    for (const name of LAMBDA_TASKS) {
      const task = state(asl, name);
      const want = expected[name];
      expect(want, name).toBeDefined();
      expect(task.Type).toBe('Task');
      expect(task.Parameters, name).toEqual(want?.parameters);
      // Fetch's '$' is written as the default (no ResultPath): the result replaces the state.
      expect(task.ResultPath ?? '$', name).toBe(want?.resultPath);
      // payloadResponseOnly: the Resource is the function ARN itself.
      expect(task.Resource, name).toMatch(new RegExp(`^GETATT_${want?.fn}[0-9A-F]{8}_Arn$`));
    }
  });

  it('retries TransientUpstreamError with capped, jittered backoff on every Lambda task', () => {
    // Assess
    for (const name of LAMBDA_TASKS) {
      expect(retrier(state(asl, name), 'TransientUpstreamError'), name).toEqual({
        ErrorEquals: ['TransientUpstreamError'],
        IntervalSeconds: 2,
        BackoffRate: 2,
        MaxAttempts: 5,
        MaxDelaySeconds: 30,
        JitterStrategy: 'FULL',
      });
    }
  });

  it('retries CredentialNotYetActiveError on Verify while Genesys propagates the new client', () => {
    // Assess
    expect(retrier(state(asl, STATE.Verify), 'CredentialNotYetActiveError')).toEqual({
      ErrorEquals: ['CredentialNotYetActiveError'],
      IntervalSeconds: 2,
      BackoffRate: 1.5,
      MaxAttempts: 8,
    });
  });

  it('retries PromotionPendingError on Sync for up to 15 minutes', () => {
    // Assess
    expect(retrier(state(asl, STATE.Sync), 'PromotionPendingError')).toEqual({
      ErrorEquals: ['PromotionPendingError'],
      IntervalSeconds: 5,
      BackoffRate: 1,
      MaxAttempts: 180,
    });
  });

  it('rolls back in reverse order when Create, Verify or Sync fails: the pending version, then the client', () => {
    // Assess
    for (const name of [STATE.Create, STATE.Verify, STATE.Sync]) {
      expect(catchAll(state(asl, name)), name).toEqual({
        ErrorEquals: ['States.ALL'],
        ResultPath: '$.error',
        Next: STATE.DiscardPending,
      });
    }
    expect(state(asl, STATE.DiscardPending).Next).toBe(STATE.Rollback);
    expect(state(asl, STATE.Rollback).Next).toBe(STATE.EmitRolledBack);
    expect(state(asl, STATE.EmitRolledBack).Next).toBe(STATE.RotationRolledBack);
    expect(state(asl, STATE.RotationRolledBack)).toMatchObject({ Type: 'Fail', ErrorPath: '$.error.Error' });
  });

  it('keeps the caught error when a compensation fails, and asks for a human', () => {
    // Assess
    for (const name of [STATE.Rollback, STATE.DiscardPending]) {
      expect(catchAll(state(asl, name)), name).toEqual({
        ErrorEquals: ['States.ALL'],
        ResultPath: '$.compensationError',
        Next: STATE.EmitNeedsAttention,
      });
    }
  });

  it('sends a refusal through DiscardRefusedPending, EmitRefused and RotationRefused', () => {
    // Assess
    expect(catchAll(state(asl, STATE.Fetch))).toMatchObject({
      ResultPath: '$.error',
      Next: STATE.RefusalDefaults,
    });
    expect(state(asl, STATE.RefusalDefaults)).toMatchObject({ Type: 'Pass', Next: STATE.InputHasSecretId });
    expect(state(asl, STATE.InputHasSecretId)).toMatchObject({
      Type: 'Choice',
      Choices: [{ Variable: '$.input.secretId', IsPresent: true, Next: STATE.MergeRefusalInput }],
      Default: STATE.RefusalFromDefaults,
    });
    for (const name of [STATE.MergeRefusalInput, STATE.RefusalFromDefaults]) {
      expect(state(asl, name)).toMatchObject({ Type: 'Pass', Next: STATE.PrepareRefusal });
    }
    expect(state(asl, STATE.PrepareRefusal)).toMatchObject({
      Type: 'Pass',
      InputPath: '$.error',
      ResultPath: '$.merged.error',
      OutputPath: '$.merged',
      Next: STATE.DiscardRefusedPending,
    });
    expect(catchAll(state(asl, STATE.Validate))).toMatchObject({
      ResultPath: '$.error',
      Next: STATE.DiscardRefusedPending,
    });
    expect(state(asl, STATE.DiscardRefusedPending).Next).toBe(STATE.EmitRefused);
    expect(catchAll(state(asl, STATE.DiscardRefusedPending))?.Next).toBe(STATE.EmitRefused);
    expect(state(asl, STATE.EmitRefused).Next).toBe(STATE.RotationRefused);
    expect(state(asl, STATE.RotationRefused)).toMatchObject({ Type: 'Fail', ErrorPath: '$.error.Error' });
  });

  it('never rolls back after promotion: failures end in EmitNeedsAttention and NeedsAttention', () => {
    // Assess
    for (const name of [
      STATE.CheckAdoption,
      STATE.DeactivateLegacy,
      STATE.DeleteLegacy,
      STATE.EmergencyRegenerate,
    ]) {
      expect(catchAll(state(asl, name)), name).toEqual({
        ErrorEquals: ['States.ALL'],
        ResultPath: '$.error',
        Next: STATE.EmitNeedsAttention,
      });
    }
    expect(state(asl, STATE.EmitNeedsAttention).Next).toBe(STATE.NeedsAttention);
    expect(state(asl, STATE.NeedsAttention)).toMatchObject({ Type: 'Fail', Error: 'NeedsAttentionError' });
  });

  it('waits in Wait states driven by the tasks results', () => {
    // Assess
    expect(state(asl, STATE.WaitForMaintenanceWindow)).toMatchObject({
      SecondsPath: '$.validation.waitSeconds',
      Next: STATE.Validate,
    });
    expect(state(asl, STATE.WaitForAdoption)).toMatchObject({
      SecondsPath: '$.adoption.waitSeconds',
      Next: STATE.CheckAdoption,
    });
    expect(state(asl, STATE.ObserveInactive)).toMatchObject({
      SecondsPath: '$.validation.plan.retireObserveSeconds',
      Next: STATE.CheckRetirement,
    });
    expect(state(asl, STATE.WaitForRetirementEvidence)).toMatchObject({
      SecondsPath: '$.retirement.waitSeconds',
      Next: STATE.CheckRetirement,
    });
  });

  it('rolls back when an audit event before promotion cannot be delivered, and ends loud after it', () => {
    // Prepare
    const catchTarget = (name: string) => {
      const catchers = state(asl, name).Catch as Array<{ ErrorEquals: string[]; Next: string }> | undefined;
      return catchers?.find((catcher) => catcher.ErrorEquals.includes('States.ALL'))?.Next;
    };

    // Assess
    for (const name of [STATE.EmitCreated, STATE.EmitVerified]) {
      expect(catchTarget(name), name).toBe(STATE.DiscardPending);
    }
    for (const name of [
      STATE.EmitPromoted,
      STATE.EmitAdoptionProgress,
      STATE.EmitDeactivated,
      STATE.EmitRetired,
    ]) {
      expect(catchTarget(name), name).toBe(STATE.EmitNeedsAttention);
    }
  });

  it('publishes every audit event with events:putEvents from source genesys.credential-rotator', () => {
    // Assess
    expect(EMIT_STATES.length).toBe(12);
    for (const name of EMIT_STATES) {
      const emit = state(asl, name);
      expect(emit.Resource, name).toMatch(/:states:::events:putEvents$/);
      expect(emit.ResultPath, name).toBeNull();
      const entries = (emit.Parameters?.Entries ?? []) as Json[];
      expect(entries.length, name).toBeGreaterThan(0);
      for (const entry of entries) {
        expect(entry.Source).toBe(EVENT_SOURCE);
        expect(Object.values(DETAIL_TYPE)).toContain(entry.DetailType);
        expect(entry.EventBusName).toBe('GETATT_EventBus7B8748AA_Arn');
        expect(entry.Detail).toMatchObject({
          schemaVersion: '2',
          'secretId.$': '$.secretId',
          'executionId.$': '$$.Execution.Id',
          'trigger.$': '$.trigger',
        });
      }
    }
  });

  it('emits every detail type, and no fact from a state path that could hold a secret value', () => {
    // Prepare
    const emitted = new Set<string>();
    const paths: string[] = [];

    // Act
    for (const name of EMIT_STATES) {
      for (const entry of (state(asl, name).Parameters?.Entries ?? []) as Json[]) {
        emitted.add(String(entry.DetailType));
        paths.push(...jsonPathsIn(entry.Detail));
      }
    }

    // Assess
    expect([...emitted].sort()).toEqual(Object.values(DETAIL_TYPE).sort());
    expect(paths.length).toBeGreaterThan(EMIT_STATES.length);
    expect(paths.filter((path) => VALUE_BEARING_PATH.test(path))).toEqual([]);
  });

  describe('run locally with aws-local-stepfunctions', () => {
    type Handler = (input: JSONValue) => JSONValue | Promise<JSONValue>;
    const fail = (name: string, message: string): never => {
      const error = new Error(message);
      error.name = name;
      throw error;
    };
    const ok = { Entries: [{ EventId: 'e-1' }], FailedEntryCount: 0 };

    function handlers(
      overrides: Record<string, Handler>,
      visited: string[],
      events: Json[],
      inputs: Record<string, JSONValue>,
    ) {
      const state0 = {
        secretId: 'genesys/prod/api',
        dryRun: false,
        reason: '',
        mode: 'standard',
        trigger: 'manual',
        token: 'a'.repeat(32),
        inventory: { kind: 'oauth-client', credential: { legacyId: 'legacy-1' } },
      };
      let adoptionChecks = 0;
      const base: Record<string, Handler> = {
        [STATE.Fetch]: () => state0,
        [STATE.Validate]: () => ({
          ok: true,
          waitSeconds: 0,
          checks: [],
          plan: { retireObserveSeconds: 0, legacyClientId: 'legacy-1' },
        }),
        [STATE.Create]: () => ({
          credential: { newId: 'new-1' },
          newClientId: 'new-1',
          newClientName: 'rotated-a',
          versionId: 'v2',
          reused: false,
        }),
        [STATE.Verify]: () => ({ clientId: 'new-1', roleDivisionCount: 1, attempts: 1 }),
        [STATE.Sync]: () => ({
          currentVersionId: 'v2',
          previousVersionId: 'v1',
          promotedAt: '2026-01-01T00:00:00Z',
          promotedBy: 'state-machine',
        }),
        [STATE.CheckAdoption]: () => {
          adoptionChecks += 1;
          const adopted = adoptionChecks > 1;
          return {
            adopted,
            held: false,
            hold: null,
            decidedBy: adopted ? 'evidence' : null,
            waitSeconds: adopted ? 0 : 1,
            checks: adoptionChecks,
          };
        },
        [STATE.DeactivateLegacy]: () => ({ legacyClientId: 'legacy-1', action: 'deactivated' }),
        [STATE.CheckRetirement]: () => ({
          verdict: 'clean',
          legacyRequestsSinceDeactivation: 0,
          daysObserved: 1,
          hold: null,
          waitSeconds: 0,
          checks: 1,
        }),
        [STATE.ReactivateLegacy]: () => ({ legacyClientId: 'legacy-1', action: 'reactivated' }),
        [STATE.DeleteLegacy]: () => ({ legacyClientId: 'legacy-1', action: 'deleted' }),
        [STATE.EmergencyRegenerate]: () => ({
          strategy: 'regenerate',
          clientId: 'legacy-1',
          leakedClientId: 'legacy-1',
          leakedClient: 'regenerated',
          versionId: 'v2',
          promotedAt: '2026-01-01T00:00:00Z',
        }),
        [STATE.EmergencyReplace]: () => ({
          strategy: 'replace',
          clientId: 'new-1',
          leakedClientId: 'legacy-1',
          leakedClient: 'disabled',
          versionId: 'v2',
          promotedAt: '2026-01-01T00:00:00Z',
        }),
        [STATE.Rollback]: () => ({ deletedClientId: 'new-1', discardedPendingVersionId: null }),
        [STATE.DiscardPending]: () => ({ deletedClientId: 'new-1', discardedPendingVersionId: 'v2' }),
        [STATE.DiscardRefusedPending]: () => ({ deletedClientId: null, discardedPendingVersionId: null }),
      };
      for (const name of EMIT_STATES) {
        base[name] = (input) => {
          for (const entry of (input as { Entries: Json[] }).Entries) events.push(entry);
          return ok;
        };
      }
      const all: Record<string, Handler> = {};
      for (const [name, handler] of Object.entries({ ...base, ...overrides })) {
        all[name] = (input) => {
          visited.push(name);
          inputs[name] = input;
          return handler(input);
        };
      }
      return all;
    }

    async function run(input: Json, overrides: Record<string, Handler> = {}) {
      const visited: string[] = [];
      const events: Json[] = [];
      const inputs: Record<string, JSONValue> = {};
      const machine = new StateMachine(asl as never, { validationOptions: { checkArn: false } });
      const waits = Object.fromEntries(
        Object.entries(asl.States)
          .filter(([, s]) => s.Type === 'Wait')
          .map(([name]) => [name, 0]),
      );
      const retries = Object.fromEntries(
        Object.entries(asl.States)
          .filter(([, s]) => Array.isArray(s.Retry))
          .map(([name]) => [name, 0]),
      );
      const execution = machine.run(input as JSONValue, {
        overrides: {
          taskResourceLocalHandlers: handlers(overrides, visited, events, inputs),
          waitTimeOverrides: waits,
          retryIntervalOverrides: retries,
        },
        context: { Execution: { Id: 'arn:aws:states:eu-west-1:123456789012:execution:m:e-1' } } as never,
      });
      try {
        const output = await execution.result;
        return {
          visited,
          events,
          output,
          error: null as string | null,
          discardInput: inputs[STATE.DiscardRefusedPending],
        };
      } catch (error) {
        const cause = (error as Error).cause as Error | undefined;
        return {
          visited,
          events,
          output: null,
          error: cause?.name ?? (error as Error).name,
          discardInput: inputs[STATE.DiscardRefusedPending],
        };
      }
    }

    const detailTypes = (events: Json[]) => events.map((e) => e.DetailType);

    it('runs a rotation end to end, through one adoption wait, and emits the lifecycle events', async () => {
      // Act
      const result = await run({ secretId: 'genesys/prod/api' });

      // Assess
      expect(result.error).toBeNull();
      expect(result.visited).toEqual([
        STATE.Fetch,
        STATE.Validate,
        STATE.EmitStarted,
        STATE.Create,
        STATE.EmitCreated,
        STATE.Verify,
        STATE.EmitVerified,
        STATE.Sync,
        STATE.EmitPromoted,
        STATE.CheckAdoption,
        STATE.EmitAdoptionProgress,
        STATE.CheckAdoption,
        STATE.DeactivateLegacy,
        STATE.EmitDeactivated,
        STATE.CheckRetirement,
        STATE.DeleteLegacy,
        STATE.EmitRetired,
      ]);
      expect(detailTypes(result.events)).toEqual([
        DETAIL_TYPE.started,
        DETAIL_TYPE.created,
        DETAIL_TYPE.verified,
        DETAIL_TYPE.promoted,
        DETAIL_TYPE.adoptionProgressed,
        DETAIL_TYPE.legacyDeactivated,
        DETAIL_TYPE.legacyRetired,
        DETAIL_TYPE.succeeded,
      ]);
      expect(result.events[3]?.Detail).toMatchObject({
        schemaVersion: '2',
        secretId: 'genesys/prod/api',
        executionId: 'arn:aws:states:eu-west-1:123456789012:execution:m:e-1',
        credential: { kind: 'oauth-client', legacyId: 'legacy-1', newId: 'new-1' },
      });
    });

    it('reports a refusal when Fetch fails on raw input that omits the trigger', async () => {
      // Act
      const result = await run(
        { secretId: 'genesys/prod/api' },
        { [STATE.Fetch]: () => fail('TargetNotFoundError', 'Secret genesys/prod/api does not exist') },
      );

      // Assess
      expect(result.error).toBe('TargetNotFoundError');
      expect(result.visited).toEqual([STATE.Fetch, STATE.DiscardRefusedPending, STATE.EmitRefused]);
      expect(result.discardInput).toMatchObject({
        state: { secretId: 'genesys/prod/api', trigger: 'manual', dryRun: false },
      });
      expect(result.events).toHaveLength(1);
      expect(result.events[0]).toMatchObject({
        DetailType: DETAIL_TYPE.refused,
        Detail: {
          secretId: 'genesys/prod/api',
          trigger: 'manual',
          error: { Error: 'TargetNotFoundError', Cause: 'Secret genesys/prod/api does not exist' },
        },
      });
    });

    it('reports a refusal when the input names no secret at all', async () => {
      // Act
      const result = await run(
        { nonsense: true },
        { [STATE.Fetch]: () => fail('InvalidInputError', 'bad input') },
      );

      // Assess
      expect(result.error).toBe('InvalidInputError');
      expect(result.events[0]).toMatchObject({ Detail: { secretId: '(unknown)', trigger: 'manual' } });
    });

    it('reports a refusal from Validate even when discarding the pending version fails', async () => {
      // Act
      const result = await run(
        { secretId: 'genesys/prod/api' },
        {
          [STATE.Validate]: () => fail('QuotaExceededError', 'no room for one more client'),
          [STATE.DiscardRefusedPending]: () => fail('Error', 'boom'),
        },
      );

      // Assess
      expect(result.error).toBe('QuotaExceededError');
      expect(detailTypes(result.events)).toEqual([DETAIL_TYPE.refused]);
    });

    it('compensates a failed Verify in reverse order and fails with the original error', async () => {
      // Act
      const result = await run(
        { secretId: 'genesys/prod/api' },
        { [STATE.Verify]: () => fail('VerificationFailedError', 'token names another client') },
      );

      // Assess
      expect(result.error).toBe('VerificationFailedError');
      expect(result.visited.slice(-4)).toEqual([
        STATE.Verify,
        STATE.DiscardPending,
        STATE.Rollback,
        STATE.EmitRolledBack,
      ]);
      expect(result.events.at(-1)).toMatchObject({
        DetailType: DETAIL_TYPE.rolledBack,
        Detail: {
          credential: { kind: 'oauth-client', legacyId: 'legacy-1' },
          error: { Error: 'VerificationFailedError' },
        },
      });
    });

    it('asks for a human when retiring the legacy client fails after promotion', async () => {
      // Act
      const result = await run(
        { secretId: 'genesys/prod/api' },
        {
          [STATE.CheckAdoption]: () => ({
            adopted: true,
            held: false,
            hold: null,
            decidedBy: 'evidence',
            waitSeconds: 0,
            checks: 1,
          }),
          [STATE.DeleteLegacy]: () => fail('Error', 'Genesys refused the delete'),
        },
      );

      // Assess
      expect(result.error).toBe('NeedsAttentionError');
      expect(result.visited).not.toContain(STATE.Rollback);
      expect(detailTypes(result.events).at(-1)).toBe(DETAIL_TYPE.needsAttention);
    });

    const hold = {
      Error: 'LegacyClientStillUsed',
      Cause: 'Legacy client legacy-1 made 12 requests',
      reason: 'legacy-traffic',
      legacyClientId: 'legacy-1',
      legacyRequestsSincePromotion: 12,
      daysObserved: 1,
      evidenceDaysRequired: 2,
    };

    it('holds without evidence: never deactivates, ends NeedsAttention with the figures as error and cause', async () => {
      // Act
      const result = await run(
        { secretId: 'genesys/prod/api' },
        {
          [STATE.CheckAdoption]: () => ({
            adopted: false,
            held: true,
            hold,
            decidedBy: null,
            waitSeconds: 0,
          }),
        },
      );

      // Assess
      expect(result.error).toBe('NeedsAttentionError');
      expect(result.visited).not.toContain(STATE.DeactivateLegacy);
      expect(result.events.at(-1)).toMatchObject({
        DetailType: DETAIL_TYPE.needsAttention,
        Detail: { credential: { kind: 'oauth-client', legacyId: 'legacy-1' }, error: hold },
      });
    });

    it('re-activates the legacy client before alerting when the retirement check saw legacy traffic', async () => {
      // Act
      const result = await run(
        { secretId: 'genesys/prod/api' },
        {
          [STATE.CheckAdoption]: () => ({
            adopted: true,
            held: false,
            hold: null,
            decidedBy: 'evidence',
            waitSeconds: 0,
          }),
          [STATE.CheckRetirement]: () => ({ verdict: 'legacy-traffic', hold, waitSeconds: 0, checks: 1 }),
        },
      );

      // Assess
      expect(result.error).toBe('NeedsAttentionError');
      expect(result.visited).toContain(STATE.ReactivateLegacy);
      expect(result.visited).not.toContain(STATE.DeleteLegacy);
      expect(result.events.at(-1)).toMatchObject({
        DetailType: DETAIL_TYPE.needsAttention,
        Detail: { error: hold },
      });
    });

    it('asks for a human when a compensation fails', async () => {
      // Act
      const result = await run(
        { secretId: 'genesys/prod/api' },
        {
          [STATE.Create]: () => fail('ScopeViolationError', 'role not allowed'),
          [STATE.Rollback]: () => fail('Error', 'could not delete the new client'),
        },
      );

      // Assess
      expect(result.error).toBe('NeedsAttentionError');
      expect(result.events.at(-1)).toMatchObject({
        DetailType: DETAIL_TYPE.needsAttention,
        Detail: { error: { Error: 'ScopeViolationError' } },
      });
    });

    it('plans without rotating on a dry run', async () => {
      // Act
      const result = await run(
        { secretId: 'genesys/prod/api', dryRun: true },
        {
          [STATE.Fetch]: () => ({
            secretId: 'genesys/prod/api',
            dryRun: true,
            reason: '',
            mode: 'standard',
            trigger: 'cli',
            inventory: { kind: 'oauth-client', credential: { legacyId: 'legacy-1' } },
          }),
        },
      );

      // Assess
      expect(result.error).toBeNull();
      expect(result.visited).toEqual([STATE.Fetch, STATE.Validate, STATE.EmitPlan]);
      expect(result.events[0]).toMatchObject({
        DetailType: DETAIL_TYPE.planned,
        Detail: { trigger: 'cli', ok: true },
      });
    });

    it.each([
      ['replace', STATE.EmergencyReplace],
      ['regenerate', STATE.EmergencyRegenerate],
    ] as const)('runs the %s emergency strategy and reports it', async (strategy, task) => {
      // Act
      const result = await run(
        { secretId: 'genesys/prod/api', mode: 'emergency', emergencyStrategy: strategy },
        {
          [STATE.Fetch]: () => ({
            secretId: 'genesys/prod/api',
            dryRun: false,
            reason: 'leaked',
            mode: 'emergency',
            emergencyStrategy: strategy,
            trigger: 'manual',
            inventory: { kind: 'oauth-client', credential: { legacyId: 'legacy-1' } },
          }),
        },
      );

      // Assess
      expect(result.error).toBeNull();
      expect(result.visited).toEqual([STATE.Fetch, STATE.Validate, task, STATE.EmitEmergencyRotated]);
      expect(detailTypes(result.events)).toEqual([DETAIL_TYPE.emergencyCompleted]);
    });

    it('compensates a failed emergency replacement like a failed Create', async () => {
      // Act
      const result = await run(
        { secretId: 'genesys/prod/api', mode: 'emergency' },
        {
          [STATE.Fetch]: () => ({
            secretId: 'genesys/prod/api',
            dryRun: false,
            reason: 'leaked',
            mode: 'emergency',
            emergencyStrategy: 'replace',
            trigger: 'manual',
            inventory: { kind: 'oauth-client', credential: { legacyId: 'legacy-1' } },
          }),
          [STATE.EmergencyReplace]: () => {
            const error = new Error('Genesys refused the new client');
            error.name = 'InsufficientPrivilegeError';
            throw error;
          },
        },
      );

      // Assess
      expect(result.visited).toEqual([
        STATE.Fetch,
        STATE.Validate,
        STATE.EmergencyReplace,
        STATE.DiscardPending,
        STATE.Rollback,
        STATE.EmitRolledBack,
      ]);
      expect(result.error).toBe('InsufficientPrivilegeError');
    });
  });
});
