/* biome-ignore-all lint/suspicious/noTemplateCurlyInString: Velocity templates, not JavaScript ones. */
import {
  CreateSecretCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fetchInventory } from '../../functions/core/fetch.js';
import {
  HardCodedSecretRefusedError,
  type PageRequest,
  runScan,
  type ScanSourcePort,
} from '../../functions/core/scan/index.js';
import { formatScanReport } from '../../functions/core/scan/report.js';
import { SecretsManagerManagedSecrets } from '../../functions/shared/aws/managed-secrets.js';
import { SecretsManagerStore } from '../../functions/shared/aws/secrets-store.js';
import { clearAdminTokenCache, GenesysAdmin } from '../../functions/shared/genesys/admin.js';
import { GenesysScanSource } from '../../functions/shared/genesys/scan-source.js';
import type { ExecutionsPort } from '../../functions/shared/ports.js';
import type { AwsStandIn } from '../../local/standins/aws/index.js';
import { type GenesysStandIn, startGenesysStandIn } from '../../local/standins/genesys/index.js';
import { type StandInSession, startStandIn, stopStandIn } from '../helpers/aws-standin.js';
import { buildPolicy } from '../helpers/builders.js';

const ENVIRONMENT = 'mypurecloud.ie';
const retry = { maxAttempts: 4, maxRetryTimeMs: 10_000, defaultRetryAfterMs: 50, timeoutMs: 5_000 };
/** Unique values planted in Genesys: none may ever appear in a report. */
const PARTNER_KEY_CURRENT = 'canary-partner-key-current-7Hq2Lx9Vb4';
const PARTNER_KEY_PREVIOUS = 'canary-partner-key-previous-3Kd8Mz1Wc6';

let genesys: GenesysStandIn;
let aws: StandInSession<SecretsManagerClient>;
let admin: { clientId: string; clientSecret: string };
let legacy: { clientId: string; clientSecret: string };
let oauthSecretArn: string;
let partnerSecretArn: string;
let planted: {
  bearerActionId: string;
  urlKeyActionId: string;
  cleanActionId: string;
  authActionId: string;
  draftId: string;
  flowId: string;
  integrationId: string;
  credentialId: string;
};
let retries: Array<{ path: string; status: number | null; waitMs: number }>;

function scanSource(): GenesysScanSource {
  return new GenesysScanSource({
    credential: { ...admin, environment: ENVIRONMENT },
    gatewayUrl: genesys.url,
    retry,
    onRetry: (event) => retries.push({ path: event.path, status: event.status, waitMs: event.waitMs }),
  });
}

function awsOf(): AwsStandIn {
  return aws.standIn;
}

async function createManagedSecret(name: string, value: string, kind: string): Promise<string> {
  const created = await aws.client.send(
    new CreateSecretCommand({
      Name: name,
      SecretString: value,
      Tags: [
        { Key: 'genesys:kind', Value: kind },
        { Key: 'genesys:environment', Value: ENVIRONMENT },
        { Key: 'genesys:org-id', Value: genesys.orgId },
      ],
    }),
  );
  return created.ARN ?? '';
}

