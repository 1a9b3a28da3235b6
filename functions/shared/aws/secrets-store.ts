/**
 * `SecretStorePort` over AWS Secrets Manager (SDK v3). The client is injected; handlers use
 * `createSecretsManagerClient()`, one per module with the default configuration, so the standard
 * `AWS_ENDPOINT_URL` / `AWS_ENDPOINT_URL_SECRETS_MANAGER` variables point it at a stand-in.
 */
import {
  DescribeSecretCommand,
  type DescribeSecretCommandOutput,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { InvalidInputError, RotationInProgressError, TargetNotFoundError } from '../errors.js';
import type { SecretDescription, SecretStorePort } from '../ports.js';
import { isAwsError, mapAwsError } from './errors.js';

const SERVICE = 'Secrets Manager';

let sharedClient: SecretsManagerClient | undefined;

/** One client per module (per warm container), default configuration. */
export function createSecretsManagerClient(): SecretsManagerClient {
  sharedClient ??= new SecretsManagerClient({});
  return sharedClient;
}

/** Drops the shared client: the next one re-reads its endpoint (local mode starts many environments). */
export function resetSecretsManagerClient(): void {
  sharedClient?.destroy();
  sharedClient = undefined;
}

/**
 * Days between rotations from `rate(N day|days|hour|hours)` (hours as a fraction of a day), else
 * `AutomaticallyAfterDays`; null for a cron expression or no schedule.
 */
export function rotationIntervalDays(
  rules:
    | {
        ScheduleExpression?: string | undefined;
        AutomaticallyAfterDays?: number | undefined;
      }
    | undefined,
): number | null {
  if (!rules) return null;
  const expression = rules.ScheduleExpression?.trim();
  if (expression) {
    const match = /^rate\(\s*(\d+)\s+(day|days|hour|hours)\s*\)$/i.exec(expression);
    if (!match?.[1] || !match[2]) return null;
    const amount = Number(match[1]);
    return match[2].toLowerCase().startsWith('day') ? amount : amount / 24;
  }
  return typeof rules.AutomaticallyAfterDays === 'number' ? rules.AutomaticallyAfterDays : null;
}

export class SecretsManagerStore implements SecretStorePort {
  readonly #client: SecretsManagerClient;

  constructor(client: SecretsManagerClient) {
    this.#client = client;
  }

  async describe(secretId: string): Promise<SecretDescription> {
    let described: DescribeSecretCommandOutput;
    try {
      described = await this.#client.send(new DescribeSecretCommand({ SecretId: secretId }));
    } catch (error) {
      if (isAwsError(error, 'ResourceNotFoundException')) throw notFound(secretId);
      // Under least privilege AWS answers AccessDenied for a secret outside the caller's policy,
      // whether or not it exists: say both, and how a secret gets into the policy.
      if (isAwsError(error, 'AccessDeniedException')) throw notFoundOrNotManaged(secretId);
      throw mapAwsError(error, SERVICE, `DescribeSecret(${secretId})`);
    }
    if (!described.ARN || !described.Name) {
      throw mapAwsError(
        { name: 'InvalidResponse', message: 'DescribeSecret returned no ARN or Name' },
        SERVICE,
        `DescribeSecret(${secretId})`,
      );
    }
    if (described.DeletedDate) {
      throw new TargetNotFoundError(`Secret ${secretId} is scheduled for deletion`, {
        details: { secretId },
      });
    }
    const tags: Record<string, string> = {};
    for (const tag of described.Tags ?? []) {
      if (tag.Key !== undefined) tags[tag.Key] = tag.Value ?? '';
    }
    const versionIdsToStages: Record<string, readonly string[]> = {};
    for (const [versionId, stages] of Object.entries(described.VersionIdsToStages ?? {})) {
      versionIdsToStages[versionId] = [...stages];
    }
    return {
      arn: described.ARN,
      name: described.Name,
      tags,
      rotationEnabled: described.RotationEnabled === true,
      rotationIntervalDays: rotationIntervalDays(described.RotationRules),
      versionIdsToStages,
      kmsKeyId: described.KmsKeyId ?? null,
    };
  }

  async getValue(secretId: string, selector: { versionId?: string; stage?: string }): Promise<string | null> {
    const input = {
      SecretId: secretId,
      ...(selector.versionId ? { VersionId: selector.versionId } : {}),
      ...(selector.stage ? { VersionStage: selector.stage } : {}),
    };
    try {
      const answer = await this.#client.send(new GetSecretValueCommand(input));
      if (answer.SecretString !== undefined) return answer.SecretString;
      if (answer.SecretBinary !== undefined) {
        throw new InvalidInputError(`Secret ${secretId} holds a binary value; a JSON string is expected`, {
          details: { secretId },
        });
      }
      return null;
    } catch (error) {
      // A version or stage without a value (the placeholder RotateSecret makes) reads as not found.
      if (isAwsError(error, 'ResourceNotFoundException')) return null;
      throw mapAwsError(error, SERVICE, `GetSecretValue(${describeSelector(secretId, selector)})`);
    }
  }

  /**
   * PutSecretValue staged AWSPENDING with `ClientRequestToken = token`. Secrets Manager makes a replay
   * with the same value a no-op. A replay with a *different* value fails with ResourceExistsException:
   * the version `token` already holds another credential, stored by an earlier or concurrent attempt
   * of this same rotation. The value is compared here (a no-op when equal, for stores that refuse
   * even an identical replay); when it differs this throws `RotationInProgressError`: the caller must
   * not overwrite it (versions are immutable) and must reuse or discard what that attempt stored.
   */
  async putPending(secretId: string, token: string, value: string): Promise<void> {
    try {
      await this.#client.send(
        new PutSecretValueCommand({
          SecretId: secretId,
          ClientRequestToken: token,
          SecretString: value,
          VersionStages: ['AWSPENDING'],
        }),
      );
      return;
    } catch (error) {
      if (isAwsError(error, 'ResourceNotFoundException')) throw notFound(secretId);
      if (!isAwsError(error, 'ResourceExistsException')) {
        throw mapAwsError(error, SERVICE, `PutSecretValue(${secretId}, version ${token})`);
      }
    }
    const stored = await this.getValue(secretId, { versionId: token });
    if (stored === value) return;
    throw new RotationInProgressError(
      `Version ${token} of secret ${secretId} already holds a different value: an earlier attempt of this rotation stored a credential for this token`,
      { details: { secretId, versionId: token } },
    );
  }

  async promote(secretId: string, token: string, currentVersionId: string): Promise<void> {
    if (token === currentVersionId) return;
    try {
      await this.#client.send(
        new UpdateSecretVersionStageCommand({
          SecretId: secretId,
          VersionStage: 'AWSCURRENT',
          MoveToVersionId: token,
          RemoveFromVersionId: currentVersionId,
        }),
      );
    } catch (error) {
      if (isAwsError(error, 'ResourceNotFoundException')) throw notFound(secretId);
      throw mapAwsError(error, SERVICE, `UpdateSecretVersionStage(${secretId}, AWSCURRENT -> ${token})`);
    }
  }

  async removeStage(secretId: string, stage: string, versionId: string): Promise<void> {
    try {
      await this.#client.send(
        new UpdateSecretVersionStageCommand({
          SecretId: secretId,
          VersionStage: stage,
          RemoveFromVersionId: versionId,
        }),
      );
    } catch (error) {
      if (isAwsError(error, 'ResourceNotFoundException')) throw notFound(secretId);
      const operation = `UpdateSecretVersionStage(${secretId}, remove ${stage} from ${versionId})`;
      if (isAwsError(error, 'InvalidParameterException') || isAwsError(error, 'InvalidRequestException')) {
        // Already removed (a replay)? Then there is nothing to do.
        const description = await this.describe(secretId);
        if (!(description.versionIdsToStages[versionId] ?? []).includes(stage)) return;
      }
      throw mapAwsError(error, SERVICE, operation);
    }
  }
}

function notFound(secretId: string): TargetNotFoundError {
  return new TargetNotFoundError(`Secret ${secretId} does not exist`, { details: { secretId } });
}

function notFoundOrNotManaged(secretId: string): TargetNotFoundError {
  return new TargetNotFoundError(
    `Secret ${secretId} does not exist or is not managed by this rotator: Secrets Manager denied ` +
      'DescribeSecret (the rotator may use only the secrets onboarded with GenesysRotatedSecret, ' +
      'and AWS does not tell a missing secret from one outside the policy)',
    { details: { secretId, awsError: 'AccessDeniedException' } },
  );
}

function describeSelector(secretId: string, selector: { versionId?: string; stage?: string }): string {
  const parts = [secretId];
  if (selector.versionId) parts.push(`version ${selector.versionId}`);
  if (selector.stage) parts.push(`stage ${selector.stage}`);
  return parts.join(', ');
}
