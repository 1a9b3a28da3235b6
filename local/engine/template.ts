/**
 * Reads the CloudFormation template CDK synthesized and turns the state machine's definition back
 * into runnable ASL: `Fn::Join` tokens resolve to local ARNs and names, and every Task state is
 * mapped to what serves it locally (the handler module a Lambda bundles, or EventBridge).
 */
import { readFileSync } from 'node:fs';

export const ENTRY_METADATA_KEY = 'genesys-rotator:entry';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, Json>;
  readonly Metadata?: Record<string, Json>;
}

export interface CfnTemplate {
  readonly Resources: Record<string, CfnResource>;
}

export type TaskRoute =
  | {
      readonly kind: 'lambda';
      readonly logicalId: string;
      readonly entry: string;
      readonly functionArn: string;
    }
  | { readonly kind: 'putEvents' }
  /** `states:startExecution.sync:2`: start a state machine of the template and wait for it. */
  | { readonly kind: 'startExecutionSync' };

export interface LocalStateMachine {
  readonly logicalId: string;
  readonly name: string;
  readonly definition: Record<string, unknown>;
  /** Task state name -> what serves it. */
  readonly routes: ReadonlyMap<string, TaskRoute>;
  /** Every Wait state name (local mode compresses waits). */
  readonly waitStates: readonly string[];
  /** Every state name that has a Retry field. */
  readonly retryStates: readonly string[];
  /** Lambda logical id -> handler entry (path relative to the repo root). */
  readonly functionEntries: ReadonlyMap<string, string>;
}

export interface LocalAccount {
  readonly region: string;
  readonly accountId: string;
}

export function readTemplate(path: string): CfnTemplate {
  return JSON.parse(readFileSync(path, 'utf8')) as CfnTemplate;
}

function isRecord(value: unknown): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function lambdaArn(account: LocalAccount, logicalId: string): string {
  return `arn:aws:lambda:${account.region}:${account.accountId}:function:${logicalId}`;
}

/** What a resource became when the local environment "deployed" it: its ARN and its name. */
export interface PhysicalResource {
  readonly arn: string;
  readonly name: string;
}

/** Logical id -> physical resource; a logical id absent here resolves as local mode names it. */
export type PhysicalIds = ReadonlyMap<string, PhysicalResource>;

/** `Ref` of these types is the ARN (CloudFormation's documented return values); of the others, the name. */
const REF_IS_ARN = new Set([
  'AWS::SecretsManager::Secret',
  'AWS::StepFunctions::StateMachine',
  'AWS::IAM::ManagedPolicy',
]);

const SQS_QUEUE = 'AWS::SQS::Queue';

/**
 * The name local mode gives a queue: its `QueueName`, else its logical id (CloudFormation would
 * generate one; the harness creates each queue of the template under this name).
 */
export function sqsQueueName(template: CfnTemplate, logicalId: string): string {
  const name = template.Resources[logicalId]?.Properties?.QueueName;
  return typeof name === 'string' ? name : logicalId;
}

/** The URL SQS gives a queue (the SQS stand-in answers the same). */
export function sqsQueueUrl(account: LocalAccount, name: string): string {
  return `https://sqs.${account.region}.amazonaws.com/${account.accountId}/${name}`;
}

/** Logical ids of the template's SQS queues. */
export function templateQueues(template: CfnTemplate): string[] {
  return Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === SQS_QUEUE)
    .map(([logicalId]) => logicalId);
}

/**
 * Resolves `Ref`, `Fn::GetAtt`, `Fn::Join`, `Fn::Sub` and pseudo parameters to a string. Without
 * `physicalIds` (the state machine definition) functions and buses get local mode's ARNs; with it,
 * the mapped resources resolve to what was created in the stand-ins (IAM policies).
 */
