/**
 * The house `NodejsFunction`: every Lambda of the rotator is built here, so runtime, architecture,
 * tracing, logging and esbuild settings are decided once. Intent-named helpers bind a function to
 * the admin credential, the policy and the state machine (env var and least-privilege grant in one
 * call).
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { type IRole, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { ViaServicePrincipal } from 'aws-cdk-lib/aws-kms';
import { Architecture, type CfnFunction, type IFunction, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct, IDependable } from 'constructs';
import { ADMIN_SECRETS_VARIABLE } from '../../functions/shared/admin-credentials.js';
import type { RotationPolicy } from '../../functions/shared/policy.js';

/** CDK metadata key recording the handler module a function bundles; read by the local engine. */
export const ENTRY_METADATA_KEY = 'genesys-rotator:entry';

/** Id of the Lambda permission that lets Secrets Manager invoke the rotation function. */
export const SECRETS_MANAGER_INVOKE_PERMISSION_ID = 'SecretsManagerInvoke';

/**
 * ESM bundles have no `require`; purecloud-platform-client-v2 is CommonJS and calls it, so the
 * bundle recreates it. See https://github.com/evanw/esbuild/issues/1921.
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

/** Modules replaced in every bundle (never under Node): module name -> stand-in, from the repository root. */
export const BUNDLE_STAND_INS: Readonly<Record<string, string>> = {
  winston: 'functions/shared/genesys/bundle-stand-ins/winston.ts',
  'form-data': 'functions/shared/genesys/bundle-stand-ins/form-data.ts',
  'fast-sha256': 'functions/shared/webhook-bundle-stand-ins/fast-sha256.ts',
  '@stablelib/base64': 'functions/shared/webhook-bundle-stand-ins/stablelib-base64.ts',
};

/** Absolute path of the repository root (the folder holding package.json and package-lock.json). */
export function repoRoot(): string {
  return fileURLToPath(new URL('../../', import.meta.url));
}

export interface RotatorFunctionProps {
  /** Handler module, relative to the repository root, e.g. `functions/fetch/handler.ts`. */
  readonly entry: string;
  /**
   * Function timeout. The rotation function needs 15 minutes: each Secrets Manager step waits for
   * its milestone in the state machine.
   * @default Duration.seconds(60)
   */
  readonly timeout?: Duration;
  /** @default 512 */
  readonly memorySize?: number;
  /** Retention of the function's log group. @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /** What happens to the log group when the stack is deleted. @default RemovalPolicy.DESTROY */
  readonly logRemovalPolicy?: RemovalPolicy;
  /** `POWERTOOLS_SERVICE_NAME`. @default 'genesys-credential-rotator' */
  readonly serviceName?: string;
  /** Extra environment variables. */
  readonly environment?: Readonly<Record<string, string>>;
  /** Description of the function. @default - none */
  readonly description?: string;
}

/**
 * A Lambda function of the rotator, with the house defaults: Node.js 22 on arm64, X-Ray tracing,
 * an explicit log group with retention, ESM bundles built by the local esbuild, and its own role
 * (no managed policy: it may write to its own log group and nothing else until a helper grants
 * more).
 */
export class RotatorFunction extends NodejsFunction {
  /** The handler module, relative to the repository root. */
  readonly entryPath: string;
  private readonly executionRole: IRole;

