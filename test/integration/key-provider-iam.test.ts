import { randomUUID } from 'node:crypto';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LambdaKeyProvider } from '../../functions/shared/aws/key-provider.js';
import { buildApp } from '../../infra/app.js';
import { ExamplePartnerKeyProvider, useKeyProvider } from '../../infra/constructs/key-provider.js';
import type { CfnTemplate } from '../../local/engine/template.js';
import { type AwsStandIn, IamAuthority, startAwsStandIn } from '../../local/standins/aws/index.js';
import { type PartnerStandIn, startPartnerStandIn } from '../../local/standins/partner/index.js';
import { type ProviderLambda, startProviderLambda } from '../helpers/key-provider.js';

describe('Invoking a key provider under the synthesized IAM policies (lambda:InvokeFunction, API_Invoke)', () => {
  let aws: AwsStandIn;
  let partner: PartnerStandIn;
  let providerLambda: ProviderLambda;
  let iam: IamAuthority;
  let logicalIds: Record<'rotator' | 'fetch' | 'provider', string>;

  const clientAs = (logicalId: string) =>
    new LambdaClient({
      endpoint: aws.url,
      region: aws.region,
      credentials: iam.credentialsOfFunction(logicalId),
      maxAttempts: 1,
    });

  beforeAll(async () => {
    const { stack } = buildApp({ bundling: false, nag: false });
    const adminSecret = new Secret(stack, 'PartnerAdminSecret');
    const provider = new ExamplePartnerKeyProvider(stack, 'PartnerKeyProvider', {
      partnerApiUrl: 'https://api.partner.example',
      adminSecret,
    });
    useKeyProvider(stack.functions, provider.function);
    const idOf = (element: unknown) => stack.getLogicalId(element as CfnElement);
    logicalIds = {
      rotator: idOf(stack.functions.rotator.node.defaultChild),
      fetch: idOf(stack.functions.fetch.node.defaultChild),
      provider: idOf(provider.function.node.defaultChild),
    };
    [aws, partner] = await Promise.all([startAwsStandIn(), startPartnerStandIn()]);
    // The provider reaches its admin secret with the operator key (the helper's); only Invoke is under test.
    providerLambda = await startProviderLambda(aws, partner, { functionName: logicalIds.provider });
    iam = IamAuthority.fromTemplate({
      template: Template.fromStack(stack).toJSON() as CfnTemplate,
      account: { region: aws.region, accountId: aws.accountId },
      physicalIds: new Map([[idOf(adminSecret.node.defaultChild), providerLambda.adminSecret]]),
    });
    aws.setIamAuthority(iam);
  });
  afterAll(async () => {
    await providerLambda.close();
    await Promise.all([aws.close(), partner.close()]);
  });

  it('lets the Rotator role invoke the provider it was granted', async () => {
    // Act
    const issued = await new LambdaKeyProvider(clientAs(logicalIds.rotator), logicalIds.provider).issue({
      secretId: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:partner/orders-AbCdEf',
      credentialType: 'userDefined',
      env: 'dev',
      service: 'orders',
      rotationToken: randomUUID(),
      currentKeyId: null,
    });

    // Assess
    expect(partner.key(issued.keyId)).toMatchObject({ state: 'active' });
  });

  it('denies the Fetch role, which has no grant, and the Rotator role on any other function', async () => {
    // Act
    const fromFetch = await clientAs(logicalIds.fetch)
      .send(new InvokeCommand({ FunctionName: logicalIds.provider, Payload: new TextEncoder().encode('{}') }))
      .catch((error: unknown) => error);
    const otherFunction = await clientAs(logicalIds.rotator)
      .send(new InvokeCommand({ FunctionName: logicalIds.fetch, Payload: new TextEncoder().encode('{}') }))
      .catch((error: unknown) => error);

    // Assess
    expect(fromFetch).toMatchObject({ name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } });
    expect(otherFunction).toMatchObject({ name: 'AccessDeniedException' });
    expect(partner.keys()).toHaveLength(1);
  });
});
