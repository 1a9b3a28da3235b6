import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  parseFleetInput,
  rotationErrorName,
  rotationExecutionName,
  selectFleet,
  summarizeFleet,
} from '../../../functions/core/fleet.js';
import { InvalidInputError } from '../../../functions/shared/errors.js';
import type { FleetItemResult } from '../../../functions/shared/fleet-contract.js';
import type { ListedSecret } from '../../../functions/shared/fleet-ports.js';

const arn = (name: string) => `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${name}-AbCdEf`;

function item(
  name: string,
  orgId: string,
  outcome: FleetItemResult['outcome'],
  error?: FleetItemResult['error'],
) {
  return {
    secretArn: arn(name),
    secretName: name,
    orgId,
    executionName: `b-${name}`,
    outcome,
    ...(error ? { error } : {}),
  };
}

describe('rotationExecutionName', () => {
  it('is a valid, stable Step Functions name, distinct per secret (80 chars of [A-Za-z0-9_-])', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/),
        fc.string({ minLength: 1, maxLength: 512 }),
        (batch, name) => {
          const one = rotationExecutionName(batch, arn(name), name);
          expect(one).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
          expect(rotationExecutionName(batch, arn(name), name)).toBe(one);
          expect(rotationExecutionName(batch, arn(`${name}x`), name)).not.toBe(one);
        },
      ),
    );
  });
});

describe('selectFleet', () => {
  const listed: ListedSecret[] = [
    {
      arn: arn('b'),
      name: 'b',
      deleted: false,
      tags: { 'genesys:kind': 'oauth-client', 'genesys:org-id': 'o2' },
    },
    {
      arn: arn('a'),
      name: 'a',
      deleted: false,
      tags: { 'genesys:kind': 'oauth-client', 'genesys:org-id': 'o1' },
    },
    { arn: arn('gone'), name: 'gone', deleted: true, tags: { 'genesys:kind': 'oauth-client' } },
    { arn: arn('near'), name: 'near', deleted: false, tags: { 'genesys:kind': 'oauth-client-x' } },
    { arn: arn('untagged'), name: 'untagged', deleted: false, tags: { 'genesys:kind': 'oauth-client' } },
  ];

  it('keeps exact kind pairs, drops deleted secrets, groups by org (untagged together), batch id from the execution', async () => {
    const selection = await selectFleet(
      { listing: { listByTags: async () => listed } },
      {},
      'exec:with spaces',
    );

    expect(selection.total).toBe(3);
    expect(selection.groups.map((g) => [g.orgId, g.secrets.map((s) => s.secretName)])).toEqual([
      ['(untagged)', ['untagged']],
      ['o1', ['a']],
      ['o2', ['b']],
    ]);
    expect(selection.batchId).toBe('exec-with-spaces');
  });

  it('refuses bad input with a typed error naming the field', async () => {
    const select = (input: unknown) => selectFleet({ listing: { listByTags: async () => [] } }, input, 'x');

    await expect(select({ batchId: 'has space' })).rejects.toThrow(InvalidInputError);
    await expect(select({ unknown: 1 })).rejects.toThrow(/unexpected field\(s\) unknown/);
    expect(() => parseFleetInput({ tags: { 'genesys:kind': 'integration-credential' } })).toThrow(
      /oauth-client/,
    );
  });
});

describe('summarizeFleet', () => {
  it('counts per outcome and per org, names failures by the rotation error, counts unreported as failed', () => {
    const cause = JSON.stringify({ Status: 'FAILED', Error: 'QuotaExceededError', Cause: 'no room' });
    const summary = summarizeFleet({
      batchId: 'b',
      total: 5,
      results: [
        [
          item('a1', 'o1', 'succeeded'),
          item('a2', 'o1', 'failed', { Error: 'States.TaskFailed', Cause: cause }),
        ],
        [item('b1', 'o2', 'already-started', { Error: 'StepFunctions.ExecutionAlreadyExistsException' })],
        [item('b2', 'o2', 'failed', { Error: 'States.Timeout', Cause: 'timed out' })],
      ],
    });

    expect(summary.outcomes).toEqual({ succeeded: 1, failed: 2, 'already-started': 1 });
    expect(summary.byOrg).toEqual({
      o1: { succeeded: 1, failed: 1, 'already-started': 0 },
      o2: { succeeded: 0, failed: 1, 'already-started': 1 },
    });
    expect(summary.failed.map((f) => [f.secretName, f.error])).toEqual([
      ['a2', 'QuotaExceededError'],
      ['b2', 'States.Timeout'],
    ]);
    expect(summary.reported).toBe(4);
    expect(summary.failedPercentage).toBe(60);
  });

  it('reads the error name from a non-JSON cause as the task error', () => {
    expect(rotationErrorName({ Error: 'X', Cause: '{not json' })).toBe('X');
    expect(rotationErrorName(undefined)).toBe('UnknownError');
  });
});