  constructor(scope: Construct, id: string, props: RotatorFunctionProps) {
    const root = repoRoot();
    const logGroup = new LogGroup(scope, `${id}LogGroup`, {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.DESTROY,
    });
    // Own role instead of the default one: the default attaches the AWSLambdaBasicExecutionRole
    // managed policy (logs on every log group of the account).
    const role = new Role(scope, `${id}ServiceRole`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the ${id} function of the Genesys credential rotator`,
    });
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );

    super(scope, id, {
      entry: path.join(root, props.entry),
      handler: 'handler',
      projectRoot: root,
      depsLockFilePath: path.join(root, 'package-lock.json'),
      description: props.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      tracing: Tracing.ACTIVE,
      timeout: props.timeout ?? Duration.seconds(60),
      memorySize: props.memorySize ?? 512,
      logGroup,
      role,
      environment: {
        // Stack traces point at the TypeScript sources:
        // https://docs.aws.amazon.com/lambda/latest/dg/typescript-exceptions.html
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: props.serviceName ?? 'genesys-credential-rotator',
        POWERTOOLS_METRICS_NAMESPACE: 'GenesysCredentialRotator',
        ...props.environment,
      },
      bundling: {
        // ESM: top-level await for cold-start setup, and what the handlers are written in.
        format: OutputFormat.ESM,
        target: 'node22',
        minify: true,
        // Minifying renames classes; error names are literals, and this keeps every other class's
        // `name` (e.g. in logged stacks) readable too.
        keepNames: true,
        // Source maps make the minified stack traces readable (with NODE_OPTIONS above).
        sourceMap: true,
        // The Node.js 22 runtime ships AWS SDK v3; everything else (Genesys SDK, zod, Powertools,
        // Middy) is bundled so the deployed code is what the lock file says.
        externalModules: ['@aws-sdk/*'],
        banner: ESM_REQUIRE_BANNER,
        // Two dependencies of the Genesys SDK that no rotator call needs, a third of each Genesys
        // bundle: winston (SDK logging is off on every client) and axios's multipart encoder.
        esbuildArgs: Object.fromEntries(
          Object.entries(BUNDLE_STAND_INS).map(([module, file]) => [
            `--alias:${module}`,
            path.join(root, file),
          ]),
        ),
      },
    });

    this.entryPath = props.entry;
    this.executionRole = role;
    (this.node.defaultChild as CfnFunction).addMetadata(ENTRY_METADATA_KEY, props.entry);
  }

  /** The function's execution role (the one created with it). */
  get serviceRole(): IRole {
    return this.executionRole;
  }

  /**
   * Lets the function read the rotator's own Genesys admin credential and names it in
   * `ADMIN_SECRET_ID`. Only functions that call Genesys as the admin use it; `describe` only for the
   * one that resolves the secret's full ARN (Fetch, for the self-rotation guard).
   */
  useAdminSecret(secret: ISecret, { describe = false }: { readonly describe?: boolean } = {}): this {
    this.addEnvironment('ADMIN_SECRET_ID', secret.secretArn);
    // Not `grantRead`: it always adds DescribeSecret, which most readers never call.
    this.addToRolePolicy(
      new PolicyStatement({
        actions: ['secretsmanager:GetSecretValue', ...(describe ? ['secretsmanager:DescribeSecret'] : [])],
        resources: [secret.secretFullArn ?? `${secret.secretArn}-??????`],
      }),
    );
    secret.encryptionKey?.grant(
      new ViaServicePrincipal(`secretsmanager.${Stack.of(this).region}.amazonaws.com`, this.grantPrincipal),
      'kms:Decrypt',
    );
    return this;
  }

  /**
   * Binds the function to the rotator's admin credential(s): one (`ADMIN_SECRET_ID`, as
   * `useAdminSecret`), or one per org (`ADMIN_SECRETS`: `[{orgId, environment, secretId}]`, which
   * the function picks from by the managed secret's tags). The role may read exactly those secrets.
   */
  useAdminSecrets(admin: AdminSecrets, { describe = false }: { readonly describe?: boolean } = {}): this {
    if (admin.mode === 'single') return this.useAdminSecret(admin.secret, { describe });
    const stack = Stack.of(this);
    this.addEnvironment(
      ADMIN_SECRETS_VARIABLE,
      stack.toJsonString(
        admin.orgs.map((org) => ({
          orgId: org.orgId,
          environment: org.environment,
          secretId: org.secret.secretArn,
        })),
      ),
    );
    this.addToRolePolicy(
      new PolicyStatement({
        actions: ['secretsmanager:GetSecretValue', ...(describe ? ['secretsmanager:DescribeSecret'] : [])],
        resources: admin.orgs.map((org) => org.secret.secretFullArn ?? `${org.secret.secretArn}-??????`),
      }),
    );
    for (const org of admin.orgs) {
      org.secret.encryptionKey?.grant(
        new ViaServicePrincipal(`secretsmanager.${stack.region}.amazonaws.com`, this.grantPrincipal),
        'kms:Decrypt',
      );
    }
    return this;
  }

  /** Passes the org-wide policy (already checked) as `ROTATOR_POLICY`. */
  usePolicy(policy: RotationPolicy): this {
    this.addEnvironment('ROTATOR_POLICY', JSON.stringify(policy));
    return this;
  }

  /**
   * Names the rotation state machine in `STATE_MACHINE_ARN` and grants the given Step Functions
   * actions on it (`ListExecutions`, `StartExecution`) and on its executions (`DescribeExecution`,
   * `GetExecutionHistory`). The ARN is built from the state machine's fixed name, so the function
   * does not depend on the state machine resource (which depends on the function).
   */
  useStateMachine(
    stateMachineName: string,
    actions: ReadonlyArray<'StartExecution' | 'ListExecutions' | 'DescribeExecution' | 'GetExecutionHistory'>,
  ): this {
    const stack = Stack.of(this);
    const stateMachineArn = rotationStateMachineArn(stack, stateMachineName);
    this.addEnvironment('STATE_MACHINE_ARN', stateMachineArn);
    const onMachine = actions.filter((a) => a === 'StartExecution' || a === 'ListExecutions');
    const onExecutions = actions.filter((a) => a === 'DescribeExecution' || a === 'GetExecutionHistory');
    if (onMachine.length > 0) {
      this.addToRolePolicy(
        new PolicyStatement({ actions: onMachine.map((a) => `states:${a}`), resources: [stateMachineArn] }),
      );
    }
    if (onExecutions.length > 0) {
      this.addToRolePolicy(
        new PolicyStatement({
          actions: onExecutions.map((a) => `states:${a}`),
          resources: [rotationExecutionsArn(stack, stateMachineName)],
        }),
      );
    }
    return this;
  }

  /**
   * Lets Secrets Manager invoke this function, from this account only (`SourceAccount`), once
   * however many secrets use it. Returns the permission so a rotation schedule can depend on it.
   */
  grantSecretsManagerInvoke(): IDependable {
    const existing = this.node.tryFindChild(SECRETS_MANAGER_INVOKE_PERMISSION_ID);
    if (existing === undefined) {
      this.addPermission(SECRETS_MANAGER_INVOKE_PERMISSION_ID, {
        principal: new ServicePrincipal('secretsmanager.amazonaws.com'),
        action: 'lambda:InvokeFunction',
        sourceAccount: Stack.of(this).account,
      });
    }
    return this.node.findChild(SECRETS_MANAGER_INVOKE_PERMISSION_ID);
  }
}

/** ARN of the rotation state machine, from its name. */
export function rotationStateMachineArn(stack: Stack, stateMachineName: string): string {
  return stack.formatArn({
    service: 'states',
    resource: 'stateMachine',
    resourceName: stateMachineName,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/** ARN pattern of every execution of the rotation state machine. */
export function rotationExecutionsArn(stack: Stack, stateMachineName: string): string {
  return stack.formatArn({
    service: 'states',
    resource: 'execution',
    resourceName: `${stateMachineName}:*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/** The rotator's admin credential(s) as the functions are bound to them (`useAdminSecrets`). */
export type AdminSecrets =
  | { readonly mode: 'single'; readonly secret: ISecret }
  | {
      readonly mode: 'per-org';
      readonly orgs: ReadonlyArray<{
        readonly orgId: string;
        readonly environment: string;
        readonly secret: ISecret;
      }>;
    };

/** A rotation function as the managed-secret construct sees it. */
export interface IRotationFunction extends IFunction {
  /** See {@link RotatorFunction.grantSecretsManagerInvoke}. */
  grantSecretsManagerInvoke(): IDependable;
}
