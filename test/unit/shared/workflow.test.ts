import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HOLD_STATES, outcomeOf, STATE } from '../../../functions/shared/workflow.js';
import { STATE as CONSTRUCT_STATE } from '../../../infra/constructs/rotation-state-machine.js';
import { REPO_ROOT } from '../../../local/harness.js';

describe('Module: workflow contract', () => {
  it('imports nothing, so the CLI and the Lambdas read it without the CDK', () => {
    // Prepare
    const source = readFileSync(join(REPO_ROOT, 'functions/shared/workflow.ts'), 'utf8');

    // Assess
    expect(source).not.toMatch(/^\s*import\s/m);
    expect(CONSTRUCT_STATE).toBe(STATE);
  });

  describe('Function: outcomeOf', () => {
    it.each([
      [{ status: 'RUNNING', terminalState: null }, 'running'],
      [{ status: 'SUCCEEDED', terminalState: STATE.RotationSucceeded }, 'succeeded'],
      [{ status: 'SUCCEEDED', terminalState: STATE.DryRunComplete }, 'dry-run'],
      [{ status: 'FAILED', terminalState: STATE.RotationRolledBack }, 'rolled-back'],
      [{ status: 'FAILED', terminalState: STATE.RotationRefused }, 'refused'],
      [{ status: 'FAILED', terminalState: STATE.NeedsAttention }, 'needs-attention'],
      [{ status: 'FAILED', terminalState: STATE.NeedsAttention, held: true }, 'held'],
      [{ status: 'TIMED_OUT', terminalState: null }, 'failed'],
      [{ status: 'ABORTED', terminalState: null }, 'failed'],
    ] as const)('reads %j as %s', (end, expected) => {
      // Act
      const outcome = outcomeOf(end);

      // Assess
      expect(outcome).toBe(expected);
    });

    it('names hold states that exist in the graph', () => {
      // Assess
      for (const name of HOLD_STATES) expect(Object.values(STATE)).toContain(name);
    });
  });
});
