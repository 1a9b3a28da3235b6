import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AwsStandIn, OPERATOR_CREDENTIALS, startAwsStandIn } from '../../local/standins/aws/index.js';

const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const decode = (payload: Uint8Array | undefined) =>
  payload && payload.length > 0 ? (JSON.parse(new TextDecoder().decode(payload)) as unknown) : undefined;

class ProviderBroke extends Error {
  override readonly name = 'ProviderBroke';
}

describe('AWS stand-in Lambda Invoke API (docs.aws.amazon.com/lambda/latest/api/API_Invoke.html)', () => {
  let aws: AwsStandIn;
  let lambda: LambdaClient;
  const events: unknown[] = [];

  beforeAll(async () => {
    aws = await startAwsStandIn();
    lambda = new LambdaClient({
      endpoint: aws.url,
      region: aws.region,
      credentials: OPERATOR_CREDENTIALS,
      maxAttempts: 1,
    });
    const arn = (name: string) => `arn:aws:lambda:${aws.region}:${aws.accountId}:function:${name}`;
    aws.lambda.registerFunction(arn('Echo'), async (event) => {
      events.push(event);
      return { echoed: event };
    });
    aws.lambda.registerFunction(arn('Broken'), async () => {
      throw new ProviderBroke('details the caller should not need');
    });
  });
  afterAll(async () => {
    lambda.destroy();
    await aws.close();
  });

  it.each([
    ['a name', 'Echo'],
    ['a full ARN', 'arn:aws:lambda:eu-west-1:123456789012:function:Echo'],
    ['a partial ARN', '123456789012:function:Echo'],
    ['a name with $LATEST', 'Echo:$LATEST'],
  ])('answers RequestResponse with the result for %s', async (_kind, functionName) => {
    // Act
    const output = await lambda.send(
      new InvokeCommand({ FunctionName: functionName, Payload: encode({ a: 1 }) }),
    );

    // Assess
    expect(output.StatusCode).toBe(200);
    expect(output.FunctionError).toBeUndefined();
    expect(output.ExecutedVersion).toBe('$LATEST');
    expect(decode(output.Payload)).toEqual({ echoed: { a: 1 } });
  });

  it('answers a function error with 200, X-Amz-Function-Error: Unhandled and {errorType, errorMessage}', async () => {
    // Act
    const output = await lambda.send(new InvokeCommand({ FunctionName: 'Broken', Payload: encode({}) }));

    // Assess
    expect(output.StatusCode).toBe(200);
    expect(output.FunctionError).toBe('Unhandled');
    expect(decode(output.Payload)).toMatchObject({
      errorType: 'ProviderBroke',
      errorMessage: 'details the caller should not need',
    });
  });

  it('answers 404 ResourceNotFoundException for an unknown function', async () => {
    // Act
    const error = await lambda
      .send(new InvokeCommand({ FunctionName: 'Nope', Payload: encode({}) }))
      .catch((thrown: unknown) => thrown);

    // Assess
    expect(error).toMatchObject({ name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 404 } });
  });

  it('answers 202 for Event (the function still runs) and 204 for DryRun (it does not)', async () => {
    // Prepare
    const before = events.length;

    // Act
    const queued = await lambda.send(
      new InvokeCommand({ FunctionName: 'Echo', InvocationType: 'Event', Payload: encode({ b: 2 }) }),
    );
    const dryRun = await lambda.send(
      new InvokeCommand({ FunctionName: 'Echo', InvocationType: 'DryRun', Payload: encode({ c: 3 }) }),
    );
    await new Promise((resolve) => setTimeout(resolve, 20));

    // Assess
    expect(queued.StatusCode).toBe(202);
    expect(dryRun.StatusCode).toBe(204);
    expect(events.slice(before)).toEqual([{ b: 2 }]);
  });

  it('applies injected faults to Invoke (service lambda)', async () => {
    // Prepare
    aws.faults.add({
      operation: 'lambda.Invoke',
      status: 429,
      errorType: 'TooManyRequestsException',
      times: 1,
    });

    // Act
    const throttled = await lambda
      .send(new InvokeCommand({ FunctionName: 'Echo', Payload: encode({}) }))
      .catch((thrown: unknown) => thrown);
    const next = await lambda.send(new InvokeCommand({ FunctionName: 'Echo', Payload: encode({}) }));

    // Assess
    expect(throttled).toMatchObject({ name: 'TooManyRequestsException', $metadata: { httpStatusCode: 429 } });
    expect(next.StatusCode).toBe(200);
    expect(aws.requestLog.filter((entry) => entry.service === 'lambda').at(-2)).toMatchObject({
      operation: 'Invoke',
      status: 429,
      errorType: 'TooManyRequestsException',
    });
  });
});
