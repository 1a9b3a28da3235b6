import type { BlastRadius, BlastRadiusLevel } from './blast-radius.js';
import { describeLocation } from './guard.js';
import type { ScanReport } from './scanner.js';

function levelLine(name: string, level: BlastRadiusLevel): string {
  const ids = level.ids.length > 0 ? `: ${level.ids.join(', ')}${level.truncated ? ', ...' : ''}` : '';
  return `  ${name}: ${level.count}${ids}`;
}

export function formatBlastRadius(radius: BlastRadius): string[] {
  return [
    `Blast radius of credential(s) ${radius.credentialIds.join(', ') || '(none)'}${radius.complete ? '' : ' (incomplete: lower bounds)'}`,
    levelLine('integrations', radius.integrations),
    levelLine('actions', radius.actions),
    levelLine('flows', radius.flows),
  ];
}

/** The report for a terminal: places and secret ARNs, never a value (the report holds none). */
export function formatScanReport(report: ScanReport): string {
  const lines = [
    `Scanned ${report.scanned.actions} action(s), ${report.scanned.drafts} draft(s), ${report.scanned.flows} flow(s); compared ${report.scanned.managedSecrets} managed secret(s).`,
  ];
  if (report.findings.length === 0) {
    lines.push('No hard-coded secrets found.');
  } else {
    lines.push(`${report.findings.length} finding(s):`);
    for (const finding of report.findings) {
      lines.push(`  [${finding.kind}] ${describeLocation(finding.location)}: ${finding.detail}`);
    }
  }
  if (report.hardCodedSecretArns.length > 0) {
    lines.push('Managed secrets hard-coded somewhere (their rotation is refused by default):');
    for (const arn of report.hardCodedSecretArns) lines.push(`  ${arn}`);
  }
  if (!report.complete) {
    lines.push(`Incomplete scan: ${report.problems.length} item(s) could not be read.`);
    for (const problem of report.problems) lines.push(`  ${problem.where}: ${problem.message}`);
  }
  if (report.blastRadius) lines.push(...formatBlastRadius(report.blastRadius));
  return lines.join('\n');
}
