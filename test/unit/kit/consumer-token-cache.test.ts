/**
 * The consumer kit's cache, narrowly: single-flight reads and mints, the Powertools max age, token
 * expiry, invalidation, one retry on refusal. Secrets Manager is `aws-sdk-client-mock`; the minter is
 * a fake. The same behaviours through the real SDKs and stand-ins: test/integration/consumer-kit.test.ts.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  AwsCurrentCredentialSource,
  CredentialRejectedError,
  type CredentialSource,
  type GenesysCredential,
  GenesysTokenCache,
  type MintedToken,
  type TokenMinter,
} from '../../../kit/consumer/index.js';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:genesys/app-AbCdEf';
const LEGACY: GenesysCredential = {
  clientId: 'legacy',
  clientSecret: 'legacy-secret',
  environment: 'mypurecloud.ie',
};
const NEW: GenesysCredential = { clientId: 'new', clientSecret: 'new-secret', environment: 'mypurecloud.ie' };
const HOUR_MS = 3_600_000;

const sm = mockClient(SecretsManagerClient);

/**
 * A source whose AWSCURRENT the test sets, with a cache that never expires by itself: a cached read
 * answers what the last fresh one saw. Each read resolves after a macrotask, like a network call.
 */
class FakeSource implements CredentialSource {
  readonly secretId = SECRET_ARN;
  current: GenesysCredential = LEGACY;
  readonly reads: boolean[] = [];
  #cached: GenesysCredential | null = null;

  async read(fresh: boolean): Promise<GenesysCredential> {
    this.reads.push(fresh);
    if (fresh || this.#cached === null) this.#cached = this.current;
    const value = this.#cached;
    await new Promise((resolve) => setTimeout(resolve, 5));
    return value;
  }
}

/** Mints `clientId#n`; refuses the client ids in `refused` as Genesys answers invalid_client. */
class FakeMinter implements TokenMinter<MintedToken> {
  readonly mints: string[] = [];
  readonly refused = new Set<string>();
  lifetimeMs = HOUR_MS;

  async mint(credential: GenesysCredential): Promise<MintedToken> {
    this.mints.push(credential.clientId);
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (this.refused.has(credential.clientId)) {
      throw new CredentialRejectedError(`Genesys refused client ${credential.clientId}`);
    }
    return {
      clientId: credential.clientId,
      accessToken: `${credential.clientId}#${this.mints.length}`,
      expiresAtMs: Date.now() + this.lifetimeMs,
    };
  }
}

/** What a Genesys API call answers for a token: 401 once its client is in `revoked`. */
function apiCall(revoked: Set<string>) {
  return async (token: MintedToken): Promise<string> => {
    if (revoked.has(token.accessToken)) throw { status: 401, code: 'bad.credentials' };
    return token.clientId;
  };
}

function cacheOf(source: CredentialSource, minter: FakeMinter): GenesysTokenCache<MintedToken> {
  return new GenesysTokenCache({ source, minter });
}

afterEach(() => {
  sm.reset();
  vi.useRealTimers();
});

describe('single flight', () => {
  it('a cold cache and 50 concurrent callers: one read of AWSCURRENT, one token', async () => {
    // Prepare
    const source = new FakeSource();
    const minter = new FakeMinter();
    const cache = cacheOf(source, minter);

    // Act
    const results = await Promise.all(
      Array.from({ length: 50 }, () => cache.withToken(async (token) => token.accessToken)),
    );

    // Assess
    expect(source.reads).toEqual([false]);
    expect(minter.mints).toEqual(['legacy']);
    expect(new Set(results)).toEqual(new Set(['legacy#1']));
  });

  it('50 callers refused with the same token: one fresh read, one new token, every call retried once and succeeding', async () => {
    // Prepare: every caller holds the legacy token when the legacy client is deleted (401 on its tokens).
    const source = new FakeSource();
    const minter = new FakeMinter();
    const cache = cacheOf(source, minter);
    await cache.token();
    source.current = NEW;
    const revoked = new Set(['legacy#1']);
    const calls: string[] = [];
    const call = apiCall(revoked);

    // Act
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        cache.withToken(async (token) => {
          calls.push(token.accessToken);
          return call(token);
        }),
      ),
    );

    // Assess
    expect(results.every((clientId) => clientId === 'new')).toBe(true);
    expect(source.reads).toEqual([false, false, true]);
    expect(minter.mints).toEqual(['legacy', 'new']);
    expect(calls.filter((token) => token === 'legacy#1')).toHaveLength(50);
    expect(calls.filter((token) => token === 'new#2')).toHaveLength(50);
    expect(cache.stats.refusalsRecovered).toBe(50);
  });

