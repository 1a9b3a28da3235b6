import { randomInt, randomUUID } from 'node:crypto';
import {
  type AuthorizationTarget,
  AwsServiceError,
  type AwsServiceHandler,
  decodePageToken,
  encodePageToken,
  epochSeconds,
  InputReader,
  type JsonObject,
  type Operation,
  OperationTable,
} from './protocol.js';
import type {
  Clock,
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

const AWSCURRENT = 'AWSCURRENT';
const AWSPREVIOUS = 'AWSPREVIOUS';
const AWSPENDING = 'AWSPENDING';
const ROTATION_STEPS: readonly RotationStep[] = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'];
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

const ERR_NOT_FOUND = 'ResourceNotFoundException';
const ERR_INVALID_PARAMETER = 'InvalidParameterException';
const ERR_INVALID_REQUEST = 'InvalidRequestException';
const ERR_EXISTS = 'ResourceExistsException';

interface StoredVersion {
  readonly versionId: string;
  /** null for the value-less placeholder RotateSecret creates. */
  value: { secretString: string } | { secretBinary: string } | null;
  stages: string[];
  readonly createdDate: Date;
  lastAccessedDate: Date | null;
}

interface RotationRules {
  AutomaticallyAfterDays?: number;
  ScheduleExpression?: string;
  Duration?: string;
}

interface StoredSecret {
  readonly arn: string;
  readonly name: string;
  description: string | null;
  kmsKeyId: string | null;
  tags: { Key: string; Value: string }[];
  versions: StoredVersion[];
  rotationEnabled: boolean;
  rotationLambdaArn: string | null;
  rotationRules: RotationRules | null;
  readonly createdDate: Date;
  lastChangedDate: Date;
  lastRotatedDate: Date | null;
  nextRotationDate: Date | null;
  deletedDate: Date | null;
  /** When a scheduled deletion takes effect. */
  deletionDate: Date | null;
}

interface MutableRotationRecord {
  secretArn: string;
  token: string;
  rotateImmediately: boolean;
  attempts: { token: string; steps: RotationStepRecord[] }[];
  outcome: RotationOutcome;
}

interface RunningRotation {
  readonly record: MutableRotationRecord;
  readonly done: Promise<void>;
}

export interface SecretsManagerOptions {
  readonly region: string;
  readonly accountId: string;
  readonly clock: Clock;
  readonly rotationAttempts: number;
  readonly secretArnSuffix?: (name: string) => string;
  readonly rotationRetryToken: RotationRetryToken;
}

/** Secrets Manager with the versioning, staging-label and rotation semantics of reference §1.3–§1.7. */
export class SecretsManagerStandIn extends OperationTable implements AwsServiceHandler {
  readonly service = 'secretsmanager';
  readonly targetPrefix = 'secretsmanager';
  readonly contentType = 'application/x-amz-json-1.1';
  readonly internalErrorType = 'InternalServiceError';

  private readonly secrets: StoredSecret[] = [];
  private readonly rotationFunctions = new Map<string, RotationFunction>();
  private readonly rotationRecords: MutableRotationRecord[] = [];
  private readonly running = new Map<string, RunningRotation>();
  private closed = false;

  protected readonly invalidParameterType = ERR_INVALID_PARAMETER;
  protected readonly operations: Readonly<Record<string, Operation>> = {
    CreateSecret: (input) => this.createSecret(input),
    DescribeSecret: (input) => this.describeSecret(input),
    GetSecretValue: (input) => this.getSecretValue(input),
    PutSecretValue: (input) => this.putSecretValue(input),
    UpdateSecret: (input) => this.updateSecret(input),
    UpdateSecretVersionStage: (input) => this.updateSecretVersionStage(input),
    ListSecretVersionIds: (input) => this.listSecretVersionIds(input),
    ListSecrets: (input) => this.listSecrets(input),
    RotateSecret: (input) => this.rotateSecret(input),
    CancelRotateSecret: (input) => this.cancelRotateSecret(input),
    TagResource: (input) => this.tagResource(input),
    UntagResource: (input) => this.untagResource(input),
    DeleteSecret: (input) => this.deleteSecret(input),
    RestoreSecret: (input) => this.restoreSecret(input),
    GetRandomPassword: (input) => this.getRandomPassword(input),
  };

  constructor(private readonly options: SecretsManagerOptions) {
    super();
  }

  // ---- test and sandbox API -------------------------------------------------------------------

  registerRotationFunction(lambdaArn: string, invoke: RotationFunction): void {
    this.rotationFunctions.set(lambdaArn, invoke);
  }

  versions(secretId: string): SecretVersionSnapshot[] {
    const secret = this.findSecret(secretId);
    if (secret === undefined) throw new Error(`No secret ${secretId} in the Secrets Manager stand-in`);
    return secret.versions.map((version) => ({
      versionId: version.versionId,
      stages: [...version.stages],
      hasValue: version.value !== null,
      createdDate: version.createdDate,
    }));
  }

  rotations(): readonly RotationRecord[] {
    return this.rotationRecords.map(snapshotRotation);
  }

  async waitForRotation(secretId: string, timeoutMs = 60_000): Promise<RotationRecord> {
    const secret = this.findSecret(secretId);
    if (secret === undefined) throw new Error(`No secret ${secretId} in the Secrets Manager stand-in`);
    const deadline = Date.now() + timeoutMs;
    for (
      let active = this.running.get(secret.arn);
      active !== undefined;
      active = this.running.get(secret.arn)
    ) {
      const remaining = deadline - Date.now();
      if (remaining <= 0 || !(await settlesWithin(active.done, remaining))) {
        throw new Error(`Rotation of ${secretId} still running after ${timeoutMs} ms`);
      }
    }
    const latest = this.rotationRecords.findLast((record) => record.secretArn === secret.arn);
    if (latest === undefined) throw new Error(`No rotation of ${secretId} was ever requested`);
    return snapshotRotation(latest);
  }

  /** Stops drivers from starting further steps; in-flight steps finish on their own. */
  close(): void {
    this.closed = true;
  }

  // ---- authorization ----------------------------------------------------------------------------

  /**
   * Secrets Manager authorizes `secretsmanager:<Operation>` on the secret's full ARN, whatever form
   * of SecretId the caller used; ListSecrets and GetRandomPassword have no resource (`*`). A secret
   * that does not exist is evaluated as the ARN of its name, so a caller without permission gets
   * AccessDeniedException rather than learning that it is missing.
   */
  authorizationTargets(operation: string, input: JsonObject): AuthorizationTarget[] {
    const action = `secretsmanager:${operation}`;
    if (operation === 'ListSecrets' || operation === 'GetRandomPassword') return [{ action, resource: '*' }];
    const secretId = operation === 'CreateSecret' ? input.Name : input.SecretId;
    if (typeof secretId !== 'string' || secretId === '') return [];
    const secret = operation === 'CreateSecret' ? undefined : this.findSecret(secretId);
    if (secret === undefined) {
      const resource = secretId.startsWith('arn:')
        ? secretId
        : `arn:aws:secretsmanager:${this.options.region}:${this.options.accountId}:secret:${secretId}`;
      return [{ action, resource, context: requestContext(input) }];
    }
    const context: Record<string, string> = {
      ...requestContext(input),
      'secretsmanager:SecretId': secret.arn,
      'aws:ResourceAccount': this.options.accountId,
    };
    for (const tag of secret.tags) {
      context[`aws:ResourceTag/${tag.Key}`] = tag.Value;
      context[`secretsmanager:ResourceTag/${tag.Key}`] = tag.Value;
    }
    if (secret.rotationLambdaArn !== null)
      context['secretsmanager:resource/AllowRotationLambdaArn'] = secret.rotationLambdaArn;
    const targets: AuthorizationTarget[] = [{ action, resource: secret.arn, context }];
    const rotationLambdaArn =
      typeof input.RotationLambdaARN === 'string' ? input.RotationLambdaARN : secret.rotationLambdaArn;
    if (operation === 'RotateSecret' && rotationLambdaArn !== null) {
      // The function's resource policy must let Secrets Manager itself invoke it.
      targets.push({
        action: 'lambda:InvokeFunction',
        resource: rotationLambdaArn,
        asService: {
          principal: 'secretsmanager.amazonaws.com',
          deniedMessage:
            'Secrets Manager cannot invoke the specified Lambda function. Ensure that the function policy grants access to the principal secretsmanager.amazonaws.com.',
        },
      });
    }
    return targets;
  }

  // ---- operations -----------------------------------------------------------------------------

  private createSecret(input: InputReader): JsonObject {
    const name = input.requiredString('Name');
    if (!/^[A-Za-z0-9/_+=.@-]{1,512}$/.test(name)) {
      throw new AwsServiceError(
        ERR_INVALID_PARAMETER,
        `Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!`,
      );
    }
    const existing = this.findSecret(name);
    if (existing?.deletedDate) {
      throw new AwsServiceError(
        ERR_INVALID_REQUEST,
        `You can't create this secret because a secret with this name is already scheduled for deletion.`,
      );
    }
    if (existing !== undefined) {
      throw new AwsServiceError(
        ERR_EXISTS,
        `The operation failed because the secret ${name} already exists.`,
      );
    }
    const value = readSecretValue(input);
    const now = this.now();
    const secret: StoredSecret = {
      arn: `arn:aws:secretsmanager:${this.options.region}:${this.options.accountId}:secret:${name}-${(this.options.secretArnSuffix ?? randomSuffix)(name)}`,
      name,
      description: input.string('Description') ?? null,
      kmsKeyId: input.string('KmsKeyId') ?? null,
      tags: readTags(input),
      versions: [],
      rotationEnabled: false,
      rotationLambdaArn: null,
      rotationRules: null,
      createdDate: now,
      lastChangedDate: now,
      lastRotatedDate: null,
      nextRotationDate: null,
      deletedDate: null,
      deletionDate: null,
    };
    this.secrets.push(secret);
    if (value === null) return { ARN: secret.arn, Name: secret.name };
    const versionId = readToken(input);
    this.addVersion(secret, versionId, value, [AWSCURRENT]);
    return { ARN: secret.arn, Name: secret.name, VersionId: versionId };
  }

  private describeSecret(input: InputReader): JsonObject {
    const secret = this.requireSecret(input, { allowDeleted: true });
    const versionIdsToStages: Record<string, string[]> = {};
    for (const version of secret.versions) {
      if (version.stages.length > 0) versionIdsToStages[version.versionId] = [...version.stages];
    }
    return {
      ARN: secret.arn,
      Name: secret.name,
      Description: secret.description ?? undefined,
      KmsKeyId: secret.kmsKeyId ?? undefined,
      RotationEnabled: secret.rotationEnabled,
      RotationLambdaARN: secret.rotationLambdaArn ?? undefined,
      RotationRules: secret.rotationRules ? { ...secret.rotationRules } : undefined,
      LastRotatedDate: optionalEpoch(secret.lastRotatedDate),
      LastChangedDate: epochSeconds(secret.lastChangedDate),
      LastAccessedDate: optionalEpoch(latestAccess(secret)),
      DeletedDate: optionalEpoch(secret.deletedDate),
      NextRotationDate: secret.rotationEnabled ? optionalEpoch(secret.nextRotationDate) : undefined,
      Tags: secret.tags.length > 0 ? secret.tags.map((tag) => ({ ...tag })) : undefined,
      VersionIdsToStages: versionIdsToStages,
      CreatedDate: epochSeconds(secret.createdDate),
    };
  }

  private getSecretValue(input: InputReader): JsonObject {
    const secret = this.requireSecret(input);
    const versionId = input.string('VersionId');
    const versionStage = input.string('VersionStage');
    const stage = versionStage ?? (versionId === undefined ? AWSCURRENT : undefined);
    const version =
      versionId !== undefined
        ? secret.versions.find((candidate) => candidate.versionId === versionId)
        : secret.versions.find((candidate) => stage !== undefined && candidate.stages.includes(stage));
    const missing = (): AwsServiceError =>
      new AwsServiceError(
        ERR_NOT_FOUND,
        stage !== undefined
          ? `Secrets Manager can't find the specified secret value for staging label: ${stage}`
          : `Secrets Manager can't find the specified secret value for VersionId: ${versionId}`,
      );
    if (version === undefined) throw missing();
    if (stage !== undefined && !version.stages.includes(stage)) throw missing();
    if (version.value === null) throw missing();
    version.lastAccessedDate = startOfUtcDay(this.now());
    return {
      ARN: secret.arn,
      Name: secret.name,
      VersionId: version.versionId,
      ...('secretString' in version.value
        ? { SecretString: version.value.secretString }
        : { SecretBinary: version.value.secretBinary }),
      VersionStages: [...version.stages],
      CreatedDate: epochSeconds(version.createdDate),
    };
  }

  private putSecretValue(input: InputReader): JsonObject {
    const secret = this.requireSecret(input);
    const value = readSecretValue(input);
    if (value === null)
      throw new AwsServiceError(
        ERR_INVALID_PARAMETER,
        'You must provide either SecretString or SecretBinary.',
      );
    // RotationToken is accepted: the stand-in has no identities to check it against (reference §1.4).
    input.string('RotationToken');
    const versionId = readToken(input);
    const stages = input.stringList('VersionStages') ?? [AWSCURRENT];
    const version = this.writeVersion(secret, versionId, value, stages);
    return { ARN: secret.arn, Name: secret.name, VersionId: versionId, VersionStages: [...version.stages] };
  }

  private updateSecret(input: InputReader): JsonObject {
    const secret = this.requireSecret(input);
    const description = input.string('Description');
    const kmsKeyId = input.string('KmsKeyId');
    if (description !== undefined) secret.description = description;
    if (kmsKeyId !== undefined) secret.kmsKeyId = kmsKeyId;
    secret.lastChangedDate = this.now();
    const value = readSecretValue(input);
    if (value === null) return { ARN: secret.arn, Name: secret.name };
    const versionId = readToken(input);
    this.writeVersion(secret, versionId, value, [AWSCURRENT]);
    return { ARN: secret.arn, Name: secret.name, VersionId: versionId };
  }

  private updateSecretVersionStage(input: InputReader): JsonObject {
    const secret = this.requireSecret(input);
    const label = input.requiredString('VersionStage');
    const moveToVersionId = input.string('MoveToVersionId');
    const removeFromVersionId = input.string('RemoveFromVersionId');
    if (moveToVersionId === undefined && removeFromVersionId === undefined) {
      throw new AwsServiceError(
        ERR_INVALID_PARAMETER,
        'You must specify MoveToVersionId, RemoveFromVersionId, or both.',
      );
    }
    const target =
      moveToVersionId === undefined
        ? undefined
        : secret.versions.find((version) => version.versionId === moveToVersionId);
    if (moveToVersionId !== undefined && target === undefined) {
      throw new AwsServiceError(
        ERR_NOT_FOUND,
        `Secrets Manager can't find the specified secret version: ${moveToVersionId}`,
      );
    }
    if (
      removeFromVersionId !== undefined &&
      !secret.versions.some((version) => version.versionId === removeFromVersionId)
    ) {
      throw new AwsServiceError(
        ERR_NOT_FOUND,
        `Secrets Manager can't find the specified secret version: ${removeFromVersionId}`,
      );
    }
    const holder = secret.versions.find((version) => version.stages.includes(label));
    if (holder !== undefined && holder !== target && holder.versionId !== removeFromVersionId) {
      throw new AwsServiceError(
        ERR_INVALID_PARAMETER,
        `The staging label ${label} is currently attached to version ${holder.versionId}, so you must explicitly reference that version in RemoveFromVersionId.`,
      );
    }
    if (target === undefined) {
      if (label === AWSCURRENT && holder !== undefined) {
        throw new AwsServiceError(
          ERR_INVALID_PARAMETER,
          'You can only move staging label AWSCURRENT to a different secret version. It can’t be completely removed.',
        );
      }
      if (holder !== undefined) this.removeLabel(holder, label);
    } else {
      this.attachLabel(secret, target, label);
    }
    secret.lastChangedDate = this.now();
    return { ARN: secret.arn, Name: secret.name };
  }

  private listSecretVersionIds(input: InputReader): JsonObject {
    const secret = this.requireSecret(input, { allowDeleted: true });
    const includeDeprecated = input.boolean('IncludeDeprecated') ?? false;
    const listed = secret.versions
      .filter((version) => includeDeprecated || version.stages.length > 0)
      .slice()
      .reverse();
    const page = paginate(listed, input, `versions:${secret.arn}`, 100);
    return {
      ARN: secret.arn,
      Name: secret.name,
      Versions: page.items.map((version) => ({
        VersionId: version.versionId,
        VersionStages: [...version.stages],
        CreatedDate: epochSeconds(version.createdDate),
        LastAccessedDate: optionalEpoch(version.lastAccessedDate),
        KmsKeyIds: [secret.kmsKeyId ?? 'DefaultEncryptionKey'],
      })),
      NextToken: page.nextToken,
    };
  }

  private listSecrets(input: InputReader): JsonObject {
    this.purgeExpiredDeletions();
    const includePlannedDeletion = input.boolean('IncludePlannedDeletion') ?? false;
    const filters = readListFilters(input);
    const listed = this.secrets.filter(
      (secret) =>
        (includePlannedDeletion || secret.deletedDate === null) &&
        filters.every((filter) => filter.matches(secret)),
    );
    const page = paginate(listed, input, `secrets:${JSON.stringify(filters.map((f) => f.key))}`, 100);
    return {
      SecretList: page.items.map((secret) => {
        const { VersionIdsToStages, ...description } = this.describeSecret(
          new InputReader({ SecretId: secret.arn }, ERR_INVALID_PARAMETER),
        );
        return { ...description, SecretVersionsToStages: VersionIdsToStages };
      }),
      NextToken: page.nextToken,
    };
  }

  private rotateSecret(input: InputReader): JsonObject {
    const secret = this.requireSecret(input);
    const token = readToken(input);
    const lambdaArn = input.string('RotationLambdaARN') ?? secret.rotationLambdaArn;
    const rules = readRotationRules(input);
    const rotateImmediately = input.boolean('RotateImmediately') ?? true;
    if (lambdaArn === null) {
      throw new AwsServiceError(
        ERR_INVALID_REQUEST,
        'No Lambda rotation function ARN is associated with this secret.',
      );
    }
    const rotationFunction = this.rotationFunctions.get(lambdaArn);
    if (rotationFunction === undefined) {
      throw new AwsServiceError(
        ERR_INVALID_REQUEST,
        `Secrets Manager cannot invoke the specified Lambda function ${lambdaArn}. Ensure that the function policy grants access to the principal secretsmanager.amazonaws.com.`,
      );
    }
    // An SDK retry of a RotateSecret that was applied (lost answer) carries the same token: answer it again.
    if (this.rotationRecords.some((record) => record.secretArn === secret.arn && record.token === token)) {
      return { ARN: secret.arn, Name: secret.name, VersionId: token };
    }
    // Reference §1.4: AWSPENDING on a version other than AWSCURRENT means a rotation is still open.
    const pendingHolder = secret.versions.find((version) => version.stages.includes(AWSPENDING));
    const pendingIsOpen = pendingHolder !== undefined && !pendingHolder.stages.includes(AWSCURRENT);
    if (pendingIsOpen || this.running.has(secret.arn)) {
      throw new AwsServiceError(
        ERR_INVALID_REQUEST,
        "A previous rotation isn't complete. That rotation will be reattempted.",
      );
    }
    if (secret.versions.some((version) => version.versionId === token)) {
      throw new AwsServiceError(
        ERR_INVALID_REQUEST,
        `A version with ClientRequestToken ${token} already exists.`,
      );
    }

    const now = this.now();
    secret.rotationEnabled = true;
    secret.rotationLambdaArn = lambdaArn;
    if (rules !== null) secret.rotationRules = rules;
    secret.nextRotationDate = nextRotationDate(secret.rotationRules, secret.lastRotatedDate ?? now);
    secret.lastChangedDate = now;
    this.addVersion(secret, token, null, [AWSPENDING]);

    const record: MutableRotationRecord = {
      secretArn: secret.arn,
      token,
      rotateImmediately,
      attempts: [],
      outcome: 'running',
    };
    this.rotationRecords.push(record);
    // Deferred so the RotateSecret answer is on the wire before the rotation function runs.
    const done = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() =>
        rotateImmediately
          ? this.driveRotation(secret, record, rotationFunction)
          : this.driveRotationTest(secret, record, rotationFunction),
      )
      .catch((error: unknown) => {
        record.outcome = 'failed';
        process.emitWarning(`AWS stand-in: rotation driver failed: ${String(error)}`);
      })
      .finally(() => this.running.delete(secret.arn));
    this.running.set(secret.arn, { record, done });
    return { ARN: secret.arn, Name: secret.name, VersionId: token };
  }

  private cancelRotateSecret(input: InputReader): JsonObject {
    const secret = this.requireSecret(input);
    // Reference §1.5: cancelling does not remove AWSPENDING.
    secret.rotationEnabled = false;
    secret.lastChangedDate = this.now();
    const pending = secret.versions.find((version) => version.stages.includes(AWSPENDING));
    return { ARN: secret.arn, Name: secret.name, VersionId: pending?.versionId };
  }

  private tagResource(input: InputReader): JsonObject {
    const secret = this.requireSecret(input, { allowDeleted: true });
    for (const tag of readTags(input)) {
      const existing = secret.tags.find((candidate) => candidate.Key === tag.Key);
      if (existing) existing.Value = tag.Value;
      else secret.tags.push(tag);
    }
    secret.lastChangedDate = this.now();
    return {};
  }

  private untagResource(input: InputReader): JsonObject {
    const secret = this.requireSecret(input, { allowDeleted: true });
    const keys = new Set(input.stringList('TagKeys') ?? []);
    secret.tags = secret.tags.filter((tag) => !keys.has(tag.Key));
    secret.lastChangedDate = this.now();
    return {};
  }

  private deleteSecret(input: InputReader): JsonObject {
    const secret = this.requireSecret(input, { allowDeleted: true });
    const force = input.boolean('ForceDeleteWithoutRecovery') ?? false;
    const recoveryDays = input.number('RecoveryWindowInDays');
    if (force && recoveryDays !== undefined) {
      throw new AwsServiceError(
        ERR_INVALID_PARAMETER,
        'You can’t use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.',
      );
    }
    if (
      recoveryDays !== undefined &&
      (!Number.isInteger(recoveryDays) || recoveryDays < 7 || recoveryDays > 30)
    ) {
      throw new AwsServiceError(
        ERR_INVALID_PARAMETER,
        'RecoveryWindowInDays must be an integer between 7 and 30.',
      );
    }
    if (secret.deletedDate !== null && !force) {
      throw new AwsServiceError(
        ERR_INVALID_REQUEST,
        "You can't perform this operation on the secret because it was already scheduled for deletion.",
      );
    }
    const now = this.now();
    if (force) {
      this.secrets.splice(this.secrets.indexOf(secret), 1);
      return { ARN: secret.arn, Name: secret.name, DeletionDate: epochSeconds(now) };
    }
    secret.deletedDate = now;
    secret.deletionDate = new Date(now.getTime() + (recoveryDays ?? 30) * DAY_MS);
    return { ARN: secret.arn, Name: secret.name, DeletionDate: epochSeconds(secret.deletionDate) };
  }

  private restoreSecret(input: InputReader): JsonObject {
    const secret = this.requireSecret(input, { allowDeleted: true });
    secret.deletedDate = null;
    secret.deletionDate = null;
    return { ARN: secret.arn, Name: secret.name };
  }

  private getRandomPassword(input: InputReader): JsonObject {
    const length = input.number('PasswordLength') ?? 32;
    if (!Number.isInteger(length) || length < 1 || length > 4096) {
      throw new AwsServiceError(
        ERR_INVALID_PARAMETER,
        'PasswordLength must be an integer between 1 and 4096.',
      );
    }
    const excluded = new Set(input.string('ExcludeCharacters') ?? '');
    const keep = (characters: string): string =>
      [...characters].filter((character) => !excluded.has(character)).join('');
    const classes = [
      input.boolean('ExcludeLowercase') ? '' : keep('abcdefghijklmnopqrstuvwxyz'),
      input.boolean('ExcludeUppercase') ? '' : keep('ABCDEFGHIJKLMNOPQRSTUVWXYZ'),
      input.boolean('ExcludeNumbers') ? '' : keep('0123456789'),
      input.boolean('ExcludePunctuation') ? '' : keep('!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~'),
      input.boolean('IncludeSpace') ? keep(' ') : '',
    ].filter((characters) => characters.length > 0);
    const alphabet = classes.join('');
    if (alphabet.length === 0) {
      throw new AwsServiceError(ERR_INVALID_PARAMETER, 'The password constraints exclude every character.');
    }
    const requireEach = input.boolean('RequireEachIncludedType') ?? true;
    if (requireEach && classes.length > length) {
      throw new AwsServiceError(
        ERR_INVALID_PARAMETER,
        'PasswordLength is too short to include each character type.',
      );
    }
    const pick = (characters: string): string => characters[randomInt(characters.length)] ?? '';
    const characters = Array.from({ length }, () => pick(alphabet));
    if (requireEach) {
      // One guaranteed character of each class at distinct random positions.
      const positions = Array.from({ length }, (_, index) => index);
      for (const characterClass of classes) {
        const [position] = positions.splice(randomInt(positions.length), 1);
        if (position !== undefined) characters[position] = pick(characterClass);
      }
    }
    return { RandomPassword: characters.join('') };
  }

  // ---- rotation drivers -------------------------------------------------------------------------

  /** Reference §1.2/§1.5: the four steps back to back; any failure retries the whole rotation. */
  private async driveRotation(
    secret: StoredSecret,
    record: MutableRotationRecord,
    rotationFunction: RotationFunction,
  ): Promise<void> {
    const rotationToken = randomUUID();
    for (let attempt = 1; attempt <= this.options.rotationAttempts; attempt += 1) {
      if (attempt > 1) {
        if (!this.canContinue(secret)) break;
        if (this.options.rotationRetryToken === 'new') {
          // A fresh placeholder takes AWSPENDING; the earlier attempt's version keeps its value, unlabeled.
          record.token = randomUUID();
          this.addVersion(secret, record.token, null, [AWSPENDING]);
        } else {
          this.restagePending(secret, record.token);
        }
      }
      const steps: RotationStepRecord[] = [];
      record.attempts.push({ token: record.token, steps });
      let failed = false;
      for (const step of ROTATION_STEPS) {
        if (!this.canContinue(secret)) {
          failed = true;
          break;
        }
        const result = await invokeStep(rotationFunction, {
          Step: step,
          SecretId: secret.arn,
          ClientRequestToken: record.token,
          RotationToken: rotationToken,
        });
        const current = this.currentVersion(secret);
        const unfinished =
          step === 'finishSecret' && result.ok && current?.versionId !== record.token
            ? `RotationIncomplete: finishSecret returned but ${AWSCURRENT} is not on version ${record.token}`
            : null;
        steps.push(unfinished === null ? result : { step, ok: false, error: unfinished });
        if (!result.ok || unfinished !== null) {
          failed = true;
          break;
        }
      }
      if (!failed) {
        const now = this.now();
        secret.lastRotatedDate = now;
        secret.nextRotationDate = nextRotationDate(secret.rotationRules, now);
        // Reference §1.4: AWS's backend clears AWSPENDING once it sits with AWSCURRENT.
        const finished = this.currentVersion(secret);
        if (finished?.stages.includes(AWSPENDING)) this.removeLabel(finished, AWSPENDING);
        record.outcome = 'succeeded';
        return;
      }
    }
    record.outcome = 'failed';
  }

  /** Reference §1.7: RotateImmediately=false runs only testSecret, then removes the placeholder. */
  private async driveRotationTest(
    secret: StoredSecret,
    record: MutableRotationRecord,
    rotationFunction: RotationFunction,
  ): Promise<void> {
    const result = await invokeStep(rotationFunction, {
      Step: 'testSecret',
      SecretId: secret.arn,
      ClientRequestToken: record.token,
      RotationToken: randomUUID(),
    });
    record.attempts.push({ token: record.token, steps: [result] });
    secret.versions = secret.versions.filter((version) => version.versionId !== record.token);
    record.outcome = result.ok ? 'succeeded' : 'failed';
  }

  private canContinue(secret: StoredSecret): boolean {
    return (
      !this.closed && secret.rotationEnabled && secret.deletedDate === null && this.secrets.includes(secret)
    );
  }

  private restagePending(secret: StoredSecret, token: string): void {
    const version = secret.versions.find((candidate) => candidate.versionId === token);
    if (version === undefined) {
      this.addVersion(secret, token, null, [AWSPENDING]);
      return;
    }
    if (!version.stages.includes(AWSPENDING)) this.attachLabel(secret, version, AWSPENDING);
  }

  // ---- versions and labels ----------------------------------------------------------------------

  private writeVersion(
    secret: StoredSecret,
    versionId: string,
    value: NonNullable<StoredVersion['value']>,
    stages: readonly string[],
  ): StoredVersion {
    const existing = secret.versions.find((version) => version.versionId === versionId);
    if (existing !== undefined && existing.value !== null) {
      if (!sameValue(existing.value, value)) {
        throw new AwsServiceError(
          ERR_EXISTS,
          "You can't modify an existing version, you can only create a new version.",
        );
      }
      return existing;
    }
    if (existing !== undefined) {
      existing.value = value;
      for (const stage of stages) this.attachLabel(secret, existing, stage);
      secret.lastChangedDate = this.now();
      return existing;
    }
    return this.addVersion(secret, versionId, value, stages);
  }

  private addVersion(
    secret: StoredSecret,
    versionId: string,
    value: StoredVersion['value'],
    stages: readonly string[],
  ): StoredVersion {
    const version: StoredVersion = {
      versionId,
      value,
      stages: [],
      createdDate: this.now(),
      lastAccessedDate: null,
    };
    secret.versions.push(version);
    for (const stage of stages) this.attachLabel(secret, version, stage);
    secret.lastChangedDate = this.now();
    return version;
  }

  /** A label lives on one version; moving AWSCURRENT hands AWSPREVIOUS to the version it left. */
  private attachLabel(secret: StoredSecret, target: StoredVersion, label: string): void {
    if (target.stages.includes(label)) return;
    const holder = secret.versions.find((version) => version.stages.includes(label));
    if (holder !== undefined) this.removeLabel(holder, label);
    target.stages.push(label);
    if (label === AWSCURRENT && holder !== undefined) this.attachLabel(secret, holder, AWSPREVIOUS);
  }

  private removeLabel(version: StoredVersion, label: string): void {
    version.stages = version.stages.filter((stage) => stage !== label);
  }

  private currentVersion(secret: StoredSecret): StoredVersion | undefined {
    return secret.versions.find((version) => version.stages.includes(AWSCURRENT));
  }

  // ---- lookup ------------------------------------------------------------------------------------

  private requireSecret(input: InputReader, { allowDeleted = false } = {}): StoredSecret {
    const secretId = input.requiredString('SecretId');
    const secret = this.findSecret(secretId);
    if (secret === undefined)
      throw new AwsServiceError(ERR_NOT_FOUND, "Secrets Manager can't find the specified secret.");
    if (secret.deletedDate !== null && !allowDeleted) {
      throw new AwsServiceError(
        ERR_INVALID_REQUEST,
        "You can't perform this operation on the secret because it was marked for deletion.",
      );
    }
    return secret;
  }

  /** A SecretId is the ARN, the ARN without its 6-character suffix, or the name. */
  private findSecret(secretId: string): StoredSecret | undefined {
    this.purgeExpiredDeletions();
    return (
      this.secrets.find((secret) => secret.arn === secretId) ??
      this.secrets.find((secret) => secret.name === secretId) ??
      this.secrets.find((secret) => secretId.startsWith('arn:') && secret.arn.slice(0, -7) === secretId)
    );
  }

  private purgeExpiredDeletions(): void {
    const now = this.now().getTime();
    for (let index = this.secrets.length - 1; index >= 0; index -= 1) {
      const deletionDate = this.secrets[index]?.deletionDate;
      if (deletionDate !== undefined && deletionDate !== null && deletionDate.getTime() <= now)
        this.secrets.splice(index, 1);
    }
  }

  private now(): Date {
    return this.options.clock.now();
  }
}