export function resolveToken(
  template: CfnTemplate,
  account: LocalAccount,
  token: Json,
  physicalIds?: PhysicalIds,
): string {
  if (typeof token === 'string') return token;
  if (!isRecord(token)) throw new Error(`Cannot resolve token ${JSON.stringify(token)}`);
  const ref = token.Ref;
  if (typeof ref === 'string') return resolveRef(template, account, ref, physicalIds);
  const getAtt = token['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') {
    const logicalId = getAtt[0];
    const physical = physicalIds?.get(logicalId);
    if (physical !== undefined) return getAtt[1] === 'Name' ? physical.name : physical.arn;
    const resource = template.Resources[logicalId];
    if (resource?.Type === 'AWS::Lambda::Function') return lambdaArn(account, logicalId);
    if (resource?.Type === SQS_QUEUE) {
      const name = sqsQueueName(template, logicalId);
      if (getAtt[1] === 'QueueName') return name;
      if (getAtt[1] === 'QueueUrl') return sqsQueueUrl(account, name);
      return `arn:aws:sqs:${account.region}:${account.accountId}:${name}`;
    }
    if (resource?.Type === 'AWS::Events::EventBus') {
      const name = resource.Properties?.Name;
      return `arn:aws:events:${account.region}:${account.accountId}:event-bus/${typeof name === 'string' ? name : logicalId}`;
    }
    return `arn:aws:local:${account.region}:${account.accountId}:${logicalId}`;
  }
  const select = token['Fn::Select'];
  if (Array.isArray(select) && isRecord(select[1]) && Array.isArray(select[1]['Fn::Split'])) {
    // Fn::Select over Fn::Split: how CDK takes a name out of an ARN token (stack.splitArn).
    const [delimiter, source] = select[1]['Fn::Split'] as [Json, Json];
    const parts = resolveToken(template, account, source ?? '', physicalIds).split(String(delimiter));
    const picked = parts[Number(select[0])];
    if (picked === undefined) throw new Error(`Cannot resolve token ${JSON.stringify(token)}`);
    return picked;
  }
  const join = token['Fn::Join'];
  if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) {
    return join[1].map((part) => resolveToken(template, account, part, physicalIds)).join(join[0]);
  }
  const sub = token['Fn::Sub'];
  if (typeof sub === 'string' || Array.isArray(sub)) {
    const [text, variables] = typeof sub === 'string' ? [sub, {}] : [sub[0], sub[1]];
    if (typeof text !== 'string' || !isRecord(variables ?? {}))
      throw new Error(`Cannot resolve token ${JSON.stringify(token)}`);
    const named = (variables ?? {}) as Record<string, Json>;
    return text.replace(/\$\{([^}!][^}]*)\}/g, (_, name: string) => {
      const variable = named[name];
      if (variable !== undefined) return resolveToken(template, account, variable, physicalIds);
      const [logicalId = name, attribute] = name.split('.');
      const reference: Json =
        attribute === undefined ? { Ref: logicalId } : { 'Fn::GetAtt': [logicalId, attribute] };
      return resolveToken(template, account, reference, physicalIds);
    });
  }
  throw new Error(`Cannot resolve token ${JSON.stringify(token)}`);
}

function resolveRef(
  template: CfnTemplate,
  account: LocalAccount,
  ref: string,
  physicalIds: PhysicalIds | undefined,
): string {
  if (ref === 'AWS::Partition') return 'aws';
  if (ref === 'AWS::Region') return account.region;
  if (ref === 'AWS::AccountId') return account.accountId;
  if (ref === 'AWS::URLSuffix') return 'amazonaws.com';
  const resource = template.Resources[ref];
  const physical = physicalIds?.get(ref);
  if (physical !== undefined) return REF_IS_ARN.has(resource?.Type ?? '') ? physical.arn : physical.name;
  if (resource?.Type === 'AWS::StepFunctions::StateMachine') {
    // CloudFormation: Ref of a state machine is its ARN.
    const machineName = resource.Properties?.StateMachineName;
    return `arn:aws:states:${account.region}:${account.accountId}:stateMachine:${typeof machineName === 'string' ? machineName : ref}`;
  }
  // `Ref` of a queue is its URL.
  if (resource?.Type === SQS_QUEUE) return sqsQueueUrl(account, sqsQueueName(template, ref));
  const name = resource?.Properties?.Name;
  return typeof name === 'string' ? name : ref;
}

function walkStates(
  states: Record<string, unknown>,
  visit: (name: string, state: Record<string, unknown>) => void,
): void {
  for (const [name, state] of Object.entries(states)) {
    if (!isRecord(state)) continue;
    visit(name, state);
    const branches = Array.isArray(state.Branches) ? state.Branches : [];
    const processors = [state.Iterator, state.ItemProcessor].filter(isRecord);
    for (const nested of [...branches, ...processors]) {
      if (isRecord(nested) && isRecord(nested.States)) walkStates(nested.States, visit);
    }
  }
}

/** Node timers hold at most 2^31-1 ms (~24.8 days); a longer TimeoutSeconds would fire after 1 ms. */
const MAX_TIMER_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

function clampTimeouts(node: Record<string, unknown>): void {
  if (typeof node.TimeoutSeconds === 'number' && node.TimeoutSeconds > MAX_TIMER_SECONDS) {
    node.TimeoutSeconds = MAX_TIMER_SECONDS;
  }
  for (const value of Object.values(node)) {
    if (isRecord(value)) clampTimeouts(value);
    if (Array.isArray(value)) for (const item of value) if (isRecord(item)) clampTimeouts(item);
  }
}

/** CDK metadata marking the fleet rotation machine (infra/constructs/fleet-rotation.ts). */
export const FLEET_MACHINE_METADATA_KEY = 'genesys-rotator:fleet';

