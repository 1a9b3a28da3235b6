/**
 * Setup shared by the AWS stand-in tests: a stand-in on a free loopback port with a fixed clock, and
 * a real SDK client pointed at it that never retries (a fault a test injects reaches the test as is).
 */
import { type AwsStandIn, type AwsStandInOptions, startAwsStandIn } from '../../local/standins/aws/index.js';

/** The time the stand-in's clock always reads. */
export const fixedNow = new Date('2026-11-21T10:00:00.000Z');

/** What an SDK client of the stand-in is made with. */
export interface StandInClientConfig {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly maxAttempts: number;
}

/** A running stand-in and one SDK client of it. */
export interface StandInSession<Client> {
  readonly standIn: AwsStandIn;
  readonly client: Client;
}

/** Starts a stand-in (clock fixed at `fixedNow` unless `options` says otherwise) and a `Client` of it. */
export async function startStandIn<Client>(
  Client: new (config: StandInClientConfig) => Client,
  options: AwsStandInOptions = {},
): Promise<StandInSession<Client>> {
  const standIn = await startAwsStandIn({ clock: { now: () => fixedNow }, ...options });
  const config = {
    endpoint: standIn.url,
    region: standIn.region,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  };
  return { standIn, client: new Client(config) };
}

/** Destroys the client and closes the stand-in. */
export async function stopStandIn({ standIn, client }: StandInSession<{ destroy(): void }>): Promise<void> {
  client.destroy();
  await standIn.close();
}

/** The staging labels of each version of a secret, sorted, by version id. */
export function stagesByVersion(standIn: AwsStandIn, secretId: string): Record<string, string[]> {
  return Object.fromEntries(
    standIn.secretsManager
      .versions(secretId)
      .map((version) => [version.versionId, [...version.stages].sort()]),
  );
}
