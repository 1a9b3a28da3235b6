/**
 * The CDK app: one `RotatorStack` with an example managed secret, checked by cdk-nag.
 *
 *   npx cdk synth -q                                   # bundles with the local esbuild
 *   npx cdk synth -q -c policy='{"stage":"prod","gracePeriodSeconds":604800}'
 *
 * `buildApp` is also how the tests and the local engine synthesize the template.
 */
import { pathToFileURL } from 'node:url';
import { App, type Environment, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { InvalidConfigurationError } from '../functions/shared/errors.js';
import type { RotationPolicyInput } from '../functions/shared/policy.js';
import type { FleetOptions } from './constructs/fleet-rotation.js';
import {
  type ExamplePartnerKeyProviderConfig,
  type ManagedSecretProps,
  RotatorStack,
  type RotatorStackProps,
  type WebhookTargetConfig,
} from './stacks/rotator-stack.js';

export const STACK_ID = 'GenesysCredentialRotator';

/** The example credential `cdk synth` shows wired up. */
export const EXAMPLE_MANAGED_SECRET: ManagedSecretProps = {
  secretName: 'genesys/prod/contact-centre-api',
  environment: 'mypurecloud.ie',
  orgId: '00000000-0000-4000-8000-000000000001',
  stage: 'prod',
  schedule: { cron: '0 8 ? * TUE *', window: '4h' },
};

export interface BuildAppOptions {
  /** Cloud assembly folder. @default - the CLI's (`cdk.out`) or a temporary folder */
  readonly outdir?: string;
  /** Org-wide policy. @default - context `policy` (JSON), else every default */
  readonly policy?: RotationPolicyInput;
  /** Bundle the functions with esbuild. Off skips bundling (fast synth for tests). @default true */
  readonly bundling?: boolean;
  /** Run the cdk-nag AwsSolutions checks on synth. @default true */
  readonly nag?: boolean;
  /** Account and region of the stack. @default - environment-agnostic */
  readonly env?: Environment;
  /** ARN of an existing admin credential secret. @default - the stack creates one */
  readonly adminSecretArn?: string;
  /** One admin credential per org (RotatorStackProps.orgAdminSecrets). @default - one admin credential */
  readonly orgAdminSecrets?: RotatorStackProps['orgAdminSecrets'];
  /** Managed secrets. @default [EXAMPLE_MANAGED_SECRET] */
  readonly managedSecrets?: ReadonlyArray<ManagedSecretProps>;
  /** Signed webhook targets. @default - none */
  readonly webhookTargets?: ReadonlyArray<WebhookTargetConfig>;
  /** Add the fleet rotation machine. @default - context `fleet` ("true"), else none */
  readonly fleet?: FleetOptions | boolean;
  /** RotatorStackProps.followIntegrationCredentials. @default - context `followIntegrationCredentials` */
  readonly followIntegrationCredentials?: boolean;
  /** RotatorStackProps.examplePartnerKeyProvider. @default - none */
  readonly examplePartnerKeyProvider?: ExamplePartnerKeyProviderConfig;
}

/**
 * Options that make the app include every optional function (some exist only when configured, like
 * the webhook delivery function): what the local engine and the bundle benchmark synthesize, so every
 * function's bundle is built, measured and run. The bundles do not depend on these values.
 */
export const EVERY_FUNCTION_OPTIONS: Pick<
  BuildAppOptions,
  'webhookTargets' | 'fleet' | 'followIntegrationCredentials' | 'examplePartnerKeyProvider'
> = {
  fleet: true,
  followIntegrationCredentials: true,
  examplePartnerKeyProvider: {
    partnerApiUrl: 'https://api.partner.example',
    adminSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:partner/example/admin-AbCdEf',
  },
  webhookTargets: [
    {
      name: 'bundle',
      url: 'https://webhooks.example.com/bundle',
      signingSecretArn:
        'arn:aws:secretsmanager:eu-west-1:123456789012:secret:genesys/rotator/webhooks/bundle-AbCdEf',
    },
  ],
};

export function buildApp(options: BuildAppOptions = {}): { app: App; stack: RotatorStack } {
  const app = new App({
    ...(options.outdir === undefined ? {} : { outdir: options.outdir }),
    // An empty list of stacks to bundle: assets are staged without running esbuild.
    ...(options.bundling === false ? { context: { 'aws:cdk:bundling-stacks': [] } } : {}),
  });
  const stack = new RotatorStack(app, STACK_ID, {
    ...(options.env === undefined ? {} : { env: options.env }),
    description:
      'Rotates Genesys Cloud credentials stored in AWS Secrets Manager (genesys-credential-rotator)',
    policy: options.policy ?? policyFromContext(app),
    ...(options.adminSecretArn === undefined ? {} : { adminSecretArn: options.adminSecretArn }),
    ...(options.orgAdminSecrets === undefined ? {} : { orgAdminSecrets: options.orgAdminSecrets }),
    managedSecrets: options.managedSecrets ?? [
      { ...EXAMPLE_MANAGED_SECRET, rotateImmediatelyOnUpdate: false },
    ],
    alarmEmail: stringContext(app, 'alarmEmail'),
    ...(options.webhookTargets === undefined ? {} : { webhookTargets: options.webhookTargets }),
    fleet: options.fleet ?? stringContext(app, 'fleet') === 'true',
    followIntegrationCredentials:
      options.followIntegrationCredentials ?? stringContext(app, 'followIntegrationCredentials') === 'true',
    ...(options.examplePartnerKeyProvider === undefined
      ? {}
      : { examplePartnerKeyProvider: options.examplePartnerKeyProvider }),
  });
  if (options.nag !== false) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}

function policyFromContext(app: App): RotationPolicyInput | undefined {
  const raw: unknown = app.node.tryGetContext('policy');
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string') return raw as RotationPolicyInput;
  try {
    return JSON.parse(raw) as RotationPolicyInput;
  } catch {
    throw new InvalidConfigurationError('Invalid rotation policy: context "policy" is not valid JSON');
  }
}

function stringContext(app: App, key: string): string | undefined {
  const value: unknown = app.node.tryGetContext(key);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  buildApp().app.synth();
}
