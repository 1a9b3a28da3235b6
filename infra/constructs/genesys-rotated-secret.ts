/**
 * One managed Genesys credential: the Secrets Manager secret (created or imported), its tags, its
 * rotation schedule on the rotator's rotation function, and least-privilege grants scoped to this
 * secret alone.
 */
import { Annotations, RemovalPolicy, Stack, Tags, Token } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { CfnRotationSchedule, type CfnSecret, type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import {
  type CredentialKind,
  GENESYS_ENVIRONMENTS,
  TAG_ENVIRONMENT,
  TAG_KIND,
  TAG_ORG_ID,
  TAG_STAGE,
} from '../../functions/shared/contract.js';
import { InvalidConfigurationError } from '../../functions/shared/errors.js';
import type { MaintenanceWindow } from '../../functions/shared/policy.js';
import { type RotationRules, type RotationScheduleSpec, rotationRulesFor } from './rotation-schedule.js';
import type { IRotationFunction } from './rotator-function.js';

export type { RotationScheduleSpec } from './rotation-schedule.js';

/** A Secrets Manager action a function other than the rotation function calls on a managed secret. */
export type ManagedSecretAction = 'DescribeSecret' | 'GetSecretValue';

/** One function that uses the managed secret, and exactly the actions its code calls on it. */
export interface ManagedSecretUser {
  readonly fn: IFunction;
  readonly actions: ReadonlyArray<ManagedSecretAction>;
}

/** The rotator as a managed secret sees it: who rotates it and who else uses it, for what. */
export interface IGenesysRotator {
  /** The Secrets Manager rotation function (the `Rotator` function). */
  readonly rotationFunction: IRotationFunction;
  /**
   * The other functions that call Secrets Manager on the managed secret, e.g. `Fetch` (describe:
   * metadata and tags; read: the legacy client id), `Verify` (read: the pending value) and
   * `DeleteOrRollback` (describe: is AWSCURRENT still this rotation's version?).
   */
  readonly secretUsers: ReadonlyArray<ManagedSecretUser>;
  /** The policy's maintenance windows: a native schedule must open inside them. @default - none */
  readonly maintenanceWindows?: readonly MaintenanceWindow[];
}

export interface GenesysRotatedSecretProps {
  /** The rotator that rotates this secret. */
  readonly rotator: IGenesysRotator;
  /** Name of the secret (created) or a label for it (imported). */
  readonly secretName: string;
  /** Genesys Cloud region host the credential belongs to, e.g. `mypurecloud.ie`. */
  readonly environment: string;
  /** Genesys Cloud organization id the credential belongs to. */
  readonly orgId: string;
  /** Deployment stage; must match the rotator policy's `stage`. */
  readonly stage: string;
  /** @default 'oauth-client' */
  readonly kind?: CredentialKind;
  /**
   * Complete ARN (with the 6-character suffix) of an existing secret to manage instead of creating
   * one. An imported secret is not tagged by this stack: set the `genesys:*` tags on it yourself.
   * @default - a new, empty secret is created; put `{"clientId","clientSecret","environment"}` in it
   */
  readonly existingSecretArn?: string;
  /**
   * Customer managed key that encrypts the secret. The functions get `kms:Decrypt` (and the
   * rotation function `kms:GenerateDataKey`) through Secrets Manager, for this secret only.
   * @default - the AWS managed key `aws/secretsmanager`
   */
  readonly encryptionKey?: IKey;
  /** When Secrets Manager starts a rotation. */
  readonly schedule: RotationScheduleSpec;
  /**
   * Whether a stack update that touches the rotation schedule rotates the secret at once.
   * Off by default: deploying the stack must never rotate production credentials as a side effect.
   * The first rotation happens on schedule, or when someone runs one (CLI, `RotateSecret`, or a
   * manual execution). With `false` Secrets Manager only runs the `testSecret` step on update.
   * @default false
   */
  readonly rotateImmediatelyOnUpdate?: boolean;
  /** @default RemovalPolicy.RETAIN (a created secret outlives the stack) */
  readonly removalPolicy?: RemovalPolicy;
  /** @default - a description naming the org and stage */
  readonly description?: string;
}

const COMPLETE_SECRET_ARN = /^arn:[\w-]+:secretsmanager:[\w-]+:\d{12}:secret:.+-[A-Za-z0-9]{6}$/;

/** A Genesys credential in Secrets Manager, rotated by the rotator. */
export class GenesysRotatedSecret extends Construct {
  readonly secret: ISecret;
  readonly rotationSchedule: CfnRotationSchedule;

  constructor(scope: Construct, id: string, props: GenesysRotatedSecretProps) {
    super(scope, id);
    const kind = props.kind ?? 'oauth-client';
    const rotationRules = checkProps(props);

    this.secret = props.existingSecretArn
      ? Secret.fromSecretAttributes(this, 'Secret', {
          secretCompleteArn: props.existingSecretArn,
          encryptionKey: props.encryptionKey,
        })
      : this.createSecret(props);

    const tags: Record<string, string> = {
      [TAG_KIND]: kind,
      [TAG_ENVIRONMENT]: props.environment,
      [TAG_ORG_ID]: props.orgId,
      [TAG_STAGE]: props.stage,
    };
    if (props.existingSecretArn) {
      Annotations.of(this).addInfo(
        `Imported secret: make sure it carries the tags ${JSON.stringify(tags)}; Fetch refuses it otherwise.`,
      );
    } else {
      for (const [key, value] of Object.entries(tags)) Tags.of(this.secret).add(key, value);
    }

    // The L2 `RotationSchedule` would also add an unscoped invoke permission for Secrets Manager and
    // `secretsmanager:GetRandomPassword` on `*`; the grants below replace both.
    const rotation = props.rotator.rotationFunction;
    const invokePermission = rotation.grantSecretsManagerInvoke();
    this.grantRotation(rotation, props.encryptionKey);
    for (const user of props.rotator.secretUsers) this.grantUse(user, props.encryptionKey);

    this.rotationSchedule = new CfnRotationSchedule(this, 'RotationSchedule', {
      secretId: this.secret.secretArn,
      rotationLambdaArn: rotation.functionArn,
      rotateImmediatelyOnUpdate: props.rotateImmediatelyOnUpdate ?? false,
      rotationRules,
    });
    // Secrets Manager checks the invoke permission and runs testSecret when the schedule is set:
    // both the permission and the function's role policy must exist first.
    this.rotationSchedule.node.addDependency(invokePermission, rotation);
  }

  /** ARN to scope IAM statements and KMS conditions to this secret. */
  get secretFullArn(): string {
    return this.secret.secretFullArn ?? `${this.secret.secretArn}-??????`;
  }

  private createSecret(props: GenesysRotatedSecretProps): ISecret {
    const secret = new Secret(this, 'Secret', {
      secretName: props.secretName,
      description:
        props.description ??
        `Genesys Cloud OAuth client for org ${props.orgId} (${props.environment}, ${props.stage}); ` +
          'value {"clientId","clientSecret","environment"}, rotated by the Genesys credential rotator',
      encryptionKey: props.encryptionKey,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    // The value is the Genesys client's credential: the owner puts it in once; nothing is generated.
    (secret.node.defaultChild as CfnSecret).addPropertyDeletionOverride('GenerateSecretString');
    return secret;
  }

  /** The rotation function writes the pending version and moves staging labels, on this secret only. */
  private grantRotation(fn: IFunction, key: IKey | undefined): void {
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: [
          'secretsmanager:DescribeSecret',
          'secretsmanager:GetSecretValue',
          'secretsmanager:PutSecretValue',
          'secretsmanager:UpdateSecretVersionStage',
        ],
        resources: [this.secretFullArn],
      }),
    );
    if (key) this.grantKey(fn, key, ['kms:Decrypt', 'kms:GenerateDataKey']);
  }

  /** Exactly the actions the function calls; only reading the value needs the key (DescribeSecret does not decrypt). */
  private grantUse({ fn, actions }: ManagedSecretUser, key: IKey | undefined): void {
    if (actions.length === 0) return;
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: actions.map((action) => `secretsmanager:${action}`),
        resources: [this.secretFullArn],
      }),
    );
    if (key && actions.includes('GetSecretValue')) this.grantKey(fn, key, ['kms:Decrypt']);
  }

  /** KMS use through Secrets Manager only, and only for this secret's encryption context. */
  private grantKey(fn: IFunction, key: IKey, actions: string[]): void {
    const viaService = { 'kms:ViaService': `secretsmanager.${Stack.of(this).region}.amazonaws.com` };
    const arn = this.secretFullArn;
    fn.addToRolePolicy(
      new PolicyStatement({
        actions,
        resources: [key.keyArn],
        conditions: arn.endsWith('-??????')
          ? { StringEquals: viaService, StringLike: { 'kms:EncryptionContext:SecretARN': arn } }
          : { StringEquals: { ...viaService, 'kms:EncryptionContext:SecretARN': arn } },
      }),
    );
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['kms:DescribeKey'],
        resources: [key.keyArn],
        conditions: { StringEquals: viaService },
      }),
    );
  }
}

/** Fails the synth on a prop that would only fail at rotation time; returns the rotation rules. */
function checkProps(props: GenesysRotatedSecretProps): RotationRules {
  const problems: string[] = [];
  if (!(GENESYS_ENVIRONMENTS as readonly string[]).includes(props.environment)) {
    problems.push(`environment: '${props.environment}' is not a Genesys Cloud region host`);
  }
  if (props.orgId.trim() === '') problems.push('orgId: must not be empty');
  if (props.stage.trim() === '') problems.push('stage: must not be empty');
  const arn = props.existingSecretArn;
  if (arn !== undefined && !Token.isUnresolved(arn) && !COMPLETE_SECRET_ARN.test(arn)) {
    problems.push('existingSecretArn: must be the complete secret ARN, ending in -XXXXXX');
  }
  const schedule = rotationRulesFor(props.schedule, props.rotator.maintenanceWindows ?? []);
  problems.push(...schedule.problems);
  if (problems.length > 0 || schedule.rules === null) {
    throw new InvalidConfigurationError(`Invalid managed secret ${props.secretName}: ${problems.join('; ')}`);
  }
  return schedule.rules;
}
