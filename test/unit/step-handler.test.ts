import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { QuotaExceededError } from '../../functions/shared/errors.js';
import { stepHandler } from '../../functions/shared/step-handler.js';
import { localLambdaContext } from '../../local/engine/lambda-context.js';

const context = (): Context => localLambdaContext('StepHandlerTest', 10_000);

async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    () => null,
    (error: unknown) => error,
  );
  if (!(outcome instanceof Error)) throw new Error('expected a rejection');
  return outcome;
}

describe('stepHandler', () => {
  it('keeps the error class name and puts the user-facing code at the head of the message', async () => {
    // Prepare
    const handler = stepHandler('Quota', z.object({}), async () => {
      throw new QuotaExceededError('50 of 50 OAuth clients in use');
    });

    // Act
    const error = await rejectionOf(handler({}, context()));

    // Assess
    expect(error.name).toBe('QuotaExceededError');
    expect(error.message).toBe('QUOTA_EXCEEDED: 50 of 50 OAuth clients in use');
  });

  it('refuses an event of the wrong shape with InvalidInputError naming each field', async () => {
    // Prepare
    const handler = stepHandler(
      'Shape',
      z.object({ secretId: z.string(), dryRun: z.boolean() }),
      async () => 'ran',
    );

    // Act
    const error = await rejectionOf(handler({ secretId: 7 }, context()));

    // Assess
    expect(error.name).toBe('InvalidInputError');
    expect(error.message).toMatch(/^INVALID_INPUT: Shape received an event of the wrong shape/);
    expect(error.message).toContain('secretId');
    expect(error.message).toContain('dryRun');
  });

  it('names the problems of every alternative of a union', async () => {
    // Prepare
    const schema = z.union([z.object({ Step: z.string() }), z.object({ rotatorTask: z.enum(['create']) })]);
    const handler = stepHandler('Union', schema, async () => 'ran');

    // Act
    const error = await rejectionOf(handler({ rotatorTask: 'explode' }, context()));

    // Assess
    expect(error.message).toContain('Step');
    expect(error.message).toContain('rotatorTask');
  });
});
