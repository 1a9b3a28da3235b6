import { createHash } from 'node:crypto';
import type { GenesysClientRecord } from '../shared/ports.js';

/**
 * A manual execution has no Secrets Manager token, so one is derived from the execution id:
 * a retried task of the same execution gets the same token, which keeps every step idempotent.
 */
export function deriveToken(executionId: string): string {
  const hex = createHash('sha256').update(executionId).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

// The last bracket only: a legacy name may itself hold a `[` (fast-check found `! [`).
const ROTATION_SUFFIX = / \[[^[\]]* [0-9a-f-]{32,64}\]$/;
const MAX_BASE_NAME = 60;

/** The new client's name carries the token so an interrupted Create finds the client it made. */
export function newClientName(legacyName: string, prefix: string, token: string): string {
  const base = legacyName.replace(ROTATION_SUFFIX, '').slice(0, MAX_BASE_NAME).trim() || 'client';
  return `${base} [${prefix} ${token}]`;
}

export function newClientDescription(secretName: string, legacyClientId: string, token: string): string {
  return `Created by genesys-credential-rotator for secret ${secretName}; rotation token ${token}; replaces client ${legacyClientId}.`;
}

export function clientBelongsToToken(client: GenesysClientRecord, token: string): boolean {
  return client.name.includes(token) || client.description.includes(`rotation token ${token}`);
}

/** Name of the Genesys credential object holding a rotation's partner key: found again on a retry. */
export function partnerCredentialName(service: string, env: string, token: string): string {
  return `${service}-${env}-${token}`;
}
