/**
 * Managed secrets as the operator sees them: metadata and tags only. The CLI never calls
 * GetSecretValue, so no secret value can reach its output.
 */
import {
  DescribeSecretCommand,
  type DescribeSecretCommandOutput,
  ListSecretsCommand,
  type ListSecretsCommandOutput,
  ListSecretVersionIdsCommand,
  type ListSecretVersionIdsCommandOutput,
} from '@aws-sdk/client-secrets-manager';
import { TAG_ENVIRONMENT, TAG_KIND, TAG_ORG_ID, TAG_STAGE } from '../functions/shared/contract.js';
import type { OperatorAws } from './aws.js';
import { AwsCallError, awsCall, awsErrorName, NotFoundError } from './errors.js';

export interface ManagedSecret {
  readonly arn: string;
  readonly name: string;
  readonly kind: string;
  readonly environment: string | null;
  readonly orgId: string | null;
  readonly stage: string | null;
  readonly rotationEnabled: boolean;
  readonly rotationSchedule: string | null;
  readonly nextRotationDate: Date | null;
  readonly lastRotatedDate: Date | null;
  readonly createdDate: Date | null;
  readonly currentVersionId: string | null;
  /** A version labelled AWSPENDING that is not AWSCURRENT: a rotation is (or was left) open. */
  readonly pendingVersionId: string | null;
}

type SecretMetadata = Pick<
  DescribeSecretCommandOutput,
  | 'ARN'
  | 'Name'
  | 'Tags'
  | 'RotationEnabled'
  | 'RotationRules'
  | 'NextRotationDate'
  | 'LastRotatedDate'
  | 'CreatedDate'
>;

function toManagedSecret(
  secret: SecretMetadata,
  versionsToStages: Record<string, string[]> | undefined,
): ManagedSecret | null {
  const tags = new Map((secret.Tags ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? '']));
  const kind = tags.get(TAG_KIND);
  if (kind === undefined || !secret.ARN || !secret.Name) return null;
  const versions = Object.entries(versionsToStages ?? {});
  const currentVersionId = versions.find(([, stages]) => stages.includes('AWSCURRENT'))?.[0] ?? null;
  const pendingVersionId =
    versions.find(([, stages]) => stages.includes('AWSPENDING') && !stages.includes('AWSCURRENT'))?.[0] ??
    null;
  const rules = secret.RotationRules;
  return {
    arn: secret.ARN,
    name: secret.Name,
    kind,
    environment: tags.get(TAG_ENVIRONMENT) ?? null,
    orgId: tags.get(TAG_ORG_ID) ?? null,
    stage: tags.get(TAG_STAGE) ?? null,
    rotationEnabled: secret.RotationEnabled === true,
    rotationSchedule:
      rules?.ScheduleExpression ??
      (rules?.AutomaticallyAfterDays ? `every ${rules.AutomaticallyAfterDays} days` : null),
    nextRotationDate: secret.RotationEnabled ? (secret.NextRotationDate ?? null) : null,
    lastRotatedDate: secret.LastRotatedDate ?? null,
    createdDate: secret.CreatedDate ?? null,
    currentVersionId,
    pendingVersionId,
  };
}

/** The managed secret named (name or ARN); `NotFoundError` if it does not exist or the rotator does not manage it. */
export async function resolveManagedSecret(aws: OperatorAws, secretId: string): Promise<ManagedSecret> {
  let described: DescribeSecretCommandOutput;
  try {
    described = await aws.secrets.send(new DescribeSecretCommand({ SecretId: secretId }));
  } catch (error) {
    if (awsErrorName(error) === 'ResourceNotFoundException') {
      throw new NotFoundError(`Secret ${secretId} was not found in Secrets Manager`);
    }
    const message = error instanceof Error ? error.message : String(error);
    throw new AwsCallError(
      `DescribeSecret(${secretId}) failed: ${awsErrorName(error) ?? 'Error'}: ${message}`,
    );
  }
  if (described.DeletedDate) {
    throw new NotFoundError(`Secret ${described.Name ?? secretId} is scheduled for deletion`);
  }
  const managed = toManagedSecret(described, described.VersionIdsToStages);
  if (managed === null) {
    throw new NotFoundError(
      `Secret ${described.Name ?? secretId} is not managed by the rotator: it has no ${TAG_KIND} tag ` +
        '(onboard it with the GenesysRotatedSecret construct)',
    );
  }
  return managed;
}

/** Every secret carrying the rotator's kind tag (ListSecrets filtered by tag key), by name. */
export async function listManagedSecrets(aws: OperatorAws): Promise<ManagedSecret[]> {
  const managed: ManagedSecret[] = [];
  let nextToken: string | undefined;
  do {
    const page: ListSecretsCommandOutput = await awsCall('ListSecrets', () =>
      aws.secrets.send(
        new ListSecretsCommand({
          // A prefix match: the exact key is checked below.
          Filters: [{ Key: 'tag-key', Values: [TAG_KIND] }],
          MaxResults: 100,
          ...(nextToken ? { NextToken: nextToken } : {}),
        }),
      ),
    );
    for (const secret of page.SecretList ?? []) {
      if (secret.DeletedDate) continue;
      const entry = toManagedSecret(secret, secret.SecretVersionsToStages);
      if (entry !== null) managed.push(entry);
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return managed.sort((a, b) => a.name.localeCompare(b.name));
}

/** When the AWSCURRENT version was created: the age of the credential in use. */
export async function currentVersionCreated(aws: OperatorAws, secret: ManagedSecret): Promise<Date | null> {
  let nextToken: string | undefined;
  do {
    const page: ListSecretVersionIdsCommandOutput = await awsCall(
      `ListSecretVersionIds(${secret.name})`,
      () =>
        aws.secrets.send(
          new ListSecretVersionIdsCommand({
            SecretId: secret.arn,
            MaxResults: 100,
            ...(nextToken ? { NextToken: nextToken } : {}),
          }),
        ),
    );
    const current = page.Versions?.find((version) => version.VersionStages?.includes('AWSCURRENT'));
    if (current) return current.CreatedDate ?? null;
    nextToken = page.NextToken;
  } while (nextToken);
  return null;
}
