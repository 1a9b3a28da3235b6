/**
 * The rotation's hard-coded secret check (issue #10 part 5): a rotation whose managed secret's
 * current or previous value is written into a Data Action, a draft or a flow is refused by default,
 * before anything changes. Rotating it would break whatever holds the hard-coded copy, and leave the
 * old value in Genesys. Opt out per execution with `allowHardCodedSecret: true`.
 */
import { RotationError, TransientUpstreamError } from '../../shared/errors.js';
import type { SecretStorePort } from '../../shared/ports.js';
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

/**
 * Throws `HardCodedSecretRefusedError` when the secret's current or previous value occurs anywhere the
 * scan reads, unless `allow` is set. No guard configured: no check (returns null). Returns the places
 * found (empty when none), so a caller that was allowed to proceed can still report them.
 */
export async function refuseHardCodedSecret(
  guard: HardCodedSecretGuard | undefined,
  secret: { arn: string; name: string },
  allow: boolean,
): Promise<Finding[] | null> {
  if (guard === undefined) return null;
  const report = await runScan(
    { source: guard.source, secrets: singleSecretValues(guard.secrets, secret) },
    { ...guard.scan },
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
  if (places.length === 0 || allow) return places;
  const listed = places.slice(0, LISTED_PLACES).map((finding) => describeLocation(finding.location));
  const more = places.length > LISTED_PLACES ? `, and ${places.length - LISTED_PLACES} more` : '';
  throw new HardCodedSecretRefusedError(
    `The value of secret ${secret.name} (${secret.arn}) is hard-coded in Genesys in ${places.length} place(s): ${listed.join('; ')}${more}. ` +
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a Velocity reference, not a JavaScript one.
      'Replace each with a ${credentials.*} reference, or start the rotation with "allowHardCodedSecret": true to rotate anyway',
    { details: { secretArn: secret.arn, places: places.length } },
  );
}
