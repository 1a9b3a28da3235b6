/**
 * The local environment behind `npm start`, the integration tests and the fault matrix: stand-ins
 * for Genesys Cloud and AWS on 127.0.0.1, a seeded demo org, the CDK stack synthesized in-process,
 * and the synthesized state machine run by the local engine. Everything the product does goes
 * through the real SDK clients over HTTP.
 */
import './polyfills.js';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  RotateSecretCommand,
  SecretsManagerClient,
  type Tag,
} from '@aws-sdk/client-secrets-manager';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { Context } from 'aws-lambda';
import { TAG_ENVIRONMENT, TAG_KIND, TAG_ORG_ID, TAG_STAGE } from '../functions/shared/contract.js';
import { clearAdminTokenCache, clearGenesysAdminCache } from '../functions/shared/genesys/index.js';
import type { RotationPolicyInput } from '../functions/shared/policy.js';
import { resetRuntime } from '../functions/shared/runtime.js';
import { buildApp } from '../infra/app.js';
import { SimulatedConsumer } from './consumer.js';
import { localLambdaContext } from './engine/lambda-context.js';
import { createExecutionRunner, type EventLog, type LambdaInterceptor } from './engine/runner.js';
import { type CfnTemplate, type LocalStateMachine, loadStateMachine } from './engine/template.js';
import { type AwsStandIn, type AwsStandInOptions, startAwsStandIn } from './standins/aws/index.js';
import {
  type GenesysStandIn,
  type GenesysStandInOptions,
  startGenesysStandIn,
} from './standins/genesys/index.js';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const DEMO_ENVIRONMENT = 'mypurecloud.ie';
export const DEMO_STAGE = 'prod';

/**
 * Waits compressed from days to seconds so a full rotation, evidence and grace period included, runs
 * in seconds: usage days of 2 s (the stand-in's `LOCAL_GENESYS_USAGE`), two evidence days.
 */
export const LOCAL_POLICY: RotationPolicyInput = {
  stage: DEMO_STAGE,
  gracePeriodSeconds: 30,
  adoptionEvidenceDays: 2,
  usageDayLengthSeconds: 2,
  usageReportLagSeconds: 1,
  adoptionPollSeconds: 1,
  retireObserveSeconds: 1,
  // 30 compressed days: a minute of history, so the seeded usage is still in view after synth.
  usageLookbackDays: 30,
};

/**
 * The stand-in's usage calendar for local runs: 2 s days reported 0.5 s after they end; queries complete
 * at once, so a check a second (two clients) stays inside the admin token's 300 calls a minute.
 */
export const LOCAL_GENESYS_USAGE: GenesysStandInOptions = {
  usageDayLengthMs: 2_000,
  usageReportLagMs: 500,
  usageQueryRunningMs: 0,
};

export interface ExternalEndpoints {
  /** GENESYS_GATEWAY_URL: use this Genesys instead of starting the stand-in. */
  readonly genesysGatewayUrl?: string;
  readonly adminClientId?: string;
  readonly adminClientSecret?: string;
  readonly targetClientId?: string;
  readonly targetClientSecret?: string;
  /** AWS_ENDPOINT_URL: Secrets Manager and EventBridge go there; Step Functions stays local. */
  readonly awsEndpointUrl?: string;
}

export interface LocalEnvironmentOptions {
  readonly policy?: RotationPolicyInput;
  readonly genesys?: GenesysStandInOptions;
  readonly aws?: AwsStandInOptions;
  /** The simulated consumer's call interval; false: no consumer. */
  readonly consumer?: { readonly callIntervalMs: number; readonly refreshIntervalMs: number } | false;
  readonly interceptor?: LambdaInterceptor;
  readonly onEngineEvent?: (executionName: string, event: EventLog) => void;
  readonly retryIntervalMs?: number;
  readonly waitOverridesMs?: Readonly<Record<string, number>>;
  readonly external?: ExternalEndpoints;
  /** Seconds the hook waits for a milestone (HOOK_MAX_WAIT_SECONDS). */
  readonly hookMaxWaitSeconds?: number;
}

export interface DemoOrg {
  readonly adminClientId: string;
  readonly legacyClientId: string;
  readonly serviceRoleId: string;
  readonly serviceDivisionId: string;
}

export interface ManagedSecretInput {
  readonly name: string;
  readonly value: string;
  readonly tags?: Readonly<Record<string, string>>;
}

