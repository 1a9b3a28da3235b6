import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { executionNameFor } from '../../../cli/commands.js';
import { UsageError } from '../../../cli/errors.js';
import { stateLinesOf } from '../../../cli/follow.js';
import type { ManagedSecret } from '../../../cli/secrets.js';

const at = (seconds: number) => new Date(Date.UTC(2026, 11, 2, 10, 0, seconds));

const definition = {
  States: {
    Fetch: { Type: 'Task' },
    WaitForAdoption: { Type: 'Wait', SecondsPath: '$.adoption.waitSeconds' },
    Fixed: { Type: 'Wait', Seconds: 30 },
    Until: { Type: 'Wait', TimestampPath: '$.until' },
  },
};

function event(id: number, type: string, seconds: number, details: Partial<HistoryEvent> = {}): HistoryEvent {
  return { id, type: type as HistoryEvent['type'], timestamp: at(seconds), ...details };
}

describe('Function: stateLinesOf', () => {
  it('gives each Wait its end time from SecondsPath, Seconds or TimestampPath and the state input (ASL Wait)', () => {
    // Prepare
    const entered = (id: number, name: string, input: unknown, seconds: number) =>
      event(id, 'WaitStateEntered', seconds, {
        stateEnteredEventDetails: { name, input: JSON.stringify(input) },
      });
    const events = [
      entered(1, 'WaitForAdoption', { adoption: { waitSeconds: 3600 } }, 0),
      entered(2, 'Fixed', {}, 5),
      entered(3, 'Until', { until: '2026-12-03T00:00:00.000Z' }, 6),
    ];

    // Act
    const lines = stateLinesOf(definition, events);

    // Assess
    expect(lines.map((line) => line.waitUntil)).toEqual([
      '2026-12-02T11:00:00.000Z',
      '2026-12-02T10:00:35.000Z',
      '2026-12-03T00:00:00.000Z',
    ]);
    expect(lines[0]?.text).toMatch(
      /^WaitForAdoption\s+Wait\s+waiting until 2026-12-02T11:00:00.000Z \(3600 s\)$/,
    );
  });

  it('reports a Task failure under the Task entered last, and its exit after the errors with its duration', () => {
    // Prepare
    const events = [
      event(1, 'TaskStateEntered', 0, { stateEnteredEventDetails: { name: 'Fetch', input: '{}' } }),
      event(2, 'TaskFailed', 1, {
        taskFailedEventDetails: {
          resourceType: 'lambda',
          resource: 'invoke',
          error: 'TransientUpstreamError',
        },
      }),
      event(3, 'TaskFailed', 3, {
        taskFailedEventDetails: {
          resourceType: 'lambda',
          resource: 'invoke',
          error: 'TransientUpstreamError',
        },
      }),
      event(4, 'TaskStateExited', 7, { stateExitedEventDetails: { name: 'Fetch', output: '{}' } }),
    ];

    // Act
    const lines = stateLinesOf(definition, events);

    // Assess
    expect(lines.map((line) => [line.state, line.event, line.error ?? null])).toEqual([
      ['Fetch', 'failed', 'TransientUpstreamError'],
      ['Fetch', 'failed', 'TransientUpstreamError'],
      ['Fetch', 'exited', null],
    ]);
    expect(lines[2]?.durationMs).toBe(7000);
    expect(lines[2]?.text).toMatch(/^Fetch\s+Task\s+exited after 2 errors 7000 ms$/);
  });
});

describe('Function: executionNameFor', () => {
  const secret = {
    name: 'genesys/prod/a-very-long-reporting-service-name-for-the-contact-centre',
  } as ManagedSecret;

  it('names executions within Step Functions rules: at most 80 characters, none it forbids', () => {
    // Act
    const name = executionNameFor('emergency', secret, at(0));

    // Assess
    expect(name.length).toBeLessThanOrEqual(80);
    expect(name).toMatch(/^cli-emergency-[A-Za-z0-9_-]+-20261202T100000Z-[0-9a-f]{4}$/);
  });

  it('takes a chosen name as is, and refuses one Step Functions would refuse', () => {
    // Act / Assess
    expect(executionNameFor('rotate', secret, at(0), 'quarterly-2026-q4')).toBe('quarterly-2026-q4');
    expect(() => executionNameFor('rotate', secret, at(0), 'has space')).toThrow(UsageError);
    expect(() => executionNameFor('rotate', secret, at(0), 'x'.repeat(81))).toThrow(UsageError);
  });
});