  it('a caller refused after the token was already replaced gets the replacement without another read', async () => {
    // Prepare
    const source = new FakeSource();
    const minter = new FakeMinter();
    const cache = cacheOf(source, minter);
    const legacyToken = await cache.token();
    source.current = NEW;
    const replacement = await cache.refreshAfterRefusal(legacyToken);
    const readsBefore = source.reads.length;

    // Act
    const late = await cache.refreshAfterRefusal(legacyToken);

    // Assess
    expect(late).toBe(replacement);
    expect(source.reads).toHaveLength(readsBefore);
    expect(minter.mints).toEqual(['legacy', 'new']);
  });
});

describe('refusal', () => {
  it('retries once: a token refused twice reaches the caller as the API answered it', async () => {
    // Prepare: the fresh read still names the same client, whose tokens Genesys refuses.
    const source = new FakeSource();
    const minter = new FakeMinter();
    const cache = cacheOf(source, minter);
    let attempts = 0;

    // Act
    const act = cache.withToken(async () => {
      attempts += 1;
      throw { status: 401, code: 'bad.credentials' };
    });

    // Assess
    await expect(act).rejects.toEqual({ status: 401, code: 'bad.credentials' });
    expect(attempts).toBe(2);
    expect(source.reads).toEqual([false, true]);
  });

  it('an error that is not a refusal (429, 500, 403) is not retried and does not re-read AWSCURRENT', async () => {
    // Prepare
    const source = new FakeSource();
    const cache = cacheOf(source, new FakeMinter());
    for (const answer of [{ status: 429 }, { status: 500 }, { status: 403, code: 'missing.permissions' }]) {
      let attempts = 0;

      // Act
      const act = cache.withToken(async () => {
        attempts += 1;
        throw answer;
      });

      // Assess
      await expect(act).rejects.toBe(answer);
      expect(attempts).toBe(1);
    }
    expect(source.reads.filter((fresh) => fresh)).toEqual([]);
  });

  it('invalid_client for the cached credential (legacy deactivated, cache older than the promotion): re-reads past the cache and mints for the new client', async () => {
    // Prepare: a cached read still answers the legacy credential; only a fresh one sees the promotion.
    const minter = new FakeMinter();
    minter.refused.add('legacy');
    const reads: boolean[] = [];
    const stale: CredentialSource = {
      secretId: SECRET_ARN,
      read: async (fresh) => {
        reads.push(fresh);
        return fresh ? NEW : LEGACY;
      },
    };
    const recovering = cacheOf(stale, minter);

    // Act
    const token = await recovering.token();

    // Assess
    expect(token.clientId).toBe('new');
    expect(reads).toEqual([false, true]);
    expect(minter.mints).toEqual(['legacy', 'new']);
    expect(recovering.stats.refusalsRecovered).toBe(1);
  });

  it('invalid_client for the credential a fresh read still answers: CredentialRejectedError, naming the client only', async () => {
    // Prepare
    const source = new FakeSource();
    const minter = new FakeMinter();
    minter.refused.add('legacy');
    const cache = cacheOf(source, minter);

    // Act
    const act = cache.token();

    // Assess
    await expect(act).rejects.toBeInstanceOf(CredentialRejectedError);
    await expect(act).rejects.not.toThrow(/legacy-secret/);
    expect(source.reads).toEqual([false, true]);
  });
});

