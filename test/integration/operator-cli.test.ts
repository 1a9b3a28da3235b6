/**
 * The operator CLI (`genesys-rotator`) against the stand-ins: its `main` and its bin, through the
 * real AWS SDK, with real local rotations of the synthesized state machine. Every client secret
 * the Genesys stand-in issues is a canary; no CLI output may contain one.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/main.js';
import { CHECK_NAMES } from '../../functions/shared/contract.js';
import { STATE } from '../../functions/shared/workflow.js';
import { CanaryVault } from '../../local/faults/canary.js';
import { DEMO_SECRET_NAME, type LocalEnvironment, REPO_ROOT } from '../../local/harness.js';
import { genesysOf, sleep, snapshotWorld, startConsumer, startFastEnvironment } from '../helpers/local.js';

interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const vault = new CanaryVault();
/** A second managed secret whose client no consumer uses after promotion: its rotation holds. */
const UNWATCHED_SECRET_NAME = 'genesys/demo/unwatched-service';
const outputs: CliRun[] = [];
let env: LocalEnvironment;

function capture(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
}

/**
 * `genesys-rotator <args>` in this process; the harness pointed its environment (AWS_ENDPOINT_URL,
 * GENESYS_GATEWAY_URL) at the stand-ins. No state machine ARN is set: the CLI finds it by the stack's name.
 */
async function cli(...args: string[]): Promise<CliRun> {
  const stdout = capture();
  const stderr = capture();
  const code = await main([...args, '--poll-ms', '100'], {
    stdout: stdout.stream,
    stderr: stderr.stream,
    env: process.env,
  });
  const run = { code, stdout: stdout.text(), stderr: stderr.text() };
  outputs.push(run);
  return run;
}

/** The bin as a user runs it: a child process with AWS_ENDPOINT_URL and the state machine's ARN. */
function bin(args: readonly string[]): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/genesys-rotator.mjs'), ...args], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        AWS_ENDPOINT_URL: env.aws.url,
        AWS_REGION: env.aws.region,
        AWS_ACCESS_KEY_ID: 'operator',
        AWS_SECRET_ACCESS_KEY: 'operator',
        GENESYS_ROTATOR_STATE_MACHINE_ARN: env.stateMachineArn,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const run = { code: code ?? -1, stdout, stderr };
      outputs.push(run);
      resolve(run);
    });
  });
}

