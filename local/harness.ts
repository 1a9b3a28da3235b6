/**
 * The local environment behind `npm start`, the integration tests and the fault matrix: stand-ins
 * for Genesys Cloud and AWS on 127.0.0.1, a seeded demo org, the CDK stack synthesized in-process,
 * and the synthesized state machine run by the local engine. Everything the product does goes
 * through the real SDK clients over HTTP.
 */
import './polyfills.js';
import { createHash, randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
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
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Duration } from 'aws-cdk-lib';
import type { Context } from 'aws-lambda';
import {
  type CredentialKind,
  TAG_ENVIRONMENT,
  TAG_KIND,
  TAG_ORG_ID,
  TAG_STAGE,
} from '../functions/shared/contract.js';
import { clearAdminTokenCache, clearGenesysAdminCache } from '../functions/shared/genesys/index.js';
import type { RotationPolicyInput } from '../functions/shared/policy.js';
import { resetRuntime } from '../functions/shared/runtime.js';
import { buildApp, EVERY_FUNCTION_OPTIONS } from '../infra/app.js';
import type { FleetOptions } from '../infra/constructs/fleet-rotation.js';
import { EXAMPLE_KEY_PROVIDER_ENTRY } from '../infra/constructs/key-provider.js';
import type { RotationScheduleSpec } from '../infra/constructs/rotation-schedule.js';
import type { OrgAdminSecretConfig, WebhookTargetConfig } from '../infra/stacks/rotator-stack.js';
import { SimulatedConsumer } from './consumer.js';
import { type BundleManifest, ensureBundles } from './engine/assets.js';
import { type EmfDocument, splitEmf } from './engine/emf.js';
import { localLambdaContext } from './engine/lambda-context.js';
import { type LocalFunction, LocalLambdaService } from './engine/lambda-runtime.js';
import {
  createExecutionRunner,
  type EventLog,
  ExecutionFailure,
  type LambdaInterceptor,
  type LambdaInvoker,
  retryBudgetSeconds,
  type StartExecutionSync,
} from './engine/runner.js';
import {
  type CfnTemplate,
  type LocalStateMachine,
  loadStateMachine,
  sqsQueueName,
  type TemplateFunction,
  templateFunctions,
  templateQueues,
} from './engine/template.js';
import { startGenesysCountingProxy } from './genesys-proxy.js';
import { type LocalPartner, PARTNER_KEY_SECRET_NAMES } from './partner-demo.js';
import {
  type AwsStandIn,
  type AwsStandInOptions,
  IamAuthority,
  startAwsStandIn,
} from './standins/aws/index.js';
import {
  type GenesysOrg,
  type GenesysStandIn,
  type GenesysStandInOptions,
  startGenesysStandIn,
} from './standins/genesys/index.js';
import { type PartnerStandIn, startPartnerStandIn } from './standins/partner/index.js';

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
  // Partner keys: the old key must see no request for 3 s after promotion (a day in a real org).
  keyQuietPeriodSeconds: 3,
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

/**
 * Local retries run the synthesized Retry timing scaled by this factor (backoff, attempts and
 * jitter unchanged). 0.35 keeps Verify's wait for a new client above 30 s (98.5 s in AWS).
 */
export const LOCAL_RETRY_TIME_SCALE = 0.35;

/** Genesys may take this long after create before a new client is accepted; Verify must outlast it. */
export const GENESYS_CATCH_UP_SECONDS = 30;

/**
 * What runs each Lambda task: `bundles` (default) runs the assets `cdk synth` bundles, each in
 * its own worker with the function's own environment, as Lambda does; `sources` imports the
 * handler TypeScript in-process (a developer option for debugging: set LOCAL_LAMBDA_CODE=sources).
 */
export type LambdaCode = 'bundles' | 'sources';

export const ADMIN_SECRET_NAME = 'genesys/rotator/admin';
export const DEMO_SECRET_NAME = 'genesys/demo/reporting-service';

/** Secrets Manager's random ARN suffix, derived from the name so templates can be synthesized first. */
export function localSecretArnSuffix(name: string): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  const digest = createHash('sha256').update(name).digest();
  return Array.from(digest.subarray(0, 6), (byte) => alphabet[byte % alphabet.length]).join('');
}