beforeAll(async () => {
  genesys = await startGenesysStandIn();
  aws = await startStandIn(SecretsManagerClient);
  admin = genesys.seed.adminClient();
  legacy = genesys.seed.client({
    name: 'contact-centre-service',
    roleDivisions: [],
    pastUsage: { days: 3, requestsPerDay: 10 },
  });

  oauthSecretArn = await createManagedSecret(
    'contact-centre/genesys-client',
    JSON.stringify({ ...legacy, environment: ENVIRONMENT }),
    'oauth-client',
  );
  partnerSecretArn = await createManagedSecret(
    'contact-centre/partner-key',
    JSON.stringify({ apiKey: PARTNER_KEY_PREVIOUS }),
    'integration-credential',
  );
  // The partner key was rotated once: the old key is AWSPREVIOUS.
  await aws.client.send(
    new PutSecretValueCommand({
      SecretId: partnerSecretArn,
      SecretString: JSON.stringify({ apiKey: PARTNER_KEY_CURRENT }),
    }),
  );
  // Not managed (no genesys:kind tag): never compared.
  await aws.client.send(
    new CreateSecretCommand({ Name: 'unrelated', SecretString: 'unrelated-value-123456' }),
  );

  const seeded = genesys.seed.integration({
    name: 'Weather partner',
    credential: { type: 'userDefined', fields: { apiKey: PARTNER_KEY_CURRENT } },
    actionName: 'Clean action',
    actionConfig: {
      request: {
        requestUrlTemplate: 'https://partner.example.com/weather?q=${input.city}&APPID=${credentials.apiKey}',
        requestType: 'GET',
        headers: { Authorization: 'Bearer ${credentials.apiKey}', 'x-api-key': '${credentials.apiKey}' },
        requestTemplate: '{"password": "${credentials.password}"}',
      },
      response: { translationMap: {}, successTemplate: '${rawResult}' },
    },
  });
  const bearerActionId = genesys.seed.action({
    integrationId: seeded.integrationId,
    name: 'Literal bearer',
    config: {
      request: {
        requestUrlTemplate: 'https://partner.example.com/orders',
        requestType: 'GET',
        headers: { Authorization: 'Bearer 9fK2mQ7xL4pW8zR1tY5uB3nV' },
      },
    },
  });
  const urlKeyActionId = genesys.seed.action({
    integrationId: seeded.integrationId,
    name: 'Key in URL',
    config: {
      request: {
        requestUrlTemplate: 'https://partner.example.com/v2?api_key=Zx81Qw72Er63Ty54',
        requestType: 'GET',
      },
    },
  });
  const authActionId = genesys.seed.authAction({
    integrationId: seeded.integrationId,
    name: 'Custom Auth',
    config: {
      request: {
        requestUrlTemplate: '${credentials.loginUrl}',
        requestType: 'POST',
        requestTemplate: `grant_type=client_credentials&client_secret=${legacy.clientSecret}`,
      },
    },
  });
  const draftId = genesys.seed.actionDraft({
    integrationId: seeded.integrationId,
    name: 'Draft with the old key',
    config: {
      request: {
        requestUrlTemplate: 'https://partner.example.com/x',
        headers: { 'X-Key': PARTNER_KEY_PREVIOUS },
      },
    },
  });
  const flowId = genesys.seed.flow({
    name: 'Main IVR',
    type: 'inboundcall',
    configuration: {
      name: 'Main IVR',
      actions: [
        { type: 'callData', dataActionId: seeded.actionId },
        { type: 'setVariable', variable: 'Flow.Secret', value: { expression: `"${legacy.clientSecret}"` } },
      ],
    },
  });
  planted = {
    bearerActionId,
    urlKeyActionId,
    cleanActionId: seeded.actionId,
    authActionId,
    draftId,
    flowId,
    integrationId: seeded.integrationId,
    credentialId: seeded.credentialId ?? '',
  };
});

afterAll(async () => {
  await genesys.close();
  await stopStandIn(aws);
});

afterEach(() => {
  genesys.faults.clear();
  clearAdminTokenCache();
  retries = [];
});

