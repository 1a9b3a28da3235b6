/**
 * The rotation's hard-coded secret check (issue #10 part 5): a rotation whose managed secret's
 * current or previous value is written into a Data Action, a draft or a flow is refused by default,
 * before anything changes. Rotating it would break whatever holds the hard-coded copy, and leave the
 * old value in Genesys. Opt out per execution with `allowHardCodedSecret: true`.
 */

import { TAG_CREDENTIAL_IDS } from '../../shared/blast-radius-schema.js';
import { RotationError, TransientUpstreamError } from '../../shared/errors.js';
import type { SecretStorePort } from '../../shared/ports.js';
import type { BlastRadius } from './blast-radius.js';
import type { ManagedSecretsPort, ManagedSecretValue, ScanSourcePort } from './ports.js';
import { type Finding, type FindingLocation, runScan, type ScanOptions } from './scanner.js';

/** A managed secret's value is hard-coded in Genesys; the rotation was refused and nothing changed. */
export class HardCodedSecretRefusedError extends RotationError {
  static readonly errorName = 'HardCodedSecretRefusedError';
  override readonly name = HardCodedSecretRefusedError.errorName;
  readonly code = 'HARD_CODED_SECRET';
}

/** What Fetch needs to run the check: Genesys (read-only) and the secret's values. */
export interface HardCodedSecretGuard {
  readonly source: ScanSourcePort;
  readonly secrets: SecretStorePort;
  readonly scan?: Pick<ScanOptions, 'concurrency' | 'pageSize' | 'maxPages'>;
}

/** Places listed in the refusal's message; the count is always given. */
const LISTED_PLACES = 5;

export function describeLocation(location: FindingLocation): string {
  return location.source === 'flow'
    ? `flow ${location.flowId} ("${location.flowName}") at ${location.path}`
    : `${location.source === 'action-draft' ? 'draft of action' : 'action'} ${location.actionId} ("${location.actionName}") field ${location.field}`;
}

/** One secret's AWSCURRENT and AWSPREVIOUS values, read through the rotation's own SecretStorePort. */
export function singleSecretValues(
  secrets: SecretStorePort,
  secret: { arn: string; name: string },
): ManagedSecretsPort {
  return {
    list: async () => [{ arn: secret.arn, name: secret.name }],
    values: async (arn) => {
      const values: ManagedSecretValue[] = [];
      for (const stage of ['AWSCURRENT', 'AWSPREVIOUS'] as const) {
        const value = await secrets.getValue(arn, { stage });
        if (value !== null) values.push({ stage, value });
      }
      return values;
    },
  };
}

/** Ids per blast-radius level carried in the rotation's state (the counts are exact). */
export const STATE_BLAST_RADIUS_ID_CAP = 10;

/** The integration credential ids a managed secret feeds, from its `genesys:credential-ids` tag. */
export function credentialIdsOf(tags: Readonly<Record<string, string>>): string[] {
  return (tags[TAG_CREDENTIAL_IDS] ?? '')
    .split(',')
    .map((id) => id.trim())
    .filter(Boolean);
}

export interface HardCodedSecretCheck {
  /** Where the secret's value is hard-coded (empty unless the check was opted out of). */
  readonly places: readonly Finding[];
  /** What depends on the secret's credential(s), when the secret names any. */
  readonly blastRadius: BlastRadius | null;
}

/**
 * Throws `HardCodedSecretRefusedError` when the secret's current or previous value occurs anywhere the
 * scan reads, unless `allow` is set. No guard configured: no check (returns null). Otherwise returns
 * the places found (empty when none) and the blast radius of the credentials the secret feeds.
 */
export async function refuseHardCodedSecret(
  guard: HardCodedSecretGuard | undefined,
  secret: { arn: string; name: string; tags?: Readonly<Record<string, string>> },
  allow: boolean,
): Promise<HardCodedSecretCheck | null> {
  if (guard === undefined) return null;
  const credentialIds = credentialIdsOf(secret.tags ?? {});
  const report = await runScan(
    { source: guard.source, secrets: singleSecretValues(guard.secrets, secret) },
    {
      ...guard.scan,
      ...(credentialIds.length > 0
        ? { blastRadiusCredentialIds: credentialIds, blastRadiusIdCap: STATE_BLAST_RADIUS_ID_CAP }
        : {}),
    },
  );
  if (report.problems.length > 0) {
    // An unread flow or draft may hold the value: do not rotate on a partial answer; retried later.
    throw new TransientUpstreamError(
      `The hard-coded secret check of secret ${secret.name} could not read ${report.problems.length} item(s) in Genesys: ${report.problems
        .slice(0, LISTED_PLACES)
        .map((problem) => problem.where)
        .join('; ')}`,
      { details: { secretArn: secret.arn, unread: report.problems.length } },
    );
  }
  const places = report.findings.filter(
    (finding) => finding.kind === 'managed-secret-value' && finding.secretArn === secret.arn,
  );
  if (places.length === 0 || allow) return { places, blastRadius: report.blastRadius ?? null };
  const listed = places.slice(0, LISTED_PLACES).map((finding) => describeLocation(finding.location));
  const more = places.length > LISTED_PLACES ? `, and ${places.length - LISTED_PLACES} more` : '';
  throw new HardCodedSecretRefusedError(
    `The value of secret ${secret.name} (${secret.arn}) is hard-coded in Genesys in ${places.length} place(s): ${listed.join('; ')}${more}. ` +
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a Velocity reference, not a JavaScript one.
      'Replace each with a ${credentials.*} reference, or start the rotation with "allowHardCodedSecret": true to rotate anyway',
    { details: { secretArn: secret.arn, places: places.length } },
  );
}
