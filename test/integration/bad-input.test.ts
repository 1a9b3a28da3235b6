/**
 * The bad-input catalogue (DESIGN.md §7 item 6) through the real stand-ins: every bad input ends the
 * execution with the documented typed error, a message naming what is wrong and never a secret
 * value, and changes nothing (Genesys clients, every secret's versions, no write to Genesys or
 * Secrets Manager). docs/ERRORS.md is the user-facing side of this file.
 */
import { randomUUID } from 'node:crypto';
import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  TagResourceCommand,
} from '@aws-sdk/client-secrets-manager';
import { GetExecutionHistoryCommand, type HistoryEvent } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as checkAdoptionHandler } from '../../functions/check-adoption/handler.js';
import { handler as deleteOrRollbackHandler } from '../../functions/delete-or-rollback/handler.js';
import { handler as fetchHandler } from '../../functions/fetch/handler.js';
import { handler as rotatorHandler } from '../../functions/rotator/handler.js';
import {
  MAX_EXECUTION_INPUT_BYTES,
  OAuthClientSecretValueSchema,
  TAG_ENVIRONMENT,
  TAG_KIND,
  TAG_STAGE,
} from '../../functions/shared/contract.js';
import {
  assertIsError,
  EnvironmentMismatchError,
  FormatVerificationFailedError,
  InsufficientPrivilegeError,
  InvalidConfigurationError,
  InvalidInputError,
  type RotationError,
  type RotationErrorCode,
  SelfRotationRefusedError,
  TargetNotFoundError,
  UnsupportedKindError,
} from '../../functions/shared/errors.js';
import { clearAdminTokenCache, clearGenesysAdminCache } from '../../functions/shared/genesys/index.js';
import { handler as validateHandler } from '../../functions/validate/handler.js';
import { handler as verifyHandler } from '../../functions/verify/handler.js';
import { localLambdaContext } from '../../local/engine/lambda-context.js';
import { DEMO_ENVIRONMENT, type LocalEnvironment, startLocalEnvironment } from '../../local/harness.js';
import type { RecordedEvent, SecretVersionSnapshot } from '../../local/standins/aws/index.js';
import type { GenesysClientSnapshot, GenesysStandIn } from '../../local/standins/genesys/index.js';

type RotationErrorClass = new (message: string) => RotationError;

/**
 * One environment per describe block. Usage does not matter here and no consumer runs; every
 * environment shares one synth (same policy).
 */
/** The managed secrets the cases create: onboarded when the environment starts, as a deployment onboards each secret. */
const CASE_SECRET_NAMES = Array.from({ length: 20 }, (_, index) => `genesys/bad-input/case-${index + 1}`);
const caseSecretsUsed = new WeakMap<LocalEnvironment, number>();

async function startEnvironment(): Promise<LocalEnvironment> {
  return startLocalEnvironment({
    consumer: false,
    policy: { allowUnusedLegacyClient: true },
    extraManagedSecretNames: CASE_SECRET_NAMES,
  });
}

/** Genesys calls that change nothing: the admin's own token, and usage queries. */
const READ_ONLY_GENESYS_ROUTES = new Set([
  'POST /oauth/token',
  'POST /api/v2/oauth/clients/{clientId}/usage/query',
]);

function genesysOf(env: LocalEnvironment): GenesysStandIn {
  if (env.genesys === null) throw new Error('These tests need the embedded Genesys stand-in');
  return env.genesys;
}

/** A recognisable fake secret: if it shows anywhere, a value leaked. */
function leakCheckSecret(): string {
  return `LEAKCHECK-${randomUUID()}`;
}

async function secretString(env: LocalEnvironment, secretId: string): Promise<string> {
  const value = await env.clients.secretsManager.send(new GetSecretValueCommand({ SecretId: secretId }));
  if (value.SecretString === undefined) throw new Error(`Secret ${secretId} has no string value`);
  return value.SecretString;
}

/** The clientSecret of a stored credential (the demo's legacy client, the admin), to prove it never shows. */
async function storedClientSecret(env: LocalEnvironment, secretId: string): Promise<string> {
  return OAuthClientSecretValueSchema.parse(JSON.parse(await secretString(env, secretId))).clientSecret;
}