function lambdaCodeFromEnvironment(): LambdaCode {
  const value = process.env.LOCAL_LAMBDA_CODE;
  if (value === undefined || value === '' || value === 'bundles') return 'bundles';
  if (value === 'sources') return 'sources';
  throw new Error(`LOCAL_LAMBDA_CODE must be "bundles" or "sources", got "${value}"`);
}

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
  /** @default LOCAL_RETRY_TIME_SCALE; never so small that Verify gives up before GENESYS_CATCH_UP_SECONDS */
  readonly retryTimeScale?: number;
  readonly waitOverridesMs?: Readonly<Record<string, number>>;
  /** @default LOCAL_LAMBDA_CODE, else 'bundles' */
  readonly lambdaCode?: LambdaCode;
  /** Extra environment variables of every function (the fault matrix shortens HTTP timeouts). */
  readonly functionEnvironment?: Readonly<Record<string, string>>;
  /**
   * Names of further managed secrets the test will create with `createManagedSecret`: the local
   * stack onboards them (IAM grants included), as a deployment onboards every secret it rotates.
   */
  readonly extraManagedSecretNames?: readonly string[];
  readonly external?: ExternalEndpoints;
  /** Seconds the hook waits for a milestone (HOOK_MAX_WAIT_SECONDS). */
  readonly hookMaxWaitSeconds?: number;
  /**
   * Signed webhook targets: each gets a signing secret in the Secrets Manager stand-in
   * (`genesys/rotator/webhooks/<name>`) and the stack is synthesized with them, so the webhook
   * states, function, dead-letter queue and grants are the deployment's.
   */
  readonly webhookTargets?: ReadonlyArray<LocalWebhookTarget>;
  /**
   * Receives each EMF document (Powertools Metrics) the bundled functions print; they are kept out
   * of the printed output either way. @default - dropped
   */
  readonly onMetrics?: (emf: EmfDocument) => void;
  /** Deploy the fleet rotation machine too (README, "Fleet rotation"); its tasks start the rotation machine. */
  readonly fleet?: FleetOptions | true;
  /** Synthesize with RotatorStackProps.followIntegrationCredentials (FOLLOW_INTEGRATIONS=1 for `npm start`). */
  readonly followIntegrationCredentials?: boolean;
  /**
   * Partner API keys (PARTNER_KEYS=1 for `npm start`): a partner API stand-in, the example key
   * provider in the synthesized stack (granted as `addKeyProvider` grants it) and the managed
   * partner-key secrets of `PARTNER_KEY_SECRET_NAMES` onboarded; seed them with `seedPartnerKey`.
   */
  readonly partnerKeys?: boolean;
  /**
   * More Genesys orgs on the stand-in's host (needs the embedded stand-in). Each is seeded like the demo
   * org (a service role and division, an admin client holding them) and, unless
   * `withoutAdminCredential`, gets an admin credential secret `genesys/rotator/admin/<orgId>`. With
   * this option the stack is synthesized with `orgAdminSecrets`: the demo org's admin secret and each
   * extra org's, so every rotation uses its own org's credential (docs/ARCHITECTURE.md, "Admin
   * credentials per org"). An org `withoutAdminCredential` exists in Genesys but not in the rotator.
   * @default - none: one org, one admin credential (`adminSecretArn`)
   */
  readonly extraOrgs?: ReadonlyArray<LocalOrgOptions>;
}

export interface LocalOrgOptions {
  readonly orgId: string;
  readonly orgName?: string;
  /** The org exists in the stand-in, but the rotator holds no admin credential for it. */
  readonly withoutAdminCredential?: boolean;
}

/** One Genesys org of the local environment, as seeded. */
export interface LocalOrg {
  readonly orgId: string;
  /** The stand-in's view of the org (seed, clients); null with an external Genesys. */
  readonly genesys: GenesysOrg | null;
  readonly adminClientId: string;
  readonly serviceRoleId: string;
  readonly serviceDivisionId: string;
  /** The rotator's admin credential secret for this org; null for an org `withoutAdminCredential`. */
  readonly adminSecretArn: string | null;
}

export interface LocalWebhookTarget {
  readonly name: string;
  readonly url: string;
  /** `whsec_` + base64. @default - a random key */
  readonly signingKey?: string;
}

