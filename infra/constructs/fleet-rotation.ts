/**
 * Fleet rotation: a second Standard state machine that rotates every managed secret selected by tag,
 * by starting the rotation state machine once per secret (docs/ARCHITECTURE.md, "Fleet rotation").
 *
 *   Select (ListSecrets by tag, grouped by genesys:org-id)
 *     -> RotateOrgs: Distributed Map over the orgs (child workflows, STANDARD, MaxConcurrency = orgs at once)
 *          -> RotateOrgSecrets: Map over one org's secrets (MaxConcurrency = per-org concurrency)
 *               -> RotateSecret: states:startExecution.sync:2, named `<batchId>-<secret>`
 *                  Catch ExecutionAlreadyExists -> already-started; Catch States.ALL -> failed
 *     -> Summarize -> EmitFleetSummary -> WithinFailureTolerance -> FleetCompleted | FleetFailureToleranceExceeded
 *
 * Each item catches its own failure, so one secret never stops the others and every failure is named
 * in the summary; `ToleratedFailurePercentage` on the Distributed Map covers a whole org's child
 * workflow failing, and the same percentage over the secrets' outcomes decides the fleet's status.
 */
import { type CfnElement, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  type CfnStateMachine,
  Choice,
  Condition,
  DefinitionBody,
  DistributedMap,
  Fail,
  IntegrationPattern,
  type IStateMachine,
  JitterType,
  JsonPath,
  LogLevel,
  Map as MapState,
  Pass,
  StateMachine,
  StateMachineType,
  Succeed,
  TaskInput,
  Timeout,
} from 'aws-cdk-lib/aws-stepfunctions';
import {
  EventBridgePutEvents,
  LambdaInvoke,
  StepFunctionsStartExecution,
} from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import {
  FleetFailureToleranceExceededError,
  InvalidConfigurationError,
  RETRYABLE_ERROR_NAMES,
} from '../../functions/shared/errors.js';
import { type FleetRateBudget, fleetConcurrency } from './fleet-budget.js';
import { EVENT_SOURCE } from './rotation-state-machine.js';
import { RotatorFunction } from './rotator-function.js';

/** State names of the fleet machine: a contract with the local engine and the tests. */
export const FLEET_STATE = {
  Select: 'SelectSecrets',
  RotateOrgs: 'RotateOrgs',
  RotateOrgSecrets: 'RotateOrgSecrets',
  RotateSecret: 'RotateSecret',
  RecordSucceeded: 'RecordSucceeded',
  RecordAlreadyStarted: 'RecordAlreadyStarted',
  RecordFailed: 'RecordFailed',
  Summarize: 'Summarize',
  EmitFleetSummary: 'EmitFleetSummary',
  WithinFailureTolerance: 'WithinFailureTolerance',
  FleetCompleted: 'FleetCompleted',
  FleetFailureToleranceExceeded: 'FleetFailureToleranceExceeded',
} as const;

/** Detail type of the fleet's audit event (one per fleet execution, with the summary). */
export const FLEET_DETAIL_TYPE = 'Fleet Rotation Completed';

/**
 * `schemaVersion` of the fleet's event (`schemas/events/fleet-rotation-completed.v<N>.json`). Its own
 * contract, versioned apart from the rotation machine's events (`EVENT_SCHEMA_VERSION`): it changes
 * when the summary's shape does.
 */
export const FLEET_EVENT_SCHEMA_VERSION = '1';

/** What Step Functions names StartExecution's refusal of a name already used (service integration errors). */
export const EXECUTION_ALREADY_EXISTS = 'StepFunctions.ExecutionAlreadyExistsException';

/** CDK metadata marking the fleet machine, so local mode can tell it from the rotation machine. */
export const FLEET_MACHINE_METADATA_KEY = 'genesys-rotator:fleet';

/** Error of the fleet execution when too many secrets failed. */
export const FLEET_FAILURE_ERROR = FleetFailureToleranceExceededError.errorName;

export interface FleetRotationProps {
  /** The rotation state machine each secret's execution runs. */
  readonly rotationStateMachine: IStateMachine;
  /** The function serving Select and Summarize (`functions/fleet/handler.ts`). */
  readonly fleetFunction: IFunction;
  readonly eventBus: IEventBus;
  /** Physical name (fixed, like the rotation machine's). */
  readonly stateMachineName: string;
  /** The Genesys request budget and the rotation policy's call profile it is shared by. */
  readonly budget: FleetRateBudget;
  /**
   * Orgs rotated at once (the Distributed Map's MaxConcurrency); fewer when the budget allows fewer
   * rotations at once than orgs.
   * @default 5
   */
  readonly maxOrgsInParallel?: number;
  /**
   * Rotations at once within one org. Refused at synth when above what the budget allows.
   * @default - the budget's concurrency (see `fleetConcurrency`)
   */
  readonly maxConcurrencyPerOrg?: number;
  /**
   * Percentage of secrets (and of org child workflows) that may fail before the fleet execution fails.
   * @default 10
   */
  readonly toleratedFailurePercentage?: number;
  /** Longest one rotation may run (the rotation machine's timeout). @default Duration.days(45) */
  readonly rotationTimeout?: Duration;
  /** @default Duration.days(60): a rotation may run 45 days; orgs run in waves. */
  readonly timeout?: Duration;
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /** @default RemovalPolicy.DESTROY */
  readonly logRemovalPolicy?: RemovalPolicy;
}

