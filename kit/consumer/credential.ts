import * as z from 'zod';
import { CredentialMalformedError } from './errors.js';

/** The value of an `oauth-client` secret, as the rotator writes it (extra fields are kept by the rotator, ignored here). */
const credentialSchema = z.looseObject({
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  environment: z.string().min(1),
});

/** What a consumer logs in to Genesys with. Held in memory only; never logged, never put in an error. */
export interface GenesysCredential {
  readonly clientId: string;
  readonly clientSecret: string;
  /** e.g. `mypurecloud.ie`: the SDK logs in at `login.<environment>`. */
  readonly environment: string;
}

/**
 * Parses AWSCURRENT's SecretString. Not Powertools' `transform: 'json'`: Node's JSON.parse error
 * quotes the text it failed on, and that text is the secret.
 */
export function parseCredential(secretId: string, value: string | Uint8Array): GenesysCredential {
  const text = typeof value === 'string' ? value : new TextDecoder().decode(value);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CredentialMalformedError(`AWSCURRENT of ${secretId} is not JSON`, { details: { secretId } });
  }
  const parsed = credentialSchema.safeParse(json);
  if (!parsed.success) {
    // Paths only: a zod issue may quote what it received.
    const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.') || '(root)'))];
    throw new CredentialMalformedError(
      `AWSCURRENT of ${secretId} is not an oauth-client credential: check ${fields.join(', ')}`,
      { details: { secretId, fields: fields.join(',') } },
    );
  }
  const { clientId, clientSecret, environment } = parsed.data;
  return { clientId, clientSecret, environment };
}

export function sameCredential(a: GenesysCredential, b: GenesysCredential): boolean {
  return a.clientId === b.clientId && a.clientSecret === b.clientSecret && a.environment === b.environment;
}
