/** The matrix as a table: one row per scenario, then the totals. */
import type { MatrixSummary } from './run.js';
import type { ScenarioResult } from './scenario.js';

const WIDTHS = { site: 62, fault: 38, trigger: 8, outcome: 16 } as const;

function cell(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);
}

export function headerLines(): string[] {
  const header = [
    cell('call site', WIDTHS.site),
    cell('fault', WIDTHS.fault),
    cell('trigger', WIDTHS.trigger),
    cell('outcome', WIDTHS.outcome),
    'violations',
  ].join(' ');
  return [header, '-'.repeat(header.length + 10)];
}

export function rowLines(result: ScenarioResult): string[] {
  const outcome = result.survived
    ? result.outcome
    : `${result.outcome}${result.violations.length ? '' : ' (!)'}`;
  const row = [
    cell(result.site, WIDTHS.site),
    cell(result.fault, WIDTHS.fault),
    cell(result.trigger === 'secretsmanager' ? 'native' : 'manual', WIDTHS.trigger),
    cell(outcome, WIDTHS.outcome),
    `${result.violations.length}  ${(result.wallMs / 1000).toFixed(1)} s`,
  ].join(' ');
  return [row, ...result.violations.map((violation) => `    ! ${violation}`)];
}

export function finalLine(summary: MatrixSummary): string {
  const outcomes = Object.entries(summary.byOutcome)
    .map(([outcome, count]) => `${outcome} ${count}`)
    .join(', ');
  return `${summary.tried} scenarios, ${summary.survived} survived, ${summary.violations} violations (${outcomes}) in ${(summary.wallMs / 1000).toFixed(0)} s`;
}
