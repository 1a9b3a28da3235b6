import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { type LocalFunction, LocalLambdaService } from '../../../local/engine/lambda-runtime.js';

const BUNDLE = fileURLToPath(new URL('../../fixtures/lambda/index.mjs', import.meta.url));

function fn(logicalId: string, environment: Record<string, string>, timeoutMs = 5_000): LocalFunction {
  return {
    logicalId,
    bundlePath: BUNDLE,
    functionArn: `arn:aws:lambda:eu-west-1:123456789012:function:${logicalId}`,
    environment,
    timeoutMs,
    memoryMb: 512,
  };
}

describe('LocalLambdaService', () => {
  let service: LocalLambdaService | undefined;
  afterEach(async () => {
    await service?.close();
    service = undefined;
  });

  it("gives each function its own environment, never the parent process's (Lambda execution environment)", async () => {
    // Prepare
    process.env.GREETING = 'from the parent';
    const output: string[] = [];
    service = new LocalLambdaService(
      [fn('Fetch', { GREETING: 'hello from Fetch', AWS_ACCESS_KEY_ID: 'FETCHKEY' }), fn('Verify', {})],
      (text) => output.push(text),
    );

    // Act
    const fetch = (await service.invoke('Fetch', {})) as Record<string, unknown>;
    const verify = (await service.invoke('Verify', {})) as Record<string, unknown>;

    // Assess
    expect(fetch.greeting).toBe('hello from Fetch');
    expect(fetch.accessKeyId).toBe('FETCHKEY');
    expect(verify.greeting).toBeNull();
    expect(output.join('')).toContain('log line from Fetch');
    delete process.env.GREETING;
  });

  it('keeps a warm execution environment between invocations and gives concurrent ones their own (Lambda scaling)', async () => {
    // Prepare
    service = new LocalLambdaService([fn('Rotator', {})], () => undefined);

    // Act
    const first = (await service.invoke('Rotator', {})) as { invocations: number };
    const second = (await service.invoke('Rotator', {})) as { invocations: number };
    const [a, b] = (await Promise.all([
      service.invoke('Rotator', { action: 'wait', ms: 200 }),
      service.invoke('Rotator', { action: 'wait', ms: 200 }),
    ])) as Array<{ invocations: number }>;

    // Assess: the warm one counts on; the concurrent one is a cold environment of its own
    expect([first.invocations, second.invocations]).toEqual([1, 2]);
    expect([a?.invocations, b?.invocations].sort()).toEqual([1, 3]);
  });

  it("reports a function's error by its name and message, as a synchronous Invoke does", async () => {
    // Prepare
    service = new LocalLambdaService([fn('Validate', {})], () => undefined);

    // Act
    const error = await service.invoke('Validate', { action: 'fail' }).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('PartnerRefusedError');
    expect((error as Error).message).toBe('the partner API refused');
  });

  it('stops an invocation at the function timeout and starts the next one cold (Sandbox.Timedout)', async () => {
    // Prepare
    service = new LocalLambdaService([fn('CheckAdoption', {}, 300)], () => undefined);
    await service.invoke('CheckAdoption', {});

    // Act
    const error = await service
      .invoke('CheckAdoption', { action: 'hang' })
      .catch((caught: unknown) => caught);
    const next = (await service.invoke('CheckAdoption', {})) as { invocations: number };

    // Assess
    expect((error as Error).name).toBe('Sandbox.Timedout');
    expect(next.invocations).toBe(1);
  });

  it('times the Invoke phase only: a cold start slower than the function timeout still runs (Init is limited to 10 s apart, "Understanding the Lambda execution environment lifecycle")', async () => {
    // Prepare: Init takes twice the function timeout
    service = new LocalLambdaService([fn('Fetch', { INIT_DELAY_MS: '600' }, 300)], () => undefined);

    // Act
    const cold = (await service.invoke('Fetch', {})) as { invocations: number; remainingMs: number };
    const error = await service.invoke('Fetch', { action: 'hang' }).catch((caught: unknown) => caught);

    // Assess: the cold invocation had its whole timeout; a warm one still times out at 300 ms
    expect(cold.invocations).toBe(1);
    expect(cold.remainingMs).toBeGreaterThan(0);
    expect(cold.remainingMs).toBeLessThanOrEqual(300);
    expect((error as Error).name).toBe('Sandbox.Timedout');
  });
});
