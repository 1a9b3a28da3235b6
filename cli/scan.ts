/**
 * `scan`: the hard-coded secret scan (functions/core/scan, docs/SCAN.md) from the operator's shell.
 * It logs in to Genesys with the rotator's admin credential (read from its secret straight into the
 * SDK's login) and compares the managed secrets' AWSCURRENT/AWSPREVIOUS values in memory; the report
 * names places and secret ARNs, never a value.
 */
import { formatScanReport, runScan } from '../functions/core/scan/index.js';
import { SecretsManagerManagedSecrets } from '../functions/shared/aws/managed-secrets.js';
import { SecretsManagerStore } from '../functions/shared/aws/secrets-store.js';
import { createScanSourceFromSecret } from '../functions/shared/genesys/scan-factory.js';
import type { CommandContext } from './commands.js';
import { EXIT, type ExitCode } from './errors.js';
import { resolveManagedSecret } from './secrets.js';

/** The admin secret the stack creates when `adminSecretArn` is not given. */
export const DEFAULT_ADMIN_SECRET = 'genesys/rotator/admin';
export const ADMIN_SECRET_VARIABLE = 'GENESYS_ROTATOR_ADMIN_SECRET';

export interface ScanCommandOptions {
  readonly secret?: string[];
  readonly credentialIds?: string;
  readonly adminSecret?: string;
  readonly flows?: boolean;
  readonly drafts?: boolean;
  readonly concurrency?: number;
}

export async function scanCommand(
  ctx: CommandContext,
  env: Readonly<Record<string, string | undefined>>,
  options: ScanCommandOptions,
): Promise<ExitCode> {
  const secretIds: string[] = [];
  for (const id of options.secret ?? []) secretIds.push((await resolveManagedSecret(ctx.aws, id)).arn);
  const adminSecretId = options.adminSecret ?? env[ADMIN_SECRET_VARIABLE] ?? DEFAULT_ADMIN_SECRET;
  const source = await createScanSourceFromSecret(new SecretsManagerStore(ctx.aws.secrets), adminSecretId, {
    env: { ...env },
  });
  const credentialIds = (options.credentialIds ?? '')
    .split(',')
    .map((id) => id.trim())
    .filter(Boolean);
  const report = await ctx.report.progress('Scanning Genesys for hard-coded secrets', async () =>
    runScan(
      { source, secrets: new SecretsManagerManagedSecrets(ctx.aws.secrets) },
      {
        ...(secretIds.length > 0 ? { secretIds } : {}),
        ...(options.flows === false ? { flows: false } : {}),
        ...(options.drafts === false ? { drafts: false } : {}),
        ...(options.concurrency ? { concurrency: options.concurrency } : {}),
        ...(credentialIds.length > 0 ? { blastRadiusCredentialIds: credentialIds } : {}),
      },
    ),
  );
  ctx.report.result({ command: 'scan', ...report }, ['', ...formatScanReport(report).split('\n')]);
  if (report.findings.length > 0) return EXIT.hardCoded;
  return report.complete ? EXIT.ok : EXIT.failed;
}
