/**
 * The managed secret of one partner API key: parse (strict, one credential per secret) and serialise.
 * Error messages name fields, never values.
 */
import { FormatVerificationFailedError, InvalidInputError } from '../../shared/errors.js';
import {
  PARTNER_CREDENTIAL_TYPES,
  type PartnerKeySecretValue,
  PartnerKeySecretValueSchema,
  type PartnerKeyTags,
  PartnerKeyTagsSchema,
} from '../../shared/key-provider-contract.js';

function issuesOf(error: { issues: ReadonlyArray<{ code: string; path: PropertyKey[]; keys?: string[] }> }) {
  return error.issues.map((issue) => {
    const field = issue.path.map(String).join('.') || '(root)';
    if (issue.code === 'unrecognized_keys') {
      return `${field === '(root)' ? '' : `${field}: `}unexpected field(s) ${(issue.keys ?? []).join(', ')}`;
    }
    return `${field} is missing or not valid`;
  });
}

export function parsePartnerKeySecretValue(raw: string | null, where: string): PartnerKeySecretValue {
  if (raw === null) throw new FormatVerificationFailedError(`${where} has no value`);
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new FormatVerificationFailedError(
      `${where} is not JSON; expected {"credentialType", "keyId", "fields"}`,
    );
  }
  if (Array.isArray(json)) {
    throw new FormatVerificationFailedError(
      `${where} is an array: a secret holds exactly one credential (one secret per credential)`,
    );
  }
  if (typeof json !== 'object' || json === null) {
    throw new FormatVerificationFailedError(`${where} is not a JSON object`);
  }
  const parsed = PartnerKeySecretValueSchema.safeParse(json);
  if (!parsed.success) {
    const bundled = Object.values(json as Record<string, unknown>).some(
      (member) => typeof member === 'object' && member !== null && 'credentialType' in member,
    );
    const hint = bundled ? ' (it bundles several credentials: use one secret per credential)' : '';
    throw new FormatVerificationFailedError(
      `${where} is malformed${hint}: ${issuesOf(parsed.error).join('; ')}; credentialType is one of ${PARTNER_CREDENTIAL_TYPES.join(', ')}`,
    );
  }
  return parsed.data;
}

/** The only place a partner-key secret value is built. */
export function serialisePartnerKeySecretValue(value: PartnerKeySecretValue): string {
  return JSON.stringify({ credentialType: value.credentialType, keyId: value.keyId, fields: value.fields });
}

/** The env/service/cadence/provider tags a partner-key secret must carry. */
export function parsePartnerKeyTags(
  tags: Readonly<Record<string, string>>,
  secretId: string,
): PartnerKeyTags {
  const parsed = PartnerKeyTagsSchema.safeParse(tags);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `tag ${issue.path.join('.')}: ${issue.message}`);
    throw new InvalidInputError(`Secret ${secretId} is missing partner-key tags: ${problems.join('; ')}`, {
      details: { secretId },
    });
  }
  return parsed.data;
}
