import { describe, expect, it } from 'vitest';
import { regenerateInPlace, rotateInEmergency } from '../../../functions/core/emergency.js';
import { parseOAuthSecretValue } from '../../../functions/core/secret-value.js';
import { TransientUpstreamError } from '../../../functions/shared/errors.js';
import {
  CURRENT_VERSION_ID,
  LEGACY_CLIENT_ID,
  LEGACY_SECRET,
  NOW,
  SECRET_ARN,
  TOKEN,
  world,
} from '../../helpers/builders.js';

describe('regenerateInPlace', () => {
  it('regenerates the legacy client secret and makes it AWSCURRENT at once', async () => {
    // Prepare
    const w = world({ mode: 'emergency' });

    // Act
    const result = await regenerateInPlace(w, w.state);

    // Assess
    expect(result).toEqual({
      strategy: 'regenerate',
      clientId: LEGACY_CLIENT_ID,
      leakedClientId: LEGACY_CLIENT_ID,
      leakedClient: 'regenerated',
      versionId: TOKEN,
      promotedAt: NOW,
    });
    expect(w.secrets.stagesOf(SECRET_ARN, TOKEN)).toEqual(['AWSCURRENT']);
    expect(w.secrets.stagesOf(SECRET_ARN, CURRENT_VERSION_ID)).toEqual(['AWSPREVIOUS']);
    const current = parseOAuthSecretValue(await w.secrets.getValue(SECRET_ARN, {}), 'current');
    expect(current.clientId).toBe(LEGACY_CLIENT_ID);
    expect(current.clientSecret).not.toBe(LEGACY_SECRET);
    await expect(w.probe.probe(current)).resolves.toMatchObject({ clientId: LEGACY_CLIENT_ID });
    expect(w.genesys.clients.size).toBe(1);
  });

  it('regenerates only once when delivered again after success', async () => {
    // Prepare
    const w = world({ mode: 'emergency' });
    await regenerateInPlace(w, w.state);
    const secretAfterFirst = w.genesys.clients.get(LEGACY_CLIENT_ID)?.secret;

    // Act
    await regenerateInPlace(w, w.state);

    // Assess
    expect(w.genesys.callsOf('regenerateSecret')).toHaveLength(1);
    expect(w.genesys.clients.get(LEGACY_CLIENT_ID)?.secret).toBe(secretAfterFirst);
    expect(w.secrets.callsOf('promote')).toHaveLength(1);
  });

  it('finishes the promotion without regenerating again when it died after storing the new secret', async () => {
    // Prepare
    const w = world({ mode: 'emergency' });
    w.secrets.failNext('promote', new TransientUpstreamError('throttled'));
    await expect(regenerateInPlace(w, w.state)).rejects.toThrow(TransientUpstreamError);

    // Act
    await regenerateInPlace(w, w.state);

    // Assess
    expect(w.genesys.callsOf('regenerateSecret')).toHaveLength(1);
    expect(w.secrets.stagesOf(SECRET_ARN, TOKEN)).toEqual(['AWSCURRENT']);
    const current = parseOAuthSecretValue(await w.secrets.getValue(SECRET_ARN, {}), 'current');
    await expect(w.probe.probe(current)).resolves.toMatchObject({ clientId: LEGACY_CLIENT_ID });
  });

  it('leaves AWSCURRENT holding a working secret when it died after regenerating but before storing', async () => {
    // Prepare
    const w = world({ mode: 'emergency' });
    w.secrets.failNext('putPending', new TransientUpstreamError('timeout'));
    await expect(regenerateInPlace(w, w.state)).rejects.toThrow(TransientUpstreamError);

    // Act
    await regenerateInPlace(w, w.state);

    // Assess
    const current = parseOAuthSecretValue(await w.secrets.getValue(SECRET_ARN, {}), 'current');
    await expect(w.probe.probe(current)).resolves.toMatchObject({ clientId: LEGACY_CLIENT_ID });
    expect(w.secrets.versionWith(SECRET_ARN, 'AWSPENDING')).toBeNull();
  });
});

describe('rotateInEmergency, replace (the default)', () => {
  it('promotes a new client cloned from the leaked one at once, then disables the leaked client (genesys-cloud-api.md §1.2: disabled = "Access tokens created by the client are invalid")', async () => {
    // Prepare
    const w = world({ mode: 'emergency' });

    // Act
    const result = await rotateInEmergency(w, w.state);

    // Assess
    expect(result).toMatchObject({
      strategy: 'replace',
      leakedClientId: LEGACY_CLIENT_ID,
      leakedClient: 'disabled',
      versionId: TOKEN,
      promotedAt: NOW,
    });
    expect(result.clientId).not.toBe(LEGACY_CLIENT_ID);
    expect(w.secrets.stagesOf(SECRET_ARN, TOKEN)).toEqual(['AWSCURRENT']);
    expect(w.secrets.stagesOf(SECRET_ARN, CURRENT_VERSION_ID)).toEqual(['AWSPREVIOUS']);
    const current = parseOAuthSecretValue(await w.secrets.getValue(SECRET_ARN, {}), 'current');
    expect(current.clientId).toBe(result.clientId);
    expect(w.genesys.clients.get(result.clientId)?.record.roleDivisions).toEqual(
      w.genesys.clients.get(LEGACY_CLIENT_ID)?.record.roleDivisions,
    );
    expect(w.genesys.clients.get(LEGACY_CLIENT_ID)?.record.state).toBe('disabled');
    expect(w.genesys.callsOf('setClientState')).toEqual([[LEGACY_CLIENT_ID, 'disabled']]);
    expect(w.genesys.callsOf('regenerateSecret')).toHaveLength(0);
  });

  it('makes one client and disables once when delivered again after it died after promoting', async () => {
    // Prepare
    const w = world({ mode: 'emergency' });
    const first = await rotateInEmergency(w, w.state);

    // Act
    const again = await rotateInEmergency(w, w.state);

    // Assess
    expect(again.clientId).toBe(first.clientId);
    expect(w.genesys.callsOf('createClient')).toHaveLength(1);
    expect(w.secrets.callsOf('promote')).toHaveLength(1);
    expect(w.genesys.clients.size).toBe(2);
  });

  it('regenerates in place only when the input asks for it', async () => {
    // Prepare
    const w = world({ mode: 'emergency' });

    // Act
    const result = await rotateInEmergency(w, { ...w.state, emergencyStrategy: 'regenerate' });

    // Assess
    expect(result.strategy).toBe('regenerate');
    expect(w.genesys.callsOf('createClient')).toHaveLength(0);
    expect(w.genesys.callsOf('regenerateSecret')).toHaveLength(1);
  });
});
