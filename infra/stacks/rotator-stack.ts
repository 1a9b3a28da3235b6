/**
 * The rotator: its six functions, the rotation state machine, the audit bus, the admin credential,
 * the alarms, and the managed secrets. The stack composes constructs; the graph lives in
 * `RotationStateMachine`, the function defaults in `RotatorFunction`, the per-secret wiring in
 * `GenesysRotatedSecret`.
 */
import {
  type CfnElement,
  CfnOutput,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { EventBus, type IEventBus, Rule } from 'aws-cdk-lib/aws-events';
import { SnsTopic } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { type CfnSecret, type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { orgAdminSecretProblems } from '../../functions/shared/admin-credentials.js';
import { GENESYS_ENVIRONMENTS } from '../../functions/shared/contract.js';
import { InvalidConfigurationError } from '../../functions/shared/errors.js';
import { parsePolicy, type RotationPolicy, type RotationPolicyInput } from '../../functions/shared/policy.js';
import { parseWebhookTargets } from '../../functions/shared/webhook-contract.js';
import { addFleetRotation, type FleetOptions, type FleetRotation } from '../constructs/fleet-rotation.js';
import {
  GenesysRotatedSecret,
  type GenesysRotatedSecretProps,
  type IGenesysRotator,
  type ManagedSecretUser,
} from '../constructs/genesys-rotated-secret.js';
import { ExamplePartnerKeyProvider, useKeyProvider } from '../constructs/key-provider.js';
import { RotationMonitoring } from '../constructs/rotation-monitoring.js';
import { DETAIL_TYPE, EVENT_SOURCE, RotationStateMachine } from '../constructs/rotation-state-machine.js';
import { type AdminSecrets, RotatorFunction } from '../constructs/rotator-function.js';
import { WebhookDelivery } from '../constructs/webhook-delivery.js';

/** A webhook target as the stack takes it: its signing secret by ARN (full or partial). */
export interface WebhookTargetConfig {
  /** Unique among the targets; names it in receipts, events and dead letters. */
  readonly name: string;
  /** https (http only to 127.0.0.1/localhost, for local mode). */
  readonly url: string;
  /** Secret holding the target's signing key, `whsec_` + base64 (Standard Webhooks). */
  readonly signingSecretArn: string;
}

/** One Genesys org a rotator manages, with the admin credential it uses there (`orgAdminSecrets`). */
export interface OrgAdminSecretConfig {
  /** The Genesys Cloud organization id: managed secrets tagged `genesys:org-id` with it use this credential. */
  readonly orgId: string;
  /** The org's region host, e.g. `mypurecloud.ie` (the managed secrets' `genesys:environment`). */
  readonly environment: string;
  /**
   * ARN (complete or partial) of an existing secret holding this org's admin credential.
   * @default - a secret `genesys/rotator/admin/<orgId>` is created without a value: put the credential in it
   */
  readonly adminSecretArn?: string;
}

/** A managed secret as the stack takes it: the rotator is the stack itself. */
export type ManagedSecretProps = Omit<GenesysRotatedSecretProps, 'rotator'>;

export interface RotatorStackProps extends StackProps {
  /** Org-wide rotation policy, checked at synth. @default - every default of `RotationPolicySchema` */
  readonly policy?: RotationPolicyInput;
  /**
   * ARN of an existing secret holding the rotator's own Genesys admin credential.
   * @default - a secret `genesys/rotator/admin` is created without a value: put the credential in it
   */
  readonly adminSecretArn?: string;
  /**
   * One admin credential per Genesys org, for a rotator that manages several orgs (docs/ARCHITECTURE.md,
   * "Admin credentials per org"). A rotation uses the credential of the managed secret's
   * `genesys:org-id` (and `genesys:environment`), never another org's; a secret of an org not listed
   * is refused before any Genesys call. Each function's role may read exactly these secrets. Not
   * with `adminSecretArn`.
   * @default - one admin credential (`adminSecretArn`, or the created `genesys/rotator/admin`)
   */
  readonly orgAdminSecrets?: ReadonlyArray<OrgAdminSecretConfig>;
  /** Name of the audit event bus. @default 'genesys-credential-rotation' */
  readonly eventBusName?: string;
  /** Name of the rotation state machine. @default `${stackName}-rotation` */
  readonly stateMachineName?: string;
  /** Credentials this rotator manages. @default - none (add them with `addManagedSecret`) */
  readonly managedSecrets?: ReadonlyArray<ManagedSecretProps>;
  /** Email subscribed to the alarm topic. @default - no subscription */
  readonly alarmEmail?: string;
  /** Retention of every log group (functions and state machine). @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /**
   * Signed webhooks after promotion and after retirement (docs/ARCHITECTURE.md, "Signed webhooks").
   * @default - none: no webhook function, queue or states
   */
  readonly webhookTargets?: ReadonlyArray<WebhookTargetConfig>;
  /** Adds the fleet rotation machine (docs/ARCHITECTURE.md, "Fleet rotation"). @default - none */
  readonly fleet?: FleetOptions | boolean;
  /**
   * Integration credentials of type `pureCloudOAuthClient` follow the OAuth client they hold, for the
   * integrations a managed secret names in its `genesys:follow-integrations` tag (docs/ARCHITECTURE.md,
   * "Dependents that follow a rotation"). @default false
   */
  readonly followIntegrationCredentials?: boolean;
  /**
   * The example key provider for partner API keys (functions/examples/partner-key-provider), granted
   * to the functions that call it (docs/KEY-PROVIDERS.md). Your own provider: `addKeyProvider(fn)`.
   * @default - none
   */
  readonly examplePartnerKeyProvider?: ExamplePartnerKeyProviderConfig;
}

/** The example key provider as the stack takes it: the partner API and its admin secret by ARN. */
export interface ExamplePartnerKeyProviderConfig {
  readonly partnerApiUrl: string;
  /** Complete ARN of the secret holding `{"adminToken": "..."}`. */
  readonly adminSecretArn: string;
  readonly userDefinedField?: string;
}

/** Time the rotation hook may wait for a milestone inside one 15-minute invocation. */
export const HOOK_MAX_WAIT_SECONDS = 840;
/** Timeout of the rotation function: Secrets Manager steps wait for the state machine. */
export const ROTATION_FUNCTION_TIMEOUT = Duration.minutes(15);

const COMPLETE_SECRET_ARN = /-[A-Za-z0-9]{6}$/;

export class RotatorStack extends Stack implements IGenesysRotator {
  readonly policy: RotationPolicy;
  /** The admin credential; with `orgAdminSecrets`, the first org's (every org's: `adminSecrets`). */
  readonly adminSecret: ISecret;
  /** Every admin credential the functions may read: one, or one per org. */
  readonly adminSecrets: AdminSecrets;
  readonly eventBus: IEventBus;
  readonly stateMachine: StateMachine;
  readonly stateMachineName: string;
  readonly alarmTopic: Topic;
  readonly monitoring: RotationMonitoring;
  readonly functions: {
    readonly fetch: RotatorFunction;
    readonly validate: RotatorFunction;
    readonly rotator: RotatorFunction;
    readonly verify: RotatorFunction;
    readonly checkAdoption: RotatorFunction;
    readonly deleteOrRollback: RotatorFunction;
  };
  /** Present with `followIntegrationCredentials`. */
  readonly followDependents: RotatorFunction | undefined;
  readonly managedSecrets: GenesysRotatedSecret[] = [];
  /** The webhook function and its dead-letter queue, when targets are configured. */
  readonly webhooks: WebhookDelivery | undefined;
  /** The fleet rotation machine, when `fleet` is set. */
  readonly fleet: FleetRotation | undefined;
  /** Key providers the rotator may invoke (`addKeyProvider`). */
  readonly keyProviders: IFunction[] = [];
  /** The example provider, when `examplePartnerKeyProvider` is set. */
  readonly examplePartnerKeyProvider: ExamplePartnerKeyProvider | undefined;

  constructor(scope: Construct, id: string, props: RotatorStackProps = {}) {
    super(scope, id, props);
    // Throws InvalidConfigurationError naming each bad field: a bad policy never deploys.
    this.policy = parsePolicy(props.policy ?? {});
    this.stateMachineName = props.stateMachineName ?? `${this.stackName}-rotation`;
    const logRetention = props.logRetention ?? RetentionDays.ONE_MONTH;

    // 1) The rotator's own Genesys admin credential: one, or one per org.
    this.adminSecrets = this.adminSecretsOf(props);
    this.adminSecret =
      this.adminSecrets.mode === 'single'
        ? this.adminSecrets.secret
        : (this.adminSecrets.orgs[0] as { secret: ISecret }).secret;

    // 2) Functions. Only the ones that call Genesys as the admin read the admin credential; Validate is pure.
    const fn = (fnId: string, entry: string, extra: { timeout?: Duration; description: string }) =>
      new RotatorFunction(this, fnId, { entry, logRetention, ...extra });
    const fetch = fn('Fetch', 'functions/fetch/handler.ts', {
      description: 'Inventory of a managed secret, its legacy client and the org',
    })
      .useAdminSecrets(this.adminSecrets, { describe: true })
      .usePolicy(this.policy)
      .useStateMachine(this.stateMachineName, ['ListExecutions', 'DescribeExecution']);
    const validate = fn('Validate', 'functions/validate/handler.ts', {
      description: 'Pure policy checks over the inventory',
    }).usePolicy(this.policy);
    const rotator = fn('Rotator', 'functions/rotator/handler.ts', {
      description: 'Secrets Manager rotation function; the only writer of the managed secrets',
      timeout: ROTATION_FUNCTION_TIMEOUT,
    })
      .useAdminSecrets(this.adminSecrets)
      .usePolicy(this.policy)
      .useStateMachine(this.stateMachineName, [
        'StartExecution',
        'ListExecutions',
        'DescribeExecution',
        'GetExecutionHistory',
      ]);
    rotator.addEnvironment('HOOK_MAX_WAIT_SECONDS', String(HOOK_MAX_WAIT_SECONDS));
    // Verify calls Genesys only with the pending credential, on its own client: no admin secret.
    const verify = fn('Verify', 'functions/verify/handler.ts', {
      description: 'Probes the pending credential on an isolated client',
    });
    const checkAdoption = fn('CheckAdoption', 'functions/check-adoption/handler.ts', {
      description: 'Legacy client usage since promotion',
    })
      .useAdminSecrets(this.adminSecrets)
      .usePolicy(this.policy);
    const deleteOrRollback = fn('DeleteOrRollback', 'functions/delete-or-rollback/handler.ts', {
      description: 'Retires the legacy client, or deletes the client made for a failed rotation',
    }).useAdminSecrets(this.adminSecrets);
    const followDependents = props.followIntegrationCredentials
      ? fn('FollowDependents', 'functions/follow-dependents/handler.ts', {
          description: 'Integration credentials that follow the rotated OAuth client (dual slot)',
        }).useAdminSecrets(this.adminSecrets)
      : undefined;
    this.followDependents = followDependents;
    this.functions = { fetch, validate, rotator, verify, checkAdoption, deleteOrRollback };

    for (const f of [...Object.values(this.functions), ...(followDependents ? [followDependents] : [])]) {
      Validations.of(f.serviceRole).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'X-Ray (Tracing.ACTIVE) PutTraceSegments/PutTelemetryRecords support no resource-level scoping.',
      });
      Validations.of(f).acknowledge({
        id: 'AwsSolutions-L1',
        reason: 'Lambdas target Node.js 22 per project policy (bundles are built with target node22).',
      });
    }
    Validations.of(fetch.serviceRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${this.stateMachineName}:*]`,
      reason:
        'DescribeExecution on executions of the rotation state machine only; execution names are not known in advance.',
    });
    Validations.of(rotator.serviceRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${this.stateMachineName}:*]`,
      reason:
        'DescribeExecution/GetExecutionHistory on executions of the rotation state machine only; execution names are derived from rotation tokens at run time.',
    });

    // 2b) Signed webhooks, when targets are configured; checked like the policy, before anything is built.
    const webhookTargets = parseWebhookTargets(props.webhookTargets ?? []);
    this.webhooks =
      webhookTargets.length > 0
        ? new WebhookDelivery(this, 'Webhooks', {
            logRetention,
            targets: webhookTargets.map((target) => ({
              name: target.name,
              url: target.url,
              signingSecret: Secret.fromSecretAttributes(
                this,
                `WebhookSigningSecret-${target.name}`,
                COMPLETE_SECRET_ARN.test(target.signingSecretArn)
                  ? { secretCompleteArn: target.signingSecretArn }
                  : { secretPartialArn: target.signingSecretArn },
              ),
            })),
          })
        : undefined;

    // 3) Audit bus and the state machine.
    this.eventBus = new EventBus(this, 'EventBus', {
      eventBusName: props.eventBusName ?? 'genesys-credential-rotation',
      description: 'Audit events of the Genesys credential rotator (schemas/rotation-event.v2.json)',
    });
    const machine = new RotationStateMachine(this, 'Rotation', {
      functions: { ...this.functions, ...(followDependents ? { followDependents } : {}) },
      eventBus: this.eventBus,
      stateMachineName: this.stateMachineName,
      logRetention,
      ...(this.webhooks ? { webhooks: { deliver: this.webhooks.function } } : {}),
    });
    this.stateMachine = machine.stateMachine;
    this.acknowledgeStateMachineRole(machine);
    this.fleet = props.fleet
      ? addFleetRotation(
          this,
          {
            policy: this.policy,
            stateMachine: this.stateMachine,
            eventBus: this.eventBus,
            logRetention,
            adminCredentialsPerOrg: this.adminSecrets.mode === 'per-org',
          },
          props.fleet === true ? {} : props.fleet,
        )
      : undefined;

    // 4) Alarms: failed or timed-out executions, "needs attention" events, and Secrets Manager's
    //    own RotationFailed/RotationAbandoned, all to one encrypted topic.
    this.alarmTopic = this.createAlarmTopic(props.alarmEmail);
    const alarmAction = new SnsAction(this.alarmTopic);
    new Alarm(this, 'ExecutionsFailedAlarm', {
      alarmDescription:
        'A credential rotation failed (refused, rolled back or needs attention). See the audit events.',
      metric: this.stateMachine.metricFailed({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    }).addAlarmAction(alarmAction);
    new Alarm(this, 'ExecutionsTimedOutAlarm', {
      alarmDescription: 'A credential rotation execution timed out; its legacy client may not be retired.',
      metric: this.stateMachine.metricTimedOut({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    }).addAlarmAction(alarmAction);
    new Rule(this, 'NeedsAttentionRule', {
      description: 'Rotation Needs Attention events to the alarm topic',
      eventBus: this.eventBus,
      eventPattern: { source: [EVENT_SOURCE], detailType: [DETAIL_TYPE.needsAttention] },
      targets: [new SnsTopic(this.alarmTopic)],
    });
    new Rule(this, 'SecretsManagerRotationFailedRule', {
      description: 'Secrets Manager RotationFailed/RotationAbandoned (CloudTrail) to the alarm topic',
      eventPattern: {
        source: ['aws.secretsmanager'],
        detailType: ['AWS Service Event via CloudTrail'],
        detail: {
          eventSource: ['secretsmanager.amazonaws.com'],
          eventName: ['RotationFailed', 'RotationAbandoned'],
        },
      },
      targets: [new SnsTopic(this.alarmTopic)],
    });
    this.webhooks?.addDeadLetterAlarm(alarmAction);

    // 4b) Dashboard, metric alarms, the bus archive and the event schema registry.
    this.monitoring = new RotationMonitoring(this, 'Monitoring', {
      stateMachine: this.stateMachine,
      eventBus: this.eventBus,
      functions: this.functions,
      alarmAction,
      outcomeLogRetention: logRetention,
      fleet: this.fleet !== undefined,
    });

    // 4c) Key providers of partner API keys.
    this.examplePartnerKeyProvider = props.examplePartnerKeyProvider
      ? new ExamplePartnerKeyProvider(this, 'ExamplePartnerKeyProvider', {
          partnerApiUrl: props.examplePartnerKeyProvider.partnerApiUrl,
          adminSecret: Secret.fromSecretCompleteArn(
            this,
            'ExamplePartnerKeyProviderAdminSecret',
            props.examplePartnerKeyProvider.adminSecretArn,
          ),
          logRetention,
          ...(props.examplePartnerKeyProvider.userDefinedField
            ? { userDefinedField: props.examplePartnerKeyProvider.userDefinedField }
            : {}),
        })
      : undefined;
    if (this.examplePartnerKeyProvider) this.addKeyProvider(this.examplePartnerKeyProvider.function);

    // 5) Managed secrets.
    for (const managed of props.managedSecrets ?? []) {
      this.addManagedSecret(`Managed-${managed.secretName.replace(/[^A-Za-z0-9]+/g, '-')}`, managed);
    }

    new CfnOutput(this, 'StateMachineArn', {
      description: 'Start a manual rotation here (input {"secretId": "..."})',
      value: this.stateMachine.stateMachineArn,
    });
    new CfnOutput(this, 'EventBusName', { description: 'Audit events', value: this.eventBus.eventBusName });
    if (this.adminSecrets.mode === 'single') {
      new CfnOutput(this, 'AdminSecretArn', {
        description: "The rotator's Genesys admin credential",
        value: this.adminSecret.secretArn,
      });
    } else {
      for (const org of this.adminSecrets.orgs) {
        new CfnOutput(this, `AdminSecretArn${org.orgId.replace(/[^A-Za-z0-9]+/g, '')}`, {
          description: `The rotator's Genesys admin credential for org ${org.orgId} (${org.environment})`,
          value: org.secret.secretArn,
        });
      }
    }
  }

  /** {@link IGenesysRotator}: Secrets Manager invokes the `Rotator` function. */
  get rotationFunction(): RotatorFunction {
    return this.functions.rotator;
  }

  /** {@link IGenesysRotator}: native schedules must open inside the policy's maintenance windows. */
  get maintenanceWindows(): RotationPolicy['maintenanceWindows'] {
    return this.policy.maintenanceWindows;
  }

  /**
   * {@link IGenesysRotator}: what each function's code calls on a managed secret. Fetch describes it
   * and reads the current value (legacy client id); Verify reads the pending value; DeleteOrRollback
   * describes it to check that AWSCURRENT is still this rotation's version before it retires or
   * rolls back a client.
   */
  get secretUsers(): ReadonlyArray<ManagedSecretUser> {
    return [
      { fn: this.functions.fetch, actions: ['DescribeSecret', 'GetSecretValue'] },
      { fn: this.functions.verify, actions: ['GetSecretValue'] },
      { fn: this.functions.deleteOrRollback, actions: ['DescribeSecret'] },
      // Describes it for the follow-integrations tag; reads the pending value into the new credential objects.
      ...(this.followDependents
        ? [{ fn: this.followDependents, actions: ['DescribeSecret', 'GetSecretValue'] as const }]
        : []),
    ];
  }

  /**
   * Lets the rotator call a key provider (docs/KEY-PROVIDERS.md): `lambda:InvokeFunction` on exactly
   * its ARN, for the functions that call it (Rotator, Verify, CheckAdoption, DeleteOrRollback) only.
   */
  addKeyProvider(provider: IFunction): void {
    useKeyProvider(this.functions, provider);
    this.keyProviders.push(provider);
  }

  /**
   * Manages one more credential with this rotator. Its stage must be the policy's stage and, with
   * `orgAdminSecrets`, its org (and environment) one the rotator holds an admin credential for.
   */
  addManagedSecret(id: string, props: ManagedSecretProps): GenesysRotatedSecret {
    if (props.stage !== this.policy.stage) {
      throw new InvalidConfigurationError(
        `Managed secret ${props.secretName} has stage '${props.stage}' but this rotator's policy stage is ` +
          `'${this.policy.stage}'; Validate would refuse every rotation of it`,
      );
    }
    if (this.adminSecrets.mode === 'per-org') {
      const org = this.adminSecrets.orgs.find((candidate) => candidate.orgId === props.orgId);
      if (org === undefined || org.environment !== props.environment) {
        throw new InvalidConfigurationError(
          `Managed secret ${props.secretName} is for org ${props.orgId} (${props.environment}) but orgAdminSecrets ` +
            `holds no admin credential for it (${this.adminSecrets.orgs.map((o) => `${o.orgId} (${o.environment})`).join(', ')}); ` +
            'Fetch would refuse every rotation of it',
        );
      }
    }
    const managed = new GenesysRotatedSecret(this, id, { ...props, rotator: this });
    this.managedSecrets.push(managed);
    return managed;
  }

  /** The admin credential secret(s) from the props, checked: one (default), or one per org. */
  private adminSecretsOf(props: RotatorStackProps): AdminSecrets {
    const imported = (id: string, arn: string) =>
      Secret.fromSecretAttributes(
        this,
        id,
        COMPLETE_SECRET_ARN.test(arn) ? { secretCompleteArn: arn } : { secretPartialArn: arn },
      );
    const orgs = props.orgAdminSecrets;
    if (orgs === undefined) {
      return {
        mode: 'single',
        secret: props.adminSecretArn
          ? imported('AdminSecret', props.adminSecretArn)
          : this.createAdminSecret('AdminSecret', 'genesys/rotator/admin', 'the rotator admin OAuth client'),
      };
    }
    const problems: string[] = [];
    if (props.adminSecretArn !== undefined) {
      problems.push(
        'adminSecretArn and orgAdminSecrets exclude each other: list every org in orgAdminSecrets',
      );
    }
    if (orgs.length === 0) problems.push('orgAdminSecrets must list at least one org');
    for (const org of orgs) {
      if (org.orgId.trim() === '') problems.push('orgAdminSecrets: an orgId is empty');
      if (!(GENESYS_ENVIRONMENTS as readonly string[]).includes(org.environment)) {
        problems.push(
          `orgAdminSecrets: '${org.environment}' (org ${org.orgId}) is not a Genesys Cloud region host`,
        );
      }
    }
    problems.push(
      ...orgAdminSecretProblems(
        orgs.map((org) => ({ orgId: org.orgId, secretId: org.adminSecretArn ?? `(created) ${org.orgId}` })),
      ).map((problem) => `orgAdminSecrets: ${problem}`),
    );
    if (problems.length > 0) {
      throw new InvalidConfigurationError(`Invalid admin credentials: ${problems.join('; ')}`);
    }
    return {
      mode: 'per-org',
      orgs: orgs.map((org) => {
        const id = `AdminSecret-${org.orgId.replace(/[^A-Za-z0-9]+/g, '')}`;
        return {
          orgId: org.orgId,
          environment: org.environment,
          secret: org.adminSecretArn
            ? imported(id, org.adminSecretArn)
            : this.createAdminSecret(
                id,
                `genesys/rotator/admin/${org.orgId}`,
                `the rotator admin OAuth client of Genesys org ${org.orgId} (${org.environment})`,
              ),
        };
      }),
    };
  }

  private createAdminSecret(id: string, secretName: string, what: string): ISecret {
    const secret = new Secret(this, id, {
      secretName,
      description:
        `PLACEHOLDER: put ${what} here as {"clientId","clientSecret","environment"}. ` +
        'It needs oauth:client:add/edit/delete/view and usage:client:view. Rotated by hand, never by the rotator.',
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // No generated value: an operator stores the real credential after the first deployment.
    (secret.node.defaultChild as CfnSecret).addPropertyDeletionOverride('GenerateSecretString');
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        "The rotator's own admin credential is rotated by an operator: the self-rotation guard refuses to rotate it with itself.",
    });
    return secret;
  }

  private createAlarmTopic(email: string | undefined): Topic {
    const key = new Key(this, 'AlarmTopicKey', {
      description: 'Encrypts the Genesys credential rotator alarm topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // CloudWatch alarms and EventBridge rules publish to an encrypted topic only if the key lets them.
    for (const service of ['cloudwatch.amazonaws.com', 'events.amazonaws.com']) {
      key.addToResourcePolicy(
        new PolicyStatement({
          principals: [new ServicePrincipal(service)],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          resources: ['*'],
          conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
        }),
      );
    }
    const topic = new Topic(this, 'AlarmTopic', {
      displayName: 'Genesys credential rotator alarms',
      masterKey: key,
      enforceSSL: true,
    });
    if (email) topic.addSubscription(new EmailSubscription(email));
    return topic;
  }

  private acknowledgeStateMachineRole(machine: RotationStateMachine): void {
    const role = machine.stateMachine.role;
    const fnArns = [
      ...Object.values(this.functions),
      ...(this.webhooks ? [this.webhooks.function] : []),
      ...(this.followDependents ? [this.followDependents] : []),
    ].map(
      (f) => `AwsSolutions-IAM5[Resource::<${this.getLogicalId(f.node.defaultChild as CfnElement)}.Arn>:*]`,
    );
    for (const id of fnArns) {
      Validations.of(role).acknowledge({
        id,
        reason:
          'CDK LambdaInvoke grants lambda:InvokeFunction on the function and its versions/aliases (ARN:*).',
      });
    }
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray tracing and CloudWatch Logs delivery (logs:CreateLogDelivery, ...) for Step Functions support no resource-level scoping.',
    });
  }
}
