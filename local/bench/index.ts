/**
 * `npm run bench`: runs each benchmark in turn. Benchmarks print figures; tests assert behaviour,
 * so nothing here fails on a number.
 */
import { benchBundles } from './bundles.js';

const BENCHMARKS: ReadonlyArray<{ readonly name: string; readonly run: () => Promise<void> }> = [
  { name: 'bundles', run: () => benchBundles() },
];

for (const benchmark of BENCHMARKS) {
  console.log(`\n== ${benchmark.name} ==`);
  await benchmark.run();
}