interface WorldSnapshot {
  readonly clients: GenesysClientSnapshot[];
  readonly versions: Record<string, SecretVersionSnapshot[]>;
}

function snapshotWorld(env: LocalEnvironment, secretArns: Iterable<string>): WorldSnapshot {
  return {
    clients: genesysOf(env).clients(),
    versions: Object.fromEntries(
      [...secretArns].map((arn) => [arn, env.aws.secretsManager.versions(arn)] as const),
    ),
  };
}

async function executionHistory(env: LocalEnvironment, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await env.clients.sfn.send(
      new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, nextToken }),
    );
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
  return events;
}

/** A failed Lambda task's Cause is `{"errorType", "errorMessage"}`; the message is what a user reads. */
function messageOf(cause: string | null): string {
  if (cause === null) return '';
  let parsed: unknown;
  try {
    parsed = JSON.parse(cause);
  } catch {
    return cause; // a States.* error's cause is plain text
  }
  if (typeof parsed === 'object' && parsed !== null && 'errorMessage' in parsed) {
    return String(parsed.errorMessage);
  }
  return cause;
}

interface Outcome {
  readonly status: string;
  readonly error: string | null;
  readonly message: string;
  /** Everything a user, an operator or an event consumer can see of this execution, as text. */
  readonly visible: string;
  readonly events: RecordedEvent[];
  readonly history: HistoryEvent[];
  /** Requests after the start that could change Genesys (`route status`). */
  readonly genesysWrites: string[];
  /** Secrets Manager operations after the start that could change a secret. */
  readonly secretsManagerWrites: string[];
}

async function runExecution(env: LocalEnvironment, input: unknown): Promise<Outcome> {
  const genesys = genesysOf(env);
  const genesysFrom = genesys.requestLog.length;
  const awsFrom = env.aws.requestLog.length;
  const executionArn = await env.startExecution(input);
  const result = await env.waitForExecution(executionArn);
  const history = await executionHistory(env, executionArn);
  const events = env.aws.eventBridge.events.filter((event) => event.resources.includes(executionArn));
  return {
    status: result.status,
    error: result.error,
    message: messageOf(result.cause),
    visible: JSON.stringify({ result, history, events }),
    events,
    history,
    genesysWrites: genesys.requestLog
      .slice(genesysFrom)
      .filter((request) => request.method !== 'GET' && request.method !== 'HEAD')
      .filter((request) => !READ_ONLY_GENESYS_ROUTES.has(request.route))
      .map((request) => `${request.route} ${request.status}`),
    secretsManagerWrites: env.aws.requestLog
      .slice(awsFrom)
      .filter((request) => request.service === 'secretsmanager')
      .filter((request) => !/^(Get|Describe|List|BatchGet)/.test(request.operation))
      .map((request) => request.operation),
  };
}

function expectRefusedWith(outcome: Outcome, error: RotationErrorClass, names: readonly string[]): void {
  expect(outcome.status).toBe('FAILED');
  expect(outcome.error).toBe(error.name);
  for (const name of names) expect(outcome.message).toContain(name);
  // The refusal is audited once, with the same typed error.
  expect(outcome.events.map((event) => event.detailType)).toEqual(['Rotation Refused']);
  expect(outcome.events[0]?.detail).toMatchObject({ error: { Error: error.name } });
  expect(outcome.history.find((event) => event.type === 'ExecutionFailed')).toMatchObject({
    executionFailedEventDetails: { error: error.name },
  });
}

function expectNothingChanged(outcome: Outcome, before: WorldSnapshot, after: WorldSnapshot): void {
  expect(after).toEqual(before);
  expect(outcome.genesysWrites).toEqual([]);
  expect(outcome.secretsManagerWrites).toEqual([]);
}

function expectNoLeak(outcome: Outcome, secrets: readonly string[]): void {
  expect(outcome.visible).not.toContain('LEAKCHECK');
  for (const secret of secrets) expect(outcome.visible).not.toContain(secret);
}

const context = () => localLambdaContext('bad-input-test', 60_000);

async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    assertIsError(error);
    return error;
  }
  throw new Error('Expected the call to throw');
}

interface Prepared {
  readonly input: unknown;
  /** What the message must name: the secret, the field, the tag, the client... */
  readonly names: readonly string[];
  /** Secret values the case put in play, besides the environment's own. */
  readonly secrets: readonly string[];
}

