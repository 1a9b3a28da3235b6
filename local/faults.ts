/**
 * `npm run faults`: the fault-injection matrix. Call sites come from real rotations (every Genesys
 * route the rotator called, every AWS operation the rotation used, every Lambda step); each gets
 * 429/500/503, a response slower than the client's timeout, a dropped connection, "applied, then
 * the caller saw an error / the Lambda died", and a permanent failure; plus a new client refused
 * for a while, duplicate and concurrent triggers, and the admin token expiring mid-rotation. After
 * every scenario the invariants of DESIGN.md §7 are checked, including the leak canary. The
 * `follow ...` scenarios run with integration credentials that follow the client and a flow
 * executing their Data Action, and check those too (`--filter follow` runs only them).
 *
 * Options: --reduced (a deterministic subset for CI), --filter <text>, --concurrency <n> (scenarios
 * side by side, default 3), --json (the summary as one
 * JSON object on the last line). Exits 1 when any invariant was violated.
 */
import './polyfills.js';
import { parseArgs } from 'node:util';

// Before any function module loads: their logger reads its level once (see faults/run.ts).
process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
const { runMatrix } = await import('./faults/run.js');
const { finalLine, headerLines, rowLines } = await import('./faults/table.js');
const { writeUncaptured } = await import('./faults/capture.js');

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    reduced: { type: 'boolean', default: false },
    filter: { type: 'string' },
    concurrency: { type: 'string' },
  },
});
const json = args.json === true;
/** Table output goes to stdout, or to stderr under --json so the last stdout line stays the summary. */
const print = (line: string) => writeUncaptured(json ? 'stderr' : 'stdout', `${line}\n`);

async function main(): Promise<number> {
  for (const line of headerLines()) print(line);
  const report = await runMatrix({
    reduced: args.reduced === true,
    ...(args.filter ? { filter: args.filter } : {}),
    ...(args.concurrency ? { concurrency: Number(args.concurrency) } : {}),
    // Each scenario already searched its row's text for its canaries (see runScenario).
    onResult: (result) => {
      for (const line of rowLines(result)) print(line);
    },
  });
  const { summary } = report;
  print('');
  print(finalLine(summary));
  if (json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  return summary.violations > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `npm run faults failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`,
    );
    process.exit(1);
  },
);