/** Condition keys the request itself carries (Secrets Manager's service authorization reference). */
function requestContext(input: JsonObject): Record<string, string> {
  const context: Record<string, string> = {};
  const members: Record<string, string> = {
    Name: 'secretsmanager:Name',
    VersionId: 'secretsmanager:VersionId',
    VersionStage: 'secretsmanager:VersionStage',
    RotationLambdaARN: 'secretsmanager:RotationLambdaARN',
    Description: 'secretsmanager:Description',
    KmsKeyId: 'secretsmanager:KmsKeyId',
  };
  for (const [member, key] of Object.entries(members)) {
    const value = input[member];
    if (typeof value === 'string') context[key] = value;
  }
  return context;
}

async function invokeStep(
  rotationFunction: RotationFunction,
  event: RotationEvent,
): Promise<RotationStepRecord> {
  const step = event.Step as RotationStep;
  try {
    await rotationFunction({ ...event });
    return { step, ok: true, error: null };
  } catch (error) {
    const description = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return { step, ok: false, error: description };
  }
}

function readSecretValue(input: InputReader): NonNullable<StoredVersion['value']> | null {
  const secretString = input.string('SecretString');
  const secretBinary = input.string('SecretBinary');
  if (secretString !== undefined && secretBinary !== undefined) {
    throw new AwsServiceError(
      ERR_INVALID_PARAMETER,
      'You can provide either SecretString or SecretBinary, not both.',
    );
  }
  if (secretString !== undefined) return { secretString };
  if (secretBinary !== undefined) return { secretBinary };
  return null;
}

