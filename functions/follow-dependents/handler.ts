/**
 * Integration credentials of type `pureCloudOAuthClient` that follow the rotated OAuth client
 * (docs/ARCHITECTURE.md, "Dependents that follow a rotation"). One function for every step, so the
 * Integrations SDK module is bundled here only.
 */
import {
  discoverDependents,
  flipDependents,
  flipForEmergency,
  healthAfter,
  preflightDependents,
  retireDependents,
  rollbackDependents,
  stageDependents,
} from '../core/kinds/follow-purecloud-credentials.js';
import { adminTargetOf } from '../shared/admin-credentials.js';
import { OAuthClientRotationStateSchema } from '../shared/contract.js';
import type { Dependents } from '../shared/dependents-contract.js';
import { InvalidInputError } from '../shared/errors.js';
import { FollowStateSchema, FollowTaskInputSchema } from '../shared/follow-task.js';
import { GenesysIntegrations } from '../shared/genesys/integrations.js';
import { getGenesysAdmin } from '../shared/genesys-runtime.js';
import { clock, getSecretStore } from '../shared/runtime.js';
import { stepHandler } from '../shared/step-handler.js';

export const handler = stepHandler(
  'FollowDependents',
  FollowTaskInputSchema,
  async ({ step, state: raw }) => {
    // Integration credentials follow an OAuth client: only `oauth-client` rotations have these states' dependents.
    const state = OAuthClientRotationStateSchema.parse(raw);
    const follow = FollowStateSchema.parse(raw);
    const deps = {
      integrations: new GenesysIntegrations(await getGenesysAdmin(adminTargetOf(state))),
      secrets: getSecretStore(),
      clock,
    };
    const dependents = (): Dependents => {
      if (follow.dependents === undefined)
        throw new InvalidInputError(`FollowDependents ${step} needs $.dependents`);
      return follow.dependents;
    };
    switch (step) {
      case 'discover': {
        const found = await discoverDependents(deps, state);
        const preflight = preflightDependents(state, found);
        // A dry run reports the checks; a real run is refused before any change.
        if (preflight.refusal !== null && !state.dryRun) throw preflight.refusal;
        return { ...found, checks: preflight.checks };
      }
      case 'stage':
        return stageDependents(deps, state, dependents());
      case 'flip': {
        const staged = follow.dependentsStaged;
        if (staged === undefined)
          throw new InvalidInputError('FollowDependents flip needs $.dependentsStaged');
        return flipDependents(deps, state, dependents(), staged);
      }
      case 'healthAfterPromotion':
        return healthAfter(deps, state, dependents(), 'promotion');
      case 'retire':
        return retireDependents(deps, state, dependents());
      case 'healthAfterRetirement':
        return healthAfter(deps, state, dependents(), 'retirement');
      case 'rollback':
        return rollbackDependents(deps, state, follow.dependents);
      case 'emergencyFlip':
        return flipForEmergency(deps, state, dependents());
      case 'healthAfterEmergency':
        return healthAfter(deps, state, dependents(), 'emergency');
    }
  },
);