function json(run: CliRun): Record<string, unknown> {
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

async function executionCount(): Promise<number> {
  const listed = await env.clients.sfn.send(
    new ListExecutionsCommand({ stateMachineArn: env.stateMachineArn }),
  );
  return listed.executions?.length ?? 0;
}

beforeAll(async () => {
  env = await startFastEnvironment({
    genesys: { secretFactory: vault.next },
    extraManagedSecretNames: [UNWATCHED_SECRET_NAME],
  });
  const genesys = genesysOf(env);
  const unwatched = genesys.seed.client({
    name: 'unwatched-service',
    roleDivisions: [{ roleId: env.demo.serviceRoleId, divisionId: env.demo.serviceDivisionId }],
    pastUsage: { days: 7, requestsPerDay: 20 },
  });
  await env.createManagedSecret({
    name: UNWATCHED_SECRET_NAME,
    value: JSON.stringify({
      clientId: unwatched.clientId,
      clientSecret: unwatched.clientSecret,
      environment: 'mypurecloud.ie',
    }),
  });
  await startConsumer(env);
}, 120_000);

afterAll(async () => {
  // Every secret the stand-in issued (seeded, created, regenerated) is a canary.
  expect(vault.secrets.length).toBeGreaterThanOrEqual(2);
  for (const run of outputs) {
    expect(`${run.stdout}\n${run.stderr}`).not.toContain(vault.prefix);
  }
  await env?.close();
}, 60_000);

describe('genesys-rotator', () => {
  it('exits 2 on bad usage, naming the problem, and prints one JSON error under --json', async () => {
    // Act
    const missingArgument = await cli('rotate');
    const unknownCommand = await cli('frobnicate');
    const badNumber = await cli('history', DEMO_SECRET_NAME, '--limit', 'many');
    const badJson = await cli('--json', 'plan');

    // Assess
    expect(missingArgument.code).toBe(2);
    expect(missingArgument.stderr).toContain("missing required argument 'secret'");
    expect(unknownCommand.code).toBe(2);
    expect(unknownCommand.stderr).toContain("unknown command 'frobnicate'");
    expect(badNumber.code).toBe(2);
    expect(badNumber.stderr).toContain('must be a positive whole number');
    expect(badJson.code).toBe(2);
    expect(json(badJson)).toMatchObject({ error: { name: 'UsageError', exitCode: 2 } });
  });

  it('names an unknown secret and a secret the rotator does not manage, exit 4', async () => {
    // Prepare
    await env.createManagedSecret({ name: 'team/unmanaged', value: '{"x":"y"}', tags: { team: 'payments' } });

    // Act
    const unknown = await cli('history', 'genesys/does-not-exist');
    const unmanaged = await cli('--json', 'plan', 'team/unmanaged');

    // Assess
    expect(unknown.code).toBe(4);
    expect(unknown.stderr).toContain('Secret genesys/does-not-exist was not found in Secrets Manager');
    expect(unmanaged.code).toBe(4);
    expect(json(unmanaged)).toMatchObject({ error: { name: 'NotFoundError', exitCode: 4 } });
    expect(unmanaged.stderr).toContain(
      'team/unmanaged is not managed by the rotator: it has no genesys:kind tag',
    );
  });

  it('plans with every check, the blast radius and the calls, changing nothing (exit 0, --json)', async () => {
    // Prepare
    const before = snapshotWorld(env);

    // Act
    const run = await cli('--json', 'plan', DEMO_SECRET_NAME, '--reason', 'quarterly review');

    // Assess
    expect(run.code, run.stderr).toBe(0);
    const plan = json(run);
    expect(plan).toMatchObject({ command: 'plan', outcome: 'dry-run', ok: true });
    const checks = plan.checks as Array<{ check: string; passed: boolean }>;
    expect(checks.map((check) => check.check).sort()).toEqual([...CHECK_NAMES].sort());
    expect(checks.every((check) => check.passed)).toBe(true);
    expect(plan.blastRadius).toMatchObject({
      legacyClientId: env.demo.legacyClientId,
      roleDivisions: 1,
      legacyDeleteIrreversible: expect.any(Boolean),
      // No genesys:credential-ids tag on the demo secret: Fetch computes no dependents.
      dependents: null,
    });
    expect((plan.blastRadius as { legacyRequests: number }).legacyRequests).toBeGreaterThan(0);
    const calls = plan.calls as Array<{ service: string; call: string }>;
    expect(calls.map((call) => call.call)).toContain('POST /api/v2/oauth/clients');
    expect(calls.map((call) => call.call)).toContain(
      `DELETE /api/v2/oauth/clients/${env.demo.legacyClientId}`,
    );
    const states = (plan.states as Array<{ state: string }>).map((line) => line.state);
    expect(states).toEqual(expect.arrayContaining([STATE.Fetch, STATE.Validate, STATE.EmitPlan]));
    expect(states).not.toContain(STATE.Create);
    expect(run.stderr).toContain('Validate');
    expect(snapshotWorld(env)).toEqual(before);
  });

  it('rotates with --follow: one line per state, each wait with its end time, the final outcome (exit 0)', async () => {
    // Act
    const run = await cli('rotate', DEMO_SECRET_NAME, '--follow', '--name', 'cli-test-rotation-1');

    // Assess
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    for (const state of [
      STATE.Fetch,
      STATE.Validate,
      STATE.Create,
      STATE.Verify,
      STATE.Sync,
      STATE.DeleteLegacy,
    ]) {
      expect(run.stdout).toMatch(new RegExp(`${state}\\s+Task\\s+ok\\s+\\d+ ms`));
    }
    expect(run.stdout).toMatch(
      /WaitForAdoption\s+Wait\s+waiting until \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \(\d+ s\)/,
    );
    expect(run.stdout).toContain('Execution cli-test-rotation-1: succeeded');
    expect(run.stdout).toMatch(/Outcome:\s+succeeded/);
    expect(run.stdout).toContain(`Legacy client:  ${env.demo.legacyClientId} (retired)`);
  }, 120_000);

  it('shows the rotated secret in status: kind, age, last outcome, nothing pending, no legacy client in grace', async () => {
    // Act: the state machine found by the stack's name (no --state-machine)
    const run = await cli('--json', 'status');
    const human = await cli('status');

    // Assess
    expect(run.code, run.stderr).toBe(0);
    const status = json(run) as { stateMachineArn: string; secrets: Array<Record<string, unknown>> };
    expect(status.stateMachineArn).toBe(env.stateMachineArn);
    expect(status.secrets.map((secret) => secret.name)).not.toContain('team/unmanaged');
    const demo = status.secrets.find((secret) => secret.name === DEMO_SECRET_NAME);
    expect(demo).toMatchObject({
      kind: 'oauth-client',
      environment: 'mypurecloud.ie',
      pendingVersionId: null,
      running: null,
      legacyInGrace: null,
      lastOutcome: { name: 'cli-test-rotation-1', outcome: 'succeeded', trigger: 'cli', mode: 'standard' },
    });
    expect(demo?.ageDays).toBeLessThan(1);
    expect(human.stdout).toMatch(
      /SECRET\s+KIND\s+AGE\s+LAST OUTCOME\s+NEXT ROTATION\s+PENDING\s+LEGACY IN GRACE/,
    );
    expect(human.stdout).toMatch(new RegExp(`${DEMO_SECRET_NAME}\\s+oauth-client\\s+0 d\\s+succeeded`));
  });

  it('lists the plan and the rotation in history, newest first, with outcomes and the new client', async () => {
    // Act
    const run = await cli('--json', 'history', DEMO_SECRET_NAME);

    // Assess
    expect(run.code, run.stderr).toBe(0);
    const entries = (json(run) as { executions: Array<Record<string, unknown>> }).executions;
    expect(entries.map((entry) => [entry.mode, entry.outcome])).toEqual([
      ['standard', 'succeeded'],
      ['dry-run', 'dry-run'],
    ]);
    expect(entries[0]).toMatchObject({
      name: 'cli-test-rotation-1',
      legacyClientId: env.demo.legacyClientId,
    });
    expect(entries[0]?.newClientId).toEqual(expect.any(String));
    expect(entries[0]?.newClientId).not.toBe(env.demo.legacyClientId);
    expect(entries[1]).toMatchObject({ reason: 'quarterly review', trigger: 'cli' });
  });

  it('refuses an emergency without --confirm naming the secret, before starting anything (exit 2)', async () => {
    // Prepare
    const before = await executionCount();

    // Act
    const unconfirmed = await cli('emergency', DEMO_SECRET_NAME);
    const wrongName = await cli('--json', 'emergency', DEMO_SECRET_NAME, '--confirm', 'genesys/other');

    // Assess
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toContain("Repeat the secret's name with --confirm <name> to proceed");
    expect(wrongName.code).toBe(2);
    expect(json(wrongName)).toMatchObject({ error: { name: 'ConfirmationRequiredError', exitCode: 2 } });
    expect(await executionCount()).toBe(before);
  });

  it('runs the confirmed emergency: a new client promoted at once, the leaked one disabled', async () => {
    // Prepare
    const leaked = (await cli('--json', 'history', DEMO_SECRET_NAME, '--limit', '1')).stdout;
    const leakedClientId = (JSON.parse(leaked) as { executions: Array<{ newClientId: string }> })
      .executions[0]?.newClientId;

    // Act
    const run = await cli(
      '--json',
      'emergency',
      DEMO_SECRET_NAME,
      '--confirm',
      DEMO_SECRET_NAME,
      '--reason',
      'leaked in a log',
    );

    // Assess
    expect(run.code, run.stderr).toBe(0);
    expect(json(run)).toMatchObject({
      command: 'emergency',
      outcome: 'succeeded',
      emergency: { leakedClientId, leakedClient: 'disabled' },
    });
    expect(env.genesys?.clients().find((client) => client.id === leakedClientId)?.state).toBe('disabled');
  }, 60_000);

  it('holds a rotation nobody adopts (exit 3): status shows the legacy client in grace, then held', async () => {
    // Act: start it, follow it by its name (the same execution), and read status beside it
    const executionsBefore = await executionCount();
    const started = await cli('--json', 'rotate', UNWATCHED_SECRET_NAME, '--name', 'cli-test-held');
    const following = cli('rotate', UNWATCHED_SECRET_NAME, '--follow', '--name', 'cli-test-held');
    let inGrace: Record<string, unknown> | null = null;
    for (let attempt = 0; attempt < 200 && inGrace === null; attempt++) {
      await sleep(100);
      const row = (
        json(await cli('--json', 'status')) as { secrets: Array<Record<string, unknown>> }
      ).secrets.find((secret) => secret.name === UNWATCHED_SECRET_NAME);
      if ((row?.legacyInGrace as { state?: string } | null)?.state === 'in-grace') inGrace = row ?? null;
    }
    const run = await following;
    const after = (
      json(await cli('--json', 'status')) as { secrets: Array<Record<string, unknown>> }
    ).secrets.find((secret) => secret.name === UNWATCHED_SECRET_NAME);

    // Assess
    expect(started.code).toBe(0);
    expect(json(started)).toMatchObject({ outcome: 'running', execution: { name: 'cli-test-held' } });
    expect(await executionCount()).toBe(executionsBefore + 1);
    expect(run.stdout).toContain('Execution cli-test-held: held');
    expect(run.code, run.stdout).toBe(3);
    expect(run.stdout).toMatch(
      /Outcome:\s+held \(no-evidence: 0 legacy requests since promotion, 0 of 2 reported days observed\)/,
    );
    expect(inGrace).toMatchObject({
      running: { execution: 'cli-test-held' },
      legacyInGrace: { state: 'in-grace', graceEndsAt: expect.any(String) },
    });
    const grace = inGrace?.legacyInGrace as { promotedAt: string; graceEndsAt: string };
    expect(Date.parse(grace.graceEndsAt) - Date.parse(grace.promotedAt)).toBe(15_000);
    expect(after).toMatchObject({
      running: null,
      lastOutcome: { outcome: 'held', hold: { reason: 'no-evidence', evidenceDaysRequired: 2 } },
      legacyInGrace: { state: 'held' },
    });
  }, 120_000);

  it('runs as a bin: --json status through AWS_ENDPOINT_URL and GENESYS_ROTATOR_STATE_MACHINE_ARN; bad usage exits 2', async () => {
    // Act
    const status = await bin(['--json', 'status']);
    const badUsage = await bin(['rotate', '--follow']);

    // Assess
    expect(status.code, status.stderr).toBe(0);
    expect(json(status)).toMatchObject({ command: 'status', stateMachineArn: env.stateMachineArn });
    expect(badUsage.code).toBe(2);
  }, 60_000);

  it('scans Genesys: a clean org exits 0; a managed secret pasted into a flow is named by place and ARN (exit 6)', async () => {
    // Prepare: the unwatched secret's value (a canary), as a careless flow author would paste it
    const clean = await cli('scan');
    const stored = await env.clients.secretsManager.send(
      new GetSecretValueCommand({ SecretId: UNWATCHED_SECRET_NAME }),
    );
    const pasted = (JSON.parse(stored.SecretString ?? '{}') as { clientSecret: string }).clientSecret;
    genesysOf(env).seed.flow({
      name: 'Billing IVR',
      type: 'inboundcall',
      configuration: { actions: [{ type: 'setVariable', variable: 'Flow.Token', value: `"${pasted}"` }] },
    });
    const unwatchedArn = (
      await env.clients.secretsManager.send(new GetSecretValueCommand({ SecretId: UNWATCHED_SECRET_NAME }))
    ).ARN;

    // Act
    const found = await cli('--json', 'scan');
    const human = await cli('scan', '--secret', UNWATCHED_SECRET_NAME);

    // Assess
    expect(clean.code, clean.stderr).toBe(0);
    expect(clean.stdout).toContain('No hard-coded secrets found.');
    expect(found.code, found.stderr).toBe(6);
    const report = json(found) as {
      command: string;
      findings: Array<Record<string, unknown>>;
      hardCodedSecretArns: string[];
    };
    expect(report.command).toBe('scan');
    expect(report.hardCodedSecretArns).toEqual([unwatchedArn]);
    expect(report.findings).toContainEqual(
      expect.objectContaining({
        kind: 'managed-secret-value',
        secretArn: unwatchedArn,
        location: expect.objectContaining({ source: 'flow', flowName: 'Billing IVR' }),
      }),
    );
    expect(human.code).toBe(6);
    expect(human.stdout).toContain('Billing IVR');
    expect(found.stdout).not.toContain(pasted);
  }, 60_000);
});
