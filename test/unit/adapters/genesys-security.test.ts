import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clearAdminTokenCache, GenesysAdmin } from '../../../functions/shared/genesys/admin.js';
import { GenesysCredentialProbe } from '../../../functions/shared/genesys/probe.js';

const CLIENT_ID = 'c0ffee00-aaaa-bbbb-cccc-000000000001';
const SECRET = 'S3cr3t-value-that-must-never-leak-9f8e7d';
const BASIC = Buffer.from(`${CLIENT_ID}:${SECRET}`).toString('base64');
const credential = { clientId: CLIENT_ID, clientSecret: SECRET, environment: 'mypurecloud.com' as const };

let server: Server | undefined;

/** A real loopback token endpoint answering every request with `status` and `body`. */
async function tokenEndpoint(status: number, body: unknown): Promise<string> {
  server = createServer((req, res) => {
    req.resume();
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Everything an error could show: JSON, util.inspect with hidden fields, stack and cause chain. */
function everyRendering(error: unknown): string {
  return [
    JSON.stringify(error),
    inspect(error, { depth: Infinity, showHidden: true, getters: true }),
    error instanceof Error ? String(error.stack) : '',
    String(error),
  ].join('\n');
}

const quickRetry = { maxAttempts: 2, defaultRetryAfterMs: 1, timeoutMs: 2_000 };

beforeEach(() => clearAdminTokenCache());
afterEach(async () => {
  const closing = server;
  server = undefined;
  if (closing) {
    closing.closeAllConnections();
    await new Promise<void>((resolve) => closing.close(() => resolve()));
  }
});

describe('Genesys adapters and secrets', () => {
  it('a failed admin login throws an error that does not carry the secret or the Basic credential', async () => {
    // Prepare
    const url = await tokenEndpoint(400, {
      error: 'invalid_client',
      description: 'authentication failed',
      error_description: 'authentication failed',
    });
    const admin = new GenesysAdmin({ credential, gatewayUrl: url, retry: quickRetry });

    // Act
    const error = await admin.listClients().catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ name: 'InsufficientPrivilegeError' });
    expect((error as Error).message).toContain(CLIENT_ID);
    expect((error as Error).cause).toBeUndefined();
    const rendered = everyRendering(error);
    expect(rendered).not.toContain(SECRET);
    expect(rendered).not.toContain(BASIC);
    expect(rendered).not.toMatch(/authorization/i);
  });

  it('a failed probe login (invalid_client) does not carry the secret either', async () => {
    // Prepare
    const url = await tokenEndpoint(400, { error: 'invalid_client', error_description: 'client not found' });
    const probe = new GenesysCredentialProbe({ gatewayUrl: url, retry: quickRetry });

    // Act
    const error = await probe.probe(credential).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ name: 'CredentialNotYetActiveError' });
    const rendered = everyRendering(error);
    expect(rendered).not.toContain(SECRET);
    expect(rendered).not.toContain(BASIC);
  });

  it('a login that keeps failing with 500 is transient and does not carry the secret', async () => {
    // Prepare
    const url = await tokenEndpoint(500, { message: 'boom' });
    const admin = new GenesysAdmin({ credential, gatewayUrl: url, retry: quickRetry });

    // Act
    const error = await admin.whoAmI().catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ name: 'TransientUpstreamError' });
    const rendered = everyRendering(error);
    expect(rendered).not.toContain(SECRET);
    expect(rendered).not.toContain(BASIC);
  });

  it('a login that cannot connect is transient and does not carry the secret', async () => {
    // Prepare: a port nobody listens on
    const url = await tokenEndpoint(200, {});
    const closing = server;
    server = undefined;
    await new Promise<void>((resolve) => closing?.close(() => resolve()));
    const probe = new GenesysCredentialProbe({ gatewayUrl: url, retry: quickRetry });

    // Act
    const error = await probe.probe(credential).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ name: 'TransientUpstreamError' });
    const rendered = everyRendering(error);
    expect(rendered).not.toContain(SECRET);
    expect(rendered).not.toContain(BASIC);
  });

  it('an adapter inspected in a log line does not show the secret', () => {
    // Prepare
    const admin = new GenesysAdmin({ credential, gatewayUrl: 'http://127.0.0.1:9', retry: quickRetry });

    // Act
    const rendered = `${inspect(admin, { depth: Infinity, showHidden: true })}${JSON.stringify(admin)}`;

    // Assess
    expect(rendered).not.toContain(SECRET);
    expect(rendered).toContain(CLIENT_ID);
  });
});
