/**
 * What `plan` shows beyond the checks: the blast radius (who depends on the legacy client, what
 * cannot be undone) and the calls a real rotation would make, derived from the dry run's
 * inventory and plan (contract.ts `InventorySchema`, `ValidationSchema`).
 */
import type { ExecutionFacts } from './executions.js';

interface LevelView {
  readonly count: number;
  readonly ids: readonly string[];
  readonly truncated: boolean;
}

/** The plan's blast radius as Validate copies it from Fetch (contract.ts `BlastRadiusSchema`). */
export interface DependentsView {
  readonly credentialIds: readonly string[];
  readonly integrations: LevelView;
  readonly actions: LevelView;
  readonly flows: LevelView;
  readonly complete: boolean;
}

function isLevel(value: unknown): value is LevelView {
  const level = value as LevelView | null;
  return typeof level?.count === 'number' && Array.isArray(level.ids);
}

function dependentsOf(value: unknown): DependentsView | null {
  const radius = value as Partial<DependentsView> | null | undefined;
  if (!radius || !isLevel(radius.integrations) || !isLevel(radius.actions) || !isLevel(radius.flows))
    return null;
  return {
    credentialIds: Array.isArray(radius.credentialIds) ? radius.credentialIds : [],
    integrations: radius.integrations,
    actions: radius.actions,
    flows: radius.flows,
    complete: radius.complete !== false,
  };
}

export interface BlastRadius {
  readonly legacyClientId: string | null;
  readonly legacyClientName: string | null;
  /** Requests the legacy client made over the lookback (Fetch's usage summary): its consumers. */
  readonly legacyRequests: number | null;
  readonly usageDays: number | null;
  readonly roleDivisions: number | null;
  readonly org: string | null;
  readonly clientQuota: { readonly used: number; readonly limit: number | null } | null;
  /** Deleting the legacy client at the end cannot be undone (created within the last 30 days). */
  readonly legacyDeleteIrreversible: boolean | null;
  readonly legacyDeleteNote: string | null;
  /**
   * Integrations, Data Actions and flows that depend on the secret's Genesys credentials (the
   * plan's `blastRadius`, functions/core/scan/blast-radius.ts); null when Fetch computed none (the
   * secret has no `genesys:credential-ids` tag).
   */
  readonly dependents: DependentsView | null;
}

export interface PlannedCall {
  readonly service: 'Genesys' | 'Secrets Manager' | 'EventBridge' | 'Step Functions';
  readonly call: string;
  readonly why: string;
}

export function blastRadiusOf(facts: ExecutionFacts): BlastRadius {
  const plan = facts.validation?.plan ?? {};
  const inventory = facts.inventory;
  const roleDivisions = Array.isArray(plan.roleDivisions) ? plan.roleDivisions.length : null;
  return {
    legacyClientId: facts.legacyClientId,
    legacyClientName: inventory?.legacyClient?.name ?? null,
    legacyRequests: inventory?.legacyUsage?.requests ?? null,
    usageDays: inventory?.legacyUsage?.days ?? null,
    roleDivisions,
    org: inventory?.org ? `${inventory.org.name} (${inventory.org.id})` : null,
    clientQuota: inventory?.clientQuota ?? null,
    legacyDeleteIrreversible:
      typeof plan.legacyDeleteIrreversible === 'boolean' ? plan.legacyDeleteIrreversible : null,
    legacyDeleteNote: typeof plan.legacyDeleteNote === 'string' ? plan.legacyDeleteNote : null,
    dependents: dependentsOf(plan.blastRadius),
  };
}

function seconds(value: unknown): string {
  if (typeof value !== 'number') return '?';
  if (value >= 86_400 && value % 3_600 === 0) return `${+(value / 86_400).toFixed(2)} d`;
  if (value >= 3_600) return `${+(value / 3_600).toFixed(2)} h`;
  return `${value} s`;
}

/** The calls a standard rotation makes after this plan, in order (the code paths of functions/core). */
export function plannedCalls(facts: ExecutionFacts): PlannedCall[] {
  const plan = facts.validation?.plan ?? {};
  const legacy = facts.legacyClientId ?? '<legacy>';
  const name = typeof plan.newClientName === 'string' ? plan.newClientName : '<new client>';
  const roles = Array.isArray(plan.roleDivisions) ? plan.roleDivisions.length : '?';
  const irreversible =
    plan.legacyDeleteIrreversible === true ? ' (irreversible: created within 30 days)' : '';
  return [
    {
      service: 'Genesys',
      call: 'POST /api/v2/oauth/clients',
      why: `create ${name}: ${roles} role-divisions and token validity ${seconds(plan.accessTokenValiditySeconds)} cloned from ${legacy}`,
    },
    {
      service: 'Secrets Manager',
      call: 'PutSecretValue (AWSPENDING, version = rotation token)',
      why: "store the new client's secret straight from Genesys' response",
    },
    {
      service: 'Genesys',
      call: 'POST /oauth/token, GET /api/v2/tokens/me, DELETE /api/v2/tokens/me',
      why: 'verify the pending credential on an isolated client, then revoke the test token',
    },
    {
      service: 'Secrets Manager',
      call: 'UpdateSecretVersionStage (AWSCURRENT -> the new version)',
      why: 'promote; AWSPREVIOUS follows the old version',
    },
    {
      service: 'Genesys',
      call: 'POST /api/v2/oauth/clients/{id}/usage/query, GET .../usage/query/results/{executionId}',
      why:
        `both clients' daily usage every ${seconds(plan.adoptionPollSeconds)}, until ${plan.adoptionEvidenceDays ?? '?'} ` +
        `reported days show no legacy requests (at most ${seconds(plan.gracePeriodSeconds)}; ` +
        `${plan.retireWithoutEvidence === true ? 'then retires on time' : 'then holds with the legacy client active'})`,
    },
    {
      service: 'Genesys',
      call: `PUT /api/v2/oauth/clients/${legacy} (state inactive)`,
      why: `stop new tokens for the legacy client, then observe for ${seconds(plan.retireObserveSeconds)}`,
    },
    {
      service: 'Genesys',
      call: 'POST /api/v2/oauth/clients/{id}/usage/query',
      why: 'the retirement re-check: any legacy request sets it active again and the rotation holds',
    },
    {
      service: 'Genesys',
      call: `DELETE /api/v2/oauth/clients/${legacy}`,
      why: `retire the legacy client${irreversible}`,
    },
    {
      service: 'EventBridge',
      call: 'PutEvents',
      why: 'one audit event per transition (Rotation Started ... Rotation Succeeded)',
    },
  ];
}