/** What local mode made for the webhook targets. */
export interface LocalWebhooks {
  /** Target name -> ARN of its signing secret. */
  readonly signingSecretArns: Readonly<Record<string, string>>;
  /** Name of the dead-letter queue in the SQS stand-in (`aws.sqs.messages(name)`). */
  readonly deadLetterQueueName: string;
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
  /** What runs the Lambda tasks. */
  readonly lambdaCode: LambdaCode;
  /** The rotator's own Genesys requests, when Genesys is external (counted by a local proxy). */
  readonly rotatorGenesysRequests: () => ReadonlyArray<{ readonly route: string }>;
  readonly managedSecretArn: string;
  /** Null without `webhookTargets`. */
  readonly webhooks: LocalWebhooks | null;
  readonly demo: DemoOrg;
  readonly consumer: SimulatedConsumer | null;
  /** The partner API stand-in and the example key provider, with `partnerKeys`. */
  readonly partner: LocalPartner | null;
  /** The synthesized IAM policies the AWS stand-in enforces (each function signs as its own role). */
  readonly iam: IamAuthority;
  /** Logical id of the function whose handler is `entry` (e.g. `functions/fetch/handler.ts`). */
  functionLogicalId(entry: string): string;
  readonly orgId: string;
  /** Every org: the demo org first (`orgId`, `demo`, `adminSecretArn`), then `extraOrgs`. */
  readonly orgs: readonly LocalOrg[];
  /** Creates another managed secret (tests of bad input). */
  createManagedSecret(input: ManagedSecretInput): Promise<string>;
  /** Tags a managed secret would carry for this org, as GenesysRotatedSecret sets them. */
  defaultTags(): Record<string, string>;
  /** Starts a manual execution through the Step Functions API. */
  startExecution(input: unknown, name?: string): Promise<string>;
  /** The fleet rotation machine, when `fleet` was asked for. */
  readonly fleet: { readonly machine: LocalStateMachine; readonly stateMachineArn: string } | null;
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

/** The example provider's synthesized PARTNER_API_URL; local mode sets the stand-in's at run time. */
const LOCAL_PARTNER_API_PLACEHOLDER = 'https://partner.local.invalid';
export const PARTNER_ADMIN_SECRET_NAME = 'partner/orders/admin';

interface LocalStackShape {
  readonly policy: RotationPolicyInput;
  readonly adminSecretArn: string;
  readonly managedSecrets: ReadonlyArray<{
    readonly name: string;
    readonly arn: string;
    readonly kind?: CredentialKind;
  }>;
  /** The example key provider's admin secret (the partner's URL is set per environment, at run time). */
  readonly partnerAdminSecretArn?: string;
  /** With `extraOrgs`: one admin credential per org (the demo org's is `adminSecretArn`). */
  readonly orgAdminSecrets?: ReadonlyArray<OrgAdminSecretConfig>;
  readonly orgId: string;
  readonly webhookTargets?: ReadonlyArray<WebhookTargetConfig>;
  readonly fleet?: FleetOptions | true;
  readonly followIntegrationCredentials?: boolean;
}

/**
 * Synthesizes the stack local mode "deploys": the policy, the admin secret and every managed
 * secret onboarded by ARN, as a deployment would. Once per shape per process: the fault matrix
 * starts hundreds of environments.
 */
function synthesizeTemplate(shape: LocalStackShape): CfnTemplate {
  const key = JSON.stringify(shape);
  let template = synthesized.get(key);
  if (template === undefined) {
    const { app, stack } = buildApp({
      bundling: false,
      ...(shape.fleet === undefined ? {} : { fleet: shape.fleet }),
      policy: shape.policy,
      ...(shape.orgAdminSecrets === undefined
        ? { adminSecretArn: shape.adminSecretArn }
        : { orgAdminSecrets: shape.orgAdminSecrets }),
      managedSecrets: shape.managedSecrets.map((secret) => ({
        secretName: secret.name,
        existingSecretArn: secret.arn,
        ...(secret.kind ? { kind: secret.kind } : {}),
        environment: DEMO_ENVIRONMENT,
        orgId: shape.orgId,
        stage: String(shape.policy.stage ?? DEMO_STAGE),
        schedule: localSchedule(shape.policy),
      })),
      ...(shape.webhookTargets === undefined ? {} : { webhookTargets: shape.webhookTargets }),
      ...(shape.followIntegrationCredentials ? { followIntegrationCredentials: true } : {}),
      ...(shape.partnerAdminSecretArn
        ? {
            examplePartnerKeyProvider: {
              // Local mode points the provider at this environment's partner stand-in (PARTNER_API_URL).
              partnerApiUrl: LOCAL_PARTNER_API_PLACEHOLDER,
              adminSecretArn: shape.partnerAdminSecretArn,
            },
          }
        : {}),
    });
    template = app.synth().getStackArtifact(stack.artifactId).template as CfnTemplate;
    synthesized.set(key, template);
  }
  return template;
}

/**
 * The managed secrets' native schedule: monthly, or, under maintenance windows, a cron whose
 * window lies inside the first one (the construct refuses any other at synth).
 */
function localSchedule(policy: RotationPolicyInput): RotationScheduleSpec {
  const [window] = policy.maintenanceWindows ?? [];
  if (window === undefined) return { every: Duration.days(30) };
  const [startHour = 0, startMinute = 0] = window.start.split(':').map(Number);
  const [endHour = 24, endMinute = 0] = window.end.split(':').map(Number);
  const opens = startHour + (startMinute > 0 ? 1 : 0);
  const hours = Math.max(1, Math.min(endHour + endMinute / 60, 24) - opens);
  return { cron: `0 ${opens} ? * ${window.days.join(',')} *`, window: `${Math.floor(hours)}h` };
}

let bundles: BundleManifest | undefined;

/** A Standard Webhooks signing key: `whsec_` + base64 of 32 random bytes. */
export function newWebhookSigningKey(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** The bundles `cdk synth` builds for Lambda (cached on disk by source hash; see engine/assets.ts). */
export function localBundles(): BundleManifest {
  bundles ??= ensureBundles(REPO_ROOT, (outdir) => {
    const { app, stack } = buildApp({ bundling: true, outdir, nag: false, ...EVERY_FUNCTION_OPTIONS });
    return app.synth().getStackArtifact(stack.artifactId).template as CfnTemplate;
  });
  return bundles;
}

type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;
const sourceHandlers = new Map<string, Promise<LambdaHandler>>();

/** The `sources` developer option: the handler TypeScript, imported into this process. */
function sourceInvoker(functions: ReadonlyMap<string, TemplateFunction>): LambdaInvoker {
  return async (logicalId, entry, event) => {
    let loading = sourceHandlers.get(entry);
    if (loading === undefined) {
      loading = import(pathToFileURL(join(REPO_ROOT, entry)).href).then((module: { handler?: unknown }) => {
        if (typeof module.handler !== 'function') throw new Error(`${entry} exports no handler function`);
        return module.handler as LambdaHandler;
      });
      sourceHandlers.set(entry, loading);
    }
    const handler = await loading;
    const timeoutMs = (functions.get(logicalId)?.timeoutSeconds ?? 60) * 1000;
    return handler(JSON.parse(JSON.stringify(event ?? null)), localLambdaContext(logicalId, timeoutMs));
  };
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

/** An org's service role and division, and an admin client that holds them (it must grant them). */
function seedOrgAdmin(org: Pick<GenesysOrg, 'seed'>): {
  adminClientId: string;
  adminSecret: string;
  serviceRoleId: string;
  serviceDivisionId: string;
} {
  const serviceRoleId = org.seed.role('Contact Centre Reporting', ['analytics:conversationDetail:view']);
  const serviceDivisionId = org.seed.division('Contact Centre');
  const pair = { roleId: serviceRoleId, divisionId: serviceDivisionId };
  const admin = org.seed.adminClient({ extraRoleDivisions: [pair] });
  return { adminClientId: admin.clientId, adminSecret: admin.clientSecret, serviceRoleId, serviceDivisionId };
}

function seedDemoOrg(genesys: GenesysStandIn): DemoOrg & { adminSecret: string; legacySecret: string } {
  const { adminClientId, adminSecret, serviceRoleId, serviceDivisionId } = seedOrgAdmin(genesys);
  const pair = { roleId: serviceRoleId, divisionId: serviceDivisionId };
  const legacy = genesys.seed.client({
    name: 'reporting-service',
    roleDivisions: [pair],
    dateCreated: new Date(genesys.clock.now().getTime() - 90 * 86_400_000),
    accessTokenValiditySeconds: 3_600,
    // In use before the demo: Validate refuses an unused legacy client.
    pastUsage: { days: 7, requestsPerDay: 40 },
  });
  return {
    adminClientId,
    adminSecret,
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
  const lambdaCode = options.lambdaCode ?? lambdaCodeFromEnvironment();
  const genesys = external.genesysGatewayUrl
    ? null
    : await startGenesysStandIn({ ...LOCAL_GENESYS_USAGE, ...options.genesys });
  const aws = await startAwsStandIn({ secretArnSuffix: localSecretArnSuffix, ...options.aws });
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
          Name: ADMIN_SECRET_NAME,
          SecretString: JSON.stringify({ ...adminCredential, environment: DEMO_ENVIRONMENT }),
          Description: "The rotator's own Genesys admin credential",
        }),
      )
    ).ARN as string;

