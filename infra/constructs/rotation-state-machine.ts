/**
 * The rotation saga as a Standard state machine (JSONPath). The graph, the state names and the
 * payloads are the contract of docs/ARCHITECTURE.md ("The state machine"): the local engine, the
 * Secrets Manager hook, the operator CLI and the tests rely on them, so they live in
 * `functions/shared/workflow.ts` (no CDK there) and nowhere else.
 *
 * Every forward step that can leave something behind catches into its compensation; compensations
 * run in reverse order and end in one Fail state. After promotion nothing rolls the secret back:
 * failures end in a loud `Rotation Needs Attention` event.
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  Chain,
  Choice,
  Condition,
  DefinitionBody,
  Fail,
  JitterType,
  JsonPath,
  LogLevel,
  Pass,
  type RetryProps,
  StateMachine,
  StateMachineType,
  Succeed,
  TaskInput,
  type TaskStateBase,
  Wait,
  WaitTime,
} from 'aws-cdk-lib/aws-stepfunctions';
import { EventBridgePutEvents, LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import {
  CredentialNotYetActiveError,
  DependentHealthCheckFailedError,
  NeedsAttentionError,
  PromotionPendingError,
  RETRYABLE_ERROR_NAMES,
} from '../../functions/shared/errors.js';
import {
  DETAIL_TYPE,
  EVENT_SCHEMA_VERSION,
  EVENT_SOURCE,
  FOLLOW_STATE,
  REFUSAL_INPUT_DEFAULTS,
  STATE,
  type StateName,
} from '../../functions/shared/workflow.js';
import { followedByWebhooks } from './webhook-states.js';

// The workflow contract lives in a module without CDK (the CLI, the hook and the local runner read
// it); re-exported so existing imports of this construct keep working.
export {
  DETAIL_TYPE,
  EVENT_SCHEMA_VERSION,
  EVENT_SOURCE,
  FOLLOW_STATE,
  REFUSAL_INPUT_DEFAULTS,
  STATE,
  type StateName,
};

/** The functions the state machine invokes. */
export interface RotationFunctions {
  readonly fetch: IFunction;
  readonly validate: IFunction;
  /** The Secrets Manager rotation function; also serves `create`, `sync`, `discardPending`, `emergency`. */
  readonly rotator: IFunction;
  readonly verify: IFunction;
  readonly checkAdoption: IFunction;
  readonly deleteOrRollback: IFunction;
  /** Integration credentials following the rotated client; absent: no such states. */
  readonly followDependents?: IFunction;
}

export interface RotationStateMachineProps {
  readonly functions: RotationFunctions;
  /** Bus the audit events go to. */
  readonly eventBus: IEventBus;
  /**
   * Physical name. Fixed so the functions can name the state machine (`STATE_MACHINE_ARN`) without
   * depending on it.
   */
  readonly stateMachineName: string;
  /**
   * Longest an execution may run: grace period, adoption gate and maintenance windows included.
   * @default Duration.days(45)
   */
  readonly timeout?: Duration;
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /** @default RemovalPolicy.DESTROY */
  readonly logRemovalPolicy?: RemovalPolicy;
  /**
   * Signed webhooks after `EmitPromoted` and after `EmitRetired` (infra/constructs/webhook-states.ts).
   * @default - no webhook states
   */
  readonly webhooks?: { readonly deliver: IFunction };
}

/** Every Lambda task retries a transient upstream failure (429/5xx/timeouts after the adapter's own retries). */
const TRANSIENT_RETRY: RetryProps = {
  errors: [...RETRYABLE_ERROR_NAMES],
  interval: Duration.seconds(2),
  backoffRate: 2,
  maxAttempts: 5,
  maxDelay: Duration.seconds(30),
  jitterStrategy: JitterType.FULL,
};

/** Verify: Genesys is eventually consistent right after a client is created. */
const NOT_YET_ACTIVE_RETRY: RetryProps = {
  errors: [CredentialNotYetActiveError.errorName],
  interval: Duration.seconds(2),
  backoffRate: 1.5,
  maxAttempts: 8,
};

/**
 * After an emergency, the following integrations hold the new client (the leaked one is disabled):
 * their action test is repeated while Genesys catches up with the new client, as Verify waits.
 */