export interface LocalEnvironment {
  readonly genesys: GenesysStandIn | null;
  readonly aws: AwsStandIn;
  readonly awsEndpointUrl: string;
  readonly genesysGatewayUrl: string;
  readonly clients: {
    readonly secretsManager: SecretsManagerClient;
    readonly sfn: SFNClient;
    readonly eventBridge: EventBridgeClient;
  };
  readonly machine: LocalStateMachine;
  readonly stateMachineArn: string;
  readonly rotatorFunctionArn: string;
  readonly adminSecretArn: string;
  readonly managedSecretArn: string;
  readonly demo: DemoOrg;
  readonly consumer: SimulatedConsumer | null;
  readonly orgId: string;
  /** Creates another managed secret (tests of bad input). */
  createManagedSecret(input: ManagedSecretInput): Promise<string>;
  /** Tags a managed secret would carry for this org, as GenesysRotatedSecret sets them. */
  defaultTags(): Record<string, string>;
  /** Starts a manual execution through the Step Functions API. */
  startExecution(input: unknown, name?: string): Promise<string>;
  waitForExecution(executionArn: string): Promise<ExecutionResult>;
  /** RotateSecret on the Secrets Manager stand-in (native trigger); resolves when it has settled. */
  rotateNatively(options?: { secretId?: string; rotateImmediately?: boolean }): Promise<void>;
  close(): Promise<void>;
}

export interface ExecutionResult {
  readonly status: string;
  /** The Succeed or Fail state the execution ended in (e.g. `RotationRolledBack`); null if none. */
  readonly terminalState: string | null;
  readonly output: Record<string, unknown> | null;
  readonly error: string | null;
  readonly cause: string | null;
}

/** The Succeed or Fail state an execution ended in, from its history (any order); null if none. */
export function terminalStateOf(events: readonly HistoryEvent[]): string | null {
  const terminal = [...events]
    .sort((a, b) => (a.id ?? 0) - (b.id ?? 0))
    .filter((event) => event.type === 'FailStateEntered' || event.type === 'SucceedStateEntered')
    .pop();
  return terminal?.stateEnteredEventDetails?.name ?? null;
}

function awsClientConfig(endpoint: string, region: string) {
  return {
    endpoint,
    region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 3,
  };
}

