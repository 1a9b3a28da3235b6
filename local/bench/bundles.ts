/**
 * Bundle benchmark: synthesizes with bundling and, per function, prints the deployed bundle's size,
 * whether it carries the Genesys SDK, and its cold import time (median over fresh `node` processes)
 * against a baseline: importing only `ApiClient` + `OAuthApi` from the SDK modules the bundles use.
 * Budgets (docs/ARCHITECTURE.md): 500 KB for a Genesys-calling bundle, 100 KB for the others.
 *
 *   npm run bench                              # synthesize this checkout
 *   npm run bench -- --assembly <cdk.out dir>  # measure an assembly synthesized elsewhere
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import {
  bundleBudget,
  readCloudAssembly,
  type SynthesizedApp,
  synthesizeBundles,
} from './synthesized-bundles.js';

const COLD_IMPORT_RUNS = 7;

const sdkModule = (file: string): string =>
  pathToFileURL(
    createRequire(import.meta.url).resolve(
      `purecloud-platform-client-v2/src/purecloud-platform-client-v2/${file}`,
    ),
  ).href;

/** Milliseconds one fresh `node` takes to import the modules, measured inside it (no process start-up). */
function coldImportMillis(urls: readonly string[]): number {
  const script = `const t = performance.now(); for (const url of ${JSON.stringify(urls)}) await import(url); process.stdout.write(String(performance.now() - t));`;
  const output = execFileSync(process.execPath, ['--input-type=module', '--no-warnings', '-e', script], {
    encoding: 'utf8',
    env: { ...process.env, AWS_REGION: 'eu-west-1', POWERTOOLS_LOG_LEVEL: 'SILENT' },
  });
  return Number(output);
}

function medianColdImportMillis(urls: readonly string[]): number {
  const runs = Array.from({ length: COLD_IMPORT_RUNS }, () => coldImportMillis(urls)).sort((a, b) => a - b);
  return runs[Math.floor(runs.length / 2)] ?? Number.NaN;
}

function assemblyFromArguments(argv: readonly string[]): string | undefined {
  const at = argv.indexOf('--assembly');
  return at === -1 ? undefined : argv[at + 1];
}

export async function benchBundles(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const assembly = assemblyFromArguments(argv);
  const app: SynthesizedApp = assembly === undefined ? synthesizeBundles() : readCloudAssembly(assembly);
  try {
    const baselineMillis = medianColdImportMillis([sdkModule('ApiClient.js'), sdkModule('api/OAuthApi.js')]);
    const rows = app.bundles.map((bundle) => {
      const { genesys, budgetBytes: budget } = bundleBudget(bundle);
      const millis = medianColdImportMillis([pathToFileURL(bundle.file).href]);
      return {
        function: bundle.entry.replace(/^functions\//, '').replace(/\/handler\.ts$/, ''),
        'bundle KB': Number((bundle.bytes / 1024).toFixed(1)),
        'Genesys SDK': genesys ? 'yes' : 'no',
        'budget KB': budget / 1024,
        'within budget': bundle.bytes <= budget ? 'yes' : 'NO',
        [`cold import ms (median of ${COLD_IMPORT_RUNS})`]: Number(millis.toFixed(1)),
        'x baseline': Number((millis / baselineMillis).toFixed(2)),
      };
    });
    console.log(`Bundles of ${assembly ?? 'a fresh synth'} (index.mjs, without source map)`);
    console.table(rows);
    console.log(
      `Baseline: cold import of ApiClient + OAuthApi alone (SDK ES modules): ${baselineMillis.toFixed(1)} ms (median of ${COLD_IMPORT_RUNS})`,
    );
  } finally {
    app.dispose();
  }
}
