/**
 * The AWS stand-in's calls the operator CLI relies on beyond the rotation's own: ListSecrets with
 * Filters (Secrets Manager API_Filter), ListStateMachines and DescribeStateMachine (Step Functions API).
 */
import {
  CreateSecretCommand,
  InvalidParameterException,
  ListSecretsCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  DescribeStateMachineCommand,
  ListStateMachinesCommand,
  SFNClient,
  StateMachineDoesNotExist,
} from '@aws-sdk/client-sfn';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AwsStandIn, startAwsStandIn } from '../../local/standins/aws/index.js';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

let standIn: AwsStandIn;
let secrets: SecretsManagerClient;
let sfn: SFNClient;

beforeEach(async () => {
  standIn = await startAwsStandIn();
  const config = { endpoint: standIn.url, region: standIn.region, credentials, maxAttempts: 1 };
  secrets = new SecretsManagerClient(config);
  sfn = new SFNClient(config);
});

afterEach(async () => {
  secrets.destroy();
  sfn.destroy();
  await standIn.close();
});

async function createSecret(name: string, tags: Record<string, string>, description?: string) {
  await secrets.send(
    new CreateSecretCommand({
      Name: name,
      SecretString: '{}',
      ...(description ? { Description: description } : {}),
      Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
    }),
  );
}

async function listNames(filters: Array<{ Key: string; Values: string[] }>): Promise<string[]> {
  const listed = await secrets.send(new ListSecretsCommand({ Filters: filters as never }));
  return (listed.SecretList ?? []).map((secret) => secret.Name ?? '').sort();
}

describe('Secrets Manager stand-in: ListSecrets Filters', () => {
  beforeEach(async () => {
    await createSecret('genesys/prod/reporting', { 'genesys:kind': 'oauth-client', 'genesys:stage': 'prod' });
    await createSecret('genesys/dev/reporting', { 'genesys:kind': 'oauth-client', 'genesys:stage': 'dev' });
    await createSecret('payments/db', { team: 'payments' }, 'Payments database');
  });

  it('matches a tag key by prefix, case-sensitively (API_Filter: tag-key)', async () => {
    // Act
    const byKey = await listNames([{ Key: 'tag-key', Values: ['genesys:kind'] }]);
    const byPrefix = await listNames([{ Key: 'tag-key', Values: ['genesys:'] }]);
    const otherCase = await listNames([{ Key: 'tag-key', Values: ['Genesys:kind'] }]);

    // Assess
    expect(byKey).toEqual(['genesys/dev/reporting', 'genesys/prod/reporting']);
    expect(byPrefix).toEqual(byKey);
    expect(otherCase).toEqual([]);
  });

  it('needs every filter to match, any one value of each, and negates a value starting with ! (API_Filter)', async () => {
    // Act
    const both = await listNames([
      { Key: 'tag-key', Values: ['genesys:kind'] },
      { Key: 'tag-value', Values: ['prod'] },
    ]);
    const eitherName = await listNames([{ Key: 'name', Values: ['payments/', 'genesys/dev/'] }]);
    const notGenesys = await listNames([{ Key: 'name', Values: ['!genesys/'] }]);
    const description = await listNames([{ Key: 'description', Values: ['payments'] }]);

    // Assess
    expect(both).toEqual(['genesys/prod/reporting']);
    expect(eitherName).toEqual(['genesys/dev/reporting', 'payments/db']);
    expect(notGenesys).toEqual(['payments/db']);
    expect(description).toEqual(['payments/db']);
  });

  it('refuses a key outside the documented set with InvalidParameterException', async () => {
    // Act
    const listing = secrets.send(
      new ListSecretsCommand({ Filters: [{ Key: 'owner' as never, Values: ['x'] }] }),
    );

    // Assess
    await expect(listing).rejects.toBeInstanceOf(InvalidParameterException);
  });
});

describe('Step Functions stand-in: ListStateMachines and DescribeStateMachine', () => {
  const stateMachineArn =
    'arn:aws:states:eu-west-1:123456789012:stateMachine:GenesysCredentialRotator-rotation';
  const definition = { StartAt: 'Done', States: { Done: { Type: 'Succeed' } } };

  it('lists a registered state machine and describes it with its definition as JSON text', async () => {
    // Prepare
    standIn.stepFunctions.registerStateMachine(stateMachineArn, async () => ({}), { definition });

    // Act
    const listed = await sfn.send(new ListStateMachinesCommand({}));
    const described = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn }));

    // Assess
    expect(listed.stateMachines).toEqual([
      expect.objectContaining({
        stateMachineArn,
        name: 'GenesysCredentialRotator-rotation',
        type: 'STANDARD',
      }),
    ]);
    expect(listed.stateMachines?.[0]?.creationDate).toBeInstanceOf(Date);
    expect(described).toMatchObject({ stateMachineArn, status: 'ACTIVE', type: 'STANDARD' });
    expect(JSON.parse(described.definition ?? '')).toEqual(definition);
  });

  it('answers StateMachineDoesNotExist for an unknown state machine', async () => {
    // Act
    const describing = sfn.send(
      new DescribeStateMachineCommand({ stateMachineArn: `${stateMachineArn}-missing` }),
    );

    // Assess
    await expect(describing).rejects.toBeInstanceOf(StateMachineDoesNotExist);
  });
});
