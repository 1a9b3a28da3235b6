/* biome-ignore-all lint/suspicious/noTemplateCurlyInString: Velocity templates, not JavaScript ones. */
/**
 * A planted demo for the hard-coded secret scan: the embedded Genesys and AWS stand-ins with an
 * integration whose actions use `${credentials.*}` properly, and the mistakes the scan must find:
 * a literal Authorization header, a key in a URL, a managed secret's value in a flow, the previous
 * value of another one in an action draft, and a client secret in a custom auth action.
 */
import {
  CreateSecretCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { type AwsStandIn, startAwsStandIn } from './standins/aws/index.js';
import { type GenesysStandIn, startGenesysStandIn } from './standins/genesys/index.js';

export const SCAN_DEMO_ENVIRONMENT = 'mypurecloud.ie';

export interface ScanDemo {
  readonly genesys: GenesysStandIn;
  readonly aws: AwsStandIn;
  readonly secretsManager: SecretsManagerClient;
  readonly admin: { clientId: string; clientSecret: string; environment: typeof SCAN_DEMO_ENVIRONMENT };
  /** The partner credential the demo's integration references (for the blast radius). */
  readonly credentialId: string;
  close(): Promise<void>;
}

function randomKey(prefix: string): string {
  return `${prefix}-${crypto.randomUUID().replace(/-/g, '')}`;
}

export async function startScanDemo(): Promise<ScanDemo> {
  const genesys = await startGenesysStandIn();
  const aws = await startAwsStandIn();
  const secretsManager = new SecretsManagerClient({
    endpoint: aws.url,
    region: aws.region,
    credentials: { accessKeyId: 'demo', secretAccessKey: 'demo' },
  });
  const admin = { ...genesys.seed.adminClient(), environment: SCAN_DEMO_ENVIRONMENT } as const;
  const service = genesys.seed.client({ name: 'contact-centre-service', roleDivisions: [] });
  const tags = [
    { Key: 'genesys:environment', Value: SCAN_DEMO_ENVIRONMENT },
    { Key: 'genesys:org-id', Value: genesys.orgId },
  ];
  await secretsManager.send(
    new CreateSecretCommand({
      Name: 'genesys/demo/contact-centre-service',
      SecretString: JSON.stringify({ ...service, environment: SCAN_DEMO_ENVIRONMENT }),
      Tags: [{ Key: 'genesys:kind', Value: 'oauth-client' }, ...tags],
    }),
  );
  const previousKey = randomKey('partner');
  const partner = await secretsManager.send(
    new CreateSecretCommand({
      Name: 'genesys/demo/weather-partner-key',
      SecretString: JSON.stringify({ apiKey: previousKey }),
      Tags: [{ Key: 'genesys:kind', Value: 'integration-credential' }, ...tags],
    }),
  );
  const currentKey = randomKey('partner');
  await secretsManager.send(
    new PutSecretValueCommand({
      SecretId: partner.ARN,
      SecretString: JSON.stringify({ apiKey: currentKey }),
    }),
  );

  const weather = genesys.seed.integration({
    name: 'Weather partner',
    credential: { type: 'userDefined', fields: { apiKey: currentKey } },
    actionName: 'Get forecast',
    actionConfig: {
      request: {
        requestUrlTemplate:
          'https://weather.example.com/forecast?q=${input.city}&APPID=${credentials.apiKey}',
        requestType: 'GET',
        headers: { 'x-api-key': '${credentials.apiKey}' },
      },
      response: { translationMap: {}, successTemplate: '${rawResult}' },
    },
  });
  const orders = genesys.seed.action({
    integrationId: weather.integrationId,
    name: 'List orders',
    config: {
      request: {
        requestUrlTemplate: 'https://orders.example.com/v1/orders',
        requestType: 'GET',
        headers: { Authorization: `Bearer ${randomKey('tok')}` },
      },
    },
  });
  genesys.seed.action({
    integrationId: weather.integrationId,
    name: 'Geocode',
    config: {
      request: {
        requestUrlTemplate: `https://maps.example.com/geocode?key=${randomKey('AIz')}`,
        requestType: 'GET',
      },
    },
  });
  genesys.seed.authAction({
    integrationId: weather.integrationId,
    name: 'Custom Auth',
    config: {
      request: {
        requestUrlTemplate: '${credentials.loginUrl}',
        requestType: 'POST',
        requestTemplate: `grant_type=client_credentials&client_id=${service.clientId}&client_secret=${service.clientSecret}`,
      },
    },
  });
  genesys.seed.actionDraft({
    integrationId: weather.integrationId,
    actionId: weather.actionId,
    name: 'Get forecast (draft)',
    config: {
      request: { requestUrlTemplate: 'https://weather.example.com/v2', headers: { 'X-Key': previousKey } },
    },
  });
  genesys.seed.flow({
    name: 'Main IVR',
    type: 'inboundcall',
    configuration: {
      name: 'Main IVR',
      actions: [
        { type: 'callData', dataActionId: weather.actionId },
        { type: 'callData', dataActionId: orders },
        { type: 'setVariable', variable: 'Flow.ServiceToken', value: `"${service.clientSecret}"` },
      ],
    },
  });
  genesys.seed.flow({ name: 'After hours', type: 'inboundcall', dataActionIds: [weather.actionId] });

  return {
    genesys,
    aws,
    secretsManager,
    admin,
    credentialId: weather.credentialId ?? '',
    close: async () => {
      secretsManager.destroy();
      await Promise.all([genesys.close(), aws.close()]);
    },
  };
}
