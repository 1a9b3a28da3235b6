/**
 * A Genesys client-credentials token cache over a cached read of AWSCURRENT. Each call gets a token
 * minted from whatever AWSCURRENT holds now (cached for the source's max age); a new credential in
 * AWSCURRENT means a new token. When Genesys refuses a token (401) or a credential (`invalid_client`),
 * the cache re-reads AWSCURRENT past its cache, mints again and the call is retried once; a
 * `Secret Promoted` event makes the next call re-read. Refreshes are single-flight: however many
 * callers find the token stale or refused at once, AWSCURRENT is read once and one token is minted.
 */
import { type GenesysCredential, sameCredential } from './credential.js';
import { CredentialRejectedError } from './errors.js';
import { isCredentialRejected } from './rejection.js';
import type { CredentialSource } from './secret-source.js';
import type { MintedToken, TokenMinter } from './token-minter.js';

/** Facts only: ids, reasons, statuses. Powertools' Logger and `console` both fit. */
export interface ConsumerKitLogger {
  info(message: string, facts: Record<string, unknown>): void;
}

/** What the cache has done, for metrics and tests. Counts only. */
export interface TokenCacheStats {
  tokensMinted: number;
  /** Calls refused by Genesys that the cache recovered from by re-reading AWSCURRENT. */
  refusalsRecovered: number;
  invalidations: number;
}

export interface TokenCacheOptions<Token extends MintedToken> {
  readonly source: CredentialSource;
  readonly minter: TokenMinter<Token>;
  /** A token is replaced this long before it expires (default 60 s, at most half its lifetime). */
  readonly refreshMarginMs?: number;
  /** Which errors of a call mean "credential or token refused" (default: 401, invalid_client, unauthorized_client). */
  readonly isCredentialRejected?: (error: unknown) => boolean;
  readonly logger?: ConsumerKitLogger;
  readonly now?: () => number;
}

interface CurrentToken<Token> {
  readonly credential: GenesysCredential;
  readonly token: Token;
  readonly mintedAtMs: number;
}

export const DEFAULT_REFRESH_MARGIN_MS = 60_000;

export class GenesysTokenCache<Token extends MintedToken> {
  readonly stats: TokenCacheStats = { tokensMinted: 0, refusalsRecovered: 0, invalidations: 0 };
  readonly secretId: string;
  // Private fields: `util.inspect` and JSON.stringify of the cache never show the credential.
  readonly #source: CredentialSource;
  readonly #minter: TokenMinter<Token>;
  readonly #refreshMarginMs: number;
  readonly #isRejected: (error: unknown) => boolean;
  readonly #logger: ConsumerKitLogger | undefined;
  readonly #now: () => number;
  #current: CurrentToken<Token> | null = null;
  #reading: { fresh: boolean; promise: Promise<GenesysCredential> } | null = null;
  #minting: { credential: GenesysCredential; promise: Promise<Token> } | null = null;
  #refreshing: Promise<Token> | null = null;
  #stale = false;

  constructor(options: TokenCacheOptions<Token>) {
    this.secretId = options.source.secretId;
    this.#source = options.source;
    this.#minter = options.minter;
    this.#refreshMarginMs = options.refreshMarginMs ?? DEFAULT_REFRESH_MARGIN_MS;
    this.#isRejected = options.isCredentialRejected ?? isCredentialRejected;
    this.#logger = options.logger;
    this.#now = options.now ?? Date.now;
  }