function sameValue(
  left: NonNullable<StoredVersion['value']>,
  right: NonNullable<StoredVersion['value']>,
): boolean {
  if ('secretString' in left) return 'secretString' in right && left.secretString === right.secretString;
  return 'secretBinary' in right && left.secretBinary === right.secretBinary;
}

/** The SDK fills ClientRequestToken itself (idempotency token); raw callers get a fresh one. */
function readToken(input: InputReader): string {
  const token = input.string('ClientRequestToken') ?? randomUUID();
  if (token.length < 32 || token.length > 64) {
    throw new AwsServiceError(
      ERR_INVALID_PARAMETER,
      'ClientRequestToken must be between 32 and 64 characters long.',
    );
  }
  return token;
}

function readTags(input: InputReader): { Key: string; Value: string }[] {
  return (input.objectList('Tags') ?? []).map((tag) => {
    if (typeof tag.Key !== 'string' || tag.Key === '') {
      throw new AwsServiceError(ERR_INVALID_PARAMETER, 'Each tag must have a non-empty Key.');
    }
    return { Key: tag.Key, Value: typeof tag.Value === 'string' ? tag.Value : '' };
  });
}

function readRotationRules(input: InputReader): RotationRules | null {
  const rules = input.object('RotationRules');
  if (rules === undefined) return null;
  const reader = new InputReader(rules, ERR_INVALID_PARAMETER);
  const days = reader.number('AutomaticallyAfterDays');
  const schedule = reader.string('ScheduleExpression');
  const duration = reader.string('Duration');
  if (days !== undefined && schedule !== undefined) {
    throw new AwsServiceError(
      ERR_INVALID_PARAMETER,
      'You can use either AutomaticallyAfterDays or ScheduleExpression in RotationRules, not both.',
    );
  }
  if (days !== undefined && (!Number.isInteger(days) || days < 1 || days > 1000)) {
    throw new AwsServiceError(ERR_INVALID_PARAMETER, 'AutomaticallyAfterDays must be between 1 and 1000.');
  }
  if (schedule !== undefined) {
    const rate = parseRate(schedule);
    if (rate === null && !/^cron\(.+\)$/.test(schedule)) {
      throw new AwsServiceError(ERR_INVALID_PARAMETER, `Invalid ScheduleExpression: ${schedule}`);
    }
    if (rate !== null && (rate < 4 * HOUR_MS || rate > 1000 * DAY_MS)) {
      throw new AwsServiceError(
        ERR_INVALID_PARAMETER,
        'You can rotate a secret at most every four hours and at least every 1000 days.',
      );
    }
  }
  if (duration !== undefined && !/^[0-9]{1,2}h$/.test(duration)) {
    throw new AwsServiceError(ERR_INVALID_PARAMETER, `Invalid Duration: ${duration}`);
  }
  return {
    ...(days !== undefined ? { AutomaticallyAfterDays: days } : {}),
    ...(schedule !== undefined ? { ScheduleExpression: schedule } : {}),
    ...(duration !== undefined ? { Duration: duration } : {}),
  };
}

