/**
 * Partner API stand-in: the external web service a Web Services Data Action calls, holding the API
 * keys a partner issues (genesys-cloud-api.md §4.2, §4.3). Served on 127.0.0.1 with two surfaces:
 *
 * - **Admin** (`/admin/keys...`, `Authorization: Bearer <adminToken>`): what a key provider uses to
 *   issue a key (`POST`, the only answer that carries its secret), read its state and last use
 *   (`GET`, never the secret) and revoke it (`DELETE`, idempotent).
 * - **Data** (`/v1/...`, any method): what an action calls. A key is accepted in any of the styles the
 *   Genesys credential types use: a header (`X-API-Key`, `userDefined`), the URL query (`api_key`,
 *   `userDefined`), HTTP Basic auth with the key id as user name (`basicAuth`), or a bearer token
 *   from `POST /oauth/token` (client-credentials grant with the key id as `client_id`,
 *   `userDefinedOAuth`). A wrong, unknown or revoked key gets 401 `{"message":"Unauthorized"}`.
 *
 * Several keys may be active at once: that is what lets a rotation put the new key in place before
 * the old one is revoked. Revoking a key also ends the tokens minted with it. Every data call records
 * the key's use (`lastUsedAt`, `requests`), which is the partner-side adoption evidence.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type PartnerKeyState = 'active' | 'revoked';

/** How a data call presented its key. */
export type PartnerAuthStyle = 'header' | 'query' | 'basic' | 'bearer';

export const PARTNER_KEY_HEADER = 'x-api-key';
export const PARTNER_KEY_QUERY_PARAMETER = 'api_key';

/** A key as the partner describes it, without its secret. */
export interface PartnerKeySnapshot {
  keyId: string;
  label: string;
  state: PartnerKeyState;
  createdAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
  requests: number;
}

export interface IssuedPartnerKey {
  keyId: string;
  /** The key itself: shown once, on issue. */
  secret: string;
}

export interface PartnerRequestRecord {
  method: string;
  path: string;
  status: number;
  /** The key the call authenticated with; null when refused or not a data call. */
  keyId: string | null;
  style: PartnerAuthStyle | null;
  at: Date;
}

export interface PartnerStandInOptions {
  /** Default 0: a free port. */
  port?: number;
  clock?: { now(): Date };
  /** Bearer token of the admin surface; default random. */
  adminToken?: string;
  /** Lifetime of a token from `/oauth/token` (default 3600). */
  tokenValiditySeconds?: number;
}

export interface PartnerStandIn {
  /** 'http://127.0.0.1:PORT' */
  readonly url: string;
  readonly adminToken: string;
  readonly requestLog: readonly PartnerRequestRecord[];
  /** Seeds a key, as if issued before the scenario began. */
  issueKey(label?: string): IssuedPartnerKey;
  revokeKey(keyId: string): void;
  keys(): PartnerKeySnapshot[];
  key(keyId: string): PartnerKeySnapshot | undefined;
  close(): Promise<void>;
}

interface KeyRecord {
  keyId: string;
  label: string;
  secretHash: Buffer;
  state: PartnerKeyState;
  createdAt: Date;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  requests: number;
}

interface TokenRecord {
  keyId: string;
  expiresAt: Date;
}

interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

const MAX_BODY_BYTES = 64 * 1024;
const UNAUTHORIZED: Answer = {
  status: 401,
  body: { message: 'Unauthorized' },
  headers: { 'www-authenticate': 'Basic realm="partner", Bearer' },
};

