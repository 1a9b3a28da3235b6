/**
 * `ManagedSecretsPort` over Secrets Manager (SDK v3): the secrets tagged `genesys:kind` (the ones
 * `GenesysRotatedSecret` manages), and their AWSCURRENT and AWSPREVIOUS values for the scan's
 * in-memory comparison. ListSecrets is filtered here by tag key rather than by its `Filters`, which
 * not every Secrets Manager emulator implements.
 */
import {
  ListSecretsCommand,
  type ListSecretsCommandOutput,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { ManagedSecretRef, ManagedSecretsPort, ManagedSecretValue } from '../../core/scan/ports.js';
import { TAG_KIND } from '../contract.js';
import { mapAwsError } from './errors.js';
import { SecretsManagerStore } from './secrets-store.js';

export class SecretsManagerManagedSecrets implements ManagedSecretsPort {
  readonly #client: SecretsManagerClient;
  readonly #store: SecretsManagerStore;

  constructor(client: SecretsManagerClient) {
    this.#client = client;
    this.#store = new SecretsManagerStore(client);
  }

  async list(): Promise<ManagedSecretRef[]> {
    const refs: ManagedSecretRef[] = [];
    let nextToken: string | undefined;
    do {
      let answer: ListSecretsCommandOutput;
      try {
        answer = await this.#client.send(
          new ListSecretsCommand({ MaxResults: 100, ...(nextToken ? { NextToken: nextToken } : {}) }),
        );
      } catch (error) {
        throw mapAwsError(error, 'Secrets Manager', 'ListSecrets');
      }
      for (const secret of answer.SecretList ?? []) {
        if (secret.ARN && secret.Name && (secret.Tags ?? []).some((tag) => tag.Key === TAG_KIND)) {
          refs.push({ arn: secret.ARN, name: secret.Name });
        }
      }
      nextToken = answer.NextToken;
    } while (nextToken);
    return refs;
  }

  async values(secretArn: string): Promise<ManagedSecretValue[]> {
    const values: ManagedSecretValue[] = [];
    for (const stage of ['AWSCURRENT', 'AWSPREVIOUS'] as const) {
      const value = await this.#store.getValue(secretArn, { stage });
      if (value !== null) values.push({ stage, value });
    }
    return values;
  }
}
