import type { AdvanceableClock } from './clock.js';
import type { IntegrationStore } from './integrations.js';
import type { OrgDirectory } from './model.js';
import type { UsageExecutions, UsageLedger } from './usage.js';

export interface StandInSettings {
  rateLimitPerMinute: number;
  oauthClientLimit: number | null;
  /** Default page size of the OAuth client listing; null: one page. */
  oauthClientsPageSize: number | null;
  usageQueryRunningMs: number;
  newClientActivationDelayMs: number;
  /** Makes every client secret the stand-in issues (created, regenerated, seeded without one). */
  newSecret: () => string;
}

/** Everything the route handlers of one org share (the stand-in serves several orgs, see index.ts). */
export interface StandInWorld {
  clock: AdvanceableClock;
  directory: OrgDirectory;
  usage: UsageLedger;
  executions: UsageExecutions;
  integrations: IntegrationStore;
  settings: StandInSettings;
}

/** `/api/v2/oauth/clients/{clientId}` -> `api/v2/oauth/clients/{clientId}`, the usage API's `templateUri`. */
export function templateUri(template: string): string {
  return template.replace(/^\//, '');
}
