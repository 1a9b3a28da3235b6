/* biome-ignore-all lint/suspicious/noTemplateCurlyInString: the action templates are Velocity, not JavaScript. */
/**
 * Partner API keys in local mode (`PARTNER_KEYS=1 npm start`, and the end-to-end tests): a partner
 * API stand-in, a Web Services Data Actions integration whose credential (`basicAuth`, `userDefined`
 * or `userDefinedOAuth`) holds a key the partner issued, the managed secret that holds the same key
 * (tagged as `PartnerKeySecret` tags it), and a simulated Architect flow that keeps executing the
 * integration's action. Embedded Genesys stand-in only.
 */
import { randomUUID } from 'node:crypto';
import { CreateSecretCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import platformClient from 'purecloud-platform-client-v2';
import {
  PARTNER_CREDENTIAL_TYPES,
  type PartnerCredentialType,
  TAG_KIND,
} from '../functions/shared/contract.js';
import {
  OPERATOR_STAGED_LABEL,
  OPERATOR_STAGED_PROVIDER,
  TAG_CADENCE,
  TAG_ENV,
  TAG_HEALTH_ACTION_ID,
  TAG_INTEGRATION_ID,
  TAG_KEY_PROVIDER,
  TAG_SERVICE,
} from '../functions/shared/key-provider-contract.js';
import type { LocalEnvironment } from './harness.js';
import type { ActionConfigInput, GenesysStandIn } from './standins/genesys/index.js';
import { loggedInSdkClient } from './standins/genesys/sdk-session.js';
import type { PartnerStandIn } from './standins/partner/index.js';

export const partnerKeysRequested = () => process.env.PARTNER_KEYS === '1';

/** `PARTNER_KEY_TYPE` (default `userDefined`): the credential type `PARTNER_KEYS=1 npm start` rotates. */
export function partnerKeyTypeRequested(): PartnerCredentialType {
  const wanted = process.env.PARTNER_KEY_TYPE || 'userDefined';
  const type = PARTNER_CREDENTIAL_TYPES.find((candidate) => candidate === wanted);
  if (type === undefined) {
    throw new Error(
      `PARTNER_KEY_TYPE must be one of ${PARTNER_CREDENTIAL_TYPES.join(', ')}, got "${wanted}"`,
    );
  }
  return type;
}

/** Where new keys come from: the example provider Lambda, or the operator (GENESYS_STAGED). */
export type PartnerKeySource = 'provider' | 'operator';

/**
 * The managed partner-key secrets local mode onboards (the synthesized stack grants its functions
 * exactly these, as a deployment onboards each `PartnerKeySecret`): one per type and key source.
 */
export function partnerKeySecretName(type: PartnerCredentialType, source: PartnerKeySource): string {
  return `partner/orders/${type}${source === 'operator' ? '-staged' : ''}`;
}
export const PARTNER_KEY_SECRET_NAMES: readonly string[] = PARTNER_CREDENTIAL_TYPES.flatMap((type) => [
  partnerKeySecretName(type, 'provider'),
  partnerKeySecretName(type, 'operator'),
]);

/** The partner side of a local environment (`partnerKeys: true`). */
export interface LocalPartner {
  readonly standIn: PartnerStandIn;
  /** The example provider's function name (its logical id in local mode), for `genesys:key-provider`. */
  readonly providerFunctionName: string;
  /** The secret the provider reads its admin token from. */
  readonly adminSecretArn: string;
}

interface Style {
  fields(partner: PartnerStandIn, key: { keyId: string; secret: string }): Record<string, string>;
  action(partner: PartnerStandIn): { actionConfig: ActionConfigInput; authActionConfig?: ActionConfigInput };
}

/** How each credential type presents the key, as the example provider issues it (`fieldsFor`). */
const STYLES: Record<PartnerCredentialType, Style> = {
  userDefined: {
    fields: (_partner, key) => ({ apiKey: key.secret }),
    action: (partner) => ({
      actionConfig: {
        request: {
          requestUrlTemplate: `${partner.url}/v1/orders/\${input.orderId}`,
          requestType: 'GET',
          headers: { 'X-API-Key': '${credentials.apiKey}' },
        },
      },
    }),
  },
  basicAuth: {
    fields: (_partner, key) => ({ userName: key.keyId, password: key.secret }),
    action: (partner) => ({
      actionConfig: {
        request: { requestUrlTemplate: `${partner.url}/v1/orders/\${input.orderId}`, requestType: 'GET' },
      },
    }),
  },
  userDefinedOAuth: {
    fields: (partner, key) => ({
      clientId: key.keyId,
      clientSecret: key.secret,
      loginUrl: `${partner.url}/oauth/token`,
    }),
    action: (partner) => ({
      authActionConfig: {
        request: {
          requestUrlTemplate: '${credentials.loginUrl}',
          requestType: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          requestTemplate:
            'grant_type=client_credentials&client_id=${credentials.clientId}&client_secret=${credentials.clientSecret}',
        },
      },
      actionConfig: {
        request: {
          requestUrlTemplate: `${partner.url}/v1/orders/\${input.orderId}`,
          requestType: 'GET',
          headers: { Authorization: 'Bearer ${authResponse.access_token}' },
        },
      },
    }),
  },
};

export interface SeededPartnerKey {
  readonly type: PartnerCredentialType;
  readonly source: PartnerKeySource;
  readonly secretArn: string;
  readonly integrationId: string;
  readonly actionId: string;
  /** The key AWSCURRENT and the integration's credential hold before the rotation. */
  readonly legacyKeyId: string;
  readonly legacyCredentialId: string;
}

function partnerOf(env: LocalEnvironment): LocalPartner {
  if (env.partner === null) throw new Error('This environment was started without partnerKeys');
  return env.partner;
}

function genesysOf(env: LocalEnvironment): GenesysStandIn {
  if (env.genesys === null) throw new Error('Partner keys in local mode need the embedded Genesys stand-in');
  return env.genesys;
}

/**
 * A partner key in use: issued by the partner, held by a new Web Services Data Actions integration's
 * credential, and by the managed secret (`partnerKeySecretName(type, source)`), tagged as
 * `PartnerKeySecret` tags it. The key's value goes from the partner into both and is never returned.
 */
export async function seedPartnerKey(
  env: LocalEnvironment,
  type: PartnerCredentialType,
  source: PartnerKeySource = 'provider',
): Promise<SeededPartnerKey> {
  const partner = partnerOf(env);
  const genesys = genesysOf(env);
  const style = STYLES[type];
  const key = partner.standIn.issueKey('before rotation');
  const fields = style.fields(partner.standIn, key);
  const seeded = genesys.seed.integration({
    name: `Partner orders (${type})`,
    credential: { name: `partner-orders-${type}`, type, fields },
    ...style.action(partner.standIn),
  });
  const created = await env.clients.secretsManager.send(
    new CreateSecretCommand({
      Name: partnerKeySecretName(type, source),
      Description: `Partner API key for orders (${type}), one integration credential`,
      SecretString: JSON.stringify({ credentialType: type, keyId: key.keyId, fields }),
      Tags: Object.entries({
        ...env.defaultTags(),
        [TAG_KIND]: 'integration-credential',
        [TAG_ENV]: 'dev',
        [TAG_SERVICE]: 'orders',
        [TAG_CADENCE]: '30d',
        [TAG_KEY_PROVIDER]: source === 'operator' ? OPERATOR_STAGED_PROVIDER : partner.providerFunctionName,
        [TAG_INTEGRATION_ID]: seeded.integrationId,
        [TAG_HEALTH_ACTION_ID]: seeded.actionId,
      }).map(([Key, Value]) => ({ Key, Value })),
    }),
  );
  return {
    type,
    source,
    secretArn: created.ARN ?? '',
    integrationId: seeded.integrationId,
    actionId: seeded.actionId,
    legacyKeyId: key.keyId,
    legacyCredentialId: seeded.credentialId ?? '',
  };
}

/**
 * What an operator does for a partner without an admin API: obtain the next key from the partner
 * (here: the stand-in issues one) and stage it on the secret as GENESYS_STAGED. Returns its key id.
 */
export async function stagePartnerKey(env: LocalEnvironment, seeded: SeededPartnerKey): Promise<string> {
  const partner = partnerOf(env);
  const key = partner.standIn.issueKey('staged by the operator');
  await env.clients.secretsManager.send(
    new PutSecretValueCommand({
      SecretId: seeded.secretArn,
      SecretString: JSON.stringify({
        credentialType: seeded.type,
        keyId: key.keyId,
        fields: STYLES[seeded.type].fields(partner.standIn, key),
      }),
      VersionStages: [OPERATOR_STAGED_LABEL],
      ClientRequestToken: randomUUID(),
    }),
  );
  return key.keyId;
}

/** An Architect flow executing the Data Action in a loop, as a contact centre does during a rotation. */
export class SimulatedFlow {
  /** The partner keys the action's answers named, in order (each change once). */
  readonly keyIdsSeen: string[] = [];
  readonly failures: string[] = [];
  calls = 0;
  private running = false;
  private loop: Promise<void> = Promise.resolve();

  private constructor(
    private readonly api: platformClient.IntegrationsApi,
    private readonly actionId: string,
    private readonly intervalMs: number,
    /** The flow's own Genesys client (its calls are not the rotator's). */
    readonly clientId: string,
  ) {}

  /** A flow on its own Genesys client, allowed to execute actions (Architect runs them in Genesys). */
  static async start(
    env: LocalEnvironment,
    actionId: string,
    options: { intervalMs?: number } = {},
  ): Promise<SimulatedFlow> {
    const genesys = genesysOf(env);
    const role = genesys.seed.role(`Architect flow ${randomUUID().slice(0, 8)}`, [
      'integrations:action:execute',
    ]);
    const client = genesys.seed.client({
      name: `architect-flow-${randomUUID().slice(0, 8)}`,
      roleDivisions: [{ roleId: role, divisionId: genesys.seed.homeDivisionId }],
    });
    const api = new platformClient.IntegrationsApi(
      await loggedInSdkClient(genesys.gateway, client.clientId, client.clientSecret),
    );
    const flow = new SimulatedFlow(api, actionId, options.intervalMs ?? 100, client.clientId);
    flow.running = true;
    flow.loop = flow.run();
    return flow;
  }

  private async run(): Promise<void> {
    while (this.running) {
      this.calls += 1;
      try {
        const output = (await this.api.postIntegrationsActionExecute(this.actionId, { orderId: 'F-1' })) as {
          keyId?: string;
        };
        if (output.keyId && this.keyIdsSeen.at(-1) !== output.keyId) this.keyIdsSeen.push(output.keyId);
      } catch (error) {
        this.failures.push(String((error as { message?: unknown }).message ?? error));
      }
      await new Promise((resolve) => setTimeout(resolve, this.intervalMs));
    }
  }

  /** Resolves once the flow has made `count` more calls. */
  async callsMore(count: number, timeoutMs = 15_000): Promise<void> {
    const target = this.calls + count;
    const deadline = Date.now() + timeoutMs;
    while (this.calls < target) {
      if (Date.now() > deadline) throw new Error(`The simulated flow made no ${count} more calls`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  async stop(): Promise<{ calls: number; failures: readonly string[]; keyIdsSeen: readonly string[] }> {
    this.running = false;
    await this.loop;
    return { calls: this.calls, failures: this.failures, keyIdsSeen: this.keyIdsSeen };
  }
}
