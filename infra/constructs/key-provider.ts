/**
 * Key providers in CDK (docs/KEY-PROVIDERS.md): the grant that lets rotator functions invoke a
 * customer's provider, and the example provider for the partner API stand-in.
 *
 * The grant names exactly the provider's function ARN: no `:*` for versions or aliases (which
 * `IFunction.grantInvoke` adds), no other function.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { ViaServicePrincipal } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { RotatorFunction } from './rotator-function.js';

export const EXAMPLE_KEY_PROVIDER_ENTRY = 'functions/examples/partner-key-provider/handler.ts';

/** Lets `grantee` call `lambda:InvokeFunction` on exactly `provider`. */
export function grantKeyProviderInvoke(grantee: IGrantable, provider: IFunction): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [provider.functionArn] }),
  );
}

/**
 * The rotator functions that call a provider, each for its own operations: Rotator issues (it is the
 * only writer of the managed secrets, so the issued key goes from the answer into AWSPENDING in one
 * invocation), Verify tests the pending key, CheckAdoption reads the keys' usage (the adoption
 * gate's evidence), DeleteOrRollback revokes the old key after adoption (and a failed rotation's new
 * key). Fetch and Validate never call a provider and get no grant.
 */
export interface KeyProviderUsers {
  readonly rotator: IGrantable;
  readonly verify: IGrantable;
  readonly checkAdoption: IGrantable;
  readonly deleteOrRollback: IGrantable;
}

/** Which operations each user calls (documentation of the grant; Lambda IAM cannot scope by operation). */
export const KEY_PROVIDER_OPERATIONS: Readonly<Record<keyof KeyProviderUsers, readonly string[]>> = {
  rotator: ['issue'],
  verify: ['test'],
  checkAdoption: ['usage'],
  deleteOrRollback: ['revoke'],
};

export function useKeyProvider(functions: KeyProviderUsers, provider: IFunction): void {
  for (const user of [
    functions.rotator,
    functions.verify,
    functions.checkAdoption,
    functions.deleteOrRollback,
  ]) {
    grantKeyProviderInvoke(user, provider);
  }
}

export interface ExamplePartnerKeyProviderProps {
  /** The partner API's base URL (local mode: the partner stand-in). */
  readonly partnerApiUrl: string;
  /** Holds `{"adminToken": "..."}`: the partner's admin credential. */
  readonly adminSecret: ISecret;
  /** The `userDefined` field actions read the key from (`${credentials.<field>}`). @default 'apiKey' */
  readonly userDefinedField?: string;
  readonly logRetention?: RetentionDays;
}

/** The example key provider Lambda for the partner API stand-in (functions/examples/partner-key-provider). */
export class ExamplePartnerKeyProvider extends Construct {
  readonly function: RotatorFunction;

  constructor(scope: Construct, id: string, props: ExamplePartnerKeyProviderProps) {
    super(scope, id);
    this.function = new RotatorFunction(this, 'Function', {
      entry: EXAMPLE_KEY_PROVIDER_ENTRY,
      description: 'Example key provider: issues, tests and revokes partner API keys',
      serviceName: 'partner-key-provider',
      ...(props.logRetention === undefined ? {} : { logRetention: props.logRetention }),
      environment: {
        PARTNER_API_URL: props.partnerApiUrl,
        PARTNER_ADMIN_SECRET_ID: props.adminSecret.secretArn,
        PARTNER_USER_DEFINED_FIELD: props.userDefinedField ?? 'apiKey',
      },
    });
    this.function.addToRolePolicy(
      new PolicyStatement({
        actions: ['secretsmanager:GetSecretValue'],
        resources: [props.adminSecret.secretFullArn ?? `${props.adminSecret.secretArn}-??????`],
      }),
    );
    props.adminSecret.encryptionKey?.grant(
      new ViaServicePrincipal(
        `secretsmanager.${Stack.of(this).region}.amazonaws.com`,
        this.function.grantPrincipal,
      ),
      'kms:Decrypt',
    );
    Validations.of(this.function.serviceRole).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray (Tracing.ACTIVE) PutTraceSegments/PutTelemetryRecords support no resource-level scoping.',
    });
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'Lambdas target Node.js 22 per project policy (bundles are built with target node22).',
    });
  }
}
