import { describe, expect, it } from 'vitest';
import {
  flipToPendingKey,
  type PartnerKeyTarget,
  retireOldKey,
} from '../../../functions/core/partner-key/flip.js';
import type {
  ActionTestOutcome,
  DataActionCredentialsPort,
} from '../../../functions/shared/data-action-ports.js';
import { VerificationFailedError } from '../../../functions/shared/errors.js';
import type { KeyProviderPort } from '../../../functions/shared/key-provider.js';
import type { SecretStorePort } from '../../../functions/shared/ports.js';

const TOKEN = '0b3c7a4e-2f1d-4b8a-9c6e-5d4f3a2b1c0d';
const target: PartnerKeyTarget = {
  secretId: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:partner/orders-AbCdEf',
  credentialType: 'userDefined',
  env: 'dev',
  service: 'orders',
  integrationId: 'integration-1',
  credentialKey: 'userDefined',
  healthActionId: 'action-1',
};

/** Genesys as the port sees it: credential objects by name, one integration's references, a scripted test. */
class FakeIntegrations implements DataActionCredentialsPort {
  readonly credentials = new Map<string, string>([['old-credential', 'Integration-1']]);
  references: Record<string, string> = { userDefined: 'old-credential' };
  version = 1;
  tests: ActionTestOutcome[] = [];
  created = 0;

  async createCredential(input: { name: string }) {
    this.created += 1;
    const id = `credential-${this.created}`;
    this.credentials.set(id, input.name);
    return id;
  }
  async findCredentialByName(name: string) {
    return [...this.credentials].find(([, candidate]) => candidate === name)?.[0] ?? null;
  }
  async deleteCredential(id: string) {
    this.credentials.delete(id);
  }
  async credentialReferences() {
    return { version: this.version, credentials: { ...this.references } };
  }
  async setCredentialReference(_integrationId: string, key: string, credentialId: string) {
    this.references[key] = credentialId;
    this.version += 1;
    return this.version;
  }
  async testAction() {
    return this.tests.shift() ?? { success: true, status: null, message: null };
  }
}

const secrets = {
  getValue: async () =>
    JSON.stringify({ credentialType: 'userDefined', keyId: 'key-new', fields: { apiKey: 'new' } }),
} as unknown as SecretStorePort;

describe('flipToPendingKey (dual slot)', () => {
  it('on a retry after the flip, reuses its credential object and keeps the known previous one', async () => {
    // Prepare
    const integrations = new FakeIntegrations();
    const first = await flipToPendingKey({ secrets, integrations }, target, TOKEN);

    // Act
    const retried = await flipToPendingKey(
      { secrets, integrations },
      target,
      TOKEN,
      first.previousCredentialId,
    );

    // Assess
    expect(retried).toEqual(first);
    expect(integrations.created).toBe(1);
    expect(integrations.version).toBe(2);
  });

  it('refuses a retry after the flip when the previous credential object is not known', async () => {
    // Prepare
    const integrations = new FakeIntegrations();
    await flipToPendingKey({ secrets, integrations }, target, TOKEN);

    // Act
    const error = await flipToPendingKey({ secrets, integrations }, target, TOKEN).catch((thrown) => thrown);

    // Assess
    expect(error).toBeInstanceOf(VerificationFailedError);
  });

  it('flips back and deletes the new object when the action test fails, naming the test error but no value', async () => {
    // Prepare
    const integrations = new FakeIntegrations();
    integrations.tests = [{ success: false, status: 400, message: 'Response from web service: {} [401]' }];

    // Act
    const error = await flipToPendingKey({ secrets, integrations }, target, TOKEN).catch((thrown) => thrown);

    // Assess
    expect(error).toBeInstanceOf(VerificationFailedError);
    expect((error as Error).message).toContain('[401]');
    expect((error as Error).message).not.toContain('"new"');
    expect(integrations.references.userDefined).toBe('old-credential');
    expect([...integrations.credentials.keys()]).toEqual(['old-credential']);
  });
});

describe('retireOldKey', () => {
  it('refuses while the integration still references the old object, and revokes nothing', async () => {
    // Prepare
    const integrations = new FakeIntegrations();
    const revoked: string[] = [];
    const provider = {
      revoke: async ({ keyId }: { keyId: string }) => {
        revoked.push(keyId);
        return { keyId, revoked: true as const, alreadyRevoked: false };
      },
    } as unknown as KeyProviderPort;

    // Act
    const error = await retireOldKey({ provider, integrations }, target, {
      keyId: 'key-old',
      credentialId: 'old-credential',
    }).catch((thrown) => thrown);

    // Assess
    expect(error).toBeInstanceOf(VerificationFailedError);
    expect(revoked).toEqual([]);
    expect(integrations.credentials.has('old-credential')).toBe(true);
  });
});