export class FleetRotation extends Construct {
  readonly stateMachine: StateMachine;
  readonly logGroup: LogGroup;
  readonly maxConcurrencyPerOrg: number;
  readonly maxOrgsInParallel: number;
  readonly toleratedFailurePercentage: number;
  /** How the budget sized the concurrency, in words (README, docs). */
  readonly budgetExplanation: string;

  constructor(scope: Construct, id: string, props: FleetRotationProps) {
    super(scope, id);
    this.toleratedFailurePercentage = props.toleratedFailurePercentage ?? 10;
    const sizing = fleetConcurrency(props.budget, props.maxOrgsInParallel ?? 5);
    this.maxOrgsInParallel = sizing.orgsInParallel;
    this.budgetExplanation = sizing.explanation;
    this.maxConcurrencyPerOrg = props.maxConcurrencyPerOrg ?? sizing.perOrg;
    if (
      !Number.isInteger(this.maxConcurrencyPerOrg) ||
      this.maxConcurrencyPerOrg < 1 ||
      this.maxConcurrencyPerOrg > sizing.perOrg
    ) {
      throw new InvalidConfigurationError(
        `maxConcurrencyPerOrg ${this.maxConcurrencyPerOrg} exceeds the Genesys rate budget: ${sizing.explanation}`,
      );
    }
    if (!(this.toleratedFailurePercentage >= 0 && this.toleratedFailurePercentage <= 100)) {
      throw new InvalidConfigurationError(
        `toleratedFailurePercentage must be 0-100, got ${this.toleratedFailurePercentage}`,
      );
    }

    const transientRetry = {
      errors: [...RETRYABLE_ERROR_NAMES],
      interval: Duration.seconds(2),
      backoffRate: 2,
      maxAttempts: 5,
      maxDelay: Duration.seconds(30),
      jitterStrategy: JitterType.FULL,
    };

    const select = new LambdaInvoke(this, FLEET_STATE.Select, {
      stateName: FLEET_STATE.Select,
      lambdaFunction: props.fleetFunction,
      payloadResponseOnly: true,
      payload: TaskInput.fromObject({
        fleetTask: 'select',
        'input.$': '$',
        'executionName.$': '$$.Execution.Name',
      }),
    }).addRetry(transientRetry);

    // One secret: a named rotation execution, waited for (.sync:2). The name makes a re-run of the
    // batch start nothing twice: Step Functions answers a finished name with ExecutionAlreadyExists
    // and a running one (same input) with the running execution, which .sync then waits for.
    const item = (field: string) => ({ [`${field}.$`]: `$.item.${field}` });
    const record = (name: string, outcome: string, withError: boolean) =>
      new Pass(this, name, {
        stateName: name,
        parameters: {
          ...item('secretArn'),
          ...item('secretName'),
          ...item('orgId'),
          ...item('executionName'),
          outcome,
          ...(withError ? { 'error.$': '$.error' } : {}),
        },
      });
    const recordSucceeded = record(FLEET_STATE.RecordSucceeded, 'succeeded', false);
    const recordAlreadyStarted = record(FLEET_STATE.RecordAlreadyStarted, 'already-started', true);
    const recordFailed = record(FLEET_STATE.RecordFailed, 'failed', true);
    const rotateSecret = new StepFunctionsStartExecution(this, FLEET_STATE.RotateSecret, {
      stateName: FLEET_STATE.RotateSecret,
      stateMachine: props.rotationStateMachine,
      integrationPattern: IntegrationPattern.RUN_JOB,
      name: JsonPath.stringAt('$.item.executionName'),
      // The rotation's input is strict (ExecutionInputSchema): no AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.
      associateWithParent: false,
      input: TaskInput.fromObject({
        'secretId.$': '$.item.secretArn',
        'dryRun.$': '$.dryRun',
        'reason.$': "States.Format('fleet {}: {}', $.batchId, $.reason)",
        trigger: 'manual',
      }),
      // Explicit: a Task without TimeoutSeconds waits forever in AWS (and 60 s in the ASL spec and
      // aws-local-stepfunctions). A rotation may run as long as the rotation machine allows.
      taskTimeout: Timeout.duration(props.rotationTimeout ?? Duration.days(45)),
      // Only the status: the rotation's output stays in its own execution.
      resultSelector: { 'status.$': '$.Status' },
      resultPath: '$.rotation',
    })
      .addRetry({
        errors: ['StepFunctions.SdkClientException', 'StepFunctions.ExecutionLimitExceededException'],
        interval: Duration.seconds(5),
        backoffRate: 2,
        maxAttempts: 4,
        jitterStrategy: JitterType.FULL,
      })
      .addCatch(recordAlreadyStarted, { errors: [EXECUTION_ALREADY_EXISTS], resultPath: '$.error' })
      .addCatch(recordFailed, { errors: ['States.ALL'], resultPath: '$.error' })
      .next(recordSucceeded);

    const common = {
      'dryRun.$': '$.dryRun',
      'reason.$': '$.reason',
      'batchId.$': '$.batchId',
    };
    const rotateOrgSecrets = new MapState(this, FLEET_STATE.RotateOrgSecrets, {
      stateName: FLEET_STATE.RotateOrgSecrets,
      itemsPath: '$.group.secrets',
      maxConcurrency: this.maxConcurrencyPerOrg,
      itemSelector: { 'item.$': '$$.Map.Item.Value', ...common },
    });
    rotateOrgSecrets.itemProcessor(rotateSecret);

    const rotateOrgs = new DistributedMap(this, FLEET_STATE.RotateOrgs, {
      stateName: FLEET_STATE.RotateOrgs,
      itemsPath: '$.groups',
      maxConcurrency: this.maxOrgsInParallel,
      mapExecutionType: StateMachineType.STANDARD,
      toleratedFailurePercentage: this.toleratedFailurePercentage,
      itemSelector: { 'group.$': '$$.Map.Item.Value', ...common },
      resultPath: '$.results',
    });
    rotateOrgs.itemProcessor(rotateOrgSecrets);

    const summarize = new LambdaInvoke(this, FLEET_STATE.Summarize, {
      stateName: FLEET_STATE.Summarize,
      lambdaFunction: props.fleetFunction,
      payloadResponseOnly: true,
      payload: TaskInput.fromObject({
        fleetTask: 'summarize',
        'batchId.$': '$.batchId',
        'total.$': '$.total',
        'results.$': '$.results',
      }),
    }).addRetry(transientRetry);

    const emitSummary = new EventBridgePutEvents(this, FLEET_STATE.EmitFleetSummary, {
      stateName: FLEET_STATE.EmitFleetSummary,
      entries: [
        {
          eventBus: props.eventBus,
          source: EVENT_SOURCE,
          detailType: FLEET_DETAIL_TYPE,
          detail: TaskInput.fromObject({
            schemaVersion: FLEET_EVENT_SCHEMA_VERSION,
            'executionId.$': '$$.Execution.Id',
            'batchId.$': '$.batchId',
            'summary.$': '$',
          }),
        },
      ],
      resultPath: JsonPath.DISCARD,
    }).addRetry({
      errors: ['States.TaskFailed'],
      interval: Duration.seconds(1),
      backoffRate: 2,
      maxAttempts: 3,
      jitterStrategy: JitterType.FULL,
    });

    const completed = new Succeed(this, FLEET_STATE.FleetCompleted, {
      stateName: FLEET_STATE.FleetCompleted,
    });
    const exceeded = new Fail(this, FLEET_STATE.FleetFailureToleranceExceeded, {
      stateName: FLEET_STATE.FleetFailureToleranceExceeded,
      error: FLEET_FAILURE_ERROR,
      cause: `More than ${this.toleratedFailurePercentage}% of the selected secrets failed; see the ${FLEET_DETAIL_TYPE} event`,
    });
    const withinTolerance = new Choice(this, FLEET_STATE.WithinFailureTolerance, {
      stateName: FLEET_STATE.WithinFailureTolerance,
    })
      .when(Condition.numberGreaterThan('$.failedPercentage', this.toleratedFailurePercentage), exceeded)
      .otherwise(completed);

    const definition = select.next(rotateOrgs).next(summarize).next(emitSummary).next(withinTolerance);

    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.DESTROY,
    });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineName: props.stateMachineName,
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromChainable(definition),
      comment: `Rotates every managed Genesys credential selected by tag (${Stack.of(this).stackName})`,
      timeout: props.timeout ?? Duration.days(60),
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: LogLevel.ALL, includeExecutionData: false },
    });
    (this.stateMachine.node.defaultChild as CfnStateMachine).addMetadata(FLEET_MACHINE_METADATA_KEY, true);
  }
}

