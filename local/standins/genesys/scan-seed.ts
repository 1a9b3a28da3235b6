import type { ActionDraftStore, SeedActionDraftInput } from './action-drafts.js';
import type { ArchitectStore, SeedFlowInput } from './architect.js';
import type { ActionConfigInput, IntegrationStore } from './integrations.js';

/** Seed helpers for what a hard-coded secret scan reads: auth actions, drafts and Architect flows. */
export interface ScanSeed {
  /** A custom auth action (listed only with `includeAuthActions=true`); returns its id. */
  authAction(input: { integrationId: string; name: string; config: ActionConfigInput }): string;
  /** A Data Action draft (an edit of `actionId`, or a new unpublished action); returns its id. */
  actionDraft(input: SeedActionDraftInput): string;
  /** An Architect flow; returns its id. */
  flow(input: SeedFlowInput): string;
  /** Replaces a flow's latest configuration. */
  flowConfiguration(flowId: string, configuration: unknown): void;
}

export function createScanSeed(
  integrations: IntegrationStore,
  drafts: ActionDraftStore,
  architect: ArchitectStore,
): ScanSeed {
  return {
    authAction: (input) => integrations.seedAction({ ...input, authAction: true }),
    actionDraft: (input) => drafts.seedDraft(input),
    flow: (input) => architect.seedFlow(input),
    flowConfiguration: (flowId, configuration) => architect.setFlowConfiguration(flowId, configuration),
  };
}
