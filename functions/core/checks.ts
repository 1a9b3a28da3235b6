/**
 * What Validate's checks share across credential kinds: the check shape, the checks whose rule is
 * the same for every kind (no other rotation open, the tags match the org and stage), and how a
 * list of checks becomes the reported results and the typed refusal.
 */
import type { CheckName, CheckResult } from '../shared/contract.js';
import { type RotationError, RotationInProgressError } from '../shared/errors.js';

export type ErrorClass = new (message: string) => RotationError;

export interface Check {
  readonly check: CheckName;
  readonly passed: boolean;
  readonly detail: string;
  readonly error: ErrorClass;
}

/** No version of the secret is AWSPENDING for someone else, and no other execution rotates it. */
export function concurrencyCheck(inventory: {
  readonly secretName: string;
  readonly foreignPendingVersionId: string | null;
  readonly otherRunningExecutions: number;
}): Check {
  return {
    check: 'concurrency',
    passed: inventory.foreignPendingVersionId === null && inventory.otherRunningExecutions === 0,
    detail:
      inventory.foreignPendingVersionId !== null
        ? `version ${inventory.foreignPendingVersionId} of secret ${inventory.secretName} is AWSPENDING: another rotation is open`
        : inventory.otherRunningExecutions > 0
          ? `${inventory.otherRunningExecutions} other execution(s) are rotating secret ${inventory.secretName}`
          : 'no other rotation of this secret is open',
    error: RotationInProgressError,
  };
}

/** The secret's `genesys:org-id` and `genesys:stage` tags against the org and the rotator's stage. */
export function orgAndStageProblems(
  tags: { readonly orgId: string | null; readonly stage: string | null },
  orgId: string,
  stage: string,
): string[] {
  return [
    tags.orgId === orgId
      ? null
      : `tag genesys:org-id is ${tags.orgId ?? 'missing'} but the Genesys org is ${orgId}`,
    tags.stage === stage
      ? null
      : `tag genesys:stage is ${tags.stage ?? 'missing'} but this rotator serves stage ${stage}`,
  ].filter((problem): problem is string => problem !== null);
}

/** Every check as reported (pass or fail, the refusal's code) and the first failure as the refusal. */
export function judge(
  checks: readonly Check[],
  secretName: string,
): { readonly results: CheckResult[]; readonly refusal: RotationError | null } {
  const failed = checks.find((check) => !check.passed);
  return {
    results: checks.map(({ check, passed, detail, error }) => ({
      check,
      passed,
      code: passed ? null : new error('').code,
      detail,
    })),
    refusal: failed
      ? new failed.error(`Rotation of ${secretName} refused (${failed.check}): ${failed.detail}`)
      : null,
  };
}