interface BadInputCase {
  readonly label: string;
  readonly error: RotationErrorClass;
  readonly code: RotationErrorCode;
  prepare(env: LocalEnvironment, track: (secretArn: string) => void): Promise<Prepared>;
}

/** A managed secret, tagged as GenesysRotatedSecret tags it, holding `value` (tracked for the snapshot). */
async function managedSecret(
  env: LocalEnvironment,
  track: (secretArn: string) => void,
  value: string,
  tags: Record<string, string> = env.defaultTags(),
): Promise<{ name: string; arn: string }> {
  const used = caseSecretsUsed.get(env) ?? 0;
  const name = CASE_SECRET_NAMES[used];
  if (name === undefined) throw new Error('More bad-input secrets than CASE_SECRET_NAMES onboards');
  caseSecretsUsed.set(env, used + 1);
  const arn = await env.createManagedSecret({ name, value, tags });
  track(arn);
  return { name, arn };
}

function badSecretValueCase(
  label: string,
  names: (secretName: string) => string[],
  value: (clientId: string, secret: string) => string,
): BadInputCase {
  return {
    label,
    error: FormatVerificationFailedError,
    code: 'FORMAT_VERIFICATION_FAILED',
    async prepare(env, track) {
      const secret = leakCheckSecret();
      const { name, arn } = await managedSecret(env, track, value(env.demo.legacyClientId, secret));
      return { input: { secretId: arn }, names: names(name), secrets: [secret] };
    },
  };
}

function badExecutionInputCase(
  label: string,
  input: (secretArn: string) => unknown,
  names: readonly string[],
): BadInputCase {
  return {
    label,
    error: InvalidInputError,
    code: 'INVALID_INPUT',
    prepare: async (env) => ({ input: input(env.managedSecretArn), names, secrets: [] }),
  };
}

/** A valid credential of the demo's legacy client in a secret with one tag changed. */
function taggedSecretCase(label: string, tag: string, value: string, names: readonly string[]): BadInputCase {
  return {
    label,
    error: EnvironmentMismatchError,
    code: 'ENVIRONMENT_MISMATCH',
    async prepare(env, track) {
      const credential = await secretString(env, env.managedSecretArn);
      const tags = { ...env.defaultTags(), [tag]: value };
      const { name, arn } = await managedSecret(env, track, credential, tags);
      return { input: { secretId: arn }, names: [name, ...names], secrets: [] };
    },
  };
}

