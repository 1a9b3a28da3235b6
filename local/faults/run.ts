/** Runs the fault matrix (or a part of it) scenario by scenario and summarises it. */
import { buildMatrix, type CallSites, discoverCallSites, reduceMatrix } from './matrix.js';
import { runScenario, type ScenarioResult, type ScenarioSpec } from './scenario.js';

export interface MatrixOptions {
  readonly reduced?: boolean;
  /** Only scenarios whose id, site or fault contains this text (case-insensitive). */
  readonly filter?: string;
  /** Called after each scenario (table rows). */
  readonly onResult?: (result: ScenarioResult, index: number, total: number) => void;
  /** Call sites already discovered (tests reuse them); discovered by real rotations otherwise. */
  readonly sites?: CallSites;
  /**
   * Scenarios run side by side. Each has its own stand-ins and its functions run in their own
   * sandboxes (local mode's Lambda service), so nothing is shared but this process's output,
   * which every open capture sees (see capture.ts). Scenarios mostly wait (retries, usage days),
   * so a few at once fit two cores. The `sources` developer option runs every handler in this
   * process on its shared environment: one at a time then.
   * @default 3 (1 with LOCAL_LAMBDA_CODE=sources)
   */
  readonly concurrency?: number;
}

export interface MatrixSummary {
  readonly tried: number;
  readonly survived: number;
  readonly violations: number;
  readonly byOutcome: Record<string, number>;
  readonly wallMs: number;
}

export interface MatrixReport {
  readonly sites: CallSites;
  readonly results: readonly ScenarioResult[];
  readonly summary: MatrixSummary;
}

export function selectScenarios(specs: readonly ScenarioSpec[], options: MatrixOptions): ScenarioSpec[] {
  const chosen = options.reduced ? reduceMatrix(specs) : [...specs];
  const filter = options.filter?.toLowerCase();
  if (!filter) return chosen;
  return chosen.filter((spec) =>
    [spec.id, spec.site, spec.fault, spec.trigger].some((text) => text.toLowerCase().includes(filter)),
  );
}

export function summarise(results: readonly ScenarioResult[], wallMs: number): MatrixSummary {
  const byOutcome: Record<string, number> = {};
  for (const result of results) byOutcome[result.outcome] = (byOutcome[result.outcome] ?? 0) + 1;
  return {
    tried: results.length,
    survived: results.filter((result) => result.survived).length,
    violations: results.reduce((sum, result) => sum + result.violations.length, 0),
    byOutcome,
    wallMs,
  };
}

/**
 * Logs must exist for the leak search to mean anything: the functions' logger takes its level from
 * POWERTOOLS_LOG_LEVEL (the caller sets POWERTOOLS_LOG_LEVEL=DEBUG before importing this module,
 * see local/faults.ts; the harness passes it on to every function's environment).
 */
export async function runMatrix(options: MatrixOptions = {}): Promise<MatrixReport> {
  const started = Date.now();
  const concurrency = Math.max(
    1,
    options.concurrency ?? (process.env.LOCAL_LAMBDA_CODE === 'sources' ? 1 : 3),
  );
  const sites = options.sites ?? (await discoverCallSites({ concurrency }));
  const specs = selectScenarios(buildMatrix(sites), options);
  const results: ScenarioResult[] = new Array(specs.length);
  let next = 0;
  let finished = 0;
  const worker = async () => {
    for (let index = next++; index < specs.length; index = next++) {
      const spec = specs[index] as ScenarioSpec;
      const result = await runScenario(spec);
      results[index] = result;
      finished += 1;
      options.onResult?.(result, finished - 1, specs.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, specs.length) }, worker));
  return { sites, results, summary: summarise(results, Date.now() - started) };
}