const DEPENDENTS_CATCH_UP_RETRY: RetryProps = {
  errors: [DependentHealthCheckFailedError.errorName],
  interval: Duration.seconds(2),
  backoffRate: 1.5,
  maxAttempts: 8,
};

/** Sync during a native rotation: waits for finishSecret to move AWSCURRENT (up to 15 minutes). */
const PROMOTION_PENDING_RETRY: RetryProps = {
  errors: [PromotionPendingError.errorName],
  interval: Duration.seconds(5),
  backoffRate: 1,
  maxAttempts: 180,
};

/** Audit events: PutEvents can fail an entry (`EventBridge.FailedEntry`) or throttle. */
export const EMIT_RETRY: RetryProps = {
  errors: ['States.TaskFailed'],
  interval: Duration.seconds(1),
  backoffRate: 2,
  maxAttempts: 3,
  jitterStrategy: JitterType.FULL,
};

const CATCH_ALL = { errors: ['States.ALL'], resultPath: '$.error' };

/**
 * The credential an audit event is about (schema version 2), named the same for every kind: `kind`
 * (the secret's `genesys:kind`), `legacyId` (the legacy OAuth client's id, or the old partner key's
 * `keyId`) and, once Create made one, `newId`. Version 1 named OAuth fields (`legacyClientId`,
 * `newClientId`), which a partner-key rotation does not have.
 */
export function credentialFacts(newId: 'none' | 'created' | 'emergency') {
  return {
    credential: {
      'kind.$': '$.inventory.kind',
      'legacyId.$': '$.inventory.credential.legacyId',
      ...(newId === 'created' ? { 'newId.$': '$.created.credential.newId' } : {}),
      ...(newId === 'emergency' ? { 'newId.$': '$.emergency.clientId' } : {}),
    },
  };
}

/** Fields every audit event detail carries. */
export const COMMON_DETAIL = {
  schemaVersion: EVENT_SCHEMA_VERSION,
  'secretId.$': '$.secretId',
  'executionId.$': '$$.Execution.Id',
  'trigger.$': '$.trigger',
} as const;

/**
 * The rotation state machine: Fetch -> Validate -> Create -> Verify -> Sync -> adoption gate ->
 * retire, with the refusal path, the rollback saga and the needs-attention path.
 */