const CATALOGUE: readonly BadInputCase[] = [
  badSecretValueCase(
    'a secret value that is not JSON',
    (name) => [name, 'not JSON'],
    (_, secret) => `clientSecret=${secret}`,
  ),
  badSecretValueCase(
    'a secret value that is a JSON array',
    (name) => [name, 'not a JSON object'],
    (clientId, secret) => JSON.stringify([clientId, secret, DEMO_ENVIRONMENT]),
  ),
  badSecretValueCase(
    'a secret value without clientSecret',
    (name) => [name, 'clientSecret'],
    (clientId, secret) => JSON.stringify({ clientId, environment: DEMO_ENVIRONMENT, note: secret }),
  ),
  badSecretValueCase(
    'a secret value with an extra field',
    (name) => [name, 'unexpected field(s) previousSecret'],
    (clientId, secret) =>
      JSON.stringify({
        clientId,
        clientSecret: secret,
        environment: DEMO_ENVIRONMENT,
        previousSecret: `${secret}-old`,
      }),
  ),
  badSecretValueCase(
    'a secret value naming an unknown Genesys environment',
    (name) => [name, 'environment is not a known Genesys environment'],
    (clientId, secret) => JSON.stringify({ clientId, clientSecret: secret, environment: 'mypurecloud.moon' }),
  ),
  {
    label: 'a secret naming a client Genesys does not have',
    error: TargetNotFoundError,
    code: 'TARGET_NOT_FOUND',
    async prepare(env, track) {
      const secret = leakCheckSecret();
      const clientId = randomUUID();
      const value = JSON.stringify({ clientId, clientSecret: secret, environment: DEMO_ENVIRONMENT });
      const { name, arn } = await managedSecret(env, track, value);
      return { input: { secretId: arn }, names: [`OAuth client ${clientId}`, name], secrets: [secret] };
    },
  },
  {
    label: 'a secret ARN that does not exist',
    error: TargetNotFoundError,
    code: 'TARGET_NOT_FOUND',
    async prepare(env) {
      const secretId = `arn:aws:secretsmanager:${env.aws.region}:${env.aws.accountId}:secret:genesys/missing-AbCdEf`;
      return { input: { secretId }, names: [secretId, 'does not exist'], secrets: [] };
    },
  },
  {
    label: 'a secret name that does not exist',
    error: TargetNotFoundError,
    code: 'TARGET_NOT_FOUND',
    prepare: async () => ({
      input: { secretId: 'genesys/prod/no-such-secret' },
      names: ['genesys/prod/no-such-secret', 'does not exist'],
      secrets: [],
    }),
  },
  {
    label: 'a legacy client that does not use the client-credentials grant',
    error: UnsupportedKindError,
    code: 'UNSUPPORTED_KIND',
    async prepare(env, track) {
      const genesys = genesysOf(env);
      const legacy = genesys.seed.client({
        name: 'agent-desktop',
        authorizedGrantType: 'CODE',
        roleDivisions: [{ roleId: env.demo.serviceRoleId, divisionId: env.demo.serviceDivisionId }],
      });
      const value = JSON.stringify({
        clientId: legacy.clientId,
        clientSecret: legacy.clientSecret,
        environment: DEMO_ENVIRONMENT,
      });
      const { name, arn } = await managedSecret(env, track, value);
      return {
        input: { secretId: arn },
        names: [name, `client ${legacy.clientId} uses grant CODE`, 'CLIENT-CREDENTIALS'],
        secrets: [legacy.clientSecret],
      };
    },
  },
  {
    label: 'a legacy client holding a role-division the admin credential cannot grant',
    error: InsufficientPrivilegeError,
    code: 'INSUFFICIENT_PRIVILEGE',
    async prepare(env, track) {
      const genesys = genesysOf(env);
      const roleId = genesys.seed.role('Outbound Campaign Admin', ['outbound:*']);
      const divisionId = genesys.seed.division('Outbound');
      const legacy = genesys.seed.client({ name: 'dialler', roleDivisions: [{ roleId, divisionId }] });
      const value = JSON.stringify({
        clientId: legacy.clientId,
        clientSecret: legacy.clientSecret,
        environment: DEMO_ENVIRONMENT,
      });
      const { name, arn } = await managedSecret(env, track, value);
      return {
        input: { secretId: arn },
        names: [name, `admin client ${env.demo.adminClientId}`, `${roleId}@${divisionId}`],
        secrets: [legacy.clientSecret],
      };
    },
  },
  badExecutionInputCase('an execution input without secretId', () => ({ reason: 'scheduled' }), ['secretId']),
  badExecutionInputCase('an execution input with an empty secretId', () => ({ secretId: '' }), [
    'secretId',
    '>=1 characters',
  ]),
  badExecutionInputCase('an execution input whose secretId is not a string', () => ({ secretId: 42 }), [
    'secretId',
    'expected string',
  ]),
  badExecutionInputCase(
    'an execution input with an unknown field',
    (secretId) => ({ secretId, force: true }),
    ['unexpected field(s) force'],
  ),
  badExecutionInputCase(
    'an execution input whose dryRun is a string',
    (secretId) => ({ secretId, dryRun: 'true' }),
    ['dryRun', 'expected boolean'],
  ),
  badExecutionInputCase(
    'an execution input with an unknown mode',
    (secretId) => ({ secretId, mode: 'panic' }),
    ['mode', 'standard', 'emergency'],
  ),
  badExecutionInputCase(
    'an execution input with an unknown trigger',
    (secretId) => ({ secretId, trigger: 'cron' }),
    ['trigger', 'manual', 'secretsmanager', 'cli'],
  ),
  badExecutionInputCase(
    'an execution input over the size limit',
    (secretId) => ({ secretId, reason: 'r'.repeat(MAX_EXECUTION_INPUT_BYTES) }),
    ['bytes', `limit is ${MAX_EXECUTION_INPUT_BYTES}`],
  ),
  badExecutionInputCase(
    'an emergency rotation triggered by Secrets Manager',
    (secretId) => ({ secretId, mode: 'emergency', trigger: 'secretsmanager' }),
    ['Emergency', 'Secrets Manager'],
  ),
  {
    label: 'a secret of an unknown kind',
    error: UnsupportedKindError,
    code: 'UNSUPPORTED_KIND',
    async prepare(env, track) {
      const secret = leakCheckSecret();
      const value = JSON.stringify({
        clientId: env.demo.legacyClientId,
        clientSecret: secret,
        environment: DEMO_ENVIRONMENT,
      });
      const tags = { ...env.defaultTags(), [TAG_KIND]: 'api-key' };
      const { name, arn } = await managedSecret(env, track, value, tags);
      return {
        input: { secretId: arn },
        names: [name, '"api-key"', 'oauth-client', 'integration-credential'],
        secrets: [secret],
      };
    },
  },
  {
    // Dispatched to the partner-key strategy by its tag, whose inventory refuses it before any read.
    label: 'a secret of kind integration-credential without the partner-key tags',
    error: InvalidInputError,
    code: 'INVALID_INPUT',
    async prepare(env, track) {
      const secret = leakCheckSecret();
      const value = JSON.stringify({
        clientId: env.demo.legacyClientId,
        clientSecret: secret,
        environment: DEMO_ENVIRONMENT,
      });
      const tags = { ...env.defaultTags(), [TAG_KIND]: 'integration-credential' };
      const { name, arn } = await managedSecret(env, track, value, tags);
      return {
        input: { secretId: arn },
        names: [name, 'partner-key tags', 'env', 'genesys:key-provider'],
        secrets: [secret],
      };
    },
  },
  {
    label: 'a secret without the kind tag',
    error: UnsupportedKindError,
    code: 'UNSUPPORTED_KIND',
    async prepare(env, track) {
      const secret = leakCheckSecret();
      const value = JSON.stringify({
        clientId: env.demo.legacyClientId,
        clientSecret: secret,
        environment: DEMO_ENVIRONMENT,
      });
      const tags = Object.fromEntries(Object.entries(env.defaultTags()).filter(([key]) => key !== TAG_KIND));
      const { name, arn } = await managedSecret(env, track, value, tags);
      return { input: { secretId: arn }, names: [name, TAG_KIND], secrets: [secret] };
    },
  },
  taggedSecretCase(
    'a secret whose environment tag differs from its value',
    TAG_ENVIRONMENT,
    'mypurecloud.com',
    [`tag ${TAG_ENVIRONMENT} is mypurecloud.com`, `points at ${DEMO_ENVIRONMENT}`],
  ),
  taggedSecretCase("a secret whose stage tag is not the rotator's stage", TAG_STAGE, 'dev', [
    `tag ${TAG_STAGE} is dev`,
    'serves stage prod',
  ]),
];

