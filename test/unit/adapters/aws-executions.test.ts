import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SFNClient,
  SFNServiceException,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  canonicalJson,
  executionArnFor,
  StepFunctionsExecutions,
} from '../../../functions/shared/aws/executions.js';

const sfn = mockClient(SFNClient);
afterEach(() => sfn.reset());

const SM = 'arn:aws:states:eu-west-1:111122223333:stateMachine:genesys-rotation';
const EXEC = (name: string) => `arn:aws:states:eu-west-1:111122223333:execution:genesys-rotation:${name}`;
const meta = { $metadata: {} };
const START = new Date('2026-11-21T10:00:00Z');

function executions() {
  return new StepFunctionsExecutions(new SFNClient({}), SM);
}

describe('executionArnFor', () => {
  it('builds the execution ARN from the state machine ARN, partition included', () => {
    // Prepare // Act // Assess
    expect(executionArnFor(SM, 'run-1')).toBe(EXEC('run-1'));
    expect(executionArnFor('arn:aws-us-gov:states:us-gov-west-1:1:stateMachine:sm', 'n')).toBe(
      'arn:aws-us-gov:states:us-gov-west-1:1:execution:sm:n',
    );
    expect(() => executionArnFor('arn:aws:lambda:x', 'n')).toThrow(/not a state machine ARN/);
  });
});

describe('StepFunctionsExecutions.start', () => {
  it('starts an execution with the JSON input', async () => {
    // Prepare
    sfn.on(StartExecutionCommand).resolves({ executionArn: EXEC('tok'), startDate: START });

    // Act
    const result = await executions().start('tok', { secretId: 's', trigger: 'secretsmanager' });

    // Assess
    expect(result).toEqual({ executionArn: EXEC('tok') });
    expect(sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input).toEqual({
      stateMachineArn: SM,
      name: 'tok',
      input: '{"secretId":"s","trigger":"secretsmanager"}',
    });
  });

  it('returns the running execution when the same name and input already exist', async () => {
    // Prepare
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'exists', ...meta }));
    sfn.on(DescribeExecutionCommand, { executionArn: EXEC('tok') }).resolves({
      executionArn: EXEC('tok'),
      stateMachineArn: SM,
      name: 'tok',
      status: 'RUNNING',
      startDate: START,
      input: '{"trigger":"secretsmanager","secretId":"s"}',
    });

    // Act
    const result = await executions().start('tok', { secretId: 's', trigger: 'secretsmanager' });

    // Assess
    expect(result).toEqual({ executionArn: EXEC('tok') });
  });

  it('refuses a running execution of that name with another input, and a finished one', async () => {
    // Prepare
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'exists', ...meta }));
    sfn
      .on(DescribeExecutionCommand)
      .resolvesOnce({
        executionArn: EXEC('tok'),
        stateMachineArn: SM,
        status: 'RUNNING',
        startDate: START,
        input: '{"secretId":"other"}',
      })
      .resolvesOnce({
        executionArn: EXEC('tok'),
        stateMachineArn: SM,
        status: 'SUCCEEDED',
        startDate: START,
        input: '{"secretId":"s"}',
      });

    // Act
    const running = await executions()
      .start('tok', { secretId: 's' })
      .catch((e: unknown) => e);
    const finished = await executions()
      .start('tok', { secretId: 's' })
      .catch((e: unknown) => e);

    // Assess
    expect(running).toMatchObject({ name: 'RotationInProgressError' });
    expect(finished).toMatchObject({ name: 'InvalidInputError', details: { status: 'SUCCEEDED' } });
  });

  it('maps throttling to TransientUpstreamError', async () => {
    // Prepare
    sfn
      .on(StartExecutionCommand)
      .rejects(
        new SFNServiceException({ name: 'ThrottlingException', $fault: 'client', message: 'slow', ...meta }),
      );

    // Act
    const error = await executions()
      .start('tok', {})
      .catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ name: 'TransientUpstreamError' });
  });
});