/**
 * Loads the rotation state machine of a synthesized stack template, or with `{fleet: true}` the
 * fleet rotation machine (the one marked with FLEET_MACHINE_METADATA_KEY).
 */
export function loadStateMachine(
  template: CfnTemplate,
  account: LocalAccount,
  options: { readonly fleet?: boolean } = {},
): LocalStateMachine {
  const wantFleet = options.fleet === true;
  const machines = Object.entries(template.Resources).filter(
    ([, resource]) =>
      resource.Type === 'AWS::StepFunctions::StateMachine' &&
      (resource.Metadata?.[FLEET_MACHINE_METADATA_KEY] === true) === wantFleet,
  );
  const [machine] = machines;
  if (machines.length !== 1 || machine === undefined) {
    throw new Error(
      `Expected one ${wantFleet ? 'fleet' : 'rotation'} state machine in the template, found ${machines.length}`,
    );
  }
  const [logicalId, resource] = machine;
  const definitionString = resource.Properties?.DefinitionString;
  if (definitionString === undefined) throw new Error(`State machine ${logicalId} has no DefinitionString`);
  const definition = JSON.parse(resolveToken(template, account, definitionString)) as Record<string, unknown>;
  clampTimeouts(definition);

  const functionEntries = new Map<string, string>();
  for (const [id, candidate] of Object.entries(template.Resources)) {
    const entry = candidate.Metadata?.[ENTRY_METADATA_KEY];
    if (candidate.Type === 'AWS::Lambda::Function' && typeof entry === 'string')
      functionEntries.set(id, entry);
  }

  const routes = new Map<string, TaskRoute>();
  const waitStates: string[] = [];
  const retryStates: string[] = [];
  const lambdaPrefix = lambdaArn(account, '');
  if (!isRecord(definition.States)) throw new Error('The definition has no States');
  walkStates(definition.States, (name, state) => {
    if (state.Type === 'Wait') waitStates.push(name);
    if (Array.isArray(state.Retry)) retryStates.push(name);
    if (state.Type !== 'Task') return;
    const resourceArn = String(state.Resource);
    if (resourceArn.endsWith(':states:::events:putEvents')) {
      routes.set(name, { kind: 'putEvents' });
    } else if (resourceArn.endsWith(':states:::states:startExecution.sync:2')) {
      routes.set(name, { kind: 'startExecutionSync' });
    } else if (resourceArn.startsWith(lambdaPrefix)) {
      const target = resourceArn.slice(lambdaPrefix.length);
      const entry = functionEntries.get(target);
      if (entry === undefined)
        throw new Error(`Task ${name} targets ${target}, which has no handler entry metadata`);
      routes.set(name, { kind: 'lambda', logicalId: target, entry, functionArn: resourceArn });
    } else {
      throw new Error(`Task ${name} uses ${resourceArn}, which local mode does not serve`);
    }
  });
  const stateMachineName = resource.Properties?.StateMachineName;
  return {
    logicalId,
    name: typeof stateMachineName === 'string' ? stateMachineName : logicalId,
    definition,
    routes,
    waitStates,
    retryStates,
    functionEntries,
  };
}

/** A Lambda function of the template as local mode runs it. */
export interface TemplateFunction {
  readonly logicalId: string;
  /** Handler module, relative to the repo root (the `genesys-rotator:entry` metadata). */
  readonly entry: string;
  /** The function's synthesized environment variables, tokens resolved. */
  readonly environment: Readonly<Record<string, string>>;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  /** Logical id of the function's execution role. */
  readonly roleLogicalId: string | null;
}

/** Every function of the template that local mode can run (those with entry metadata). */
export function templateFunctions(template: CfnTemplate, account: LocalAccount): TemplateFunction[] {
  const functions: TemplateFunction[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    const entry = resource.Metadata?.[ENTRY_METADATA_KEY];
    if (resource.Type !== 'AWS::Lambda::Function' || typeof entry !== 'string') continue;
    const properties = resource.Properties ?? {};
    const environmentBlock = properties.Environment;
    const variables =
      isRecord(environmentBlock) && isRecord(environmentBlock.Variables) ? environmentBlock.Variables : {};
    const environment = Object.fromEntries(
      Object.entries(variables).map(([name, value]) => [name, resolveToken(template, account, value)]),
    );
    const role = properties.Role;
    const roleGetAtt = isRecord(role) ? role['Fn::GetAtt'] : undefined;
    functions.push({
      logicalId,
      entry,
      environment,
      timeoutSeconds: typeof properties.Timeout === 'number' ? properties.Timeout : 3,
      memoryMb: typeof properties.MemorySize === 'number' ? properties.MemorySize : 128,
      roleLogicalId: Array.isArray(roleGetAtt) && typeof roleGetAtt[0] === 'string' ? roleGetAtt[0] : null,
    });
  }
  return functions;
}
