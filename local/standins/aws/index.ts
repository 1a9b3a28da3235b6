/**
 * AWS stand-ins for local mode and tests: Secrets Manager, EventBridge, Step Functions and Lambda Invoke served by
 * one loopback HTTP server speaking the AWS JSON protocols, so the real AWS SDK v3 clients reach it
 * through `endpoint` or `AWS_ENDPOINT_URL` / `AWS_ENDPOINT_URL_<SERVICE>`.
 */
import { EventBridgeStandIn } from './eventbridge.js';
import { FaultInjector } from './faults.js';
import type { IamAuthority } from './iam.js';
import { LambdaStandIn } from './lambda.js';
import { SecretsManagerStandIn } from './secrets-manager.js';
import { startAwsHttpServer } from './server.js';
import { SqsStandIn } from './sqs.js';
import { StepFunctionsStandIn } from './step-functions.js';
import type { AwsRequestRecord, AwsStandIn, AwsStandInOptions, Clock } from './types.js';

export {
  type AuthorizationDecision,
  type AuthorizationRequest,
  accessKeyIdOf,
  IamAuthority,
  type IamAuthorityOptions,
  IamConfigurationError,
  type LocalCredentials,
  OPERATOR_ACCESS_KEY_ID,
  OPERATOR_CREDENTIALS,
  type PhysicalIds,
  type PhysicalResource,
  type ServiceAuthorizationRequest,
} from './iam.js';
export type { SqsMessage } from './sqs.js';
export type {
  AwsFaultRule,
  AwsRequestRecord,
  AwsServiceName,
  AwsStandIn,
  AwsStandInOptions,
  Clock,
  EventBridgeTargetEvent,
  ExecutionContext,
  ExecutionOutcome,
  ExecutionRunner,
  ExecutionStatus,
  RecordedEvent,
  RotationAttemptRecord,
  RotationEvent,
  RotationFunction,
  RotationOutcome,
  RotationRecord,
  RotationRetryToken,
  RotationStep,
  RotationStepRecord,
  SecretVersionSnapshot,
} from './types.js';

const systemClock: Clock = { now: () => new Date() };

export async function startAwsStandIn(options: AwsStandInOptions = {}): Promise<AwsStandIn> {
  const region = options.region ?? 'eu-west-1';
  const accountId = options.accountId ?? '123456789012';
  const clock = options.clock ?? systemClock;
  const rotationAttempts = options.rotationAttempts ?? 2;
  if (!Number.isInteger(rotationAttempts) || rotationAttempts < 1) {
    throw new Error(`rotationAttempts must be a positive integer, got ${rotationAttempts}`);
  }

  const secretsManager = new SecretsManagerStandIn({
    region,
    accountId,
    clock,
    rotationAttempts,
    ...(options.secretArnSuffix ? { secretArnSuffix: options.secretArnSuffix } : {}),
    rotationRetryToken: options.rotationRetryToken ?? 'same',
  });
  const eventBridge = new EventBridgeStandIn({ region, accountId, clock });
  const stepFunctions = new StepFunctionsStandIn({ clock });
  const sqs = new SqsStandIn({ region, accountId, clock });
  const lambda = new LambdaStandIn({ region, accountId });
  const faults = new FaultInjector();
  const requestLog: AwsRequestRecord[] = [];
  let iamAuthority: IamAuthority | null = options.iam ?? null;
  const server = await startAwsHttpServer(options.port ?? 0, {
    handlers: [secretsManager, eventBridge, stepFunctions, sqs],
    faults,
    clock,
    requestLog,
    iamAuthority: () => iamAuthority,
    lambda,
  });

  let closing: Promise<void> | null = null;
  return {
    url: server.url,
    region,
    accountId,
    requestLog,
    setIamAuthority(authority) {
      iamAuthority = authority;
    },
    close() {
      closing ??= (async () => {
        secretsManager.close();
        stepFunctions.close();
        await server.close();
      })();
      return closing;
    },
    faults: {
      add: (rule) => faults.add(rule),
      clear: () => faults.clear(),
    },
    secretsManager: {
      registerRotationFunction: (lambdaArn, invoke) =>
        secretsManager.registerRotationFunction(lambdaArn, invoke),
      versions: (secretId) => secretsManager.versions(secretId),
      rotations: () => secretsManager.rotations(),
      waitForRotation: (secretId, timeoutMs) => secretsManager.waitForRotation(secretId, timeoutMs),
    },
    eventBridge: {
      events: eventBridge.events,
      subscribe: (listener) => eventBridge.subscribe(listener),
    },
    sqs: { messages: (queueName) => sqs.messages(queueName), urlOf: (queueName) => sqs.urlOf(queueName) },
    lambda: {
      registerFunction: (functionArn, invoke) => lambda.registerFunction(functionArn, invoke),
    },
    stepFunctions: {
      registerStateMachine: (stateMachineArn, runner, options) =>
        stepFunctions.registerStateMachine(stateMachineArn, runner, options),
      waitForExecution: (executionArn, timeoutMs) => stepFunctions.waitForExecution(executionArn, timeoutMs),
    },
  };
}
