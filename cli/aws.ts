/**
 * The AWS side of the CLI: clients from the default credential chain (region and profile from the
 * environment or the options; `AWS_ENDPOINT_URL` points them at the local sandbox), and how the
 * rotation state machine is found.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  DescribeStateMachineCommand,
  ListStateMachinesCommand,
  type ListStateMachinesCommandOutput,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { awsCall, NotFoundError } from './errors.js';

/** The stack id of `infra/app.ts`; the stack names its state machine `<stack>-rotation`. */
export const DEFAULT_STACK_NAME = 'GenesysCredentialRotator';
export const STATE_MACHINE_ARN_VARIABLE = 'GENESYS_ROTATOR_STATE_MACHINE_ARN';
export const STACK_NAME_VARIABLE = 'GENESYS_ROTATOR_STACK';

const STATE_MACHINE_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[^:]+$/;

export interface AwsOptions {
  readonly region?: string;
  readonly profile?: string;
  /** The state machine's ARN; wins over `GENESYS_ROTATOR_STATE_MACHINE_ARN` and the stack name. */
  readonly stateMachine?: string;
  /** The rotator stack's name: its state machine is `<stack>-rotation`. */
  readonly stack?: string;
}

/** What every command talks to. */
export interface OperatorAws {
  readonly secrets: SecretsManagerClient;
  readonly sfn: SFNClient;
  /** The rotation state machine's ARN, found once. */
  stateMachineArn(): Promise<string>;
  /** Its definition (ASL), read once: the Wait states' times come from it. */
  definition(): Promise<StateMachineDefinition>;
  close(): void;
}

export interface StateMachineDefinition {
  readonly States: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

export function createOperatorAws(
  options: AwsOptions,
  env: Readonly<Record<string, string | undefined>>,
): OperatorAws {
  // Region, credentials, endpoint (AWS_ENDPOINT_URL) and retries: the SDK's default chain.
  const config = {
    ...(options.region ? { region: options.region } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
  };
  const secrets = new SecretsManagerClient(config);
  const sfn = new SFNClient(config);
  let arn: Promise<string> | undefined;
  let definition: Promise<StateMachineDefinition> | undefined;
  const stateMachineArn = () => {
    arn ??= findStateMachine(sfn, options, env);
    return arn;
  };
  return {
    secrets,
    sfn,
    stateMachineArn,
    definition() {
      definition ??= stateMachineArn().then(async (stateMachineArn) => {
        const described = await awsCall(`DescribeStateMachine(${stateMachineArn})`, () =>
          sfn.send(new DescribeStateMachineCommand({ stateMachineArn })),
        );
        return JSON.parse(described.definition ?? '{"States":{}}') as StateMachineDefinition;
      });
      return definition;
    },
    close() {
      secrets.destroy();
      sfn.destroy();
    },
  };
}

/**
 * `--state-machine`, else `GENESYS_ROTATOR_STATE_MACHINE_ARN`, else the state machine named
 * `<stack>-rotation` in this account and region (`--stack`, `GENESYS_ROTATOR_STACK`, default
 * `GenesysCredentialRotator`), which is what the stack names it unless `stateMachineName` is set.
 */
async function findStateMachine(
  sfn: SFNClient,
  options: AwsOptions,
  env: Readonly<Record<string, string | undefined>>,
): Promise<string> {
  const explicit = options.stateMachine ?? env[STATE_MACHINE_ARN_VARIABLE];
  if (explicit) {
    if (!STATE_MACHINE_ARN.test(explicit)) {
      throw new NotFoundError(
        `${explicit} is not a state machine ARN (arn:aws:states:<region>:<account>:stateMachine:<name>)`,
      );
    }
    return explicit;
  }
  const stack = options.stack ?? env[STACK_NAME_VARIABLE] ?? DEFAULT_STACK_NAME;
  const wanted = `${stack}-rotation`;
  let nextToken: string | undefined;
  do {
    const page: ListStateMachinesCommandOutput = await awsCall('ListStateMachines', () =>
      sfn.send(new ListStateMachinesCommand({ maxResults: 1000, ...(nextToken ? { nextToken } : {}) })),
    );
    const found = page.stateMachines?.find((machine) => machine.name === wanted);
    if (found?.stateMachineArn) return found.stateMachineArn;
    nextToken = page.nextToken;
  } while (nextToken);
  const region = await sfn.config.region().catch(() => 'the configured region');
  throw new NotFoundError(
    `No state machine named ${wanted} in ${region}: deploy the rotator stack, or name it with --state-machine <arn> ` +
      `or ${STATE_MACHINE_ARN_VARIABLE} (the stack's StateMachineArn output), or its stack with --stack`,
  );
}