function tagList(tags: Readonly<Record<string, string>>): Tag[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

const synthesized = new Map<string, CfnTemplate>();

/** Synthesizes the stack once per policy per process: the fault matrix starts hundreds of environments. */
function synthesize(policy: RotationPolicyInput, region: string, accountId: string): LocalStateMachine {
  const key = JSON.stringify(policy);
  let template = synthesized.get(key);
  if (template === undefined) {
    const { app, stack } = buildApp({ bundling: false, policy });
    template = app.synth().getStackArtifact(stack.artifactId).template as CfnTemplate;
    synthesized.set(key, template);
  }
  return loadStateMachine(template, { region, accountId });
}

function setProcessEnvironment(variables: Record<string, string>): () => void {
  const previous = new Map<string, string | undefined>();
  for (const [name, value] of Object.entries(variables)) {
    previous.set(name, process.env[name]);
    process.env[name] = value;
  }
  return () => {
    for (const [name, value] of previous) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}

function seedDemoOrg(genesys: GenesysStandIn): DemoOrg & { adminSecret: string; legacySecret: string } {
  const serviceRoleId = genesys.seed.role('Contact Centre Reporting', ['analytics:conversationDetail:view']);
  const serviceDivisionId = genesys.seed.division('Contact Centre');
  const pair = { roleId: serviceRoleId, divisionId: serviceDivisionId };
  const admin = genesys.seed.adminClient({ extraRoleDivisions: [pair] });
  const legacy = genesys.seed.client({
    name: 'reporting-service',
    roleDivisions: [pair],
    dateCreated: new Date(genesys.clock.now().getTime() - 90 * 86_400_000),
    accessTokenValiditySeconds: 3_600,
    // In use before the demo: Validate refuses an unused legacy client.
    pastUsage: { days: 7, requestsPerDay: 40 },
  });
  return {
    adminClientId: admin.clientId,
    adminSecret: admin.clientSecret,
    legacyClientId: legacy.clientId,
    legacySecret: legacy.clientSecret,
    serviceRoleId,
    serviceDivisionId,
  };
}

export async function startLocalEnvironment(
  options: LocalEnvironmentOptions = {},
): Promise<LocalEnvironment> {
  const external = options.external ?? {};
  const policy: RotationPolicyInput = { ...LOCAL_POLICY, ...options.policy };
  const genesys = external.genesysGatewayUrl
    ? null
    : await startGenesysStandIn({ ...LOCAL_GENESYS_USAGE, ...options.genesys });
  const aws = await startAwsStandIn(options.aws);
  const cleanups: Array<() => Promise<void> | void> = [() => aws.close()];
  if (genesys) cleanups.push(() => genesys.close());
  try {
    const genesysGatewayUrl = external.genesysGatewayUrl ?? (genesys as GenesysStandIn).url;
    const awsEndpointUrl = external.awsEndpointUrl ?? aws.url;
    const { region, accountId } = aws;

    let demo: DemoOrg;
    let adminCredential: { clientId: string; clientSecret: string };
    let targetCredential: { clientId: string; clientSecret: string };
    let orgId: string;
    if (genesys) {
      const seeded = seedDemoOrg(genesys);
      demo = seeded;
      adminCredential = { clientId: seeded.adminClientId, clientSecret: seeded.adminSecret };
      targetCredential = { clientId: seeded.legacyClientId, clientSecret: seeded.legacySecret };
      orgId = genesys.orgId;
    } else {
      const required = (value: string | undefined, name: string) => {
        if (!value) throw new Error(`${name} must be set when GENESYS_GATEWAY_URL is`);
        return value;
      };
      adminCredential = {
        clientId: required(external.adminClientId, 'GENESYS_ADMIN_CLIENT_ID'),
        clientSecret: required(external.adminClientSecret, 'GENESYS_ADMIN_CLIENT_SECRET'),
      };
      targetCredential = {
        clientId: required(external.targetClientId, 'GENESYS_TARGET_CLIENT_ID'),
        clientSecret: required(external.targetClientSecret, 'GENESYS_TARGET_CLIENT_SECRET'),
      };
      demo = {
        adminClientId: adminCredential.clientId,
        legacyClientId: targetCredential.clientId,
        serviceRoleId: '',
        serviceDivisionId: '',
      };
      orgId = await discoverOrgId(genesysGatewayUrl, adminCredential);
    }

    const machine = synthesize(policy, region, accountId);
    const stateMachineArn = `arn:aws:states:${region}:${accountId}:stateMachine:${machine.name}`;
    const rotatorLogicalId = [...machine.functionEntries].find(
      ([, entry]) => entry === 'functions/rotator/handler.ts',
    )?.[0];
    if (rotatorLogicalId === undefined) throw new Error('The synthesized stack has no Rotator function');
    const rotatorFunctionArn = `arn:aws:lambda:${region}:${accountId}:function:${rotatorLogicalId}`;

    const secretsManager = new SecretsManagerClient(awsClientConfig(awsEndpointUrl, region));
    const eventBridge = new EventBridgeClient(awsClientConfig(awsEndpointUrl, region));
    const sfn = new SFNClient(awsClientConfig(aws.url, region));
    cleanups.push(() => {
      secretsManager.destroy();
      eventBridge.destroy();
      sfn.destroy();
    });

    const adminSecretArn = (
      await secretsManager.send(
        new CreateSecretCommand({
          Name: 'genesys/rotator/admin',
          SecretString: JSON.stringify({ ...adminCredential, environment: DEMO_ENVIRONMENT }),
          Description: "The rotator's own Genesys admin credential",
        }),
      )
    ).ARN as string;

    const defaultTags = () => ({
      [TAG_KIND]: 'oauth-client',
      [TAG_ENVIRONMENT]: DEMO_ENVIRONMENT,
      [TAG_ORG_ID]: orgId,
      [TAG_STAGE]: String(policy.stage ?? DEMO_STAGE),
    });
    const createManagedSecret = async (input: ManagedSecretInput) =>
      (
        await secretsManager.send(
          new CreateSecretCommand({
            Name: input.name,
            SecretString: input.value,
            Tags: tagList(input.tags ?? defaultTags()),
          }),
        )
      ).ARN as string;
    const managedSecretArn = await createManagedSecret({
      name: 'genesys/demo/reporting-service',
      value: JSON.stringify({ ...targetCredential, environment: DEMO_ENVIRONMENT }),
    });

    const restoreEnvironment = setProcessEnvironment({
      ADMIN_SECRET_ID: adminSecretArn,
      STATE_MACHINE_ARN: stateMachineArn,
      ROTATOR_POLICY: JSON.stringify(policy),
      GENESYS_GATEWAY_URL: genesysGatewayUrl,
      AWS_ENDPOINT_URL: awsEndpointUrl,
      AWS_ENDPOINT_URL_SFN: aws.url,
      AWS_REGION: region,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      HOOK_MAX_WAIT_SECONDS: String(options.hookMaxWaitSeconds ?? 120),
      HOOK_POLL_MILLIS: '50',
      GENESYS_USAGE_POLL_MILLIS: '50',
      GENESYS_USAGE_MAX_POLLS: '100',
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'SILENT',
    });
    const resetCaches = () => {
      resetRuntime();
      clearGenesysAdminCache();
      clearAdminTokenCache();
    };
    resetCaches();
    cleanups.push(() => {
      restoreEnvironment();
      resetCaches();
    });

    aws.stepFunctions.registerStateMachine(
      stateMachineArn,
      createExecutionRunner({
        machine,
        repoRoot: REPO_ROOT,
        eventBridge,
        retryIntervalMs: options.retryIntervalMs ?? 50,
        waitOverridesMs: { WaitForMaintenanceWindow: 200, ...options.waitOverridesMs },
        ...(options.interceptor ? { interceptor: options.interceptor } : {}),
        ...(options.onEngineEvent ? { onEvent: options.onEngineEvent } : {}),
      }),
    );
    const rotator = await import('../functions/rotator/handler.js');
    aws.secretsManager.registerRotationFunction(rotatorFunctionArn, async (event) => {
      const context: Context = localLambdaContext(rotatorLogicalId, 900_000);
      const invoke = () => rotator.handler(JSON.parse(JSON.stringify(event)), context);
      if (options.interceptor) {
        await options.interceptor(
          {
            stateName: `hook:${event.Step}`,
            logicalId: rotatorLogicalId,
            event,
            executionName: 'secretsmanager',
          },
          invoke,
        );
      } else {
        await invoke();
      }
    });

    let consumer: SimulatedConsumer | null = null;
    if (options.consumer !== false) {
      consumer = new SimulatedConsumer({
        secrets: secretsManager,
        secretId: managedSecretArn,
        gatewayUrl: genesysGatewayUrl,
        callIntervalMs: options.consumer?.callIntervalMs ?? 200,
        refreshIntervalMs: options.consumer?.refreshIntervalMs ?? 500,
      });
    }
    const activeConsumer = consumer;
    if (activeConsumer) cleanups.push(async () => void (await activeConsumer.stop()));

    return {
      genesys,
      aws,
      awsEndpointUrl,
      genesysGatewayUrl,
      clients: { secretsManager, sfn, eventBridge },
      machine,
      stateMachineArn,
      rotatorFunctionArn,
      adminSecretArn,
      managedSecretArn,
      demo,
      consumer,
      orgId,
      createManagedSecret,
      defaultTags,
      async startExecution(input, name) {
        const response = await sfn.send(
          new StartExecutionCommand({
            stateMachineArn,
            input: JSON.stringify(input),
            ...(name ? { name } : {}),
          }),
        );
        return response.executionArn as string;
      },
      async waitForExecution(executionArn) {
        await aws.stepFunctions.waitForExecution(executionArn, 300_000);
        const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
        // The Fail state's error is the original error's name; which Fail state it was tells the outcome.
        const history = await sfn.send(
          new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 20 }),
        );
        return {
          status: described.status ?? 'UNKNOWN',
          terminalState: terminalStateOf(history.events ?? []),
          output: described.output ? (JSON.parse(described.output) as Record<string, unknown>) : null,
          error: described.error ?? null,
          cause: described.cause ?? null,
        };
      },
      async rotateNatively(rotateOptions = {}) {
        const secretId = rotateOptions.secretId ?? managedSecretArn;
        await secretsManager.send(
          new RotateSecretCommand({
            SecretId: secretId,
            RotationLambdaARN: rotatorFunctionArn,
            RotationRules: { ScheduleExpression: 'rate(30 days)' },
            RotateImmediately: rotateOptions.rotateImmediately ?? true,
          }),
        );
        await aws.secretsManager.waitForRotation(secretId, 300_000);
        await secretsManager.send(new DescribeSecretCommand({ SecretId: secretId }));
      },
      async close() {
        for (const cleanup of cleanups.reverse()) await cleanup();
      },
    };
  } catch (error) {
    for (const cleanup of cleanups.reverse()) await cleanup();
    throw error;
  }
}

async function discoverOrgId(
  gatewayUrl: string,
  admin: { clientId: string; clientSecret: string },
): Promise<string> {
  const { createIsolatedApiClient } = await import('../functions/shared/genesys/index.js');
  const platformClient = (await import('purecloud-platform-client-v2')).default;
  const api = createIsolatedApiClient({ environment: DEMO_ENVIRONMENT, gatewayUrl });
  await api.loginClientCredentialsGrant(admin.clientId, admin.clientSecret);
  const me = await new platformClient.TokensApi(api).getTokensMe();
  const id = me.organization?.id;
  if (!id) throw new Error('The Genesys gateway did not report an organization id');
  return id;
}