    // More orgs on the same host, each with its own admin client and (unless left out) admin secret.
    const orgs: LocalOrg[] = [
      {
        orgId,
        genesys: genesys === null ? null : genesys.org(orgId),
        adminClientId: demo.adminClientId,
        serviceRoleId: demo.serviceRoleId,
        serviceDivisionId: demo.serviceDivisionId,
        adminSecretArn,
      },
    ];
    const extraOrgs = options.extraOrgs ?? [];
    if (options.extraOrgs !== undefined && genesys === null) {
      throw new Error('extraOrgs needs the embedded Genesys stand-in');
    }
    for (const extra of extraOrgs) {
      const org = (genesys as GenesysStandIn).addOrg({
        orgId: extra.orgId,
        ...(extra.orgName ? { orgName: extra.orgName } : {}),
      });
      const seeded = seedOrgAdmin(org);
      const secretArn = extra.withoutAdminCredential
        ? null
        : ((
            await secretsManager.send(
              new CreateSecretCommand({
                Name: `${ADMIN_SECRET_NAME}/${extra.orgId}`,
                SecretString: JSON.stringify({
                  clientId: seeded.adminClientId,
                  clientSecret: seeded.adminSecret,
                  environment: DEMO_ENVIRONMENT,
                }),
                Description: `The rotator's Genesys admin credential for org ${extra.orgId}`,
              }),
            )
          ).ARN as string);
      orgs.push({
        orgId: extra.orgId,
        genesys: org,
        adminClientId: seeded.adminClientId,
        serviceRoleId: seeded.serviceRoleId,
        serviceDivisionId: seeded.serviceDivisionId,
        adminSecretArn: secretArn,
      });
    }
    const orgAdminSecrets: OrgAdminSecretConfig[] | undefined =
      options.extraOrgs === undefined
        ? undefined
        : orgs.flatMap((org) =>
            org.adminSecretArn === null
              ? []
              : [{ orgId: org.orgId, environment: DEMO_ENVIRONMENT, adminSecretArn: org.adminSecretArn }],
          );

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
      name: DEMO_SECRET_NAME,
      value: JSON.stringify({ ...targetCredential, environment: DEMO_ENVIRONMENT }),
    });
    const extraNames = options.extraManagedSecretNames ?? [];
    if (extraNames.length > 0 && awsEndpointUrl !== aws.url) {
      throw new Error(
        'extraManagedSecretNames needs the embedded Secrets Manager stand-in (it knows their ARNs ahead)',
      );
    }
    const secretArnOf = (name: string) =>
      `arn:aws:secretsmanager:${region}:${accountId}:secret:${name}-${localSecretArnSuffix(name)}`;

    const webhookTargets: WebhookTargetConfig[] = [];
    for (const target of options.webhookTargets ?? []) {
      const created = await secretsManager.send(
        new CreateSecretCommand({
          Name: `genesys/rotator/webhooks/${target.name}`,
          SecretString: target.signingKey ?? newWebhookSigningKey(),
          Description: `Signing key of webhook target ${target.name}`,
        }),
      );
      webhookTargets.push({ name: target.name, url: target.url, signingSecretArn: created.ARN as string });
    }

    let partnerStandIn: PartnerStandIn | null = null;
    let partnerAdminSecretArn: string | undefined;
    if (options.partnerKeys) {
      if (awsEndpointUrl !== aws.url) {
        throw new Error(
          'partnerKeys needs the embedded Secrets Manager stand-in (it knows their ARNs ahead)',
        );
      }
      const standIn = await startPartnerStandIn();
      partnerStandIn = standIn;
      cleanups.push(() => standIn.close());
      partnerAdminSecretArn = (
        await secretsManager.send(
          new CreateSecretCommand({
            Name: PARTNER_ADMIN_SECRET_NAME,
            SecretString: JSON.stringify({ adminToken: standIn.adminToken }),
            Description: "The partner's admin token, read by the example key provider",
          }),
        )
      ).ARN as string;
    }

    const template = synthesizeTemplate({
      policy,
      adminSecretArn,
      ...(orgAdminSecrets === undefined ? {} : { orgAdminSecrets }),
      managedSecrets: [
        { name: DEMO_SECRET_NAME, arn: managedSecretArn },
        ...extraNames.map((name) => ({ name, arn: secretArnOf(name) })),
        ...(options.partnerKeys
          ? PARTNER_KEY_SECRET_NAMES.map((name) => ({
              name,
              arn: secretArnOf(name),
              kind: 'integration-credential' as const,
            }))
          : []),
      ],
      ...(partnerAdminSecretArn ? { partnerAdminSecretArn } : {}),
      orgId,
      ...(webhookTargets.length > 0 ? { webhookTargets } : {}),
      ...(options.fleet === undefined ? {} : { fleet: options.fleet }),
      ...(options.followIntegrationCredentials ? { followIntegrationCredentials: true } : {}),
    });
    // Queues CloudFormation would create (the webhooks' dead-letter queue), under local mode's names.
    const queueNames = templateQueues(template).map((logicalId) => sqsQueueName(template, logicalId));
    if (queueNames.length > 0) {
      const sqs = new SQSClient({ ...awsClientConfig(aws.url, region), useQueueUrlAsEndpoint: false });
      try {
        for (const name of queueNames) await sqs.send(new CreateQueueCommand({ QueueName: name }));
      } finally {
        sqs.destroy();
      }
    }
    const webhooks: LocalWebhooks | null =
      webhookTargets.length > 0
        ? {
            signingSecretArns: Object.fromEntries(
              webhookTargets.map((target) => [target.name, target.signingSecretArn]),
            ),
            deadLetterQueueName: deadLetterQueueNameOf(template),
          }
        : null;
    const machine = loadStateMachine(template, { region, accountId });
    const stateMachineArn = `arn:aws:states:${region}:${accountId}:stateMachine:${machine.name}`;
    const functions = new Map(
      templateFunctions(template, { region, accountId }).map((fn) => [fn.logicalId, fn] as const),
    );
    const rotatorLogicalId = [...functions.values()].find(
      (fn) => fn.entry === 'functions/rotator/handler.ts',
    )?.logicalId;
    if (rotatorLogicalId === undefined) throw new Error('The synthesized stack has no Rotator function');
    const rotatorFunctionArn = `arn:aws:lambda:${region}:${accountId}:function:${rotatorLogicalId}`;

    const retryTimeScale = options.retryTimeScale ?? LOCAL_RETRY_TIME_SCALE;
    const verifyBudget = retryBudgetSeconds(machine.definition, 'Verify', 'CredentialNotYetActiveError');
    if (verifyBudget * retryTimeScale < GENESYS_CATCH_UP_SECONDS) {
      throw new Error(
        `retryTimeScale ${retryTimeScale} leaves Verify ${(verifyBudget * retryTimeScale).toFixed(1)} s for a new client; ` +
          `local retries must cover ${GENESYS_CATCH_UP_SECONDS} s of Genesys catching up after create`,
      );
    }

    // Functions reach an external Genesys through a counting proxy, so the summary can tell the
    // rotator's calls from everyone else's; the embedded stand-in logs them itself.
    let functionsGatewayUrl = genesysGatewayUrl;
    let rotatorGenesysRequests: () => ReadonlyArray<{ route: string }> = () => [];
    if (!genesys) {
      const proxy = await startGenesysCountingProxy(genesysGatewayUrl);
      cleanups.push(() => proxy.close());
      functionsGatewayUrl = proxy.url;
      rotatorGenesysRequests = () => proxy.requests;
    }

    // What local mode changes in each function's synthesized environment: where Genesys and AWS
    // are, the function's credentials, and the compressed polling of the hook and usage queries.
    const localVariables: Record<string, string> = {
      GENESYS_GATEWAY_URL: functionsGatewayUrl,
      AWS_ENDPOINT_URL: awsEndpointUrl,
      AWS_ENDPOINT_URL_SFN: aws.url,
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      HOOK_MAX_WAIT_SECONDS: String(options.hookMaxWaitSeconds ?? 120),
      HOOK_POLL_MILLIS: '50',
      GENESYS_USAGE_POLL_MILLIS: '50',
      GENESYS_USAGE_MAX_POLLS: '100',
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'SILENT',
      POWERTOOLS_DEV: process.env.POWERTOOLS_DEV ?? 'false',
      // Where the partner is: the example key provider's PARTNER_API_URL (no other function reads it).
      ...(partnerStandIn ? { PARTNER_API_URL: partnerStandIn.url } : {}),
      ...options.functionEnvironment,
    };
    // The AWS stand-in enforces the synthesized IAM policies: each function signs with its own
    // role's credentials. Keys the authority did not issue (the harness's, the tests') are the
    // operator's. The sources option runs every handler in this process under one identity, so it
    // cannot be held to per-function policies: it runs with the operator's key.
    const iam = IamAuthority.fromTemplate({
      template,
      account: { region, accountId },
      unknownAccessKeys: 'unrestricted',
    });
    aws.setIamAuthority(iam);
    const credentialsOf = (fn: TemplateFunction) => iam.credentialsOfFunction(fn.logicalId);

    // This process's own use of the product's modules (the sources developer option, npm start's
    // look at an external Genesys) reads the rotator function's environment.
    const rotatorFunction = functions.get(rotatorLogicalId) as TemplateFunction;
    const restoreEnvironment = setProcessEnvironment({
      ...rotatorFunction.environment,
      ...localVariables,
      GENESYS_GATEWAY_URL: genesysGatewayUrl,
      // In-process handlers would print EMF lines into this process's own output.
      ...(lambdaCode === 'sources' ? { POWERTOOLS_METRICS_DISABLED: 'true' } : {}),
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
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

    let invokeLambda: LambdaInvoker;
    if (lambdaCode === 'bundles') {
      const manifest = localBundles();
      const service = new LocalLambdaService(
        [...functions.values()].map((fn): LocalFunction => {
          const bundlePath = manifest.get(fn.entry);
          if (bundlePath === undefined) throw new Error(`No bundle for ${fn.entry}`);
          const credentials = credentialsOf(fn);
          return {
            logicalId: fn.logicalId,
            bundlePath,
            functionArn: `arn:aws:lambda:${region}:${accountId}:function:${fn.logicalId}`,
            environment: {
              ...fn.environment,
              ...localVariables,
              AWS_ACCESS_KEY_ID: credentials.accessKeyId,
              AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
            },
            timeoutMs: fn.timeoutSeconds * 1000,
            memoryMb: fn.memoryMb,
          };
        }),
        (output) => {
          const { metrics, rest } = splitEmf(output);
          if (rest) process.stdout.write(rest);
          for (const emf of metrics) options.onMetrics?.(emf);
        },
      );
      service.prewarm();
      cleanups.push(() => service.close());
      invokeLambda = (logicalId, _entry, event) => service.invoke(logicalId, event);
    } else {
      invokeLambda = sourceInvoker(functions);
    }

    // Functions the rotator's functions invoke through the Lambda API (the key provider): behind the
    // stand-in's Invoke, where IAM decides who may call them.
    let partner: LocalPartner | null = null;
    if (partnerStandIn !== null && partnerAdminSecretArn !== undefined) {
      const provider = [...functions.values()].find((fn) => fn.entry === EXAMPLE_KEY_PROVIDER_ENTRY);
      if (provider === undefined) throw new Error('The synthesized stack has no example key provider');
      aws.lambda.registerFunction(
        `arn:aws:lambda:${region}:${accountId}:function:${provider.logicalId}`,
        (event) => invokeLambda(provider.logicalId, provider.entry, event),
      );
      partner = {
        standIn: partnerStandIn,
        providerFunctionName: provider.logicalId,
        adminSecretArn: partnerAdminSecretArn,
      };
    }

    aws.stepFunctions.registerStateMachine(
      stateMachineArn,
      createExecutionRunner({
        machine,
        invokeLambda,
        eventBridge,
        retryTimeScale,
        authorizeTask: (task) => iam.authorizeStateMachineTask(task, machine.logicalId),
        waitOverridesMs: { WaitForMaintenanceWindow: 200, ...options.waitOverridesMs },
        ...(options.interceptor ? { interceptor: options.interceptor } : {}),
        ...(options.onEngineEvent ? { onEvent: options.onEngineEvent } : {}),
      }),
      { definition: machine.definition },
    );
    aws.secretsManager.registerRotationFunction(rotatorFunctionArn, async (event) => {
      const invoke = () =>
        invokeLambda(rotatorLogicalId, rotatorFunction.entry, JSON.parse(JSON.stringify(event)));
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

    let fleet: LocalEnvironment['fleet'] = null;
    if (options.fleet !== undefined) {
      const fleetMachine = loadStateMachine(template, { region, accountId }, { fleet: true });
      const fleetStateMachineArn = `arn:aws:states:${region}:${accountId}:stateMachine:${fleetMachine.name}`;
      aws.stepFunctions.registerStateMachine(
        fleetStateMachineArn,
        createExecutionRunner({
          machine: fleetMachine,
          invokeLambda,
          eventBridge,
          retryTimeScale,
          authorizeTask: (task) => iam.authorizeStateMachineTask(task, fleetMachine.logicalId),
          startExecutionSync: startThroughStepFunctions(sfn, aws),
          ...(options.interceptor ? { interceptor: options.interceptor } : {}),
          ...(options.onEngineEvent ? { onEvent: options.onEngineEvent } : {}),
        }),
      );
      fleet = { machine: fleetMachine, stateMachineArn: fleetStateMachineArn };
    }

    let consumer: SimulatedConsumer | null = null;
    if (options.consumer !== false) {
      consumer = new SimulatedConsumer({
        secrets: secretsManager,
        secretId: managedSecretArn,
        gatewayUrl: genesysGatewayUrl,
        // 240 calls a minute: inside Genesys' per-token rate limit of 300.
        callIntervalMs: options.consumer?.callIntervalMs ?? 250,
        refreshIntervalMs: options.consumer?.refreshIntervalMs ?? 500,
        // The consumer kit's EventBridge target: a Secret Promoted moves it to the new client at once.
        rotationEvents: (listener) => aws.eventBridge.subscribe(listener),
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
      lambdaCode,
      rotatorGenesysRequests,
      managedSecretArn,
      webhooks,
      demo,
      consumer,
      partner,
      iam,
      functionLogicalId(entry) {
        const fn = [...functions.values()].find((candidate) => candidate.entry === entry);
        if (fn === undefined) throw new Error(`The synthesized stack has no function for ${entry}`);
        return fn.logicalId;
      },
      orgId,
      orgs,
      createManagedSecret,
      defaultTags,
      fleet,
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

/** The webhooks' dead-letter queue: the queue the webhook function's DeadLetterConfig names. */
function deadLetterQueueNameOf(template: CfnTemplate): string {
  for (const resource of Object.values(template.Resources)) {
    const config = resource.Properties?.DeadLetterConfig as
      | { TargetArn?: { 'Fn::GetAtt'?: [string] } }
      | undefined;
    const logicalId = config?.TargetArn?.['Fn::GetAtt']?.[0];
    if (resource.Type === 'AWS::Lambda::Function' && typeof logicalId === 'string') {
      return sqsQueueName(template, logicalId);
    }
  }
  throw new Error('The synthesized stack has webhook targets but no dead-letter queue');
}

/**
 * `.sync:2` as Step Functions runs it: StartExecution through the API (the stand-in answers a
 * repeated name as AWS does), wait for the execution to stop, DescribeExecution; stopping the
 * parent stops the child.
 */
function startThroughStepFunctions(sfn: SFNClient, aws: AwsStandIn): StartExecutionSync {
  return async (request, signal) => {
    let executionArn: string;
    try {
      const started = await sfn.send(
        new StartExecutionCommand({
          stateMachineArn: request.stateMachineArn,
          input: JSON.stringify(request.input),
          ...(request.name === undefined ? {} : { name: request.name }),
        }),
      );
      executionArn = started.executionArn as string;
    } catch (error) {
      const name = error instanceof Error ? error.name : 'Error';
      // Service integrations name an API's refusal `<Service>.<Exception>` (ExecutionAlreadyExists -> ...Exception).
      const exception = name.endsWith('Exception') ? name : `${name}Exception`;
      throw new ExecutionFailure(
        `StepFunctions.${exception}`,
        error instanceof Error ? error.message : String(error),
      );
    }
    const stop = () => void sfn.send(new StopExecutionCommand({ executionArn })).catch(() => undefined);
    signal.addEventListener('abort', stop, { once: true });
    try {
      await aws.stepFunctions.waitForExecution(executionArn, 6 * 3_600_000);
    } finally {
      signal.removeEventListener('abort', stop);
    }
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    return {
      executionArn,
      stateMachineArn: described.stateMachineArn ?? request.stateMachineArn,
      name: described.name ?? '',
      status: described.status ?? 'UNKNOWN',
      startDate: described.startDate ?? new Date(),
      stopDate: described.stopDate ?? null,
      input: described.input ?? '{}',
      output: described.output ?? null,
      error: described.error ?? null,
      cause: described.cause ?? null,
    };
  };
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
