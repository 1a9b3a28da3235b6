/**
 * Hard-coded secret scan and blast radius: the module's public API (used by `npm run scan`, the
 * operator CLI and the rotation's Fetch step). See docs/SCAN.md.
 */
export {
  type BlastRadius,
  type BlastRadiusLevel,
  type BlastRadiusOptions,
  computeBlastRadius,
  DEFAULT_BLAST_RADIUS_ID_CAP,
} from './blast-radius.js';
export {
  detectLiterals,
  FINDING_KINDS,
  type FindingKind,
  literalPart,
} from './detectors.js';
export {
  describeLocation,
  type HardCodedSecretGuard,
  HardCodedSecretRefusedError,
  refuseHardCodedSecret,
} from './guard.js';
export type * from './ports.js';
export { formatBlastRadius, formatScanReport } from './report.js';
export {
  type Finding,
  type FindingLocation,
  runScan,
  type ScanDependencies,
  type ScanOptions,
  type ScanProblem,
  type ScanReport,
} from './scanner.js';