/** What a rotator stack takes to add the fleet machine (`RotatorStackProps.fleet`). */
export interface FleetOptions {
  /** @default `${stackName}-fleet` */
  readonly stateMachineName?: string;
  readonly maxOrgsInParallel?: number;
  readonly maxConcurrencyPerOrg?: number;
  readonly toleratedFailurePercentage?: number;
  /** Budget figures; the policy (and whether the budget is per org) comes from the rotator. */
  readonly budget?: Omit<FleetRateBudget, 'policy'>;
}

/** The rotator pieces the fleet builds on. */
export interface FleetRotator {
  readonly policy: FleetRateBudget['policy'];
  /** The rotator holds one admin credential per org (`orgAdminSecrets`): the budget is per org. */
  readonly adminCredentialsPerOrg?: boolean;
  readonly stateMachine: IStateMachine;
  readonly eventBus: IEventBus;
  readonly logRetention?: RetentionDays;
}

/**
 * Adds the fleet function (Select/Summarize: ListSecrets only, no value) and the fleet machine to a
 * rotator stack, with the cdk-nag acknowledgements their grants need.
 */
export function addFleetRotation(
  stack: Stack,
  rotator: FleetRotator,
  options: FleetOptions = {},
): FleetRotation {
  const fleetFunction = new RotatorFunction(stack, 'Fleet', {
    entry: 'functions/fleet/handler.ts',
    description: 'Fleet rotation: selects managed secrets by tag (no values) and summarizes the outcomes',
    ...(rotator.logRetention === undefined ? {} : { logRetention: rotator.logRetention }),
  });
  // ListSecrets has no resource-level permissions: it is granted on '*' or not at all. It returns
  // names, ARNs and tags, never a value.
  fleetFunction.addToRolePolicy(
    new PolicyStatement({ actions: ['secretsmanager:ListSecrets'], resources: ['*'] }),
  );
  Validations.of(fleetFunction.serviceRole).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'secretsmanager:ListSecrets supports no resource-level permissions (it lists names and tags, never values); X-Ray PutTraceSegments/PutTelemetryRecords likewise.',
  });
  Validations.of(fleetFunction).acknowledge({
    id: 'AwsSolutions-L1',
    reason: 'Lambdas target Node.js 22 per project policy (bundles are built with target node22).',
  });

  const fleet = new FleetRotation(stack, 'FleetRotation', {
    rotationStateMachine: rotator.stateMachine,
    fleetFunction,
    eventBus: rotator.eventBus,
    stateMachineName: options.stateMachineName ?? `${stack.stackName}-fleet`,
    budget: {
      ...(rotator.adminCredentialsPerOrg ? { adminCredentialsPerOrg: true } : {}),
      ...options.budget,
      policy: rotator.policy,
    },
    ...(options.maxOrgsInParallel === undefined ? {} : { maxOrgsInParallel: options.maxOrgsInParallel }),
    ...(options.maxConcurrencyPerOrg === undefined
      ? {}
      : { maxConcurrencyPerOrg: options.maxConcurrencyPerOrg }),
    ...(options.toleratedFailurePercentage === undefined
      ? {}
      : { toleratedFailurePercentage: options.toleratedFailurePercentage }),
    ...(rotator.logRetention === undefined ? {} : { logRetention: rotator.logRetention }),
  });
  const role = fleet.stateMachine.role;
  const fnLogicalId = stack.getLogicalId(fleetFunction.node.defaultChild as CfnElement);
  Validations.of(role).acknowledge({
    id: `AwsSolutions-IAM5[Resource::<${fnLogicalId}.Arn>:*]`,
    reason: 'CDK LambdaInvoke grants lambda:InvokeFunction on the function and its versions/aliases (ARN:*).',
  });
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'X-Ray tracing and CloudWatch Logs delivery (logs:CreateLogDelivery, ...) for Step Functions support no resource-level scoping.',
  });
  // The .sync:2 grants: DescribeExecution/StopExecution on the rotation machine's executions, and the
  // Distributed Map's own grants on the fleet machine's executions (child workflows and map runs).
  const executionsOf = (machine: IStateMachine, suffix: string) => {
    const machineId = stack.getLogicalId(machine.node.defaultChild as CfnElement);
    return `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${machineId}"}]}]}${suffix}]`;
  };
  Validations.of(role).acknowledge({
    id: executionsOf(rotator.stateMachine, '*'),
    reason:
      'startExecution.sync:2 (CDK StepFunctionsStartExecution RUN_JOB) polls and stops the rotation executions it starts; their names are per batch and secret, known only at run time.',
  });
  const distributedMapPolicy = fleet.stateMachine.node.findChild('DistributedMapPolicy');
  for (const suffix of [':*', '/*:*']) {
    Validations.of(distributedMapPolicy).acknowledge({
      id: executionsOf(fleet.stateMachine, suffix),
      reason:
        "The Distributed Map runs each org as a child workflow of the fleet machine itself: CDK's DistributedMapPolicy grants Describe/Stop on the fleet machine's own executions and map runs only.",
    });
  }
  return fleet;
}
