/**
 * End to end through the synthesized state machine: a managed secret whose value is hard-coded in an
 * Architect flow is refused by Fetch (HARD_CODED_SECRET, issue #10 part 5) with a `Rotation Refused`
 * event naming the place and the secret ARN, never the value, and nothing changes; the execution
 * input's `allowHardCodedSecret: true` is the explicit opt-out.
 */
import { TagResourceCommand } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { TAG_CREDENTIAL_IDS } from '../../functions/shared/blast-radius-schema.js';
import { DETAIL_TYPE, STATE } from '../../infra/constructs/rotation-state-machine.js';
import type { LocalEnvironment } from '../../local/harness.js';
import {
  caughtError,
  enteredStates,
  eventsOf,
  executionHistory,
  genesysOf,
  mutatingGenesysCalls,
  onlyEvent,
  readCredential,
  snapshotWorld,
  startConsumer,
  useFastEnvironments,
} from '../helpers/local.js';

const { start } = useFastEnvironments();

async function plantInFlow(local: LocalEnvironment): Promise<{ flowId: string; clientSecret: string }> {
  const current = await readCredential(local, { stage: 'AWSCURRENT' });
  const flowId = genesysOf(local).seed.flow({
    name: 'Legacy IVR',
    configuration: {
      actions: [{ type: 'setVariable', variable: 'Flow.Token', value: `"${current.clientSecret}"` }],
    },
  });
  return { flowId, clientSecret: current.clientSecret };
}

describe('a rotation whose value is hard-coded in Genesys, end to end (genesys-cloud-api.md §4.4, §6.8)', () => {
  it('is refused with HardCodedSecretRefusedError naming the flow and the ARN, leaking nothing, changing nothing', async () => {
    // Prepare
    const local = await start();
    await startConsumer(local);
    const planted = await plantInFlow(local);
    const arns = [local.managedSecretArn, local.adminSecretArn];
    const before = snapshotWorld(local, arns);
    const logStart = genesysOf(local).requestLog.length;

    // Act
    const executionArn = await local.startExecution({ secretId: local.managedSecretArn });
    const result = await local.waitForExecution(executionArn);

    // Assess
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('HardCodedSecretRefusedError');
    expect(mutatingGenesysCalls(local, logStart)).toEqual([]);
    expect(snapshotWorld(local, arns)).toEqual(before);
    const events = eventsOf(local, executionArn);
    expect(events.map((event) => event.detailType)).toEqual([DETAIL_TYPE.refused]);
    const error = caughtError(onlyEvent(events, DETAIL_TYPE.refused).detail);
    expect(error.name).toBe('HardCodedSecretRefusedError');
    expect(error.message).toContain(planted.flowId);
    expect(error.message).toContain(local.managedSecretArn);
    const history = await executionHistory(local, executionArn);
    expect(JSON.stringify(history).includes(planted.clientSecret), 'the value leaked into the history').toBe(
      false,
    );
    expect(JSON.stringify(events).includes(planted.clientSecret), 'the value leaked into an event').toBe(
      false,
    );
    expect(enteredStates(history)).not.toContain(STATE.Create);
  });

  it('proceeds when the execution input says "allowHardCodedSecret": true (dry run)', async () => {
    // Prepare
    const local = await start();
    await startConsumer(local);
    await plantInFlow(local);

    // Act
    const executionArn = await local.startExecution({
      secretId: local.managedSecretArn,
      dryRun: true,
      allowHardCodedSecret: true,
    });
    const result = await local.waitForExecution(executionArn);

    // Assess
    expect(result.status, `${result.error}: ${result.cause}`).toBe('SUCCEEDED');
    expect(eventsOf(local, executionArn).map((event) => event.detailType)).toEqual([DETAIL_TYPE.planned]);
  });

  it('puts the blast radius of the credentials the secret feeds in the dry-run plan and its event (issue #10 part 6)', async () => {
    // Prepare: a partner integration whose credential the secret feeds, two actions, a flow calling one.
    const local = await start();
    await startConsumer(local);
    const genesys = genesysOf(local);
    const seeded = genesys.seed.integration({
      name: 'Genesys Data Actions',
      credential: { type: 'userDefined', fields: { apiKey: 'not-the-managed-value' } },
    });
    const second = genesys.seed.action({ integrationId: seeded.integrationId, name: 'Second' });
    const flowId = genesys.seed.flow({ name: 'Calls the action', dataActionIds: [second] });
    await local.clients.secretsManager.send(
      new TagResourceCommand({
        SecretId: local.managedSecretArn,
        Tags: [{ Key: TAG_CREDENTIAL_IDS, Value: seeded.credentialId ?? '' }],
      }),
    );

    // Act
    const executionArn = await local.startExecution({ secretId: local.managedSecretArn, dryRun: true });
    const result = await local.waitForExecution(executionArn);

    // Assess
    expect(result.status, `${result.error}: ${result.cause}`).toBe('SUCCEEDED');
    const planned = onlyEvent(eventsOf(local, executionArn), DETAIL_TYPE.planned).detail;
    expect((planned.plan as { blastRadius?: unknown }).blastRadius).toEqual({
      credentialIds: [seeded.credentialId],
      integrations: { count: 1, ids: [seeded.integrationId], truncated: false },
      actions: { count: 2, ids: [seeded.actionId, second].sort(), truncated: false },
      flows: { count: 1, ids: [flowId], truncated: false },
      complete: true,
    });
  });
});
