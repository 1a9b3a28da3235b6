/**
 * Exact matching of managed secret values, in memory. The index keeps the values it was built with
 * and answers only "which secret (ARN) and which stage(s) occur in this text": it never hands a value
 * back, and nothing it returns is derived from one.
 */
import type { ManagedSecretValue } from './ports.js';

/** Values shorter than this are too common to mean anything when found (`"us"`, `"true"`). */
export const MIN_MATCHED_VALUE_LENGTH = 8;

/** JSON fields of a secret value that are identifiers, not secrets (`clientId`, `environment`, ...). */
const NON_SECRET_FIELDS = new Set([
  'clientid',
  'environment',
  'username',
  'user',
  'loginurl',
  'url',
  'name',
  'region',
  'orgid',
  'integrationid',
  'credentialid',
  'type',
  // A partner key's value (`{"credentialType", "keyId", "fields"}`): its type and handle are not secret.
  'credentialtype',
  'keyid',
]);

export interface ManagedValueMatch {
  readonly secretArn: string;
  readonly stages: ReadonlyArray<ManagedSecretValue['stage']>;
}

interface Needle {
  readonly secretArn: string;
  readonly stage: ManagedSecretValue['stage'];
  readonly text: string;
}

function stringLeaves(value: unknown): Array<{ key: string; value: string }> {
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) => {
    if (typeof child === 'string') return [{ key, value: child }];
    return stringLeaves(child);
  });
}

function fieldOf(
  leaves: Array<{ key: string; value: string }>,
  names: readonly string[],
): string | undefined {
  return leaves.find((leaf) => names.includes(leaf.key.toLowerCase()))?.value;
}

/**
 * The forms in which a secret value may be written into a configuration: each secret field of a JSON
 * value (or the whole string when it is not JSON), its URL-encoded form, and the `Basic` credential
 * `base64(user:secret)` when the value holds a user or client id and a password or secret.
 */
export function secretForms(raw: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  const forms = new Set<string>();
  if (typeof parsed === 'object' && parsed !== null) {
    const leaves = stringLeaves(parsed);
    for (const leaf of leaves) {
      if (!NON_SECRET_FIELDS.has(leaf.key.toLowerCase())) forms.add(leaf.value);
    }
    const user = fieldOf(leaves, ['clientid', 'username', 'user']);
    const secret = fieldOf(leaves, ['clientsecret', 'password', 'secret']);
    if (user && secret) forms.add(Buffer.from(`${user}:${secret}`, 'utf8').toString('base64'));
  } else {
    forms.add(raw);
  }
  for (const form of [...forms]) forms.add(encodeURIComponent(form));
  return [...forms].filter((form) => form.length >= MIN_MATCHED_VALUE_LENGTH);
}

export class ManagedValueIndex {
  readonly #needles: Needle[] = [];
  readonly #secretCount: number;

  constructor(secrets: ReadonlyArray<{ arn: string; values: readonly ManagedSecretValue[] }>) {
    for (const secret of secrets) {
      for (const { stage, value } of secret.values) {
        for (const text of secretForms(value)) this.#needles.push({ secretArn: secret.arn, stage, text });
      }
    }
    this.#secretCount = secrets.length;
  }

  get secretCount(): number {
    return this.#secretCount;
  }

  get empty(): boolean {
    return this.#needles.length === 0;
  }

  /** Which managed secrets occur verbatim in `text`, one entry per secret. */
  matches(text: string): ManagedValueMatch[] {
    if (this.#needles.length === 0 || text.length < MIN_MATCHED_VALUE_LENGTH) return [];
    const bySecret = new Map<string, Set<ManagedSecretValue['stage']>>();
    for (const needle of this.#needles) {
      if (!text.includes(needle.text)) continue;
      const stages = bySecret.get(needle.secretArn) ?? new Set();
      stages.add(needle.stage);
      bySecret.set(needle.secretArn, stages);
    }
    return [...bySecret].map(([secretArn, stages]) => ({
      secretArn,
      stages: [...stages].sort(),
    }));
  }
}
