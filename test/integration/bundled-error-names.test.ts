/**
 * What the deployed bundles throw carries the names the state machine's Retry/Catch expect. Lambda
 * reports `errorType` from `error.name`; in a minified bundle a name taken from the constructor is
 * mangled (InvalidInputError became "Un"), and then no `ErrorEquals` matches in AWS. So this test
 * synthesizes WITH bundling and runs the synthesized `asset.<hash>/index.mjs` files, not the sources.
 */

import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as errors from '../../functions/shared/errors.js';
import {
  bundleBudget,
  errorEqualsByFunction,
  type SynthesizedApp,
  type SynthesizedBundle,
  synthesizeBundles,
} from '../../local/bench/synthesized-bundles.js';
import { localLambdaContext } from '../../local/engine/lambda-context.js';
import { type AwsStandIn, startAwsStandIn } from '../../local/standins/aws/index.js';
import { secretValue, world } from '../helpers/builders.js';

type BundledHandler = (event: unknown, context: unknown) => Promise<unknown>;

/** Every error class of the source, by its literal name. */
const ERROR_CLASSES = new Map(
  Object.values(errors)
    .filter((value) => typeof value === 'function' && Object.hasOwn(value, 'errorName'))
    .map((value) => {
      const errorClass = value as unknown as { errorName: string; new (message: string): Error };
      return [errorClass.errorName, errorClass] as const;
    }),
);

const ADMIN_SECRET_NAME = 'genesys-rotator/admin';

