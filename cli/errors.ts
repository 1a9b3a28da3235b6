/**
 * The operator CLI's exit codes and its typed errors. Each error names what is wrong (the secret,
 * the call, the option) and never carries a secret value: the CLI reads no secret value at all.
 */

/** Exit codes, documented in the README ("Operator CLI"). 0, 1, 2 and 3 mean what they mean for `npm start`. */
export const EXIT = {
  /** Done: the rotation succeeded, the plan passed every check, the listing was read. */
  ok: 0,
  /** The rotation failed (rolled back, needs attention, timed out), or an AWS call failed. */
  failed: 1,
  /** Bad usage: an unknown option, a missing argument, an emergency without its confirmation. */
  usage: 2,
  /** Held: no evidence that consumers left the legacy client, or legacy traffic; it stays active. */
  held: 3,
  /** The secret, or the rotation state machine, does not exist or is not managed by the rotator. */
  notFound: 4,
  /** Refused by policy: the plan has a failed check, or the rotation was refused before it changed anything. */
  refused: 5,
  /** `scan` found a hard-coded secret (a finding names where; never the value). */
  hardCoded: 6,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Base class: every error the CLI reports on purpose, with the exit code it ends with. */
export abstract class OperatorError extends Error {
  abstract override readonly name: string;
  abstract readonly exitCode: ExitCode;
}

/** The command line is wrong: the message says which option or argument. */
export class UsageError extends OperatorError {
  static readonly errorName = 'UsageError';
  override readonly name = UsageError.errorName;
  readonly exitCode = EXIT.usage;
}

/** An emergency rotation was asked for without repeating the secret's name in `--confirm`. */
export class ConfirmationRequiredError extends OperatorError {
  static readonly errorName = 'ConfirmationRequiredError';
  override readonly name = ConfirmationRequiredError.errorName;
  readonly exitCode = EXIT.usage;
}

/** The secret is not in Secrets Manager, not managed by the rotator, or the state machine cannot be found. */
export class NotFoundError extends OperatorError {
  static readonly errorName = 'NotFoundError';
  override readonly name = NotFoundError.errorName;
  readonly exitCode = EXIT.notFound;
}

/** An AWS call failed: the message names the call and AWS' error name. */
export class AwsCallError extends OperatorError {
  static readonly errorName = 'AwsCallError';
  override readonly name = AwsCallError.errorName;
  readonly exitCode = EXIT.failed;
}

/** The AWS error's name (`ResourceNotFoundException`, ...), if the value is one. */
export function awsErrorName(error: unknown): string | null {
  return error instanceof Error && typeof error.name === 'string' ? error.name : null;
}

/** Runs one AWS call; a failure becomes an `AwsCallError` naming the call. */
export async function awsCall<T>(call: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof OperatorError) throw error;
    const name = awsErrorName(error) ?? 'Error';
    const message = error instanceof Error ? error.message : String(error);
    throw new AwsCallError(`${call} failed: ${name}: ${message}`, { cause: error });
  }
}