function hashOf(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** The partner's key store: issue, look up by presented secret, revoke, count use. */
class PartnerKeyStore {
  private readonly keysById = new Map<string, KeyRecord>();
  private readonly tokens = new Map<string, TokenRecord>();

  constructor(
    private readonly now: () => Date,
    private readonly tokenValiditySeconds: number,
  ) {}

  issue(label: string): IssuedPartnerKey {
    const keyId = `key_${randomBytes(8).toString('hex')}`;
    const secret = `pk_${randomBytes(24).toString('base64url')}`;
    this.keysById.set(keyId, {
      keyId,
      label,
      secretHash: hashOf(secret),
      state: 'active',
      createdAt: this.now(),
      revokedAt: null,
      lastUsedAt: null,
      requests: 0,
    });
    return { keyId, secret };
  }

  /** Idempotent: revoking a revoked key changes nothing. Tokens minted with the key end too. */
  revoke(keyId: string): KeyRecord | undefined {
    const record = this.keysById.get(keyId);
    if (!record) return undefined;
    if (record.state === 'active') {
      record.state = 'revoked';
      record.revokedAt = this.now();
      for (const [token, minted] of this.tokens) if (minted.keyId === keyId) this.tokens.delete(token);
    }
    return record;
  }

  get(keyId: string): KeyRecord | undefined {
    return this.keysById.get(keyId);
  }

  all(): KeyRecord[] {
    return [...this.keysById.values()];
  }

  /** The active key whose secret this is (any key id), for the header and query styles. */
  bySecret(secret: string): KeyRecord | undefined {
    const presented = hashOf(secret);
    return this.all().find(
      (record) => record.state === 'active' && timingSafeEqual(record.secretHash, presented),
    );
  }

  /** The active key with this id and secret, for Basic auth and the token grant. */
  byIdAndSecret(keyId: string, secret: string): KeyRecord | undefined {
    const record = this.keysById.get(keyId);
    if (record?.state !== 'active') return undefined;
    return timingSafeEqual(record.secretHash, hashOf(secret)) ? record : undefined;
  }

  mintToken(record: KeyRecord): { accessToken: string; expiresIn: number } {
    const accessToken = randomBytes(24).toString('base64url');
    this.tokens.set(accessToken, {
      keyId: record.keyId,
      expiresAt: new Date(this.now().getTime() + this.tokenValiditySeconds * 1000),
    });
    return { accessToken, expiresIn: this.tokenValiditySeconds };
  }

  byToken(accessToken: string): KeyRecord | undefined {
    const minted = this.tokens.get(accessToken);
    if (!minted) return undefined;
    if (minted.expiresAt.getTime() <= this.now().getTime()) {
      this.tokens.delete(accessToken);
      return undefined;
    }
    const record = this.keysById.get(minted.keyId);
    return record?.state === 'active' ? record : undefined;
  }

  recordUse(record: KeyRecord): void {
    record.lastUsedAt = this.now();
    record.requests += 1;
  }
}

function snapshotOf(record: KeyRecord): PartnerKeySnapshot {
  return {
    keyId: record.keyId,
    label: record.label,
    state: record.state,
    createdAt: record.createdAt.toISOString(),
    revokedAt: record.revokedAt?.toISOString() ?? null,
    lastUsedAt: record.lastUsedAt?.toISOString() ?? null,
    requests: record.requests,
  };
}

function headerOf(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** `Basic base64(user:password)`, as RFC 7617 writes it. */
function basicCredentials(authorization: string | undefined): { user: string; password: string } | null {
  const encoded = /^basic\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  if (!encoded) return null;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function parseJson(raw: string): unknown {
  if (raw.trim() === '') return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

export async function startPartnerStandIn(options: PartnerStandInOptions = {}): Promise<PartnerStandIn> {
  const clock = options.clock ?? { now: () => new Date() };
  const adminToken = options.adminToken ?? `adm_${randomBytes(24).toString('base64url')}`;
  const store = new PartnerKeyStore(() => clock.now(), options.tokenValiditySeconds ?? 3600);
  const requestLog: PartnerRequestRecord[] = [];

  const adminAuthorized = (request: IncomingMessage): boolean => {
    const bearer = /^bearer\s+(\S+)$/i.exec(headerOf(request, 'authorization') ?? '')?.[1];
    if (!bearer) return false;
    const presented = hashOf(bearer);
    return timingSafeEqual(presented, hashOf(adminToken));
  };

  const admin = (request: IncomingMessage, segments: string[], rawBody: string): Answer => {
    if (!adminAuthorized(request)) return UNAUTHORIZED;
    const method = request.method ?? 'GET';
    const keyId = segments[2];
    if (keyId === undefined) {
      if (method === 'POST') {
        const body = parseJson(rawBody) as { label?: unknown } | undefined;
        const label = typeof body?.label === 'string' ? body.label : 'issued';
        const issued = store.issue(label);
        const record = store.get(issued.keyId);
        return { status: 201, body: { ...(record ? snapshotOf(record) : {}), secret: issued.secret } };
      }
      if (method === 'GET') return { status: 200, body: { keys: store.all().map(snapshotOf) } };
      return { status: 405, body: { message: `${method} is not allowed` } };
    }
    if (segments.length !== 3) return { status: 404, body: { message: 'Not found' } };
    if (method === 'GET') {
      const record = store.get(keyId);
      return record
        ? { status: 200, body: snapshotOf(record) }
        : { status: 404, body: { message: `Key ${keyId} not found` } };
    }
    if (method === 'DELETE') {
      const record = store.revoke(keyId);
      return record
        ? { status: 200, body: snapshotOf(record) }
        : { status: 404, body: { message: `Key ${keyId} not found` } };
    }
    return { status: 405, body: { message: `${method} is not allowed` } };
  };

  /** RFC 6749 §4.4 client-credentials grant; the client authenticates with Basic or form fields. */
  const token = (request: IncomingMessage, rawBody: string): Answer => {
    if (request.method !== 'POST') return { status: 405, body: { error: 'invalid_request' } };
    const form = new URLSearchParams(rawBody);
    if (form.get('grant_type') !== 'client_credentials') {
      return { status: 400, body: { error: 'unsupported_grant_type' } };
    }
    const basic = basicCredentials(headerOf(request, 'authorization'));
    const clientId = basic?.user ?? form.get('client_id') ?? '';
    const clientSecret = basic?.password ?? form.get('client_secret') ?? '';
    const record = store.byIdAndSecret(clientId, clientSecret);
    if (!record) return { status: 401, body: { error: 'invalid_client' } };
    const minted = store.mintToken(record);
    return {
      status: 200,
      body: { access_token: minted.accessToken, token_type: 'Bearer', expires_in: minted.expiresIn },
    };
  };

  const authenticateData = (
    request: IncomingMessage,
    url: URL,
  ): { record: KeyRecord; style: PartnerAuthStyle } | null => {
    const authorization = headerOf(request, 'authorization');
    const bearer = /^bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    if (bearer) {
      const record = store.byToken(bearer);
      return record ? { record, style: 'bearer' } : null;
    }
    const basic = basicCredentials(authorization);
    if (basic) {
      const record = store.byIdAndSecret(basic.user, basic.password);
      return record ? { record, style: 'basic' } : null;
    }
    const headerKey = headerOf(request, PARTNER_KEY_HEADER);
    if (headerKey) {
      const record = store.bySecret(headerKey);
      return record ? { record, style: 'header' } : null;
    }
    const queryKey = url.searchParams.get(PARTNER_KEY_QUERY_PARAMETER);
    if (queryKey) {
      const record = store.bySecret(queryKey);
      return record ? { record, style: 'query' } : null;
    }
    return null;
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const at = clock.now();
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const method = request.method ?? 'GET';
    const rawBody = await readBody(request);
    const segments = url.pathname.split('/').filter(Boolean);
    let answer: Answer;
    let keyId: string | null = null;
    let style: PartnerAuthStyle | null = null;
    if (segments[0] === 'admin' && segments[1] === 'keys') {
      answer = admin(request, segments, rawBody);
    } else if (url.pathname === '/oauth/token') {
      answer = token(request, rawBody);
    } else if (segments[0] === 'v1') {
      const authenticated = authenticateData(request, url);
      if (authenticated) {
        store.recordUse(authenticated.record);
        keyId = authenticated.record.keyId;
        style = authenticated.style;
        answer = {
          status: 200,
          body: { status: 'ok', path: url.pathname, keyId, input: parseJson(rawBody) ?? null },
        };
      } else {
        answer = UNAUTHORIZED;
      }
    } else {
      answer = { status: 404, body: { message: 'Not found' } };
    }
    // Never the query string: a key may travel in it.
    requestLog.push({ method, path: url.pathname, status: answer.status, keyId, style, at });
    const text = answer.body === undefined ? '' : JSON.stringify(answer.body);
    response.writeHead(answer.status, {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(text)),
      ...answer.headers,
    });
    response.end(text);
  };

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) {
        response.writeHead(500, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ message: error instanceof Error ? error.message : 'failure' }));
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    adminToken,
    requestLog,
    issueKey: (label = 'seeded') => store.issue(label),
    revokeKey: (keyId) => {
      if (!store.revoke(keyId)) throw new Error(`unknown partner key ${keyId}`);
    },
    keys: () => store.all().map(snapshotOf),
    key: (keyId) => {
      const record = store.get(keyId);
      return record ? snapshotOf(record) : undefined;
    },
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new Error('request too large');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
