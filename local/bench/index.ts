/**
 * `npm run bench`: runs each benchmark in turn. Benchmarks print figures; tests assert behaviour,
 * so nothing here fails on a number. `npm run bench -- --fleet [--secrets N] [--orgs K]` runs the
 * fleet rotation benchmark alone (minutes: it is bound by Genesys' rate limit).
 */
import { benchBundles } from './bundles.js';
import { benchFleet } from './fleet.js';

const BENCHMARKS: ReadonlyArray<{ readonly name: string; readonly run: () => Promise<void> }> =
  process.argv.includes('--fleet')
    ? [{ name: 'fleet', run: () => benchFleet() }]
    : [{ name: 'bundles', run: () => benchBundles() }];

for (const benchmark of BENCHMARKS) {
  console.log(`\n== ${benchmark.name} ==`);
  await benchmark.run();
}