  /** A token Genesys should accept: the cached one while AWSCURRENT is unchanged and it is not near expiry. */
  async token(): Promise<Token> {
    const credential = await this.#read(false);
    try {
      return await this.#tokenFor(credential);
    } catch (error) {
      if (!(error instanceof CredentialRejectedError)) throw error;
      // The cached AWSCURRENT may predate a promotion: its client may be deactivated or deleted by now.
      this.#logger?.info('Genesys refused the cached credential; re-reading AWSCURRENT', {
        secretId: this.secretId,
        refusedClientId: credential.clientId,
      });
      const token = await this.#refresh(null);
      this.stats.refusalsRecovered += 1;
      return token;
    }
  }

  /**
   * Runs `call` with a token; when Genesys refuses it (401, invalid_client), re-reads AWSCURRENT past
   * the cache, mints a new token and runs `call` once more. A second refusal reaches the caller.
   */
  async withToken<T>(call: (token: Token) => Promise<T>): Promise<T> {
    const token = await this.token();
    try {
      return await call(token);
    } catch (error) {
      if (!this.#isRejected(error)) throw error;
      this.#logger?.info('Genesys refused the token; refreshing from AWSCURRENT', {
        secretId: this.secretId,
        clientId: token.clientId,
      });
      const next = await this.refreshAfterRefusal(token);
      const result = await call(next);
      this.stats.refusalsRecovered += 1;
      return result;
    }
  }

  /**
   * A replacement for a token Genesys refused. Callers refused with the same token share one re-read
   * and one mint; a caller whose token was already replaced gets the replacement at once.
   */
  async refreshAfterRefusal(refused: Token): Promise<Token> {
    const current = this.#current;
    if (current !== null && current.token !== refused && !this.#nearExpiry(current)) return current.token;
    return this.#refresh(refused);
  }

  /**
   * Makes the next call re-read AWSCURRENT past the cache (a `Secret Promoted` event). The token in
   * hand stays in use until that read shows a different credential: the legacy client is still active.
   */
  invalidate(reason: string): void {
    this.#stale = true;
    this.stats.invalidations += 1;
    this.#logger?.info('Credential cache invalidated', { secretId: this.secretId, reason });
  }

  /** The client id of the token in use, or null before the first call. */
  get clientId(): string | null {
    return this.#current?.token.clientId ?? null;
  }

  /**
   * One re-read of AWSCURRENT past the cache and a token for what it holds, shared by every caller
   * that asks while it runs (between the read and the mint too, or a late refusal would read again).
   */
  #refresh(refused: Token | null): Promise<Token> {
    if (this.#refreshing !== null) return this.#refreshing;
    if (refused !== null && this.#current?.token === refused) this.#current = null;
    const promise = this.#read(true).then((credential) => this.#tokenFor(credential));
    const settled = () => {
      if (this.#refreshing === promise) this.#refreshing = null;
    };
    promise.then(settled, settled);
    this.#refreshing = promise;
    return promise;
  }

  #read(force: boolean): Promise<GenesysCredential> {
    const inFlight = this.#reading;
    if (inFlight !== null && (inFlight.fresh || !force)) return inFlight.promise;
    if (inFlight !== null) {
      // A cached read is under way, and this caller needs one that started after its refusal.
      return inFlight.promise.then(
        () => this.#read(true),
        () => this.#read(true),
      );
    }
    const fresh = force || this.#stale;
    this.#stale = false;
    const promise = this.#source.read(fresh).finally(() => {
      if (this.#reading?.promise === promise) this.#reading = null;
    });
    // A failed forced read leaves the cache stale, so the next call tries again past the cache.
    if (fresh) {
      promise.catch(() => {
        this.#stale = true;
      });
    }
    this.#reading = { fresh, promise };
    return promise;
  }

  #tokenFor(credential: GenesysCredential): Promise<Token> {
    const current = this.#current;
    if (current !== null && sameCredential(current.credential, credential) && !this.#nearExpiry(current)) {
      return Promise.resolve(current.token);
    }
    const minting = this.#minting;
    if (minting !== null && sameCredential(minting.credential, credential)) return minting.promise;
    const promise = this.#minter.mint(credential).then((token) => {
      if (current === null || current.token.clientId !== token.clientId) {
        this.#logger?.info('Using a new Genesys client', {
          secretId: this.secretId,
          clientId: token.clientId,
          previousClientId: current?.token.clientId ?? null,
        });
      }
      this.#current = { credential, token, mintedAtMs: this.#now() };
      this.stats.tokensMinted += 1;
      return token;
    });
    const settled = () => {
      if (this.#minting?.promise === promise) this.#minting = null;
    };
    promise.then(settled, settled);
    this.#minting = { credential, promise };
    return promise;
  }

  #nearExpiry(current: CurrentToken<Token>): boolean {
    const lifetime = current.token.expiresAtMs - current.mintedAtMs;
    const margin = Math.min(this.#refreshMarginMs, lifetime / 2);
    return current.token.expiresAtMs - this.#now() <= margin;
  }
}
