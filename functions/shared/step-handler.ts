/**
 * The one handler shape: parse the event with a schema, call the core function, log ids and the
 * outcome. Errors keep their class name, which is the contract with the state machine's Retry/Catch.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { InvalidInputError, RotationError } from './errors.js';
import { logger } from './logger.js';
import { metrics, publishRecordedMetrics } from './metrics.js';
import * as z from './zod.js';

type Issue = z.core.$ZodIssue;

function describeIssue(issue: Issue): string {
  if (issue.code === 'unrecognized_keys') return `unexpected field(s) ${issue.keys.join(', ')}`;
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    // Name each alternative's problems rather than "Invalid input" at the root.
    return issue.errors.map((branch) => `(${branch.map(describeIssue).join('; ')})`).join(' or ');
  }
  return `${issue.path.join('.') || '(root)'}: ${issue.message}`;
}

function describeIssues(error: z.core.$ZodError): string {
  return error.issues.map(describeIssue).join('; ');
}

/** Keys safe to attach to log lines: identifiers, never values. */
function correlation(event: unknown): Record<string, string> {
  const keys: Record<string, string> = {};
  const record = typeof event === 'object' && event !== null ? (event as Record<string, unknown>) : {};
  const state =
    typeof record.state === 'object' && record.state !== null
      ? (record.state as Record<string, unknown>)
      : record;
  for (const [from, to] of [
    ['secretId', 'secretId'],
    ['SecretId', 'secretId'],
    ['token', 'token'],
    ['ClientRequestToken', 'token'],
    ['Step', 'rotationStep'],
    ['rotatorTask', 'task'],
    ['mode', 'mode'],
    ['executionId', 'executionId'],
  ] as const) {
    const value = record[from] ?? state[from];
    if (typeof value === 'string') keys[to] = value;
  }
  return keys;
}

export function stepHandler<S extends z.core.$ZodType, R>(
  step: string,
  schema: S,
  run: (input: z.output<S>, context: Context) => Promise<R>,
) {
  const base = async (event: unknown, context: Context): Promise<R> => {
    logger.appendKeys({ step, ...correlation(event) });
    const parsed = z.safeParse(schema, event);
    if (!parsed.success) {
      const error = new InvalidInputError(
        `INVALID_INPUT: ${step} received an event of the wrong shape: ${describeIssues(parsed.error)}`,
      );
      logger.error('rejected input', {
        errorName: error.name,
        code: error.code,
        errorMessage: error.message,
      });
      throw error;
    }
    try {
      const result = await run(parsed.data, context);
      logger.info('step completed');
      return result;
    } catch (error) {
      if (error instanceof RotationError) {
        // The class name travels as the error type; the code, which users read in events and
        // dashboards, travels at the head of the message (Step Functions keeps only both strings).
        if (!error.message.startsWith(`${error.code}: `)) error.message = `${error.code}: ${error.message}`;
        logger.warn('step failed', {
          errorName: error.name,
          code: error.code,
          errorMessage: error.message,
          details: error.details,
        });
      } else {
        logger.error('step failed unexpectedly', {
          errorName: error instanceof Error ? error.name : typeof error,
        });
      }
      throw error;
    }
  };
  return middy(base)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(publishRecordedMetrics(metrics));
}
