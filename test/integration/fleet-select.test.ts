/**
 * The fleet's Select step over the real Secrets Manager client: the stand-in's ListSecrets filters
 * (API_Filter: tag-key/tag-value prefix, case-sensitive, matched separately; values OR, filters
 * AND; `!` negates), paging, and the core re-checking exact tag pairs.
 */
import {
  CreateSecretCommand,
  ListSecretsCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectFleet } from '../../functions/core/fleet.js';
import { SecretsManagerListing } from '../../functions/shared/aws/secret-listing.js';
import { TAG_KIND, TAG_ORG_ID } from '../../functions/shared/contract.js';
import type { AwsStandIn } from '../../local/standins/aws/index.js';
import { startStandIn, stopStandIn } from '../helpers/aws-standin.js';

let standIn: AwsStandIn;
let client: SecretsManagerClient;

async function create(name: string, tags: Record<string, string>): Promise<void> {
  await client.send(
    new CreateSecretCommand({
      Name: name,
      SecretString: '{"clientId":"c","clientSecret":"never-listed","environment":"mypurecloud.ie"}',
      Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
    }),
  );
}

beforeAll(async () => {
  ({ standIn, client } = await startStandIn(SecretsManagerClient));
  // 130 managed secrets over two orgs: more than one ListSecrets page of 100.
  for (let i = 0; i < 130; i++) {
    await create(`fleet/org-${i % 2}/svc-${String(i).padStart(3, '0')}`, {
      [TAG_KIND]: 'oauth-client',
      [TAG_ORG_ID]: `org-${i % 2}`,
      team: i % 3 === 0 ? 'billing' : 'contact-centre',
    });
  }
  // Tag values that share prefixes or sit under another key: the filters match them, the core must not.
  await create('fleet/other-kind', { [TAG_KIND]: 'integration-credential', [TAG_ORG_ID]: 'org-0' });
  await create('fleet/kind-as-team', { [TAG_KIND]: 'oauth-client-legacy', team: 'oauth-client' });
});

afterAll(() => stopStandIn({ standIn, client }));

describe('ListSecrets filters on the stand-in (Secrets Manager API_Filter)', () => {
  it('matches tag keys and values by prefix, separately, and negates with !', async () => {
    const names = async (filters: Array<{ Key: 'tag-key' | 'tag-value' | 'name'; Values: string[] }>) => {
      const page = await client.send(new ListSecretsCommand({ Filters: filters, MaxResults: 100 }));
      return (page.SecretList ?? []).map((s) => s.Name ?? '');
    };

    // tag-value matches whatever key holds the value, and by prefix: both odd secrets match.
    expect(
      await names([
        { Key: 'name', Values: ['fleet/kind', 'fleet/other'] },
        { Key: 'tag-value', Values: ['oauth-client'] },
      ]),
    ).toEqual(['fleet/kind-as-team']);
    expect(
      await names([
        { Key: 'name', Values: ['fleet/kind', 'fleet/other'] },
        { Key: 'tag-key', Values: ['genesys:k'] },
      ]),
    ).toEqual(['fleet/other-kind', 'fleet/kind-as-team']);
    expect(await names([{ Key: 'name', Values: ['fleet/other'] }])).toEqual(['fleet/other-kind']);
    expect(await names([{ Key: 'name', Values: ['Fleet/'] }])).toEqual([]);
    const notBilling = await names([
      { Key: 'name', Values: ['fleet/org-0/'] },
      { Key: 'tag-value', Values: ['!billing'] },
    ]);
    expect(notBilling.length).toBeGreaterThan(0);
    expect(notBilling.every((name) => name.startsWith('fleet/org-0/'))).toBe(true);
  });
});

describe('selectFleet through SecretsManagerListing', () => {
  it('reads every page, keeps exact tag pairs only, groups by org in name order, values never read', async () => {
    const selection = await selectFleet(
      { listing: new SecretsManagerListing(client) },
      { batchId: 'nightly-1', tags: { team: 'contact-centre' } },
      'fleet-execution',
    );

    const expected = Array.from({ length: 130 }, (_, i) => i).filter((i) => i % 3 !== 0);
    expect(selection.total).toBe(expected.length);
    expect(selection.groups.map((g) => g.orgId)).toEqual(['org-0', 'org-1']);
    for (const group of selection.groups) {
      const names = group.secrets.map((s) => s.secretName);
      expect(names).toEqual([...names].sort());
      expect(
        group.secrets.every((s) => s.executionName.startsWith('nightly-1-') && s.executionName.length <= 80),
      ).toBe(true);
    }
    expect(JSON.stringify(selection)).not.toContain('never-listed');
    expect(JSON.stringify(selection)).not.toContain('kind-as-team');
  });
});