describe('hard-coded secret scan through the real SDK against the stand-ins (genesys-cloud-api.md §4.3-§4.5, §6.8)', () => {
  it('finds a literal Authorization header, a key in a URL, managed values in a flow, an auth action and a draft, and nothing on ${credentials.*}', async () => {
    // Act
    const report = await runScan(
      { source: scanSource(), secrets: new SecretsManagerManagedSecrets(aws.client) },
      { blastRadiusCredentialIds: [planted.credentialId] },
    );

    // Assess
    const where = report.findings.map((finding) => ({
      kind: finding.kind,
      id: finding.location.source === 'flow' ? finding.location.flowId : finding.location.actionId,
      secretArn: finding.secretArn,
      stages: finding.stages,
    }));
    expect(where).toEqual(
      expect.arrayContaining([
        { kind: 'literal-authorization-header', id: planted.bearerActionId, secretArn: null, stages: [] },
        { kind: 'key-in-url', id: planted.urlKeyActionId, secretArn: null, stages: [] },
        {
          kind: 'managed-secret-value',
          id: planted.flowId,
          secretArn: oauthSecretArn,
          stages: ['AWSCURRENT'],
        },
        // Listed only because the scan asks for includeAuthActions=true (§4.3).
        {
          kind: 'managed-secret-value',
          id: planted.authActionId,
          secretArn: oauthSecretArn,
          stages: ['AWSCURRENT'],
        },
        { kind: 'literal-token', id: planted.authActionId, secretArn: null, stages: [] },
        {
          kind: 'managed-secret-value',
          id: planted.draftId,
          secretArn: partnerSecretArn,
          stages: ['AWSPREVIOUS'],
        },
      ]),
    );
    expect(where.filter((finding) => finding.id === planted.cleanActionId)).toEqual([]);
    expect(report.hardCodedSecretArns).toEqual([oauthSecretArn, partnerSecretArn].sort());
    expect(report.scanned).toMatchObject({ drafts: 1, flows: 1, managedSecrets: 2 });
    expect(report.complete).toBe(true);
    const flowFinding = report.findings.find((finding) => finding.location.source === 'flow');
    expect(flowFinding?.location).toMatchObject({
      flowName: 'Main IVR',
      path: '$.actions[1].value.expression',
    });
    // Blast radius: credential -> its integration -> the integration's actions -> the flow calling one.
    expect(report.blastRadius).toMatchObject({
      integrations: { count: 1, ids: [planted.integrationId] },
      actions: { count: 4 },
      flows: { count: 1, ids: [planted.flowId] },
      complete: true,
    });
  });

  it('never puts a secret value in the report, JSON or human (canary check)', async () => {
    // Act
    const report = await runScan({
      source: scanSource(),
      secrets: new SecretsManagerManagedSecrets(aws.client),
    });
    const outputs = [JSON.stringify(report), formatScanReport(report)];

    // Assess
    expect(report.findings.length).toBeGreaterThan(0);
    for (const output of outputs) {
      for (const value of [
        legacy.clientSecret,
        PARTNER_KEY_CURRENT,
        PARTNER_KEY_PREVIOUS,
        '9fK2mQ7xL4pW8zR1tY5uB3nV',
        'Zx81Qw72Er63Ty54',
        admin.clientSecret,
      ]) {
        expect(output.includes(value), 'a planted value leaked into the report').toBe(false);
      }
    }
  });

  it('reads every page of a listing of more than one page (§4.4 paged listings)', async () => {
    // Prepare
    const extra = Array.from({ length: 7 }, (_, index) =>
      genesys.seed.flow({ name: `Paged flow ${index}`, type: 'inqueuecall' }),
    );
    const source = scanSource();
    const flowPages: PageRequest[] = [];
    const counting: ScanSourcePort = {
      ...bind(source),
      listFlows: (page) => {
        flowPages.push(page);
        return source.listFlows(page);
      },
    };

    // Act
    const report = await runScan({ source: counting }, { pageSize: 3 });

    // Assess: 8 flows at 3 per page.
    expect(report.scanned.flows).toBe(1 + extra.length);
    expect(flowPages.map((page) => page.pageNumber)).toEqual([1, 2, 3]);
    expect(report.complete).toBe(true);
  });

  it('answers a 429 by waiting Retry-After and retrying (§3)', async () => {
    // Prepare
    genesys.faults.add({
      route: 'GET /api/v2/flows/{flowId}/latestconfiguration',
      nth: 1,
      status: 429,
      headers: { 'retry-after': '1' },
      body: {
        message: 'Rate limit exceeded the maximum. Retry the request in [1] seconds',
        code: 'too.many.requests.retry.after',
        status: 429,
      },
    });

    // Act
    const report = await runScan({ source: scanSource() }, { drafts: false });

    // Assess
    expect(retries).toEqual([
      {
        path: expect.stringMatching(/^\/api\/v2\/flows\/[^/]+\/latestconfiguration$/),
        status: 429,
        waitMs: 1000,
      },
    ]);
    expect(report.complete).toBe(true);
    expect(report.findings.some((finding) => finding.location.source === 'flow')).toBe(false);
  });
});