/** `rate(N days|hours)` as milliseconds; null for anything else. */
function parseRate(expression: string): number | null {
  const match = /^rate\((\d+) (day|days|hour|hours)\)$/.exec(expression);
  if (match === null) return null;
  return Number(match[1]) * (match[2]?.startsWith('day') ? DAY_MS : HOUR_MS);
}

/** Interval schedules only: cron windows are not modelled, so they report no next date. */
function nextRotationDate(rules: RotationRules | null, from: Date): Date | null {
  if (rules === null) return null;
  const interval =
    rules.AutomaticallyAfterDays !== undefined
      ? rules.AutomaticallyAfterDays * DAY_MS
      : rules.ScheduleExpression !== undefined
        ? parseRate(rules.ScheduleExpression)
        : null;
  return interval === null ? null : new Date(from.getTime() + interval);
}

function randomSuffix(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  return Array.from({ length: 6 }, () => alphabet[randomInt(alphabet.length)]).join('');
}

function startOfUtcDay(date: Date): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
}

function latestAccess(secret: StoredSecret): Date | null {
  let latest: Date | null = null;
  for (const version of secret.versions) {
    if (version.lastAccessedDate !== null && (latest === null || version.lastAccessedDate > latest)) {
      latest = version.lastAccessedDate;
    }
  }
  return latest;
}