describe('A rotation execution with bad input', () => {
  let env: LocalEnvironment;
  let environmentSecrets: string[];
  const secretArns = new Set<string>();

  beforeAll(async () => {
    env = await startEnvironment();
    secretArns.add(env.managedSecretArn).add(env.adminSecretArn);
    environmentSecrets = [
      await storedClientSecret(env, env.managedSecretArn),
      await storedClientSecret(env, env.adminSecretArn),
    ];
  });

  afterAll(async () => {
    await env?.close();
  });

  it.each(CATALOGUE.map((badInput) => [badInput.label, badInput] as const))(
    'refuses %s with its typed error, names the problem, leaks nothing and changes nothing',
    async (_, badInput) => {
      // Prepare
      const prepared = await badInput.prepare(env, (arn) => secretArns.add(arn));
      const before = snapshotWorld(env, secretArns);

      // Act
      const outcome = await runExecution(env, prepared.input);

      // Assess
      expect(new badInput.error('').code).toBe(badInput.code);
      expectRefusedWith(outcome, badInput.error, prepared.names);
      expectNoLeak(outcome, [...prepared.secrets, ...environmentSecrets]);
      expectNothingChanged(outcome, before, snapshotWorld(env, secretArns));
    },
  );

  it.each([
    ['a JSON string', 'genesys/demo/reporting-service'],
    ['a JSON array', ['genesys/demo/reporting-service']],
    ['a number', 42],
    ['null', null],
  ] as const)(
    'fails an execution whose input is %s without changing or leaking anything',
    async (_, input) => {
      // Prepare
      const before = snapshotWorld(env, secretArns);

      // Act
      const outcome = await runExecution(env, input);

      // Assess
      expect(outcome.status).toBe('FAILED');
      expectNoLeak(outcome, environmentSecrets);
      expectNothingChanged(outcome, before, snapshotWorld(env, secretArns));
    },
  );

  it('refuses an execution whose input is a JSON string with InvalidInputError', async () => {
    // Prepare
    const input = env.managedSecretArn;

    // Act
    const outcome = await runExecution(env, input);

    // Assess
    expectRefusedWith(outcome, InvalidInputError, ['expected object']);
  });

  it('still rotates nothing when the same bad input is started again', async () => {
    // Prepare
    const input = { secretId: env.managedSecretArn, dryRun: 'yes' };
    const before = snapshotWorld(env, secretArns);

    // Act
    const first = await runExecution(env, input);
    const second = await runExecution(env, input);

    // Assess
    expect([first.error, second.error]).toEqual([InvalidInputError.name, InvalidInputError.name]);
    expect(second.message).toBe(first.message);
    expectNothingChanged(second, before, snapshotWorld(env, secretArns));
  });
});