describe('expiry and invalidation', () => {
  it('a token near its expiry is replaced from the cached read, without another read', async () => {
    // Prepare: tokens live 100 ms; the margin (at most half the lifetime) is 50 ms.
    const source = new FakeSource();
    const minter = new FakeMinter();
    minter.lifetimeMs = 100;
    const cache = new GenesysTokenCache({ source, minter, now: () => Date.now() });
    const first = await cache.token();

    // Act
    const soon = await cache.token();
    await new Promise((resolve) => setTimeout(resolve, 70));
    const later = await cache.token();

    // Assess
    expect(soon).toBe(first);
    expect(later).not.toBe(first);
    expect(minter.mints).toEqual(['legacy', 'legacy']);
    expect(source.reads.every((fresh) => !fresh)).toBe(true);
  });

  it('invalidate(): the next call reads fresh; the token stays when AWSCURRENT did not change, and is replaced when it did', async () => {
    // Prepare
    const source = new FakeSource();
    const minter = new FakeMinter();
    const cache = cacheOf(source, minter);
    await cache.token();

    // Act
    cache.invalidate('Secret Promoted');
    const unchanged = await cache.token();
    source.current = NEW;
    cache.invalidate('Secret Promoted');
    const changed = await cache.token();
    const after = await cache.token();

    // Assess
    expect(unchanged.clientId).toBe('legacy');
    expect(changed.clientId).toBe('new');
    expect(after).toBe(changed);
    expect(source.reads).toEqual([false, true, true, false]);
    expect(minter.mints).toEqual(['legacy', 'new']);
    expect(cache.stats.invalidations).toBe(2);
  });
});

describe('AwsCurrentCredentialSource (Powertools SecretsProvider, max age)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-12-01T10:00:00Z'));
  });

  function answer(credential: GenesysCredential): void {
    sm.on(GetSecretValueCommand, { SecretId: SECRET_ARN, VersionStage: 'AWSCURRENT' }).resolves({
      SecretString: JSON.stringify(credential),
    });
  }

  it('reuses a read for maxAgeSeconds, then reads AWSCURRENT again (Powertools Parameters maxAge)', async () => {
    // Prepare
    answer(LEGACY);
    const reads: boolean[] = [];
    const source = new AwsCurrentCredentialSource({
      secretId: SECRET_ARN,
      maxAgeSeconds: 5,
      client: new SecretsManagerClient({}),
      onSecretRead: ({ fresh }) => reads.push(fresh),
    });

    // Act
    const first = await source.read(false);
    vi.advanceTimersByTime(4_000);
    const cached = await source.read(false);
    answer(NEW);
    vi.advanceTimersByTime(2_000);
    const expired = await source.read(false);

    // Assess
    expect(first.clientId).toBe('legacy');
    expect(cached.clientId).toBe('legacy');
    expect(expired.clientId).toBe('new');
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
    expect(reads).toEqual([false, false]);
  });

  it('a fresh read bypasses the cache and refreshes it', async () => {
    // Prepare
    answer(LEGACY);
    const source = new AwsCurrentCredentialSource({
      secretId: SECRET_ARN,
      client: new SecretsManagerClient({}),
    });
    await source.read(false);
    answer(NEW);

    // Act
    const fresh = await source.read(true);
    const cached = await source.read(false);

    // Assess
    expect(fresh.clientId).toBe('new');
    expect(cached.clientId).toBe('new');
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('under the token cache, 30 concurrent callers at the moment the max age runs out: one GetSecretValue', async () => {
    // Prepare
    answer(LEGACY);
    const source = new AwsCurrentCredentialSource({
      secretId: SECRET_ARN,
      maxAgeSeconds: 1,
      client: new SecretsManagerClient({}),
    });
    const cache = cacheOf(source, new FakeMinter());
    await cache.token();
    vi.advanceTimersByTime(1_500);

    // Act
    await Promise.all(Array.from({ length: 30 }, () => cache.token()));

    // Assess
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('refuses a max age Powertools would truncate to nothing', () => {
    // Prepare // Act // Assess
    for (const maxAgeSeconds of [0, 0.5, -1]) {
      expect(() => new AwsCurrentCredentialSource({ secretId: SECRET_ARN, maxAgeSeconds })).toThrow(
        RangeError,
      );
    }
  });
});
