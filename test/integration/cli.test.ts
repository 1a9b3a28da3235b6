/**
 * `npm start` as a user runs it: a child process, its exit code and its `--json` summary line.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCAL_GENESYS_USAGE, REPO_ROOT } from '../../local/harness.js';
import { startAwsStandIn } from '../../local/standins/aws/index.js';
import { type GenesysStandIn, startGenesysStandIn } from '../../local/standins/genesys/index.js';

interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runStart(args: readonly string[], extraEnv: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [join(REPO_ROOT, 'node_modules/tsx/dist/cli.mjs'), 'local/start.ts', ...args],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, GENESYS_GATEWAY_URL: '', AWS_ENDPOINT_URL: '', ...extraEnv },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function lastLineJson(stdout: string): Record<string, unknown> {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1] ?? '{}') as Record<string, unknown>;
}

const SUMMARY_KEYS = [
  'outcome',
  'credential',
  'newClientId',
  'legacyClientId',
  'legacyRetired',
  'consumerFailedCalls',
  'genesysCalls',
  'awsCalls',
  'events',
  'wallMs',
];

/** An org in "another Genesys": an admin, a used target client, and the variables naming them for npm start. */
function seedExternalOrg(genesys: GenesysStandIn) {
  const role = genesys.seed.role('Reporting', ['analytics:conversationDetail:view']);
  const division = genesys.seed.division('Contact Centre');
  const pair = { roleId: role, divisionId: division };
  const admin = genesys.seed.adminClient({ extraRoleDivisions: [pair] });
  const target = genesys.seed.client({
    name: 'external-service',
    roleDivisions: [pair],
    pastUsage: { days: 7, requestsPerDay: 10 },
  });
  const variables = {
    GENESYS_GATEWAY_URL: genesys.url,
    GENESYS_ADMIN_CLIENT_ID: admin.clientId,
    GENESYS_ADMIN_CLIENT_SECRET: admin.clientSecret,
    GENESYS_TARGET_CLIENT_ID: target.clientId,
    GENESYS_TARGET_CLIENT_SECRET: target.clientSecret,
  };
  return { admin, target, variables };
}

