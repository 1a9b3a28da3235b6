/**
 * `SecretListingPort` over `ListSecrets`: server-side tag filters narrow the listing, every page is
 * read (`NextToken`), and each secret's tags come back with it, so no secret is described or read.
 */
import {
  type Filter,
  ListSecretsCommand,
  type ListSecretsCommandOutput,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { ListedSecret, SecretListingPort } from '../fleet-ports.js';
import { mapAwsError } from './errors.js';

/** ListSecrets' largest page. */
const PAGE_SIZE = 100;
/** ListSecrets accepts at most 10 values per filter. */
const MAX_FILTER_VALUES = 10;

export class SecretsManagerListing implements SecretListingPort {
  readonly #client: SecretsManagerClient;

  constructor(client: SecretsManagerClient) {
    this.#client = client;
  }

  async listByTags(tags: Readonly<Record<string, string>>): Promise<ListedSecret[]> {
    const keys = Object.keys(tags);
    const values = [...new Set(Object.values(tags))];
    // Filters AND together; values within one filter OR. Keys and values match independently
    // (and by prefix), which is why the caller checks exact pairs.
    const filters: Filter[] = [];
    if (keys.length > 0 && keys.length <= MAX_FILTER_VALUES) filters.push({ Key: 'tag-key', Values: keys });
    if (values.length > 0 && values.length <= MAX_FILTER_VALUES)
      filters.push({ Key: 'tag-value', Values: values });
    const listed: ListedSecret[] = [];
    let nextToken: string | undefined;
    do {
      let page: ListSecretsCommandOutput;
      try {
        page = await this.#client.send(
          new ListSecretsCommand({
            MaxResults: PAGE_SIZE,
            ...(filters.length > 0 ? { Filters: filters } : {}),
            ...(nextToken === undefined ? {} : { NextToken: nextToken }),
          }),
        );
      } catch (error) {
        throw mapAwsError(error, 'SecretsManager', 'ListSecrets');
      }
      for (const secret of page.SecretList ?? []) {
        if (!secret.ARN || !secret.Name) continue;
        const secretTags: Record<string, string> = {};
        for (const tag of secret.Tags ?? []) if (tag.Key !== undefined) secretTags[tag.Key] = tag.Value ?? '';
        listed.push({
          arn: secret.ARN,
          name: secret.Name,
          tags: secretTags,
          deleted: secret.DeletedDate !== undefined,
        });
      }
      nextToken = page.NextToken;
    } while (nextToken);
    return listed;
  }
}
