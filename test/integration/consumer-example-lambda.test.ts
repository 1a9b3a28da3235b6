/**
 * The example consumer Lambda (examples/consumer-lambda/handler.ts) as Lambda would run it: its
 * configuration from the environment, AWS SDK v3 reaching the AWS stand-in through AWS_ENDPOINT_URL,
 * the Genesys SDK reaching the Genesys stand-in through GENESYS_GATEWAY_URL. Service requests and the
 * rotator's EventBridge event go to the same handler.
 */
import { randomUUID } from 'node:crypto';
import {
  CreateSecretCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AwsStandIn, startAwsStandIn } from '../../local/standins/aws/index.js';
import { type GenesysStandIn, startGenesysStandIn } from '../../local/standins/genesys/index.js';

const ENVIRONMENT = 'mypurecloud.ie';

let genesys: GenesysStandIn;
let aws: AwsStandIn;
let secrets: SecretsManagerClient;
let secretArn: string;
let handler: typeof import('../../examples/consumer-lambda/handler.js').handler;

function seededCredential() {
  const role = genesys.seed.role(`reader-${randomUUID()}`, ['organization:view']);
  const seeded = genesys.seed.client({
    name: `example-${randomUUID()}`,
    roleDivisions: [{ roleId: role, divisionId: genesys.seed.homeDivisionId }],
  });
  return { clientId: seeded.clientId, clientSecret: seeded.clientSecret, environment: ENVIRONMENT };
}

function promotedEvent(secretId: string) {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Secret Promoted',
    source: 'genesys.credential-rotator',
    account: '000000000000',
    time: new Date().toISOString(),
    region: aws.region,
    resources: [],
    detail: { schemaVersion: '1', secretId, executionId: 'arn:x', trigger: 'secretsmanager' },
  };
}

beforeAll(async () => {
  genesys = await startGenesysStandIn();
  aws = await startAwsStandIn();
  secrets = new SecretsManagerClient({
    endpoint: aws.url,
    region: aws.region,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const created = await secrets.send(
    new CreateSecretCommand({
      Name: `genesys/example-${randomUUID()}`,
      SecretString: JSON.stringify(seededCredential()),
    }),
  );
  secretArn = created.ARN as string;
  process.env.GENESYS_SECRET_ARN = secretArn;
  process.env.GENESYS_GATEWAY_URL = genesys.url;
  process.env.AWS_ENDPOINT_URL = aws.url;
  process.env.AWS_REGION = aws.region;
  ({ handler } = await import('../../examples/consumer-lambda/handler.js'));
});

afterAll(async () => {
  delete process.env.GENESYS_SECRET_ARN;
  delete process.env.GENESYS_GATEWAY_URL;
  delete process.env.AWS_ENDPOINT_URL;
  secrets.destroy();
  await aws.close();
  await genesys.close();
});

describe('example consumer Lambda', () => {
  it('answers from Genesys with a cached credential, and moves to a promoted one when the Secret Promoted event arrives', async () => {
    // Prepare
    const first = await handler({ action: 'describe-organization' });
    const next = seededCredential();
    await secrets.send(
      new PutSecretValueCommand({ SecretId: secretArn, SecretString: JSON.stringify(next) }),
    );
    const cached = await handler({ action: 'describe-organization' });

    // Act
    const outcome = await handler(promotedEvent(secretArn));
    const after = await handler({ action: 'describe-organization' });

    // Assess
    expect(first).toMatchObject({ organizationId: genesys.orgId });
    expect(cached).toEqual(first);
    expect(outcome).toEqual({ invalidated: true });
    expect(after).toMatchObject({ organizationId: genesys.orgId, clientId: next.clientId });
    expect(aws.requestLog.filter((request) => request.operation === 'GetSecretValue')).toHaveLength(2);
  });

  it("ignores another secret's promotion and refuses a request it does not know (zod)", async () => {
    // Prepare // Act
    const outcome = await handler(
      promotedEvent(secretArn.replace(/:secret:.*$/, ':secret:genesys/other-AbCdEf')),
    );
    const act = handler({ action: 'delete-everything' });

    // Assess
    expect(outcome).toEqual({ invalidated: false });
    await expect(act).rejects.toThrow(/action/);
  });
});