describe('npm start', () => {
  it('rotates the demo client and prints the summary as one JSON object on the last line', async () => {
    // Act
    const run = await runStart(['--json']);

    // Assess
    expect(run.code).toBe(0);
    const summary = lastLineJson(run.stdout);
    for (const key of SUMMARY_KEYS) expect(summary, key).toHaveProperty(key);
    expect(summary.outcome).toBe('succeeded');
    expect(summary.consumerFailedCalls).toBe(0);
    expect(summary.legacyRetired).toBe(true);
    expect(summary.newClientId).not.toBe(summary.legacyClientId);
    expect(summary.events).toBeGreaterThanOrEqual(8);
    expect(run.stderr).toContain('RotationSucceeded');
  }, 120_000);

  it('rotates a partner API key with PARTNER_KEYS=1, summarised kind-neutrally: the key pair in `credential`, no OAuth client fields', async () => {
    // Act
    const run = await runStart(['--json'], { PARTNER_KEYS: '1' });

    // Assess
    expect(run.code, run.stderr).toBe(0);
    const summary = lastLineJson(run.stdout);
    const partnerKey = summary.partnerKey as {
      legacyKeyId: string;
      newKeyId: string;
      flowFailedCalls: number;
    };
    expect(summary.outcome).toBe('succeeded');
    expect(summary.credential).toEqual({
      kind: 'integration-credential',
      legacyId: partnerKey.legacyKeyId,
      newId: partnerKey.newKeyId,
      retired: true,
    });
    expect(partnerKey.newKeyId).not.toBe(partnerKey.legacyKeyId);
    expect(partnerKey.flowFailedCalls).toBe(0);
    expect(summary).toMatchObject({
      newClientId: null,
      legacyClientId: null,
      legacyRetired: null,
      legacyClientState: null,
    });
  }, 180_000);

  it('rotates through Secrets Manager RotateSecret with --trigger secretsmanager', async () => {
    // Act
    const run = await runStart(['--trigger', 'secretsmanager', '--json']);

    // Assess
    expect(run.code).toBe(0);
    const summary = lastLineJson(run.stdout);
    expect(summary).toMatchObject({
      outcome: 'succeeded',
      trigger: 'secretsmanager',
      consumerFailedCalls: 0,
    });
    expect(run.stderr).toContain('secretsmanager:finishSecret');
  }, 120_000);

  it('plans without changing anything on --dry-run, and refuses an unknown trigger with exit code 2', async () => {
    // Act
    const dryRun = await runStart(['--dry-run', '--json']);
    const badTrigger = await runStart(['--trigger', 'cron']);

    // Assess
    expect(dryRun.code).toBe(0);
    expect(lastLineJson(dryRun.stdout)).toMatchObject({
      outcome: 'dry-run',
      newClientId: null,
      legacyRetired: false,
    });
    expect(badTrigger.code).toBe(2);
    expect(badTrigger.stderr).toContain('--trigger must be');
  }, 120_000);

  it('rotates against a Genesys and an AWS given by GENESYS_GATEWAY_URL and AWS_ENDPOINT_URL', async () => {
    // Prepare: stand-ins of this process play "another Genesys" and "LocalStack". That Genesys runs the
    // demo's compressed usage days, and its target client has usage history (Validate refuses unused ones).
    const genesys = await startGenesysStandIn(LOCAL_GENESYS_USAGE);
    const aws = await startAwsStandIn();
    try {
      const { admin, target, variables } = seedExternalOrg(genesys);

      // Act
      const run = await runStart(['--json'], {
        ...variables,
        AWS_ENDPOINT_URL: aws.url,
      });

      // Assess
      expect(run.code, run.stderr).toBe(0);
      const summary = lastLineJson(run.stdout);
      expect(summary).toMatchObject({
        outcome: 'succeeded',
        legacyClientId: target.clientId,
        consumerFailedCalls: 0,
      });
      // Counted through the harness's proxy: the external Genesys keeps its own log.
      expect(summary.genesysCalls).toBeGreaterThan(0);
      expect(summary.genesysCallsByRoute).toHaveProperty(['POST /api/v2/oauth/clients']);
      const clients = genesys.clients();
      expect(clients.find((client) => client.id === summary.newClientId)?.state).toBe('active');
      const legacy = clients.find((client) => client.id === target.clientId);
      expect(legacy === undefined || legacy.deleted).toBe(true);
      const operations = new Set(aws.requestLog.map((request) => `${request.service}.${request.operation}`));
      for (const operation of [
        'secretsmanager.CreateSecret',
        'secretsmanager.PutSecretValue',
        'events.PutEvents',
      ]) {
        expect(operations, operation).toContain(operation);
      }
      expect(run.stdout + run.stderr).not.toContain(admin.clientSecret);
      expect(run.stdout + run.stderr).not.toContain(target.clientSecret);
    } finally {
      await Promise.all([genesys.close(), aws.close()]);
    }
  }, 120_000);
  it('exits 3 with outcome held and the figures when Genesys reports real UTC days: no evidence within a run ("does not include data for the current day", help.mypurecloud.com API Usage report)', async () => {
    // Prepare: an external Genesys reporting real days; the demo's compressed policy cannot change that.
    const genesys = await startGenesysStandIn();
    try {
      const { admin, target, variables } = seedExternalOrg(genesys);

      // Act
      const run = await runStart(['--json'], variables);

      // Assess
      expect(run.code, run.stderr).toBe(3);
      expect(run.stdout + run.stderr).not.toContain(admin.clientSecret);
      expect(lastLineJson(run.stdout)).toMatchObject({
        outcome: 'held',
        hold: {
          reason: 'no-evidence',
          daysObserved: 0,
          evidenceDaysRequired: 2,
          legacyRequestsSincePromotion: 0,
        },
        legacyClientState: 'active',
        consumerFailedCalls: 0,
      });
      expect(genesys.clients().find((client) => client.id === target.clientId)?.state).toBe('active');
    } finally {
      await genesys.close();
    }
  }, 120_000);
});
