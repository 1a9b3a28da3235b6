/* biome-ignore-all lint/suspicious/noTemplateCurlyInString: Velocity templates, not JavaScript ones. */
import platformClient from 'purecloud-platform-client-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GenesysStandIn, startGenesysStandIn } from '../../local/standins/genesys/index.js';
import { loggedInSdkClient } from '../../local/standins/genesys/sdk-session.js';

describe('Genesys stand-in flows, dependency tracking, drafts and auth actions through the SDK (genesys-cloud-api.md §4.3, §4.4)', () => {
  let standIn: GenesysStandIn;
  let integrations: platformClient.IntegrationsApi;
  let architect: platformClient.ArchitectApi;
  let seeded: { integrationId: string; actionId: string };
  let authActionId: string;
  let draftId: string;
  let flowIds: string[];

  beforeAll(async () => {
    standIn = await startGenesysStandIn();
    const admin = standIn.seed.adminClient();
    const sdk = await loggedInSdkClient(standIn.gateway, admin.clientId, admin.clientSecret);
    integrations = new platformClient.IntegrationsApi(sdk);
    architect = new platformClient.ArchitectApi(sdk);
    seeded = standIn.seed.integration({
      credential: { type: 'userDefined', fields: { apiKey: 'k-1234567890' } },
    });
    authActionId = standIn.seed.authAction({
      integrationId: seeded.integrationId,
      name: 'Custom Auth',
      config: { request: { requestUrlTemplate: '${credentials.loginUrl}', requestType: 'POST' } },
    });
    draftId = standIn.seed.actionDraft({
      integrationId: seeded.integrationId,
      actionId: seeded.actionId,
      name: 'Edited',
      config: { request: { requestUrlTemplate: 'https://partner.example.com/v2', requestType: 'GET' } },
    });
    flowIds = Array.from({ length: 30 }, (_, index) =>
      standIn.seed.flow({
        name: `Flow ${index}`,
        type: index % 2 === 0 ? 'inboundcall' : 'workflow',
        ...(index < 2 ? { dataActionIds: [seeded.actionId] } : {}),
      }),
    );
  });
  afterAll(async () => {
    await standIn.close();
  });

  it('lists auth actions only with includeAuthActions=true, configs only with includeConfig=true (§4.3, §4.4)', async () => {
    const plain = await integrations.getIntegrationsActions({ includeConfig: true });
    const withAuth = await integrations.getIntegrationsActions({ includeAuthActions: 'true' });
    expect(plain.entities?.map((action) => action.id)).toEqual([seeded.actionId]);
    expect(plain.entities?.[0]?.config).toBeDefined();
    expect(withAuth.entities?.map((action) => action.id).sort()).toEqual(
      [seeded.actionId, authActionId].sort(),
    );
    expect(withAuth.entities?.every((action) => action.config === undefined)).toBe(true);
  });

  it('serves drafts as a listing and by action id, with config only on request (§4.4)', async () => {
    const listing = await integrations.getIntegrationsActionsDrafts({ includeConfig: true });
    const single = await integrations.getIntegrationsActionDraft(draftId);
    const withConfig = await integrations.getIntegrationsActionDraft(draftId, { includeConfig: true });
    expect(listing.entities?.map((draft) => draft.id)).toEqual([seeded.actionId]);
    expect(listing.entities?.[0]?.config?.request?.requestUrlTemplate).toBe('https://partner.example.com/v2');
    expect(single.config).toBeUndefined();
    expect(withConfig.config?.request?.requestUrlTemplate).toBe('https://partner.example.com/v2');
    await expect(integrations.getIntegrationsActionDraft('custom_-_missing')).rejects.toMatchObject({
      status: 404,
    });
  });

  it('pages flows 25 at a time by default, filters by type, and serves the latest configuration (§4.4)', async () => {
    const first = await architect.getFlows();
    const second = await architect.getFlows({ pageNumber: 2 });
    const workflows = await architect.getFlows({ type: ['workflow'], pageSize: 100 });
    const configuration = (await architect.getFlowLatestconfiguration(flowIds[0] ?? '')) as { name?: string };
    expect(first).toMatchObject({ pageSize: 25, pageNumber: 1, total: 30, pageCount: 2 });
    expect(first.entities).toHaveLength(25);
    expect(second.entities).toHaveLength(5);
    expect(workflows.entities?.every((flow) => flow.type === 'workflow')).toBe(true);
    expect(workflows.total).toBe(15);
    expect(configuration.name).toBe('Flow 0');
    await expect(architect.getFlowLatestconfiguration('missing')).rejects.toMatchObject({ status: 404 });
  });

  it('answers dependency tracking: the flows consuming a Data Action (§4.4)', async () => {
    const consumers = await architect.getArchitectDependencytrackingConsumingresources(
      seeded.actionId,
      'DATAACTION',
    );
    const none = await architect.getArchitectDependencytrackingConsumingresources(authActionId, 'DATAACTION');
    expect(consumers.entities?.map((dependency) => dependency.id).sort()).toEqual(flowIds.slice(0, 2).sort());
    expect(consumers.entities?.map((dependency) => dependency.type).sort()).toEqual([
      'INBOUNDCALLFLOW',
      'WORKFLOW',
    ]);
    expect(none).toMatchObject({ entities: [], total: 0 });
  });
});