describe('a rotation whose managed value is hard-coded is refused (issue #10 part 5)', () => {
  function deps(store: SecretsManagerStore) {
    const executions: ExecutionsPort = {
      start: () => Promise.reject(new Error('not used')),
      describeByName: async () => null,
      completedStates: async () => [],
      runningFor: async () => [],
    };
    return {
      secrets: store,
      genesys: new GenesysAdmin({
        credential: { ...admin, environment: ENVIRONMENT },
        gatewayUrl: genesys.url,
        retry,
      }),
      executions,
      policy: buildPolicy(),
      clock: { now: () => new Date(), sleep: async () => undefined },
      admin: {
        secretArn: 'arn:aws:secretsmanager:eu-west-1:000000000000:secret:genesys-rotator/admin',
        environment: ENVIRONMENT,
      },
      hardCodedSecrets: { source: scanSource(), secrets: store },
    };
  }

  it('refuses with HardCodedSecretRefusedError naming the places and the ARN, not the value, and changes nothing', async () => {
    // Prepare
    const store = new SecretsManagerStore(aws.client);
    const versionsBefore = awsOf().secretsManager.versions(oauthSecretArn);
    const clientsBefore = genesys.clients();
    const writes = () =>
      genesys.requestLog.filter(
        (request) => request.method !== 'GET' && request.route !== 'POST /oauth/token',
      ).length;
    const writesBefore = writes();

    // Act
    const error = await fetchInventory(deps(store), { secretId: oauthSecretArn }, 'execution-1').then(
      () => null,
      (thrown: unknown) => thrown,
    );

    // Assess
    expect(error).toBeInstanceOf(HardCodedSecretRefusedError);
    const refusal = error as HardCodedSecretRefusedError;
    expect(refusal.name).toBe('HardCodedSecretRefusedError');
    expect(refusal.code).toBe('HARD_CODED_SECRET');
    expect(refusal.message).toContain(oauthSecretArn);
    expect(refusal.message).toContain(planted.flowId);
    expect(refusal.message).toContain(planted.authActionId);
    expect(refusal.message.includes(legacy.clientSecret)).toBe(false);
    expect(JSON.stringify(refusal.details).includes(legacy.clientSecret)).toBe(false);
    expect(awsOf().secretsManager.versions(oauthSecretArn)).toEqual(versionsBefore);
    expect(genesys.clients()).toEqual(clientsBefore);
    // Token grants aside, the check only reads.
    expect(writes()).toBe(writesBefore);
  });

  it('proceeds with "allowHardCodedSecret": true (explicit opt-out)', async () => {
    // Act
    const state = await fetchInventory(
      deps(new SecretsManagerStore(aws.client)),
      { secretId: oauthSecretArn, allowHardCodedSecret: true },
      'execution-2',
    );

    // Assess
    expect(state.inventory?.legacyClient.id).toBe(legacy.clientId);
  });
});

/** The port's methods bound to the adapter, so a test can replace one. */
function bind(source: GenesysScanSource): ScanSourcePort {
  return {
    listActions: (page) => source.listActions(page),
    listActionDrafts: (page) => source.listActionDrafts(page),
    getActionDraft: (id) => source.getActionDraft(id),
    listFlows: (page) => source.listFlows(page),
    flowConfiguration: (id) => source.flowConfiguration(id),
    listIntegrations: (page) => source.listIntegrations(page),
    integrationCredentialIds: (id) => source.integrationCredentialIds(id),
    flowsConsumingAction: (id, page) => source.flowsConsumingAction(id, page),
  };
}

describe('the scan under the per-token rate limit (genesys-cloud-api.md §3)', () => {
  let limited: GenesysStandIn;
  let limitedAdmin: { clientId: string; clientSecret: string };
  const LIMIT = 12;

  beforeAll(async () => {
    limited = await startGenesysStandIn({ rateLimitPerMinute: LIMIT });
    limitedAdmin = limited.seed.adminClient();
    for (let index = 0; index < 20; index += 1) limited.seed.flow({ name: `Flow ${index}` });
  });
  afterAll(async () => {
    await limited.close();
  });

  /** The adapter's waits move the stand-in's clock: a minute-long Retry-After costs no real time. */
  function limitedSource(requestsPerMinute: number, seen: Array<number | null>): GenesysScanSource {
    return new GenesysScanSource({
      credential: { ...limitedAdmin, environment: ENVIRONMENT },
      gatewayUrl: limited.url,
      retry: { maxAttempts: 6, maxRetryTimeMs: 300_000, defaultRetryAfterMs: 3_000, timeoutMs: 5_000 },
      clock: {
        now: () => limited.clock.now(),
        sleep: async (ms) => {
          limited.clock.advance(ms);
        },
      },
      requestsPerMinute,
      onRetry: (event) => seen.push(event.status),
    });
  }

  it('completes through real 429s by waiting their Retry-After', async () => {
    // Prepare
    const seen: Array<number | null> = [];
    limited.clock.advance(120_000);

    // Act: no pacing to speak of, so the stand-in's limit answers 429.
    const report = await runScan({ source: limitedSource(1_000, seen) }, { concurrency: 4 });

    // Assess
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((status) => status === 429)).toBe(true);
    expect(report.complete).toBe(true);
    expect(report.scanned.flows).toBe(20);
  });

  it('paced under the limit, meets no 429 at all', async () => {
    // Prepare
    const seen: Array<number | null> = [];
    limited.clock.advance(120_000);
    const before = limited.requestLog.length;

    // Act
    const report = await runScan({ source: limitedSource(LIMIT - 2, seen) }, { concurrency: 4 });

    // Assess
    expect(seen).toEqual([]);
    expect(limited.requestLog.slice(before).filter((request) => request.status === 429)).toEqual([]);
    expect(report.complete).toBe(true);
    expect(report.scanned.flows).toBe(20);
  });
});