describe('The self-rotation guard', () => {
  let env: LocalEnvironment;
  let adminSecret: string;
  const secretArns = new Set<string>();

  beforeAll(async () => {
    env = await startEnvironment();
    secretArns.add(env.managedSecretArn).add(env.adminSecretArn);
    adminSecret = await storedClientSecret(env, env.adminSecretArn);
  });

  afterAll(async () => {
    await env?.close();
  });

  it('refuses a managed secret that holds the admin credential with SelfRotationRefusedError', async () => {
    // Prepare
    const { name, arn } = await managedSecret(
      env,
      (secretArn) => secretArns.add(secretArn),
      await secretString(env, env.adminSecretArn),
    );
    const before = snapshotWorld(env, secretArns);

    // Act
    const outcome = await runExecution(env, { secretId: arn });

    // Assess
    expect(new SelfRotationRefusedError('').code).toBe('SELF_ROTATION_REFUSED');
    expectRefusedWith(outcome, SelfRotationRefusedError, [name, env.demo.adminClientId, 'bootstrap']);
    expectNoLeak(outcome, [adminSecret]);
    expectNothingChanged(outcome, before, snapshotWorld(env, secretArns));
  });

  it('refuses the untagged admin secret itself without changing or leaking anything', async () => {
    // Prepare
    const before = snapshotWorld(env, secretArns);

    // Act
    const outcome = await runExecution(env, { secretId: env.adminSecretArn });

    // Assess
    expect(outcome.status).toBe('FAILED');
    expect(outcome.message).toContain('genesys/rotator/admin');
    expectNoLeak(outcome, [adminSecret]);
    expectNothingChanged(outcome, before, snapshotWorld(env, secretArns));
  });

  it('refuses the untagged admin secret itself with SelfRotationRefusedError', async () => {
    // Prepare: the admin secret as the stack creates it, without tags

    // Act
    const outcome = await runExecution(env, { secretId: env.adminSecretArn });

    // Assess
    expect(outcome.error).toBe(SelfRotationRefusedError.name);
  });

  it('refuses the admin secret itself, even tagged as a managed secret, with SelfRotationRefusedError', async () => {
    // Prepare
    await env.clients.secretsManager.send(
      new TagResourceCommand({
        SecretId: env.adminSecretArn,
        Tags: Object.entries(env.defaultTags()).map(([Key, Value]) => ({ Key, Value })),
      }),
    );
    const before = snapshotWorld(env, secretArns);

    // Act
    const outcome = await runExecution(env, { secretId: env.adminSecretArn });

    // Assess
    expectRefusedWith(outcome, SelfRotationRefusedError, ['genesys/rotator/admin', "rotator's own admin"]);
    expectNoLeak(outcome, [adminSecret]);
    expectNothingChanged(outcome, before, snapshotWorld(env, secretArns));
  });
});