function optionalEpoch(date: Date | null): number | undefined {
  return date === null ? undefined : epochSeconds(date);
}

function paginate<T>(items: readonly T[], input: InputReader, scope: string, defaultPageSize: number) {
  const maxResults = input.number('MaxResults') ?? defaultPageSize;
  const nextToken = input.string('NextToken');
  const offset = nextToken === undefined ? 0 : decodePageToken(nextToken, scope);
  if (offset === null)
    throw new AwsServiceError('InvalidNextTokenException', 'The NextToken value is not valid.');
  const end = offset + Math.max(1, maxResults);
  return {
    items: items.slice(offset, end),
    nextToken: end < items.length ? encodePageToken(scope, end) : undefined,
  };
}

function snapshotRotation(record: MutableRotationRecord): RotationRecord {
  const attempts: RotationAttemptRecord[] = record.attempts.map((attempt) => ({
    token: attempt.token,
    steps: attempt.steps.map((step) => ({ ...step })),
  }));
  return {
    secretArn: record.secretArn,
    token: record.token,
    rotateImmediately: record.rotateImmediately,
    attempts,
    outcome: record.outcome,
  };
}

/** True when `promise` settled before `ms` elapsed. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

interface ListFilter {
  readonly key: string;
  matches(secret: {
    name: string;
    description: string | null;
    tags: { Key: string; Value: string }[];
  }): boolean;
}

/**
 * ListSecrets `Filters` (API_Filter): filters AND together, the values of one filter OR; `name`,
 * `tag-key` and `tag-value` match by case-sensitive prefix, `description` by case-insensitive prefix;
 * a value starting with `!` negates. Tag keys and tag values match independently, not as pairs.
 * Not modelled: `primary-region`, `owning-service` and `all`.
 */