describe('StepFunctionsExecutions.describeByName', () => {
  it('describes by the derived ARN, and answers null when there is none', async () => {
    // Prepare
    sfn
      .on(DescribeExecutionCommand, { executionArn: EXEC('a') })
      .resolves({
        executionArn: EXEC('a'),
        stateMachineArn: SM,
        name: 'a',
        status: 'FAILED',
        startDate: START,
        error: 'RotationRefused',
        cause: 'scope',
      })
      .on(DescribeExecutionCommand, { executionArn: EXEC('b') })
      .rejects(new ExecutionDoesNotExist({ message: 'no', ...meta }));

    // Act
    const found = await executions().describeByName('a');
    const missing = await executions().describeByName('b');

    // Assess
    expect(found).toEqual({
      executionArn: EXEC('a'),
      name: 'a',
      status: 'FAILED',
      error: 'RotationRefused',
      cause: 'scope',
    });
    expect(missing).toBeNull();
  });
});

describe('StepFunctionsExecutions.completedStates', () => {
  it('lists the names of exited states over all history pages', async () => {
    // Prepare
    sfn
      .on(GetExecutionHistoryCommand)
      .resolvesOnce({
        events: [
          { id: 1, timestamp: START, type: 'ExecutionStarted' },
          { id: 2, timestamp: START, type: 'TaskStateEntered', stateEnteredEventDetails: { name: 'Fetch' } },
          { id: 3, timestamp: START, type: 'TaskStateExited', stateExitedEventDetails: { name: 'Fetch' } },
        ],
        nextToken: 'page-2',
      })
      .resolvesOnce({
        events: [
          {
            id: 4,
            timestamp: START,
            type: 'ChoiceStateExited',
            stateExitedEventDetails: { name: 'IsDryRun' },
          },
          { id: 5, timestamp: START, type: 'TaskStateEntered', stateEnteredEventDetails: { name: 'Create' } },
        ],
      });

    // Act
    const names = await executions().completedStates(EXEC('x'));

    // Assess
    expect(names).toEqual(['Fetch', 'IsDryRun']);
    expect(sfn.commandCalls(GetExecutionHistoryCommand)[1]?.args[0].input).toMatchObject({
      nextToken: 'page-2',
    });
  });
});

describe('StepFunctionsExecutions.runningFor', () => {
  it('finds running executions for the secret by ARN or name, over all pages, except one', async () => {
    // Prepare
    const secret = { arn: 'arn:aws:secretsmanager:eu-west-1:1:secret:svc-AbC', name: 'svc' };
    const listed = (name: string) => ({
      executionArn: EXEC(name),
      stateMachineArn: SM,
      name,
      status: 'RUNNING' as const,
      startDate: START,
    });
    sfn
      .on(ListExecutionsCommand)
      .resolvesOnce({ executions: [listed('by-arn'), listed('other')], nextToken: 'n2' })
      .resolvesOnce({ executions: [listed('by-name'), listed('me')] });
    const described = (name: string, secretId: string, status: 'RUNNING' | 'SUCCEEDED' = 'RUNNING') => ({
      executionArn: EXEC(name),
      stateMachineArn: SM,
      name,
      status,
      startDate: START,
      input: JSON.stringify({ secretId }),
    });
    sfn
      .on(DescribeExecutionCommand, { executionArn: EXEC('by-arn') })
      .resolves(described('by-arn', secret.arn))
      .on(DescribeExecutionCommand, { executionArn: EXEC('other') })
      .resolves(described('other', 'another-secret'))
      .on(DescribeExecutionCommand, { executionArn: EXEC('by-name') })
      .resolves(described('by-name', 'svc'))
      .on(DescribeExecutionCommand, { executionArn: EXEC('me') })
      .resolves(described('me', 'svc'));

    // Act
    const running = await executions().runningFor(secret, EXEC('me'));

    // Assess
    expect(running.map((e) => e.name)).toEqual(['by-arn', 'by-name']);
    expect(sfn.commandCalls(ListExecutionsCommand)[0]?.args[0].input).toMatchObject({
      statusFilter: 'RUNNING',
    });
    expect(sfn.commandCalls(DescribeExecutionCommand).map((c) => c.args[0].input.executionArn)).not.toContain(
      EXEC('me'),
    );
  });
});

describe('canonicalJson', () => {
  it('ignores key order', () => {
    // Prepare // Act // Assess
    expect(canonicalJson({ b: 1, a: { d: 2, c: [1, { f: 1, e: 2 }] } })).toBe(
      canonicalJson({ a: { c: [1, { e: 2, f: 1 }], d: 2 }, b: 1 }),
    );
  });
});
