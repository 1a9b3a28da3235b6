import type { SecretDescription } from '../shared/ports.js';

export const AWSCURRENT = 'AWSCURRENT';
export const AWSPENDING = 'AWSPENDING';
export const AWSPREVIOUS = 'AWSPREVIOUS';

export function versionWithStage(description: SecretDescription, stage: string): string | null {
  for (const [versionId, stages] of Object.entries(description.versionIdsToStages)) {
    if (stages.includes(stage)) return versionId;
  }
  return null;
}

export function stagesOf(description: SecretDescription, versionId: string): readonly string[] {
  return description.versionIdsToStages[versionId] ?? [];
}

/** A version holding AWSPENDING that is neither current nor `ownToken`: another rotation is open. */
export function foreignPendingVersion(description: SecretDescription, ownToken: string): string | null {
  for (const [versionId, stages] of Object.entries(description.versionIdsToStages)) {
    if (versionId !== ownToken && stages.includes(AWSPENDING) && !stages.includes(AWSCURRENT)) {
      return versionId;
    }
  }
  return null;
}
