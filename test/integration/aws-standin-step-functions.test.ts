import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  InvalidExecutionInput,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
  StateMachineDoesNotExist,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AwsStandIn, type ExecutionRunner, startAwsStandIn } from '../../local/standins/aws/index.js';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const stateMachineArn = 'arn:aws:states:eu-west-1:123456789012:stateMachine:Rotation';
const fixedNow = new Date('2026-11-21T10:00:00.000Z');

let standIn: AwsStandIn;
let client: SFNClient;

beforeEach(async () => {
  standIn = await startAwsStandIn({ clock: { now: () => fixedNow } });
  client = new SFNClient({ endpoint: standIn.url, region: standIn.region, credentials, maxAttempts: 1 });
});

afterEach(async () => {
  client.destroy();
  await standIn.close();
});

function gate(): { promise: Promise<void>; open: () => void } {
  let open = (): void => {};
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/** Two states, Fetch (Task) then Done (Succeed), each recording what the local engine would. */
const twoStateRunner: ExecutionRunner = async (input, context) => {
  context.recordEvent({ type: 'TaskStateEntered', stateName: 'Fetch', details: { input } });
  const output = { ...(input as object), fetched: true };
  context.recordEvent({ type: 'TaskStateExited', stateName: 'Fetch', details: { output } });
  context.recordEvent({ type: 'SucceedStateEntered', stateName: 'Done', details: { input: output } });
  context.recordEvent({ type: 'SucceedStateExited', stateName: 'Done', details: { output } });
  return output;
};

describe('Step Functions stand-in', () => {
  it('runs an execution to SUCCEEDED and describes it with its output (aws-rotation-and-local-tooling.md §3.3)', async () => {
    // Prepare
    standIn.stepFunctions.registerStateMachine(stateMachineArn, twoStateRunner);

    // Act
    const started = await client.send(
      new StartExecutionCommand({ stateMachineArn, name: 'rotate-1', input: '{"secretId":"genesys/a"}' }),
    );
    const outcome = await standIn.stepFunctions.waitForExecution(started.executionArn ?? '');
    const described = await client.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));

    // Assess
    expect(started.executionArn).toBe('arn:aws:states:eu-west-1:123456789012:execution:Rotation:rotate-1');
    expect(started.startDate).toEqual(fixedNow);
    expect(outcome).toEqual({
      status: 'SUCCEEDED',
      output: '{"secretId":"genesys/a","fetched":true}',
      error: null,
      cause: null,
    });
    expect(described).toMatchObject({
      executionArn: started.executionArn,
      stateMachineArn,
      name: 'rotate-1',
      status: 'SUCCEEDED',
      input: '{"secretId":"genesys/a"}',
      output: '{"secretId":"genesys/a","fetched":true}',
      startDate: fixedNow,
      stopDate: fixedNow,
    });
  });

  it('returns the same execution for a repeated StartExecution with the same name and input while it runs (StartExecution API reference; aws-rotation-and-local-tooling.md §6)', async () => {
    // Prepare
    const release = gate();
    let runs = 0;
    standIn.stepFunctions.registerStateMachine(stateMachineArn, async () => {
      runs += 1;
      await release.promise;
      return {};
    });
    const start = (input: string) =>
      client.send(new StartExecutionCommand({ stateMachineArn, name: 'token-1', input }));
    const first = await start('{"a":1}');

    // Act
    const repeated = await start('{"a":1}');
    const differentInput = start('{"a":2}');

    // Assess
    expect(repeated).toMatchObject({ executionArn: first.executionArn, startDate: first.startDate });
    await expect(differentInput).rejects.toBeInstanceOf(ExecutionAlreadyExists);
    release.open();
    await standIn.stepFunctions.waitForExecution(first.executionArn ?? '');
    await expect(start('{"a":1}')).rejects.toBeInstanceOf(ExecutionAlreadyExists);
    expect(runs).toBe(1);
  });

  it('answers an unknown state machine, bad input and an unknown execution with typed errors (StartExecution/DescribeExecution API reference)', async () => {
    // Prepare
    standIn.stepFunctions.registerStateMachine(stateMachineArn, twoStateRunner);

    // Act
    const unknownMachine = client.send(
      new StartExecutionCommand({ stateMachineArn: `${stateMachineArn}-other`, input: '{}' }),
    );
    const badInput = client.send(new StartExecutionCommand({ stateMachineArn, input: '{not json' }));
    const unknownExecution = client.send(
      new DescribeExecutionCommand({
        executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:Rotation:nope',
      }),
    );

    // Assess
    await expect(unknownMachine).rejects.toBeInstanceOf(StateMachineDoesNotExist);
    await expect(badInput).rejects.toBeInstanceOf(InvalidExecutionInput);
    await expect(unknownExecution).rejects.toBeInstanceOf(ExecutionDoesNotExist);
  });

  it('fails an execution with the error name and message the runner rejected with (aws-rotation-and-local-tooling.md §3.2)', async () => {
    // Prepare
    class RotationRefusedError extends Error {
      override name = 'RotationRefusedError';
    }
    standIn.stepFunctions.registerStateMachine(stateMachineArn, async (_input, context) => {
      context.recordEvent({ type: 'FailStateEntered', stateName: 'RotationRefused', details: { input: {} } });
      throw new RotationRefusedError('secret is not allow-listed');
    });

    // Act
    const started = await client.send(new StartExecutionCommand({ stateMachineArn, input: '{}' }));
    const outcome = await standIn.stepFunctions.waitForExecution(started.executionArn ?? '');
    const described = await client.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
    const history = await client.send(new GetExecutionHistoryCommand({ executionArn: started.executionArn }));

    // Assess
    expect(outcome).toEqual({
      status: 'FAILED',
      output: null,
      error: 'RotationRefusedError',
      cause: 'secret is not allow-listed',
    });
    expect(described).toMatchObject({
      status: 'FAILED',
      error: 'RotationRefusedError',
      cause: 'secret is not allow-listed',
    });
    expect(described.output).toBeUndefined();
    expect(history.events?.at(-1)).toMatchObject({
      type: 'ExecutionFailed',
      executionFailedEventDetails: { error: 'RotationRefusedError', cause: 'secret is not allow-listed' },
    });
  });

  it('reports history with ids, previous ids and AWS-named details between ExecutionStarted and ExecutionSucceeded (GetExecutionHistory API reference; aws-rotation-and-local-tooling.md §3.3)', async () => {
    // Prepare
    standIn.stepFunctions.registerStateMachine(stateMachineArn, twoStateRunner);
    const started = await client.send(new StartExecutionCommand({ stateMachineArn, input: '{"n":1}' }));
    await standIn.stepFunctions.waitForExecution(started.executionArn ?? '');

    // Act
    const history = await client.send(new GetExecutionHistoryCommand({ executionArn: started.executionArn }));

    // Assess
    expect(history.nextToken).toBeUndefined();
    expect(history.events).toEqual([
      {
        id: 1,
        previousEventId: 0,
        timestamp: fixedNow,
        type: 'ExecutionStarted',
        executionStartedEventDetails: expect.objectContaining({ input: '{"n":1}' }),
      },
      {
        id: 2,
        previousEventId: 1,
        timestamp: fixedNow,
        type: 'TaskStateEntered',
        stateEnteredEventDetails: { name: 'Fetch', input: '{"n":1}' },
      },
      {
        id: 3,
        previousEventId: 2,
        timestamp: fixedNow,
        type: 'TaskStateExited',
        stateExitedEventDetails: { name: 'Fetch', output: '{"n":1,"fetched":true}' },
      },
      {
        id: 4,
        previousEventId: 3,
        timestamp: fixedNow,
        type: 'SucceedStateEntered',
        stateEnteredEventDetails: { name: 'Done', input: '{"n":1,"fetched":true}' },
      },
      {
        id: 5,
        previousEventId: 4,
        timestamp: fixedNow,
        type: 'SucceedStateExited',
        stateExitedEventDetails: { name: 'Done', output: '{"n":1,"fetched":true}' },
      },
      {
        id: 6,
        previousEventId: 5,
        timestamp: fixedNow,
        type: 'ExecutionSucceeded',
        executionSucceededEventDetails: expect.objectContaining({ output: '{"n":1,"fetched":true}' }),
      },
    ]);
  });

  it('pages history with maxResults and nextToken, in reverse order on request (GetExecutionHistory API reference)', async () => {
    // Prepare
    standIn.stepFunctions.registerStateMachine(stateMachineArn, twoStateRunner);
    const started = await client.send(new StartExecutionCommand({ stateMachineArn, input: '{}' }));
    await standIn.stepFunctions.waitForExecution(started.executionArn ?? '');
    const executionArn = started.executionArn;

    // Act
    const ids: number[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await client.send(
        new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 4, nextToken }),
      );
      ids.push(...(page.events ?? []).map((event) => event.id ?? -1));
      nextToken = page.nextToken;
      pages += 1;
    } while (nextToken !== undefined);

    // Assess
    expect(pages).toBe(2);
    expect(ids).toEqual([6, 5, 4, 3, 2, 1]);
  });

  it('aborts a running execution on StopExecution through the runner signal and records error and cause (StopExecution API reference)', async () => {
    // Prepare
    let signalAborted = false;
    standIn.stepFunctions.registerStateMachine(stateMachineArn, async (_input, context) => {
      context.recordEvent({ type: 'WaitStateEntered', stateName: 'WaitForAdoption', details: { input: {} } });
      await new Promise<void>((resolve) => context.signal.addEventListener('abort', () => resolve()));
      signalAborted = context.signal.aborted;
      context.recordEvent({ type: 'WaitStateAborted', stateName: 'WaitForAdoption' });
      return { late: true };
    });
    const started = await client.send(new StartExecutionCommand({ stateMachineArn, input: '{}' }));

    // Act
    await client.send(
      new StopExecutionCommand({
        executionArn: started.executionArn,
        error: 'Operator',
        cause: 'stopped by hand',
      }),
    );
    const outcome = await standIn.stepFunctions.waitForExecution(started.executionArn ?? '');
    const history = await client.send(new GetExecutionHistoryCommand({ executionArn: started.executionArn }));

    // Assess
    expect(outcome).toEqual({ status: 'ABORTED', output: null, error: 'Operator', cause: 'stopped by hand' });
    expect(signalAborted).toBe(true);
    expect(history.events?.map((event) => event.type)).toEqual([
      'ExecutionStarted',
      'WaitStateEntered',
      'ExecutionAborted',
    ]);
    expect(history.events?.at(-1)?.executionAbortedEventDetails).toEqual({
      error: 'Operator',
      cause: 'stopped by hand',
    });
  });

  it('lists executions newest first, filtered by status and paged (ListExecutions API reference)', async () => {
    // Prepare
    const release = gate();
    standIn.stepFunctions.registerStateMachine(stateMachineArn, async (input) => {
      if ((input as { wait?: boolean }).wait) await release.promise;
      return {};
    });
    const names = ['first', 'second', 'third'];
    for (const name of names) {
      const started = await client.send(
        new StartExecutionCommand({
          stateMachineArn,
          name,
          input: JSON.stringify({ wait: name === 'third' }),
        }),
      );
      if (name !== 'third') await standIn.stepFunctions.waitForExecution(started.executionArn ?? '');
    }

    // Act
    const firstPage = await client.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 2 }));
    const secondPage = await client.send(
      new ListExecutionsCommand({ stateMachineArn, maxResults: 2, nextToken: firstPage.nextToken }),
    );
    const running = await client.send(
      new ListExecutionsCommand({ stateMachineArn, statusFilter: 'RUNNING' }),
    );

    // Assess
    expect(
      [...(firstPage.executions ?? []), ...(secondPage.executions ?? [])].map((execution) => execution.name),
    ).toEqual(['third', 'second', 'first']);
    expect(secondPage.nextToken).toBeUndefined();
    expect(running.executions?.map((execution) => [execution.name, execution.status])).toEqual([
      ['third', 'RUNNING'],
    ]);
    release.open();
  });

  it('drops a runner event whose type is not a HistoryEventType instead of failing the execution (GetExecutionHistory API reference)', async () => {
    // Prepare
    standIn.stepFunctions.registerStateMachine(stateMachineArn, async (_input, context) => {
      context.recordEvent({ type: 'PassStateFailed', stateName: 'Typo' });
      context.recordEvent({ type: 'PassStateEntered', stateName: 'Real', details: { input: {} } });
      return {};
    });

    // Act
    const started = await client.send(new StartExecutionCommand({ stateMachineArn, input: '{}' }));
    const outcome = await standIn.stepFunctions.waitForExecution(started.executionArn ?? '');
    const history = await client.send(new GetExecutionHistoryCommand({ executionArn: started.executionArn }));

    // Assess
    expect(outcome.status).toBe('SUCCEEDED');
    expect(history.events?.map((event) => event.type)).toEqual([
      'ExecutionStarted',
      'PassStateEntered',
      'ExecutionSucceeded',
    ]);
  });

  it('accepts details given wrapped in their AWS member name (GetExecutionHistory API reference)', async () => {
    // Prepare
    standIn.stepFunctions.registerStateMachine(stateMachineArn, async (_input, context) => {
      context.recordEvent({
        type: 'TaskStateEntered',
        stateName: 'Create',
        details: { stateEnteredEventDetails: { name: 'Create', input: '{"a":1}' } },
      });
      context.recordEvent({
        type: 'TaskFailed',
        stateName: 'Create',
        details: { taskFailedEventDetails: { error: 'TransientUpstreamError', cause: 'busy' } },
      });
      return {};
    });

    // Act
    const started = await client.send(new StartExecutionCommand({ stateMachineArn, input: '{}' }));
    await standIn.stepFunctions.waitForExecution(started.executionArn ?? '');
    const history = await client.send(new GetExecutionHistoryCommand({ executionArn: started.executionArn }));

    // Assess
    expect(history.events?.[1]?.stateEnteredEventDetails).toEqual({ name: 'Create', input: '{"a":1}' });
    expect(history.events?.[2]?.taskFailedEventDetails).toEqual({
      error: 'TransientUpstreamError',
      cause: 'busy',
    });
  });
});
