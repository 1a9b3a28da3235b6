/**
 * The `npm start` demo of integration credentials following their OAuth client
 * (FOLLOW_INTEGRATIONS=1): a Genesys Cloud Data Actions integration whose `pureCloudOAuthClient`
 * credential holds the demo's legacy client, declared on the managed secret's
 * `genesys:follow-integrations` tag. Embedded Genesys stand-in only.
 */
import { GetSecretValueCommand, TagResourceCommand } from '@aws-sdk/client-secrets-manager';
import { OAuthClientSecretValueSchema } from '../functions/shared/contract.js';
import { TAG_FOLLOW_INTEGRATIONS } from '../functions/shared/dependents-contract.js';
import type { LocalEnvironment } from './harness.js';

export const followIntegrationsRequested = () => process.env.FOLLOW_INTEGRATIONS === '1';

export interface FollowDemo {
  readonly integrationId: string;
  readonly actionId: string;
  readonly legacyCredentialId: string;
}

export async function seedFollowDemo(env: LocalEnvironment): Promise<FollowDemo | null> {
  if (env.genesys === null) return null;
  // The credential the integration holds is the one consumers hold: AWSCURRENT, read into the seed call only.
  const current = await env.clients.secretsManager.send(
    new GetSecretValueCommand({ SecretId: env.managedSecretArn, VersionStage: 'AWSCURRENT' }),
  );
  const value = OAuthClientSecretValueSchema.parse(JSON.parse(current.SecretString ?? '{}'));
  const seeded = env.genesys.seed.integration({
    name: 'Genesys Cloud Data Actions (demo)',
    credential: {
      name: 'Integration-demo-data-actions',
      type: 'pureCloudOAuthClient',
      fields: { clientId: value.clientId, clientSecret: value.clientSecret },
    },
  });
  await env.clients.secretsManager.send(
    new TagResourceCommand({
      SecretId: env.managedSecretArn,
      Tags: [{ Key: TAG_FOLLOW_INTEGRATIONS, Value: seeded.integrationId }],
    }),
  );
  return {
    integrationId: seeded.integrationId,
    actionId: seeded.actionId,
    legacyCredentialId: seeded.credentialId ?? '',
  };
}

/** One line: which credential object the integration references after the run. */
export function describeFollowDemo(demo: FollowDemo, output: Record<string, unknown>): string {
  const flipped = output.dependentsFlipped as
    | { integrations?: { integrationId: string; toCredentialId: string }[] }
    | undefined;
  const retired = output.dependentsRetired as { deletedIds?: string[] } | undefined;
  const to = flipped?.integrations?.find((i) => i.integrationId === demo.integrationId)?.toCredentialId;
  const deleted = retired?.deletedIds?.includes(demo.legacyCredentialId) ? ', old object deleted' : '';
  return to === undefined
    ? `${demo.integrationId}: still on credential ${demo.legacyCredentialId}`
    : `${demo.integrationId}: credential ${demo.legacyCredentialId} -> ${to}${deleted}`;
}
