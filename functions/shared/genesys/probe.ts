/**
 * `CredentialProbePort`: tests one credential on a brand-new SDK client (never the singleton, never
 * the admin client, so the admin token is untouched): client-credentials grant, `GET /tokens/me`,
 * then `DELETE /tokens/me` to revoke the test token (best effort).
 */
import {
  CredentialNotYetActiveError,
  RotationError,
  TransientUpstreamError,
  VerificationFailedError,
} from '../errors.js';
import type { Clock, CredentialProbePort, ProbeResult } from '../ports.js';
import {
  type HttpTransport,
  isGenesysHttpError,
  type RetryingHttpClientOptions,
  type RetryPolicy,
} from './http.js';
import { basicCredential, describeUnknown, httpDetails, redact } from './map-errors.js';
import platformClient from './platform.js';
import { createIsolatedApiClient } from './sdk.js';

export interface GenesysCredentialProbeOptions {
  /** e.g. `http://127.0.0.1:8123`; absent or null: `api.<environment>`. */
  readonly gatewayUrl?: string | null;
  readonly retry?: Partial<RetryPolicy>;
  readonly clock?: Clock;
  /** Tests only: replaces the SDK's axios transport under the retrying client. */
  readonly transport?: HttpTransport;
  readonly onRetry?: RetryingHttpClientOptions['onRetry'];
}

export interface ProbeCredential {
  clientId: string;
  clientSecret: string;
  environment: string;
}

export class GenesysCredentialProbe implements CredentialProbePort {
  readonly #options: GenesysCredentialProbeOptions;

  constructor(options: GenesysCredentialProbeOptions = {}) {
    this.#options = options;
  }

  async probe(credential: ProbeCredential): Promise<ProbeResult> {
    const { clientId } = credential;
    const secrets = [credential.clientSecret, basicCredential(clientId, credential.clientSecret)];
    const client = createIsolatedApiClient({
      environment: credential.environment,
      gatewayUrl: this.#options.gatewayUrl ?? null,
      ...(this.#options.retry ? { retry: this.#options.retry } : {}),
      ...(this.#options.clock ? { clock: this.#options.clock } : {}),
      ...(this.#options.transport ? { transport: this.#options.transport } : {}),
      ...(this.#options.onRetry ? { onRetry: this.#options.onRetry } : {}),
    });

    try {
      await client.loginClientCredentialsGrant(clientId, credential.clientSecret);
    } catch (error) {
      throw mapProbeLoginError(error, clientId, secrets);
    }

    const tokens = new platformClient.TokensApi(client);
    try {
      const me = await tokens.getTokensMe().catch((error: unknown) => {
        throw mapProbeApiError(error, clientId, secrets);
      });
      const minted = me.OAuthClient?.id;
      const orgId = me.organization?.id ?? me.OAuthClient?.organization?.id;
      if (!minted || !orgId) {
        throw new VerificationFailedError(
          `GET /api/v2/tokens/me for a token of client ${clientId} did not name its client and org`,
          { details: { clientId } },
        );
      }
      return {
        clientId: minted,
        orgId,
        roleDivisions: (me.OAuthClient?.roleDivisions ?? []).map((rd) => ({
          roleId: rd.roleId,
          divisionId: rd.divisionId,
        })),
      };
    } finally {
      // Revoke the test token; a failure here must not fail the verification.
      await tokens.deleteTokensMe().catch(() => undefined);
      client.clearAccessToken();
    }
  }
}

function mapProbeLoginError(error: unknown, clientId: string, secrets: readonly string[]): Error {
  if (error instanceof RotationError) return error;
  if (!isGenesysHttpError(error)) {
    return new VerificationFailedError(
      `Logging in with client ${clientId} failed unexpectedly: ${describeUnknown(error, secrets)}`,
      { details: { clientId } },
    );
  }
  const operation = `log in with client ${clientId}`;
  const details = { ...httpDetails(error, operation), clientId };
  if (error.transient) {
    return new TransientUpstreamError(`Genesys could not ${operation}: ${redact(error.message, secrets)}`, {
      details,
    });
  }
  if (error.errorCode === 'invalid_client') {
    // A client just created may take a moment to be accepted; the state machine retries this.
    return new CredentialNotYetActiveError(
      `Genesys does not (yet) accept the credential of client ${clientId}`,
      {
        details,
      },
    );
  }
  if (error.errorCode === 'unauthorized_client') {
    return new VerificationFailedError(`Client ${clientId} may not use the client-credentials grant`, {
      details,
    });
  }
  return new VerificationFailedError(
    `Genesys refused the credential of client ${clientId}: HTTP ${error.status ?? '?'}${
      error.errorCode ? ` ${error.errorCode}` : ''
    }`,
    { details },
  );
}

function mapProbeApiError(error: unknown, clientId: string, secrets: readonly string[]): Error {
  if (error instanceof RotationError) return error;
  if (!isGenesysHttpError(error)) {
    return new VerificationFailedError(
      `GET /api/v2/tokens/me with a token of client ${clientId} failed unexpectedly: ${describeUnknown(error, secrets)}`,
      { details: { clientId } },
    );
  }
  const operation = `read a token of client ${clientId}`;
  const details = { ...httpDetails(error, operation), clientId };
  const detail = redact(error.message, secrets);
  if (error.transient) {
    return new TransientUpstreamError(`Genesys could not ${operation}: ${detail}`, { details });
  }
  if (error.status === 401) {
    // The token was issued but not yet accepted by the API (eventual consistency).
    return new CredentialNotYetActiveError(
      `Genesys does not (yet) accept a token of client ${clientId}: ${detail}`,
      {
        details,
      },
    );
  }
  return new VerificationFailedError(`Genesys could not ${operation}: ${detail}`, { details });
}