function readListFilters(input: InputReader): ListFilter[] {
  const raw = input.objectList('Filters') ?? [];
  return raw.map((filter) => {
    const key = filter.Key;
    const values = filter.Values;
    if (
      typeof key !== 'string' ||
      !Array.isArray(values) ||
      values.length < 1 ||
      values.length > 10 ||
      !values.every((value) => typeof value === 'string')
    ) {
      throw new AwsServiceError(
        ERR_INVALID_PARAMETER,
        'Invalid filter: a Key and 1 to 10 Values are required.',
      );
    }
    const fieldsOf = (secret: Parameters<ListFilter['matches']>[0]): string[] => {
      switch (key) {
        case 'name':
          return [secret.name];
        case 'description':
          return secret.description === null ? [] : [secret.description.toLowerCase()];
        case 'tag-key':
          return secret.tags.map((tag) => tag.Key);
        case 'tag-value':
          return secret.tags.map((tag) => tag.Value);
        default:
          throw new AwsServiceError(
            ERR_INVALID_PARAMETER,
            `Filter key ${key} is not supported by the stand-in.`,
          );
      }
    };
    const terms = (values as string[]).map((value) => {
      const negated = value.startsWith('!');
      const text = negated ? value.slice(1) : value;
      return { negated, prefix: key === 'description' ? text.toLowerCase() : text };
    });
    return {
      key,
      matches: (secret) => {
        const fields = fieldsOf(secret);
        return terms.some((term) => fields.some((field) => field.startsWith(term.prefix)) !== term.negated);
      },
    };
  });
}