/** A server that answers 503 to every request: stands for a failing AWS endpoint and a failing Genesys. */
async function unavailableServer(): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    request.resume();
    response.writeHead(503, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ message: 'Service Unavailable' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

function bundleOf(app: SynthesizedApp, entry: string): SynthesizedBundle {
  const bundle = app.bundles.find((candidate) => candidate.entry === entry);
  if (bundle === undefined) throw new Error(`No bundle for ${entry}`);
  return bundle;
}

async function loadHandler(bundle: SynthesizedBundle): Promise<BundledHandler> {
  const module = (await import(pathToFileURL(bundle.file).href)) as { handler: BundledHandler };
  return module.handler;
}

/** Invokes a bundle's handler; the rejection it ends with (the test fails if it succeeds). */
async function rejectionOf(bundle: SynthesizedBundle, event: unknown): Promise<Error> {
  const handler = await loadHandler(bundle);
  const outcome = await handler(event, localLambdaContext(bundle.logicalId, 60_000)).then(
    (result) => new Error(`${bundle.entry} succeeded with ${JSON.stringify(result)}`),
    (error: unknown) => error,
  );
  if (!(outcome instanceof Error)) throw new Error(`${bundle.entry} threw a non-Error`);
  return outcome;
}

describe('bundled error names', () => {
  let app: SynthesizedApp;
  let unavailable: { url: string; server: Server };
  let standIn: AwsStandIn;
  const savedEnvironment = { ...process.env };

  beforeAll(async () => {
    app = synthesizeBundles();
    unavailable = await unavailableServer();
    standIn = await startAwsStandIn();
    const secrets = new SecretsManagerClient({
      endpoint: standIn.url,
      region: standIn.region,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    await secrets.send(
      new CreateSecretCommand({
        Name: ADMIN_SECRET_NAME,
        SecretString: secretValue('admin-client', 'admin-secret'),
      }),
    );
    secrets.destroy();
    Object.assign(process.env, {
      AWS_REGION: standIn.region,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_MAX_ATTEMPTS: '1',
      ADMIN_SECRET_ID: ADMIN_SECRET_NAME,
      STATE_MACHINE_ARN: `arn:aws:states:${standIn.region}:123456789012:stateMachine:rotation`,
      GENESYS_GATEWAY_URL: unavailable.url,
      GENESYS_HTTP_RETRY_AFTER_MILLIS: '1',
      GENESYS_HTTP_TIMEOUT_MILLIS: '2000',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    });
  }, 300_000);

  afterAll(async () => {
    process.env = savedEnvironment;
    await standIn?.close();
    unavailable?.server.close();
    app?.dispose();
  });

  it('synthesizes one bundle per function', () => {
    // Assess
    expect(app.bundles.map((bundle) => bundle.entry).sort()).toEqual([
      'functions/check-adoption/handler.ts',
      'functions/delete-or-rollback/handler.ts',
      'functions/deliver-webhooks/handler.ts',
      'functions/examples/partner-key-provider/handler.ts',
      'functions/fetch/handler.ts',
      'functions/fleet/handler.ts',
      'functions/follow-dependents/handler.ts',
      'functions/rotator/handler.ts',
      'functions/validate/handler.ts',
      'functions/verify/handler.ts',
    ]);
  });

  it('keeps every bundle within its size budget: 500 KB with the Genesys SDK, 100 KB without (ARCHITECTURE.md, Bundles)', () => {
    // Act
    const overBudget = app.bundles
      .map((bundle) => ({ entry: bundle.entry, bytes: bundle.bytes, ...bundleBudget(bundle) }))
      .filter((bundle) => bundle.bytes > bundle.budgetBytes);

    // Assess
    expect(app.bundles.some((bundle) => !bundleBudget(bundle).genesys)).toBe(true);
    expect(overBudget).toEqual([]);
  });

  it('rejects an event of the wrong shape with an error named InvalidInputError, in every bundle', async () => {
    for (const bundle of app.bundles) {
      // Act
      const error = await rejectionOf(bundle, { unexpected: true });

      // Assess
      expect({ entry: bundle.entry, name: error.name }).toEqual({
        entry: bundle.entry,
        name: 'InvalidInputError',
      });
    }
  });

  it('names in ErrorEquals and Fail states are literal names of error classes, present in the bundles that must throw them', () => {
    // Prepare
    const byFunction = errorEqualsByFunction(app.template);
    const failErrors = JSON.stringify(app.template).match(/\\"Error\\":\\"(\w+)\\"/g) ?? [];

    // The example key provider is no task of the graph: the rotator's functions invoke it.
    const tasks = app.bundles.filter((bundle) => !bundle.entry.startsWith('functions/examples/'));

    // Assess
    expect(byFunction.size).toBe(tasks.length);
    for (const bundle of tasks) {
      const text = readFileSync(bundle.file, 'utf8');
      const names = [...(byFunction.get(bundle.logicalId) ?? [])].filter(
        (name) => !name.startsWith('States.') && !name.startsWith('Lambda.'),
      );
      // Webhook delivery retries inside itself and its every failure is caught and reported: it names no
      // typed error to the graph. Every other task is retried on TransientUpstreamError.
      if (bundle.entry !== 'functions/deliver-webhooks/handler.ts') {
        expect(names, bundle.entry).toContain('TransientUpstreamError');
      }
      for (const name of names) {
        const errorClass = ERROR_CLASSES.get(name);
        expect(errorClass, `${name} (${bundle.entry}) is the literal name of an error class`).toBeDefined();
        expect(errorClass && new errorClass('probe').name).toBe(name);
        // Validate is pure: it can only be retried on TransientUpstreamError by the shared policy.
        if (bundle.entry !== 'functions/validate/handler.ts') {
          expect(text, `${bundle.entry} carries the literal ${name}`).toContain(`"${name}"`);
        }
      }
    }
    expect(failErrors).toContain('\\"Error\\":\\"NeedsAttentionError\\"');
    for (const match of failErrors) {
      const name = match.replace(/^\\"Error\\":\\"/, '').replace(/\\"$/, '');
      expect(ERROR_CLASSES.has(name), `Fail error ${name}`).toBe(true);
    }
  });

  it('throws TransientUpstreamError by that name when Secrets Manager answers 503', async () => {
    // Prepare
    process.env.AWS_ENDPOINT_URL = unavailable.url;
    const state = world().state;
    const events: ReadonlyArray<readonly [string, unknown]> = [
      ['functions/fetch/handler.ts', { input: { secretId: state.secretId }, executionId: 'execution-1' }],
      ['functions/rotator/handler.ts', { rotatorTask: 'create', state }],
      [
        'functions/verify/handler.ts',
        {
          state: {
            ...state,
            created: {
              credential: { newId: 'new-client' },
              newClientId: 'new-client',
              newClientName: 'new',
              versionId: state.token,
              reused: false,
            },
          },
        },
      ],
      ['functions/delete-or-rollback/handler.ts', { mode: 'rollback', state }],
    ];

    for (const [entry, event] of events) {
      // Act
      const error = await rejectionOf(bundleOf(app, entry), event);

      // Assess
      expect({ entry, name: error.name, message: error.message }).toMatchObject({
        entry,
        name: 'TransientUpstreamError',
        message: expect.stringMatching(/^TRANSIENT_UPSTREAM: /),
      });
    }
  });

  it('throws TransientUpstreamError by that name when Genesys answers 503', async () => {
    // Prepare: the admin credential comes from the AWS stand-in; Genesys is the failing server.
    process.env.AWS_ENDPOINT_URL = standIn.url;
    const base = world().state;
    const state = {
      ...base,
      created: {
        credential: { newId: '7d4c1e2a-0000-4000-8000-00000000c0de' },
        newClientId: '7d4c1e2a-0000-4000-8000-00000000c0de',
        newClientName: 'svc [rotated]',
        versionId: base.token,
        reused: false,
      },
      synced: {
        currentVersionId: base.token,
        previousVersionId: null,
        promotedAt: '2026-03-04T10:00:00.000Z',
        promotedBy: 'state-machine',
      },
    };

    // Act
    const error = await rejectionOf(bundleOf(app, 'functions/check-adoption/handler.ts'), { state });

    // Assess
    expect({ name: error.name, message: error.message }).toMatchObject({
      name: 'TransientUpstreamError',
      message: expect.stringContaining('503'),
    });
  });
});
