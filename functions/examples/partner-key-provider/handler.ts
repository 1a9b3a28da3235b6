/**
 * Lambda entry of the example key provider: parse the request against the contract, read the
 * partner's admin token from Secrets Manager (once per warm container), answer.
 *
 * Environment: PARTNER_API_URL, PARTNER_ADMIN_SECRET_ID (a secret whose value is
 * `{"adminToken": "..."}`), PARTNER_USER_DEFINED_FIELD (default `apiKey`).
 */
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { createSecretsManagerClient } from '../../shared/aws/secrets-store.js';
import { InvalidConfigurationError, InvalidInputError } from '../../shared/errors.js';
import { KeyProviderRequestSchema } from '../../shared/key-provider-contract.js';
import { handleKeyProviderRequest } from './provider.js';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new InvalidConfigurationError(`Environment variable ${name} is not set`);
  return value;
}

let adminToken: Promise<string> | undefined;

function readAdminToken(): Promise<string> {
  adminToken ??= createSecretsManagerClient()
    .send(new GetSecretValueCommand({ SecretId: required('PARTNER_ADMIN_SECRET_ID') }))
    .then((output) => {
      const token = (JSON.parse(output.SecretString ?? '{}') as { adminToken?: unknown }).adminToken;
      if (typeof token !== 'string' || token === '') {
        throw new InvalidConfigurationError('The partner admin secret has no adminToken');
      }
      return token;
    });
  adminToken.catch(() => {
    adminToken = undefined;
  });
  return adminToken;
}

export async function handler(event: unknown) {
  const parsed = KeyProviderRequestSchema.safeParse(event);
  if (!parsed.success) {
    // Paths only: a test request carries a key.
    const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.') || '(root)'))];
    throw new InvalidInputError(`Key provider request does not fit the contract at ${fields.join(', ')}`);
  }
  return handleKeyProviderRequest(
    {
      partnerUrl: required('PARTNER_API_URL'),
      userDefinedField: process.env.PARTNER_USER_DEFINED_FIELD || 'apiKey',
      adminToken: readAdminToken,
      fetch,
    },
    parsed.data,
  );
}
