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
 * POWERTOOLS_LOG_LEVEL when its module first loads (and returns to it on every invocation), so the
 * caller sets POWERTOOLS_LOG_LEVEL=DEBUG before importing this module (see local/faults.ts).
 *
 * Scenarios run one at a time: the harness points the functions at each environment through
 * process.env and module-level caches, so two environments cannot share the process.
 */
export async function runMatrix(options: MatrixOptions = {}): Promise<MatrixReport> {
  const started = Date.now();
  {
    const sites = options.sites ?? (await discoverCallSites());
    const specs = selectScenarios(buildMatrix(sites), options);
    const results: ScenarioResult[] = [];
    for (const [index, spec] of specs.entries()) {
      const result = await runScenario(spec);
      results.push(result);
      options.onResult?.(result, index, specs.length);
    }
    return { sites, results, summary: summarise(results, Date.now() - started) };
  }
}