export class RotationStateMachine extends Construct {
  readonly stateMachine: StateMachine;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: RotationStateMachineProps) {
    super(scope, id);
    const fns = props.functions;
    const bus = props.eventBus;
    const webhooks = props.webhooks?.deliver;

    // `resultPath: '$'` is written as no ResultPath at all: the same semantics in Step Functions
    // (the result replaces the state), and aws-local-stepfunctions 3.0.0 mishandles an explicit '$'
    // (it stores the result under a key named "$").
    const invoke = (name: StateName, fn: IFunction, payload: Record<string, unknown>, resultPath: string) =>
      new LambdaInvoke(this, name, {
        stateName: name,
        lambdaFunction: fn,
        payloadResponseOnly: true,
        payload: TaskInput.fromObject(payload),
        ...(resultPath === '$' ? {} : { resultPath }),
      }).addRetry(TRANSIENT_RETRY);

    const emit = (
      name: StateName,
      entries: ReadonlyArray<{ detailType: string; facts: Record<string, unknown> }>,
    ) =>
      new EventBridgePutEvents(this, name, {
        stateName: name,
        entries: entries.map((entry) => ({
          eventBus: bus,
          source: EVENT_SOURCE,
          detailType: entry.detailType,
          detail: TaskInput.fromObject({ ...COMMON_DETAIL, ...entry.facts }),
        })),
        resultPath: JsonPath.DISCARD,
      }).addRetry(EMIT_RETRY);

    const state = { 'state.$': '$' };
    const legacy = credentialFacts('none');
    const both = credentialFacts('created');

    // 1) Needs attention: after promotion (or when a compensation itself fails) a human must look.
    //    Reached only once Fetch succeeded, so $.inventory exists; $.created may not.
    const needsAttention = new Fail(this, STATE.NeedsAttention, {
      stateName: STATE.NeedsAttention,
      error: NeedsAttentionError.errorName,
      causePath: '$.error.Cause',
    });
    const emitNeedsAttention = emit(STATE.EmitNeedsAttention, [
      { detailType: DETAIL_TYPE.needsAttention, facts: { ...legacy, 'error.$': '$.error' } },
    ]).next(needsAttention);
    const toNeedsAttention = (task: TaskStateBase, resultPath = '$.error') =>
      task.addCatch(emitNeedsAttention, { errors: ['States.ALL'], resultPath });

    // 2) Refusal: nothing was created; drop a pending version this execution may own, then report.
    //    Reached from Fetch (state = raw input) or Validate (state = normalised).
    const rotationRefused = new Fail(this, STATE.RotationRefused, {
      stateName: STATE.RotationRefused,
      errorPath: '$.error.Error',
      causePath: '$.error.Cause',
    });
    const emitRefused = emit(STATE.EmitRefused, [
      { detailType: DETAIL_TYPE.refused, facts: { 'error.$': '$.error' } },
    ]).next(rotationRefused);
    const discardRefusedPending = invoke(
      STATE.DiscardRefusedPending,
      fns.rotator,
      { rotatorTask: 'discardPending', ...state },
      '$.rolledBack',
    )
      // The refusal is still reported if the clean-up fails; its error stays in the history.
      .addCatch(emitRefused, { errors: ['States.ALL'], resultPath: '$.discardError' })
      .next(emitRefused);
    // Fetch is what applies the input's defaults; when it fails the state is `{input, error}` with the
    // raw input, which may omit `trigger` or `secretId`, or not even be an object. These Pass states
    // put the defaults under an object input (or use them alone) and attach the error, so every path
    // EmitRefused reads exists. (A JSON literal inside an intrinsic needs escaped braces, which
    // aws-local-stepfunctions does not unescape, hence static `Parameters` objects instead.)
    const prepareRefusal = new Pass(this, STATE.PrepareRefusal, {
      stateName: STATE.PrepareRefusal,
      inputPath: '$.error',
      resultPath: '$.merged.error',
      outputPath: '$.merged',
    }).next(discardRefusedPending);
    const mergeRefusalInput = new Pass(this, STATE.MergeRefusalInput, {
      stateName: STATE.MergeRefusalInput,
      parameters: { 'merged.$': 'States.JsonMerge($.defaults, $.input, false)', 'error.$': '$.error' },
    }).next(prepareRefusal);
    const refusalFromDefaults = new Pass(this, STATE.RefusalFromDefaults, {
      stateName: STATE.RefusalFromDefaults,
      parameters: { 'merged.$': '$.defaults', 'error.$': '$.error' },
    }).next(prepareRefusal);
    const inputHasSecretId = new Choice(this, STATE.InputHasSecretId, { stateName: STATE.InputHasSecretId })
      .when(Condition.isPresent('$.input.secretId'), mergeRefusalInput)
      .otherwise(refusalFromDefaults);
    const refusalDefaults = new Pass(this, STATE.RefusalDefaults, {
      stateName: STATE.RefusalDefaults,
      parameters: { defaults: REFUSAL_INPUT_DEFAULTS, 'input.$': '$.input', 'error.$': '$.error' },
    }).next(inputHasSecretId);

    // 3) Rollback saga: undo Create's effects in reverse order. Dropping the pending version comes
    //    first, so a Secrets Manager finishSecret racing the rollback finds nothing to promote before
    //    the client it would name is deleted.
    const rotationRolledBack = new Fail(this, STATE.RotationRolledBack, {
      stateName: STATE.RotationRolledBack,
      errorPath: '$.error.Error',
      causePath: '$.error.Cause',
    });
    const emitRolledBack = emit(STATE.EmitRolledBack, [
      {
        detailType: DETAIL_TYPE.rolledBack,
        facts: { ...legacy, 'rolledBack.$': '$.rolledBack', 'error.$': '$.error' },
      },
    ]).next(rotationRolledBack);
    const rollback = invoke(
      STATE.Rollback,
      fns.deleteOrRollback,
      { mode: 'rollback', ...state },
      '$.rolledBack',
    );
    toNeedsAttention(rollback, '$.compensationError').next(emitRolledBack);
    const discardPending = invoke(
      STATE.DiscardPending,
      fns.rotator,
      { rotatorTask: 'discardPending', ...state },
      '$.rolledBack',
    );
    toNeedsAttention(discardPending, '$.compensationError').next(rollback);
    const followFn = fns.followDependents;
    const follow = (name: StateName, step: string, resultPath: string) =>
      invoke(name, followFn as IFunction, { step, ...state }, resultPath);
    // Undo in reverse: the integrations flip back and the credential objects made for the token go
    // before the pending version and the client they hold.
    const rollbackDependents =
      followFn === undefined
        ? null
        : toNeedsAttention(
            follow(FOLLOW_STATE.RollbackDependents, 'rollback', '$.dependentsRolledBack'),
            '$.compensationError',
          );
    rollbackDependents?.next(discardPending);
    const compensate: TaskStateBase = rollbackDependents ?? discardPending;

    // 4) Forward path.
    // The raw input is wrapped first: a Catch can only add `$.error` to an object, and an execution
    // input may be any JSON value.
    const wrapInput = new Pass(this, STATE.WrapInput, {
      stateName: STATE.WrapInput,
      parameters: { 'input.$': '$' },
    });
    const fetch = invoke(
      STATE.Fetch,
      fns.fetch,
      { 'input.$': '$.input', 'executionId.$': '$$.Execution.Id' },
      '$',
    ).addCatch(refusalDefaults, CATCH_ALL);
    const validate = invoke(STATE.Validate, fns.validate, state, '$.validation').addCatch(
      discardRefusedPending,
      CATCH_ALL,
    );
    const waitForWindow = new Wait(this, STATE.WaitForMaintenanceWindow, {
      stateName: STATE.WaitForMaintenanceWindow,
      time: WaitTime.secondsPath('$.validation.waitSeconds'),
    }).next(validate);

    const dryRunComplete = new Succeed(this, STATE.DryRunComplete, { stateName: STATE.DryRunComplete });
    const emitPlan = emit(STATE.EmitPlan, [
      {
        detailType: DETAIL_TYPE.planned,
        facts: {
          ...legacy,
          'ok.$': '$.validation.ok',
          'checks.$': '$.validation.checks',
          'plan.$': '$.validation.plan',
        },
      },
    ]).next(dryRunComplete);

    const rotationSucceeded = new Succeed(this, STATE.RotationSucceeded, {
      stateName: STATE.RotationSucceeded,
    });
    // With followers, the old credential objects go once the event is out (consumers re-read on it),
    // then one action per integration is tested on the new client.
    const afterEmergency =
      followFn === undefined
        ? rotationSucceeded
        : Chain.start(
            toNeedsAttention(
              follow(FOLLOW_STATE.RetireDependentsAfterEmergency, 'retire', '$.dependentsRetired'),
            ),
          )
            .next(
              toNeedsAttention(
                follow(
                  FOLLOW_STATE.CheckDependentsAfterEmergency,
                  'healthAfterEmergency',
                  '$.dependentsHealth',
                ).addRetry(DEPENDENTS_CATCH_UP_RETRY),
              ),
            )
            .next(rotationSucceeded);
    const emitEmergencyRotated = Chain.start(
      followedByWebhooks(
        this,
        emit(STATE.EmitEmergencyRotated, [
          {
            detailType: DETAIL_TYPE.emergencyCompleted,
            facts: { ...credentialFacts('emergency'), 'reason.$': '$.reason', 'emergency.$': '$.emergency' },
          },
        ]),
        { point: 'emergency', deliver: webhooks, eventBus: bus },
      ),
    ).next(afterEmergency);
    const emergencyRegenerate = invoke(
      STATE.EmergencyRegenerate,
      fns.rotator,
      { rotatorTask: 'emergency', ...state },
      '$.emergency',
    );
    // Regenerating invalidates the old secret at once: there is nothing to roll back to. Followers
    // hold that secret: their new objects (the regenerated value) are flipped to straight after.
    toNeedsAttention(emergencyRegenerate).next(
      followFn === undefined
        ? emitEmergencyRotated
        : toNeedsAttention(
            follow(FOLLOW_STATE.FlipDependentsAfterRegenerate, 'emergencyFlip', '$.dependentsFlipped'),
          ).next(emitEmergencyRotated),
    );
    // Replacing creates a client like Create does: a failure before promotion is compensated like
    // Create's (the compensation refuses to touch a promoted version and ends NeedsAttention then,
    // e.g. when disabling the leaked client failed after promotion).
    const emergencyReplace = invoke(
      STATE.EmergencyReplace,
      fns.rotator,
      { rotatorTask: 'emergency', ...state },
      '$.emergency',
    )
      .addCatch(compensate, CATCH_ALL)
      .next(emitEmergencyRotated);
    // With followers, the clone is made first and every integration flipped to it before
    // EmergencyReplace (which reuses the token's client) promotes and disables the leaked client:
    // the Data Actions never hold a disabled client. A failure before promotion rolls back like Create.
    const emergencyReplacePath =
      followFn === undefined
        ? emergencyReplace
        : invoke(
            FOLLOW_STATE.CreateForEmergency,
            fns.rotator,
            { rotatorTask: 'create', ...state },
            '$.created',
          )
            .addCatch(compensate, CATCH_ALL)
            .next(
              follow(
                FOLLOW_STATE.FlipDependentsForEmergency,
                'emergencyFlip',
                '$.dependentsFlipped',
              ).addCatch(compensate, CATCH_ALL),
            )
            .next(emergencyReplace);
    const emergencyStrategy = new Choice(this, STATE.EmergencyStrategy, {
      stateName: STATE.EmergencyStrategy,
    })
      .when(
        Condition.and(
          Condition.isPresent('$.emergencyStrategy'),
          Condition.stringEquals('$.emergencyStrategy', 'regenerate'),
        ),
        emergencyRegenerate,
      )
      .otherwise(emergencyReplacePath);

    const emitStarted = emit(STATE.EmitStarted, [
      {
        detailType: DETAIL_TYPE.started,
        facts: { ...legacy, 'mode.$': '$.mode', 'reason.$': '$.reason' },
      },
    ]);
    const create = invoke(
      STATE.Create,
      fns.rotator,
      { rotatorTask: 'create', ...state },
      '$.created',
    ).addCatch(compensate, CATCH_ALL);
    const verify = invoke(STATE.Verify, fns.verify, state, '$.verified')
      .addRetry(NOT_YET_ACTIVE_RETRY)
      .addCatch(compensate, CATCH_ALL);
    const sync = invoke(STATE.Sync, fns.rotator, { rotatorTask: 'sync', ...state }, '$.synced')
      .addRetry(PROMOTION_PENDING_RETRY)
      .addCatch(compensate, CATCH_ALL);
    // Before promotion an audit event that cannot be delivered still leaves nothing behind.
    const emitCreated = emit(STATE.EmitCreated, [
      {
        detailType: DETAIL_TYPE.created,
        facts: { ...both, 'reused.$': '$.created.reused' },
      },
    ]).addCatch(compensate, CATCH_ALL);
    const emitVerified = emit(STATE.EmitVerified, [
      { detailType: DETAIL_TYPE.verified, facts: { ...both } },
    ]).addCatch(compensate, CATCH_ALL);
    // After promotion the secret is never rolled back: a lost event still ends loud, in NeedsAttention.
    const emitPromoted = toNeedsAttention(
      emit(STATE.EmitPromoted, [
        {
          detailType: DETAIL_TYPE.promoted,
          facts: { ...both, 'synced.$': '$.synced' },
        },
      ]),
    );

    const checkAdoption = toNeedsAttention(
      invoke(STATE.CheckAdoption, fns.checkAdoption, { check: 'adoption', ...state }, '$.adoption'),
    );
    const emitAdoptionProgress = toNeedsAttention(
      emit(STATE.EmitAdoptionProgress, [
        {
          detailType: DETAIL_TYPE.adoptionProgressed,
          facts: { ...both, 'adoption.$': '$.adoption' },
        },
      ]),
    );
    const waitForAdoption = new Wait(this, STATE.WaitForAdoption, {
      stateName: STATE.WaitForAdoption,
      time: WaitTime.secondsPath('$.adoption.waitSeconds'),
    });
    // A hold leaves the legacy client active; the hold (its figures in Cause) becomes `$.error`, so the
    // needs-attention event and the execution's cause carry them.
    const prepareAdoptionHold = new Pass(this, STATE.PrepareAdoptionHold, {
      stateName: STATE.PrepareAdoptionHold,
      inputPath: '$.adoption.hold',
      resultPath: '$.error',
    }).next(emitNeedsAttention);
    const deactivateLegacy = toNeedsAttention(
      invoke(STATE.DeactivateLegacy, fns.deleteOrRollback, { mode: 'deactivate', ...state }, '$.retired'),
    );
    const emitDeactivated = toNeedsAttention(
      emit(STATE.EmitDeactivated, [
        { detailType: DETAIL_TYPE.legacyDeactivated, facts: { ...both, 'retired.$': '$.retired' } },
      ]),
    );
    const observeInactive = new Wait(this, STATE.ObserveInactive, {
      stateName: STATE.ObserveInactive,
      time: WaitTime.secondsPath('$.validation.plan.retireObserveSeconds'),
    });
    // Anything but a clean re-check puts the legacy client back to active before alerting: a consumer
    // that still uses it must not be the one to find out.
    const prepareRetirementHold = new Pass(this, STATE.PrepareRetirementHold, {
      stateName: STATE.PrepareRetirementHold,
      inputPath: '$.retirement.hold',
      resultPath: '$.error',
    }).next(emitNeedsAttention);
    const isRetirementHeld = new Choice(this, STATE.IsRetirementHeld, { stateName: STATE.IsRetirementHeld })
      // Reached with a verdict that carries a hold, or from CheckRetirement's Catch (`$.error` set).
      .when(
        Condition.and(
          Condition.isPresent('$.retirement.verdict'),
          Condition.or(
            Condition.stringEquals('$.retirement.verdict', 'legacy-traffic'),
            Condition.stringEquals('$.retirement.verdict', 'unobserved'),
          ),
        ),
        prepareRetirementHold,
      )
      .otherwise(emitNeedsAttention);
    const reactivateLegacy = toNeedsAttention(
      invoke(STATE.ReactivateLegacy, fns.deleteOrRollback, { mode: 'reactivate', ...state }, '$.retired'),
    ).next(isRetirementHeld);
    const checkRetirement = invoke(
      STATE.CheckRetirement,
      fns.checkAdoption,
      { check: 'retirement', ...state },
      '$.retirement',
    ).addCatch(reactivateLegacy, CATCH_ALL);
    const waitForRetirementEvidence = new Wait(this, STATE.WaitForRetirementEvidence, {
      stateName: STATE.WaitForRetirementEvidence,
      time: WaitTime.secondsPath('$.retirement.waitSeconds'),
    }).next(checkRetirement);
    const deleteLegacy = toNeedsAttention(
      invoke(STATE.DeleteLegacy, fns.deleteOrRollback, { mode: 'delete', ...state }, '$.retired'),
    );
    const emitRetired = toNeedsAttention(
      emit(STATE.EmitRetired, [
        {
          detailType: DETAIL_TYPE.legacyRetired,
          facts: { ...both, 'retired.$': '$.retired', 'retirement.$': '$.retirement' },
        },
        {
          detailType: DETAIL_TYPE.succeeded,
          facts: { ...both, 'adoption.$': '$.adoption' },
        },
      ]),
    );
    const isRetirementObserved = new Choice(this, STATE.IsRetirementObserved, {
      stateName: STATE.IsRetirementObserved,
    })
      .when(
        Condition.stringEquals('$.retirement.verdict', 'clean'),
        (followFn === undefined
          ? deleteLegacy
          : deleteLegacy
              .next(toNeedsAttention(follow(FOLLOW_STATE.RetireDependents, 'retire', '$.dependentsRetired')))
              .next(
                toNeedsAttention(
                  follow(
                    FOLLOW_STATE.CheckDependentsAfterRetirement,
                    'healthAfterRetirement',
                    '$.dependentsHealth',
                  ),
                ),
              )
        )
          .next(followedByWebhooks(this, emitRetired, { point: 'retired', deliver: webhooks, eventBus: bus }))
          .next(rotationSucceeded),
      )
      .when(Condition.stringEquals('$.retirement.verdict', 'waiting'), waitForRetirementEvidence)
      .otherwise(reactivateLegacy);

    const isAdopted = new Choice(this, STATE.IsAdopted, { stateName: STATE.IsAdopted })
      .when(Condition.booleanEquals('$.adoption.held', true), prepareAdoptionHold)
      .when(
        Condition.booleanEquals('$.adoption.adopted', false),
        emitAdoptionProgress.next(waitForAdoption).next(checkAdoption),
      )
      .otherwise(
        deactivateLegacy
          .next(emitDeactivated)
          .next(observeInactive)
          .next(checkRetirement)
          .next(isRetirementObserved),
      );

    const rotate =
      followFn === undefined
        ? emitStarted
            .next(create)
            .next(emitCreated)
            .next(verify)
            .next(emitVerified)
            .next(sync)
            .next(
              followedByWebhooks(this, emitPromoted, { point: 'promoted', deliver: webhooks, eventBus: bus }),
            )
            .next(checkAdoption)
            .next(isAdopted)
        : emitStarted
            .next(create)
            .next(emitCreated)
            .next(verify)
            // Dual slot before promotion: the new object reads AWSPENDING inside the call; a failed
            // action test has already flipped back, and the saga deletes what was made. EmitVerified
            // comes after the flip: it is the hook's milestone before finishSecret may promote, and a
            // native rotation must not promote before the integrations hold the new client.
            .next(
              follow(FOLLOW_STATE.StageDependents, 'stage', '$.dependentsStaged').addCatch(
                compensate,
                CATCH_ALL,
              ),
            )
            .next(
              follow(FOLLOW_STATE.FlipDependents, 'flip', '$.dependentsFlipped').addCatch(
                compensate,
                CATCH_ALL,
              ),
            )
            .next(emitVerified)
            .next(sync)
            .next(
              followedByWebhooks(this, emitPromoted, { point: 'promoted', deliver: webhooks, eventBus: bus }),
            )
            .next(
              toNeedsAttention(
                follow(
                  FOLLOW_STATE.CheckDependentsAfterPromotion,
                  'healthAfterPromotion',
                  '$.dependentsHealth',
                ),
              ),
            )
            .next(checkAdoption)
            .next(isAdopted);

    const isEmergency = new Choice(this, STATE.IsEmergency, { stateName: STATE.IsEmergency })
      .when(Condition.stringEquals('$.mode', 'emergency'), emergencyStrategy)
      .otherwise(rotate);
    const isDryRun = new Choice(this, STATE.IsDryRun, { stateName: STATE.IsDryRun })
      .when(Condition.booleanEquals('$.dryRun', true), emitPlan)
      .otherwise(isEmergency);
    const withinWindow = new Choice(this, STATE.WithinMaintenanceWindow, {
      stateName: STATE.WithinMaintenanceWindow,
    })
      .when(Condition.numberGreaterThan('$.validation.waitSeconds', 0), waitForWindow)
      .otherwise(isDryRun);

    // Pre-flight of the dependents: a refusal before any change, like Validate's.
    const definition =
      followFn === undefined
        ? wrapInput.next(fetch).next(validate).next(withinWindow)
        : wrapInput
            .next(fetch)
            .next(validate)
            .next(
              follow(FOLLOW_STATE.DiscoverDependents, 'discover', '$.dependents').addCatch(
                discardRefusedPending,
                CATCH_ALL,
              ),
            )
            .next(withinWindow);

    this.logGroup = new LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.DESTROY,
    });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineName: props.stateMachineName,
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromChainable(definition),
      comment: `Rotates Genesys Cloud credentials stored in Secrets Manager (${Stack.of(this).stackName})`,
      timeout: props.timeout ?? Duration.days(45),
      tracingEnabled: true,
      logs: {
        destination: this.logGroup,
        level: LogLevel.ALL,
        // Payloads hold ids and facts only, but keep logs to the transitions themselves.
        includeExecutionData: false,
      },
    });
  }
}
