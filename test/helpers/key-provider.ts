/**
 * The example key provider as a real Lambda: its handler bundled by esbuild as CDK bundles the
 * rotator's functions (ESM, Node 22), run by the local Lambda service in a worker with its own
 * environment, and registered with the AWS stand-in's Invoke API, so `@aws-sdk/client-lambda`
 * reaches it over HTTP.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { build } from 'esbuild';
import { ESM_REQUIRE_BANNER } from '../../infra/constructs/rotator-function.js';
import { LocalLambdaService } from '../../local/engine/lambda-runtime.js';
import { type AwsStandIn, OPERATOR_CREDENTIALS } from '../../local/standins/aws/index.js';
import type { PartnerStandIn } from '../../local/standins/partner/index.js';

export const PROVIDER_ENTRY = 'functions/examples/partner-key-provider/handler.ts';
export const PROVIDER_FUNCTION_NAME = 'PartnerKeyProvider';

export interface ProviderLambda {
  readonly functionName: string;
  readonly functionArn: string;
  readonly lambda: LambdaClient;
  readonly secretsManager: SecretsManagerClient;
  /** The secret holding the partner's admin token, which the provider reads. */
  readonly adminSecret: { readonly arn: string; readonly name: string };
  close(): Promise<void>;
}

export async function startProviderLambda(
  aws: AwsStandIn,
  partner: PartnerStandIn,
  options: { adminToken?: string; functionName?: string } = {},
): Promise<ProviderLambda> {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const outdir = mkdtempSync(join(tmpdir(), 'key-provider-'));
  await build({
    entryPoints: [join(root, PROVIDER_ENTRY)],
    outfile: join(outdir, 'index.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    banner: { js: ESM_REQUIRE_BANNER },
    logLevel: 'silent',
  });
  const clientConfig = { endpoint: aws.url, region: aws.region, credentials: OPERATOR_CREDENTIALS };
  const secretsManager = new SecretsManagerClient(clientConfig);
  const functionName = options.functionName ?? PROVIDER_FUNCTION_NAME;
  const admin = await secretsManager.send(
    new CreateSecretCommand({
      Name: `partner/${functionName}/admin`,
      SecretString: JSON.stringify({ adminToken: options.adminToken ?? partner.adminToken }),
    }),
  );
  const functionArn = `arn:aws:lambda:${aws.region}:${aws.accountId}:function:${functionName}`;
  const service = new LocalLambdaService(
    [
      {
        logicalId: functionName,
        bundlePath: join(outdir, 'index.mjs'),
        functionArn,
        environment: {
          PARTNER_API_URL: partner.url,
          PARTNER_ADMIN_SECRET_ID: admin.ARN ?? '',
          AWS_ENDPOINT_URL: aws.url,
          AWS_REGION: aws.region,
          AWS_ACCESS_KEY_ID: OPERATOR_CREDENTIALS.accessKeyId,
          AWS_SECRET_ACCESS_KEY: OPERATOR_CREDENTIALS.secretAccessKey,
        },
        timeoutMs: 10_000,
        memoryMb: 256,
      },
    ],
    () => undefined,
  );
  aws.lambda.registerFunction(functionArn, (event) => service.invoke(functionName, event));
  return {
    functionName,
    functionArn,
    lambda: new LambdaClient({ ...clientConfig, maxAttempts: 1 }),
    secretsManager,
    adminSecret: { arn: admin.ARN ?? '', name: admin.Name ?? '' },
    close: async () => {
      await service.close();
      rmSync(outdir, { recursive: true, force: true });
    },
  };
}
