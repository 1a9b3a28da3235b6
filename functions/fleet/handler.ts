import { selectFleet, summarizeFleet } from '../core/fleet.js';
import { createSecretsManagerClient } from '../shared/aws/index.js';
import { SecretsManagerListing } from '../shared/aws/secret-listing.js';
import { FleetSelectTaskInputSchema, FleetSummarizeTaskInputSchema } from '../shared/fleet-contract.js';
import { stepHandler } from '../shared/step-handler.js';
import * as z from '../shared/zod.js';

/** The fleet machine's two Lambda steps: Select (ListSecrets by tag) and Summarize (pure). */
export const handler = stepHandler(
  'Fleet',
  z.discriminatedUnion('fleetTask', [FleetSelectTaskInputSchema, FleetSummarizeTaskInputSchema]),
  async (event) => {
    if (event.fleetTask === 'select') {
      return selectFleet(
        { listing: new SecretsManagerListing(createSecretsManagerClient()) },
        event.input,
        event.executionName,
      );
    }
    return summarizeFleet(event);
  },
);
