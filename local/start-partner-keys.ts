/**
 * `PARTNER_KEYS=1 npm start`: one partner API key (kind `integration-credential`) rotated by the
 * same synthesized state machine as an OAuth client, while a simulated Architect flow keeps
 * executing the Data Action that uses it. `PARTNER_KEY_TYPE` picks the credential type
 * (`userDefined`, `basicAuth`, `userDefinedOAuth`), `PARTNER_KEY_SOURCE` where the new key comes
 * from (`provider`: the example key provider Lambda; `operator`: a value staged as GENESYS_STAGED).
 */
import { randomUUID } from 'node:crypto';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import type { PartnerCredentialType } from '../functions/shared/contract.js';
import type { LocalEnvironment } from './harness.js';
import {
  type PartnerKeySource,
  partnerKeyTypeRequested,
  SimulatedFlow,
  seedPartnerKey,
  stagePartnerKey,
} from './partner-demo.js';

export function partnerKeySourceRequested(): PartnerKeySource {
  const wanted = process.env.PARTNER_KEY_SOURCE || 'provider';
  if (wanted === 'provider' || wanted === 'operator') return wanted;
  throw new Error(`PARTNER_KEY_SOURCE must be "provider" or "operator", got "${wanted}"`);
}

/** What the demo prints (and `--json` emits as `partnerKey`). */
export interface PartnerKeySummary {
  readonly credentialType: PartnerCredentialType;
  readonly source: PartnerKeySource;
  readonly secretArn: string;
  readonly integrationId: string;
  readonly legacyKeyId: string;
  readonly newKeyId: string | null;
  /** The old key at the partner after the run: `revoked` (provider), or `active` (operator-staged). */
  readonly legacyKeyState: string;
  readonly legacyCredentialId: string;
  /** The credential object the integration references after the run. */
  readonly currentCredentialId: string | null;
  readonly legacyCredentialDeleted: boolean;
  readonly flowCalls: number;
  readonly flowFailedCalls: number;
  /** The partner keys the flow's action calls were answered with, in order. */
  readonly flowKeyIds: readonly string[];
}

export interface PartnerKeyDemo {
  readonly secretArn: string;
  /** Genesys clients that are not the rotator (the flow, the summary's viewer): their calls are not counted. */
  readonly otherClientIds: ReadonlySet<string>;
  describe(): string;
  /** After the execution ended: stops the flow and reads the partner, Genesys and the secret. */
  finish(): Promise<PartnerKeySummary>;
}

async function currentKeyId(env: LocalEnvironment, secretArn: string): Promise<string | null> {
  const answer = await env.clients.secretsManager.send(
    new GetSecretValueCommand({ SecretId: secretArn, VersionStage: 'AWSCURRENT' }),
  );
  return (JSON.parse(answer.SecretString ?? '{}') as { keyId?: string }).keyId ?? null;
}

/** Seeds the key, its integration and secret (and a staged key), and starts the flow. */
export async function preparePartnerKeyDemo(env: LocalEnvironment): Promise<PartnerKeyDemo> {
  const type = partnerKeyTypeRequested();
  const source = partnerKeySourceRequested();
  const seeded = await seedPartnerKey(env, type, source);
  const staged = source === 'operator' ? await stagePartnerKey(env, seeded) : null;
  const flow = await SimulatedFlow.start(env, seeded.actionId);
  await flow.callsMore(3);
  const otherClientIds = new Set<string>([flow.clientId]);
  return {
    secretArn: seeded.secretArn,
    otherClientIds,
    describe: () =>
      `${type} key ${seeded.legacyKeyId} in integration ${seeded.integrationId} (credential ${seeded.legacyCredentialId}); new key from ${
        source === 'provider'
          ? `key provider ${env.partner?.providerFunctionName}`
          : `the operator (GENESYS_STAGED ${staged})`
      }`,
    async finish() {
      await flow.callsMore(3).catch(() => undefined);
      const outcome = await flow.stop();
      const integration = await integrationCredential(env, seeded, otherClientIds);
      return {
        credentialType: type,
        source,
        secretArn: seeded.secretArn,
        integrationId: seeded.integrationId,
        legacyKeyId: seeded.legacyKeyId,
        newKeyId: await currentKeyId(env, seeded.secretArn),
        legacyKeyState: env.partner?.standIn.key(seeded.legacyKeyId)?.state ?? 'unknown',
        legacyCredentialId: seeded.legacyCredentialId,
        currentCredentialId: integration.current,
        legacyCredentialDeleted: integration.legacyDeleted,
        flowCalls: outcome.calls,
        flowFailedCalls: outcome.failures.length,
        flowKeyIds: outcome.keyIdsSeen,
      };
    },
  };
}

/** The integration's current credential reference and whether the legacy object still exists. */
async function integrationCredential(
  env: LocalEnvironment,
  seeded: { integrationId: string; legacyCredentialId: string; type: PartnerCredentialType },
  otherClientIds: Set<string>,
): Promise<{ current: string | null; legacyDeleted: boolean }> {
  const platformClient = (await import('purecloud-platform-client-v2')).default;
  const { loggedInSdkClient } = await import('./standins/genesys/sdk-session.js');
  const genesys = env.genesys;
  if (genesys === null) return { current: null, legacyDeleted: false };
  const role = genesys.seed.role(`Integrations viewer ${randomUUID().slice(0, 8)}`, ['integrations:*']);
  const viewer = genesys.seed.client({
    name: `integrations-viewer-${randomUUID().slice(0, 8)}`,
    roleDivisions: [{ roleId: role, divisionId: genesys.seed.homeDivisionId }],
  });
  otherClientIds.add(viewer.clientId);
  const api = new platformClient.IntegrationsApi(
    await loggedInSdkClient(genesys.gateway, viewer.clientId, viewer.clientSecret),
  );
  const config = await api.getIntegrationConfigCurrent(seeded.integrationId);
  const listing = await api.getIntegrationsCredentialsListing({ pageSize: '200' });
  const ids = (listing.entities ?? []).map((entity) => entity.id);
  return {
    current: config.credentials?.[seeded.type]?.id ?? null,
    legacyDeleted: !ids.includes(seeded.legacyCredentialId),
  };
}
