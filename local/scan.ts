/**
 * `npm run scan`: the hard-coded secret scan (functions/core/scan) against the embedded stand-ins
 * with a planted demo (local/scan-demo.ts), through the real Genesys SDK and AWS SDK. Prints the
 * report for a terminal, or with --json the report as one JSON object. The report names places and
 * secret ARNs, never a value. Exits 1 when anything was found.
 *
 * Options: --json, --no-blast-radius (skip the demo credential's blast radius), --concurrency <n>.
 */
import './polyfills.js';
import { parseArgs } from 'node:util';
import { formatScanReport, runScan } from '../functions/core/scan/index.js';
import { SecretsManagerManagedSecrets } from '../functions/shared/aws/managed-secrets.js';
import { GenesysScanSource } from '../functions/shared/genesys/scan-source.js';
import { startScanDemo } from './scan-demo.js';

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    'no-blast-radius': { type: 'boolean', default: false },
    concurrency: { type: 'string' },
  },
});

async function main(): Promise<number> {
  const demo = await startScanDemo();
  try {
    const report = await runScan(
      {
        source: new GenesysScanSource({ credential: demo.admin, gatewayUrl: demo.genesys.url }),
        secrets: new SecretsManagerManagedSecrets(demo.secretsManager),
      },
      {
        ...(args.concurrency ? { concurrency: Number(args.concurrency) } : {}),
        ...(args['no-blast-radius'] ? {} : { blastRadiusCredentialIds: [demo.credentialId] }),
      },
    );
    process.stdout.write(
      args.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatScanReport(report)}\n`,
    );
    return report.findings.length > 0 ? 1 : 0;
  } finally {
    await demo.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `npm run scan failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`,
    );
    process.exit(2);
  },
);
