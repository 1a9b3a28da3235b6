import { type OAuthClientSecretValue, OAuthClientSecretValueSchema } from '../shared/contract.js';
import { FormatVerificationFailedError } from '../shared/errors.js';

/**
 * Parses a stored credential. Error messages name the fields that are wrong and never echo a value:
 * the value is a secret, and zod's own messages could quote parts of it.
 */
export function parseOAuthSecretValue(raw: string | null, where: string): OAuthClientSecretValue {
  if (raw === null) {
    throw new FormatVerificationFailedError(`${where} has no value`);
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new FormatVerificationFailedError(
      `${where} is not JSON; expected {"clientId", "clientSecret", "environment"}`,
    );
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new FormatVerificationFailedError(`${where} is not a JSON object`);
  }
  const parsed = OAuthClientSecretValueSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      if (issue.code === 'unrecognized_keys') return `unexpected field(s) ${issue.keys.join(', ')}`;
      const field = issue.path.join('.') || '(root)';
      if (issue.code === 'invalid_value') return `${field} is not a known Genesys environment`;
      return `${field} is missing or not a valid ${issue.code === 'invalid_type' ? issue.expected : 'value'}`;
    });
    throw new FormatVerificationFailedError(`${where} is malformed: ${problems.join('; ')}`);
  }
  return parsed.data;
}

/** Serialises a credential for Secrets Manager; the only place a value is built. */
export function serialiseOAuthSecretValue(value: OAuthClientSecretValue): string {
  return JSON.stringify({
    clientId: value.clientId,
    clientSecret: value.clientSecret,
    environment: value.environment,
  });
}
