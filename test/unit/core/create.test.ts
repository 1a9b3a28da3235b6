import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createPendingClient } from '../../../functions/core/create.js';
import { parseOAuthSecretValue } from '../../../functions/core/secret-value.js';
import { RotationInProgressError, TransientUpstreamError } from '../../../functions/shared/errors.js';
import {
  CURRENT_VERSION_ID,
  LEGACY_CLIENT_ID,
  LEGACY_ROLES,
  SECRET_ARN,
  TOKEN,
  type World,
  world,
} from '../../helpers/builders.js';

function newClients(w: World) {
  return [...w.genesys.clients.values()].filter((client) => client.record.id !== LEGACY_CLIENT_ID);
}

function pendingValue(w: World) {
  return parseOAuthSecretValue(w.secrets.version(SECRET_ARN, TOKEN)?.value ?? null, 'pending');
}

describe('createPendingClient', () => {
  it('creates one client cloned from the plan and stores its credential as AWSPENDING under the token', async () => {
    // Prepare
    const w = world();

    // Act
    const created = await createPendingClient(w, w.state);

    // Assess
    const clients = newClients(w);
    expect(clients).toHaveLength(1);
    const [client] = clients;
    expect(client?.record).toMatchObject({
      name: `Billing service [rotated ${TOKEN}]`,
      roleDivisions: LEGACY_ROLES,
      accessTokenValiditySeconds: 86_400,
    });
    expect(client?.record.description).toContain(TOKEN);
    expect(created).toEqual({
      credential: { newId: client?.record.id },
      newClientId: client?.record.id,
      newClientName: client?.record.name,
      versionId: TOKEN,
      reused: false,
    });
    expect(w.secrets.stagesOf(SECRET_ARN, TOKEN)).toEqual(['AWSPENDING']);
    expect(w.secrets.stagesOf(SECRET_ARN, CURRENT_VERSION_ID)).toEqual(['AWSCURRENT']);
    expect(pendingValue(w)).toEqual({
      clientId: client?.record.id,
      clientSecret: client?.secret,
      environment: 'mypurecloud.ie',
    });
  });

  it('fills the value-less placeholder Secrets Manager made for a native rotation', async () => {
    // Prepare
    const w = world({ trigger: 'secretsmanager' });

    // Act
    await createPendingClient(w, w.state);

    // Assess
    expect(w.secrets.stagesOf(SECRET_ARN, TOKEN)).toEqual(['AWSPENDING']);
    expect(pendingValue(w).clientId).toBe(newClients(w)[0]?.record.id);
  });

  it('reuses what an earlier attempt stored when called again: one client, same value', async () => {
    // Prepare
    const w = world();
    const first = await createPendingClient(w, w.state);
    const storedBefore = w.secrets.version(SECRET_ARN, TOKEN)?.value;

    // Act
    const second = await createPendingClient(w, w.state);

    // Assess
    expect(newClients(w)).toHaveLength(1);
    expect(second).toMatchObject({ newClientId: first.newClientId, versionId: TOKEN, reused: true });
    expect(w.secrets.version(SECRET_ARN, TOKEN)?.value).toBe(storedBefore);
    expect(w.genesys.callsOf('createClient')).toHaveLength(1);
    expect(w.genesys.callsOf('regenerateSecret')).toHaveLength(0);
  });

  it('after dying between creating the client and storing its secret, a retry finds that client and stores a fresh secret', async () => {
    // Prepare
    const w = world();
    w.secrets.failNext('putPending', new TransientUpstreamError('Lambda timed out'));
    await expect(createPendingClient(w, w.state)).rejects.toThrow(TransientUpstreamError);
    const orphan = newClients(w)[0];
    const lostSecret = orphan?.secret;

    // Act
    const created = await createPendingClient(w, w.state);

    // Assess
    expect(newClients(w)).toHaveLength(1);
    expect(created.newClientId).toBe(orphan?.record.id);
    expect(created.reused).toBe(true);
    const stored = pendingValue(w);
    expect(stored.clientId).toBe(orphan?.record.id);
    expect(stored.clientSecret).not.toBe(lostSecret);
    expect(stored.clientSecret).toBe(w.genesys.clients.get(created.newClientId)?.secret);
  });

  it('refuses while another rotation holds a pending version, and creates nothing', async () => {
    // Prepare
    const w = world();
    w.secrets.startNativeRotation(SECRET_ARN, 'ffffffff-0000-4000-8000-ffffffffffff');

    // Act
    const act = createPendingClient(w, w.state);

    // Assess
    await expect(act).rejects.toThrow(RotationInProgressError);
    await expect(act).rejects.toThrow('ffffffff-0000-4000-8000-ffffffffffff');
    expect(w.genesys.callsOf('createClient')).toHaveLength(0);
    expect(newClients(w)).toHaveLength(0);
    expect(w.secrets.version(SECRET_ARN, TOKEN)).toBeNull();
  });

  it('whatever fails and however often it is retried, ends with exactly one new client whose stored secret works', async () => {
    // Prepare
    const faults = fc.array(
      fc.constantFrom('putPending', 'createClient', 'regenerateSecret', 'listClients', 'describe'),
      {
        maxLength: 4,
      },
    );

    // Act + Assess
    await fc.assert(
      fc.asyncProperty(faults, fc.integer({ min: 1, max: 3 }), async (failures, extraCalls) => {
        const w = world();
        for (const method of failures) {
          const error = new TransientUpstreamError(`${method} failed`);
          if (method === 'putPending' || method === 'describe') w.secrets.failNext(method, error);
          else w.genesys.failNext(method, error);
        }
        let successes = 0;
        for (let attempt = 0; attempt < 20 && successes < extraCalls; attempt += 1) {
          try {
            await createPendingClient(w, w.state);
            successes += 1;
          } catch (error) {
            expect(error).toBeInstanceOf(TransientUpstreamError);
          }
        }
        expect(successes).toBe(extraCalls);
        const clients = newClients(w);
        expect(clients).toHaveLength(1);
        const stored = pendingValue(w);
        expect(stored.clientId).toBe(clients[0]?.record.id);
        await expect(w.probe.probe(stored)).resolves.toMatchObject({ clientId: clients[0]?.record.id });
      }),
      { numRuns: 100 },
    );
  });
});