describe('A malformed admin credential secret', () => {
  let env: LocalEnvironment;
  const secretArns = new Set<string>();

  beforeAll(async () => {
    env = await startEnvironment();
    secretArns.add(env.managedSecretArn).add(env.adminSecretArn);
  });

  afterAll(async () => {
    await env?.close();
  });

  /** Stores `value` as the admin credential and drops the warm container's cached admin (a cold start). */
  async function storeAdminCredential(value: string): Promise<void> {
    await env.clients.secretsManager.send(
      new PutSecretValueCommand({ SecretId: env.adminSecretArn, SecretString: value }),
    );
    clearGenesysAdminCache();
    clearAdminTokenCache();
  }

  const adminCases = [
    {
      label: 'not JSON',
      value: (secret: string) => `{"clientId": "rotator", "clientSecret": "${secret}"`,
      names: ['not JSON'],
    },
    {
      label: 'missing clientSecret',
      value: (secret: string) =>
        JSON.stringify({ clientId: 'rotator', environment: DEMO_ENVIRONMENT, note: secret }),
      names: ['clientSecret'],
    },
    {
      label: 'naming an unknown environment',
      value: (secret: string) =>
        JSON.stringify({ clientId: 'rotator', clientSecret: secret, environment: 'mypurecloud.moon' }),
      names: ['environment'],
    },
  ] as const;

  it.each(adminCases.map((adminCase) => [adminCase.label, adminCase] as const))(
    'fails the execution with InvalidConfigurationError when the admin credential is %s, without echoing it',
    async (_, adminCase) => {
      // Prepare
      const secret = leakCheckSecret();
      await storeAdminCredential(adminCase.value(secret));
      const before = snapshotWorld(env, secretArns);

      // Act
      const outcome = await runExecution(env, { secretId: env.managedSecretArn });

      // Assess
      expect(new InvalidConfigurationError('').code).toBe('INVALID_CONFIGURATION');
      expectRefusedWith(outcome, InvalidConfigurationError, [
        `admin credential secret ${env.adminSecretArn}`,
        ...adminCase.names,
      ]);
      expectNoLeak(outcome, [secret]);
      expectNothingChanged(outcome, before, snapshotWorld(env, secretArns));
    },
  );

  it('names the unexpected field of an admin credential with an extra field', async () => {
    // Prepare
    const secret = leakCheckSecret();
    await storeAdminCredential(
      JSON.stringify({
        clientId: 'rotator',
        clientSecret: secret,
        environment: DEMO_ENVIRONMENT,
        previousSecret: secret,
      }),
    );

    // Act
    const outcome = await runExecution(env, { secretId: env.managedSecretArn });

    // Assess
    expect(outcome.error).toBe(InvalidConfigurationError.name);
    expect(outcome.message).toContain('previousSecret');
  });
});

describe('A step handler invoked with an event of the wrong shape', () => {
  it.each([
    ['Verify', () => verifyHandler({}, context()), ['Verify', 'state']],
    [
      'Verify',
      () => verifyHandler({ state: { secretId: 7 } }, context()),
      ['state.secretId', 'state.dryRun', 'state.mode'],
    ],
    ['Validate', () => validateHandler({ state: null }, context()), ['Validate', 'state']],
    ['Fetch', () => fetchHandler({ input: { secretId: 'x' } }, context()), ['Fetch', 'executionId']],
    ['CheckAdoption', () => checkAdoptionHandler({ status: {} }, context()), ['CheckAdoption', 'state']],
    [
      'DeleteOrRollback',
      () => deleteOrRollbackHandler({ mode: 'purge', state: {} }, context()),
      ['DeleteOrRollback', 'mode', 'deactivate', 'state.secretId'],
    ],
  ] as const)('%s throws InvalidInputError naming the wrong fields', async (_, invoke, names) => {
    // Prepare: the event is in the table

    // Act
    const error = await rejectionOf(invoke());

    // Assess
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.name).toBe('InvalidInputError');
    expect(new InvalidInputError('').code).toBe('INVALID_INPUT');
    expect(error.message).toContain('wrong shape');
    for (const name of names) expect(error.message).toContain(name);
  });

  it('Rotator throws InvalidInputError naming the wrong fields', async () => {
    // Prepare
    const event = { rotatorTask: 'explode', state: {} };

    // Act
    const error = await rejectionOf(rotatorHandler(event, context()));

    // Assess
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toContain('rotatorTask');
  });
});
