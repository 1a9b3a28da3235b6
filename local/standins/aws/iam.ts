/**
 * IAM for local mode: an authority built from the synthesized CloudFormation template that answers
 * "may this caller do this action on this resource?" with a real IAM evaluator
 * (`@cloud-copilot/iam-simulate`), so a policy that would fail in AWS fails locally too.
 *
 * API (everything a harness or the engine needs):
 *
 *   const iam = IamAuthority.fromTemplate({ template, account, physicalIds, unknownAccessKeys });
 *   iam.roleOfFunction(functionLogicalId): string                 // the function's role logical id
 *   iam.credentialsOfFunction(functionLogicalId): LocalCredentials // = credentialsFor(roleOfFunction(id))
 *   iam.credentialsFor(roleLogicalId): LocalCredentials           // deterministic: same role, same key
 *   iam.principalArnFor(accessKeyId): string | null               // arn:aws:sts::<acct>:assumed-role/<Role>/<session>
 *   await iam.authorize({ accessKeyId, action, resource, context? }): Promise<AuthorizationDecision>
 *   iam.stateMachineRole(): string                                // the state machine's role logical id
 *   await iam.authorizeStateMachineTask({ action, resource }): Promise<AuthorizationDecision>
 *   await iam.authorizeService({ servicePrincipal, action, resource, sourceAccount }) // resource policies
 *   aws.setIamAuthority(iam) / startAwsStandIn({ iam })           // the AWS stand-in enforces it
 *
 * Wiring a harness: start the stand-in, create the secrets with `OPERATOR_CREDENTIALS` (the
 * operator key is always allowed, it stands for whoever deploys and tests), synthesize, build the
 * authority with `physicalIds` mapping each created secret's logical id to `{arn, name}`, then
 * `aws.setIamAuthority(iam)`. Each function's SDK calls must sign with
 * `credentialsOfFunction(logicalId)` (`AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY`). Beware: the
 * handlers share one process, and `functions/shared` caches one SDK client per module for all of
 * them, with the credentials the default chain read once; overriding `client.config.credentials`
 * or the identity in a middleware does not change the signer. So each invocation needs clients
 * built under its own credentials (e.g. a module graph per function, or `resetRuntime()` plus the
 * env swap around each invocation, which is only safe if invocations never overlap, and the hook
 * runs while the state machine's tasks do). Until then `unknownAccessKeys: 'unrestricted'` lets
 * the shared key through. In the runner, call `authorizeStateMachineTask` before each Lambda task
 * (`lambda:InvokeFunction` on the function ARN) and each `events:putEvents` task (`events:PutEvents`
 * on the bus ARN; or send PutEvents with `credentialsFor(stateMachineRole())` and let the stand-in
 * check it); a denial fails the task as AWS does, with `message` as the cause.
 *
 * Not modelled: signatures are not verified (the access key id alone names the caller), no
 * session policies, SCPs or permission boundaries; of resource policies, only Lambda permissions
 * (the stand-in checks that Secrets Manager may invoke the rotation function on RotateSecret).
 */
import { createHash } from 'node:crypto';
import { runSimulation, type Simulation, typeForContextKey } from '@cloud-copilot/iam-simulate';
import {
  type CfnTemplate,
  type Json,
  type LocalAccount,
  lambdaArn,
  type PhysicalIds,
  resolveToken,
} from '../../engine/template.js';

/** The access key of the harness's own calls (operator, tests): never checked. */
export const OPERATOR_ACCESS_KEY_ID = 'LOCALOPERATOR0000000';
export const OPERATOR_CREDENTIALS: LocalCredentials = {
  accessKeyId: OPERATOR_ACCESS_KEY_ID,
  secretAccessKey: 'local-operator-secret-access-key-000000',
};

export interface LocalCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export type { PhysicalIds, PhysicalResource } from '../../engine/template.js';

export interface IamAuthorityOptions {
  readonly template: CfnTemplate;
  readonly account: LocalAccount;
  /** Logical id -> `{arn, name}` of what the local environment created; others resolve as local mode names them. */
  readonly physicalIds?: PhysicalIds;
  /**
   * What an access key the authority did not issue (nor the operator's) may do: `'denied'` (as
   * AWS: the key is not valid) or `'unrestricted'` (callers not yet wired to role credentials).
   * @default 'denied'
   */
  readonly unknownAccessKeys?: 'denied' | 'unrestricted';
}

export interface AuthorizationRequest {
  /** From the request's SigV4 `Credential=`; undefined for an unsigned request. */
  readonly accessKeyId: string | undefined;
  /** e.g. `secretsmanager:DescribeSecret`. */
  readonly action: string;
  /** The ARN IAM evaluates, or `*` for actions without resource types. */
  readonly resource: string;
  /** Request context keys the service knows (e.g. `aws:ResourceTag/genesys:stage`). */
  readonly context?: Readonly<Record<string, string | readonly string[]>>;
  /** A resource-based policy of the resource, if it has one (e.g. a Lambda function's). */
  readonly resourcePolicy?: unknown;
}

export interface ServiceAuthorizationRequest {
  /** e.g. `secretsmanager.amazonaws.com`. */
  readonly servicePrincipal: string;
  readonly action: string;
  readonly resource: string;
  /** The account the service acts for (`aws:SourceAccount`). */
  readonly sourceAccount: string;
  /** The resource the service acts for (`aws:SourceArn`), when it says. */
  readonly sourceArn?: string;
  /** The service's own words for a denial; default IAM's. */
  readonly deniedMessage?: string;
}

export type AuthorizationDecision =
  | { readonly allowed: true }
  | {
      readonly allowed: false;
      /** `AccessDeniedException`, or `UnrecognizedClientException` for a key nobody issued. */
      readonly errorType: 'AccessDeniedException' | 'UnrecognizedClientException';
      /** In AWS's words. */
      readonly message: string;
    };

/** The template asks for something the authority cannot evaluate faithfully. */
export class IamConfigurationError extends Error {
  override readonly name = 'IamConfigurationError';
}

interface IdentityPolicy {
  readonly name: string;
  readonly policy: unknown;
}

interface LocalRole {
  readonly logicalId: string;
  readonly name: string;
  readonly arn: string;
  readonly sessionName: string;
  readonly credentials: LocalCredentials;
  readonly policies: readonly IdentityPolicy[];
  /** AWS managed policies: their documents are not in the template. */
  readonly unresolvablePolicyArns: readonly string[];
}

const IAM_ROLE = 'AWS::IAM::Role';
const LAMBDA_FUNCTION = 'AWS::Lambda::Function';
const STATE_MACHINE = 'AWS::StepFunctions::StateMachine';

export class IamAuthority {
  private readonly rolesByLogicalId = new Map<string, LocalRole>();
  private readonly rolesByAccessKey = new Map<string, LocalRole>();

  private readonly physicalIds: PhysicalIds;

  private constructor(private readonly options: IamAuthorityOptions) {
    const { template } = options;
    this.physicalIds = withDefaultSecretArns(template, options.account, options.physicalIds);
    for (const [logicalId, resource] of Object.entries(template.Resources)) {
      if (resource.Type !== IAM_ROLE) continue;
      const role = this.buildRole(logicalId);
      this.rolesByLogicalId.set(logicalId, role);
      this.rolesByAccessKey.set(role.credentials.accessKeyId, role);
    }
  }

  static fromTemplate(options: IamAuthorityOptions): IamAuthority {
    return new IamAuthority(options);
  }

  get accountId(): string {
    return this.options.account.accountId;
  }

  /** Logical ids of every role in the template. */
  roles(): string[] {
    return [...this.rolesByLogicalId.keys()];
  }

  credentialsFor(roleLogicalId: string): LocalCredentials {
    return this.requireRole(roleLogicalId).credentials;
  }

  /** The role a function runs as: its `Role` property (`Fn::GetAtt [role, Arn]`). */
  roleOfFunction(functionLogicalId: string): string {
    const resource = this.options.template.Resources[functionLogicalId];
    if (resource?.Type !== LAMBDA_FUNCTION)
      throw new IamConfigurationError(`${functionLogicalId} is not a Lambda function of the template`);
    const roleLogicalId = roleReference(resource.Properties?.Role);
    if (roleLogicalId === null || !this.rolesByLogicalId.has(roleLogicalId)) {
      throw new IamConfigurationError(`Function ${functionLogicalId} has no role of this template`);
    }
    return roleLogicalId;
  }

  credentialsOfFunction(functionLogicalId: string): LocalCredentials {
    return this.credentialsFor(this.roleOfFunction(functionLogicalId));
  }

  /** The role of the template's single state machine (`RoleArn`), or of the one named by logical id. */
  stateMachineRole(stateMachineLogicalId?: string): string {
    const machines = Object.entries(this.options.template.Resources)
      .filter(([id, resource]) => resource.Type === STATE_MACHINE && (stateMachineLogicalId ?? id) === id)
      .map(([, resource]) => resource);
    const [machine] = machines;
    const roleLogicalId = machines.length === 1 ? roleReference(machine?.Properties?.RoleArn) : null;
    if (roleLogicalId === null || !this.rolesByLogicalId.has(roleLogicalId)) {
      throw new IamConfigurationError('The template has no single state machine with a role of the template');
    }
    return roleLogicalId;
  }

  /** The session ARN AWS names in its messages; null for a key the authority did not issue. */
  principalArnFor(accessKeyId: string): string | null {
    const role = this.rolesByAccessKey.get(accessKeyId);
    return role === undefined ? null : sessionArn(this.accountId, role);
  }

  async authorize(request: AuthorizationRequest): Promise<AuthorizationDecision> {
    const { accessKeyId } = request;
    if (accessKeyId === OPERATOR_ACCESS_KEY_ID) return { allowed: true };
    const role = accessKeyId === undefined ? undefined : this.rolesByAccessKey.get(accessKeyId);
    if (role === undefined) {
      if (this.options.unknownAccessKeys === 'unrestricted') return { allowed: true };
      return {
        allowed: false,
        errorType: 'UnrecognizedClientException',
        message: 'The security token included in the request is invalid.',
      };
    }
    return this.evaluate(role, request);
  }

  /** A Step Functions task's call (`lambda:InvokeFunction`, `events:PutEvents`) as the state machine role. */
  authorizeStateMachineTask(
    task: {
      readonly action: string;
      readonly resource: string;
    },
    stateMachineLogicalId?: string,
  ): Promise<AuthorizationDecision> {
    const { accessKeyId } = this.credentialsFor(this.stateMachineRole(stateMachineLogicalId));
    return this.authorize({ accessKeyId, ...task });
  }

  /**
   * An AWS service calling on its own behalf (e.g. Secrets Manager invoking the rotation function):
   * allowed only by the resource's policy, which for a function is its `AWS::Lambda::Permission`s.
   */
  async authorizeService(request: ServiceAuthorizationRequest): Promise<AuthorizationDecision> {
    const { account } = this.options;
    const statements = this.permissionStatementsFor(request.resource);
    const contextVariables: Record<string, string> = { 'aws:SourceAccount': request.sourceAccount };
    if (request.sourceArn !== undefined) contextVariables['aws:SourceArn'] = request.sourceArn;
    const result = await runSimulation(
      {
        request: {
          principal: request.servicePrincipal,
          action: request.action,
          resource: { resource: request.resource, accountId: account.accountId },
          contextVariables,
        },
        identityPolicies: [],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        ...(statements.length === 0
          ? {}
          : { resourcePolicy: { Version: '2012-10-17', Statement: statements } }),
      },
      { simulationMode: 'Strict' },
    );
    if (result.resultType === 'error') {
      throw new IamConfigurationError(
        `Cannot evaluate ${request.action} by ${request.servicePrincipal} on ${request.resource}: ${result.errors.message}`,
      );
    }
    if (result.overallResult === 'Allowed') return { allowed: true };
    return {
      allowed: false,
      errorType: 'AccessDeniedException',
      message:
        request.deniedMessage ??
        `${request.servicePrincipal} is not authorized to perform: ${request.action} on resource: ${request.resource} because no resource-based policy allows the ${request.action} action`,
    };
  }

  /** The function policy statements `AWS::Lambda::Permission` resources give `functionArn`. */
  private permissionStatementsFor(functionArn: string): Record<string, unknown>[] {
    const { template, account } = this.options;
    const statements: Record<string, unknown>[] = [];
    for (const [logicalId, resource] of Object.entries(template.Resources)) {
      const properties = resource.Properties;
      if (resource.Type !== 'AWS::Lambda::Permission' || properties?.FunctionName === undefined) continue;
      const resolve = (token: Json) => resolveToken(template, account, token, this.physicalIds);
      const target = resolve(properties.FunctionName);
      if (target !== functionArn && !functionArn.endsWith(`:function:${target}`)) continue;
      if (typeof properties.Principal !== 'string' || properties.Action === undefined) continue;
      const principal = properties.Principal.endsWith('.amazonaws.com')
        ? { Service: properties.Principal }
        : { AWS: properties.Principal };
      const conditions: Record<string, Record<string, string>> = {};
      if (properties.SourceAccount !== undefined)
        conditions.StringEquals = { 'AWS:SourceAccount': resolve(properties.SourceAccount) };
      if (properties.SourceArn !== undefined)
        conditions.ArnLike = { 'AWS:SourceArn': resolve(properties.SourceArn) };
      statements.push({
        Sid: logicalId,
        Effect: 'Allow',
        Principal: principal,
        Action: resolve(properties.Action),
        Resource: functionArn,
        ...(Object.keys(conditions).length === 0 ? {} : { Condition: conditions }),
      });
    }
    return statements;
  }

  private async evaluate(role: LocalRole, request: AuthorizationRequest): Promise<AuthorizationDecision> {
    if (role.unresolvablePolicyArns.length > 0) {
      throw new IamConfigurationError(
        `Role ${role.logicalId} has managed policies local mode cannot read: ${role.unresolvablePolicyArns.join(', ')}`,
      );
    }
    const { account } = this.options;
    const principal = sessionArn(account.accountId, role);
    const contextVariables: Record<string, string | string[]> = {
      'aws:PrincipalArn': role.arn,
      'aws:PrincipalAccount': account.accountId,
      'aws:PrincipalType': 'AssumedRole',
      'aws:RequestedRegion': account.region,
      'aws:SecureTransport': 'true',
    };
    for (const [key, value] of Object.entries(request.context ?? {})) {
      if (await isKnownContextKey(key))
        contextVariables[key] = typeof value === 'string' ? value : [...value];
    }
    const simulation: Simulation = {
      request: {
        principal,
        action: request.action,
        resource: { resource: request.resource, accountId: account.accountId },
        contextVariables,
      },
      identityPolicies: role.policies.map((policy) => ({ ...policy })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(request.resourcePolicy === undefined ? {} : { resourcePolicy: request.resourcePolicy }),
    };
    const result = await runSimulation(simulation, { simulationMode: 'Strict' });
    if (result.resultType === 'error') {
      throw new IamConfigurationError(
        `Cannot evaluate ${request.action} on ${request.resource} for ${role.logicalId}: ${result.errors.message} ${JSON.stringify(result.errors)}`,
      );
    }
    if (result.overallResult === 'Allowed') return { allowed: true };
    const reason =
      result.overallResult === 'ExplicitlyDenied'
        ? 'with an explicit deny in an identity-based policy'
        : `because no identity-based policy allows the ${request.action} action`;
    return {
      allowed: false,
      errorType: 'AccessDeniedException',
      message: `User: ${principal} is not authorized to perform: ${request.action} on resource: ${request.resource} ${reason}`,
    };
  }

  private requireRole(roleLogicalId: string): LocalRole {
    const role = this.rolesByLogicalId.get(roleLogicalId);
    if (role === undefined) throw new IamConfigurationError(`${roleLogicalId} is not a role of the template`);
    return role;
  }

  private buildRole(logicalId: string): LocalRole {
    const { template, account } = this.options;
    const { physicalIds } = this;
    const properties = template.Resources[logicalId]?.Properties ?? {};
    const roleName = properties.RoleName;
    const name = physicalIds?.get(logicalId)?.name ?? (typeof roleName === 'string' ? roleName : logicalId);
    const resolve = (document: Json): unknown => resolveDocument(template, account, document, physicalIds);

    const policies: IdentityPolicy[] = [];
    const inline = Array.isArray(properties.Policies) ? properties.Policies : [];
    for (const [index, entry] of inline.entries()) {
      if (!isRecord(entry) || entry.PolicyDocument === undefined) continue;
      const policyName =
        typeof entry.PolicyName === 'string' ? entry.PolicyName : `${logicalId}-inline-${index}`;
      policies.push({ name: policyName, policy: resolve(entry.PolicyDocument) });
    }
    const attachedManaged = new Set<string>();
    const unresolvablePolicyArns: string[] = [];
    for (const reference of Array.isArray(properties.ManagedPolicyArns) ? properties.ManagedPolicyArns : []) {
      const managedId = isRecord(reference) && typeof reference.Ref === 'string' ? reference.Ref : null;
      if (managedId !== null && template.Resources[managedId]?.Type === 'AWS::IAM::ManagedPolicy') {
        attachedManaged.add(managedId);
      } else {
        unresolvablePolicyArns.push(resolveToken(template, account, reference, physicalIds));
      }
    }
    for (const [policyId, resource] of Object.entries(template.Resources)) {
      const isPolicy = resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy';
      const roles = resource.Properties?.Roles;
      const attachedHere =
        Array.isArray(roles) && roles.some((role) => isRecord(role) && role.Ref === logicalId);
      if (!isPolicy || !(attachedHere || attachedManaged.has(policyId))) continue;
      const document = resource.Properties?.PolicyDocument;
      if (document !== undefined) policies.push({ name: policyId, policy: resolve(document) });
    }

    for (const policy of policies) assertResourcesAreArns(logicalId, policy);
    return {
      logicalId,
      name,
      arn: `arn:aws:iam::${account.accountId}:role/${name}`,
      sessionName: this.sessionNameFor(logicalId),
      credentials: issueCredentials(logicalId),
      policies,
      unresolvablePolicyArns,
    };
  }

  /** Lambda names the session after the function; Step Functions after the state machine. */
  private sessionNameFor(roleLogicalId: string): string {
    const { template } = this.options;
    const { physicalIds } = this;
    for (const [logicalId, resource] of Object.entries(template.Resources)) {
      const roleProperty =
        resource.Type === LAMBDA_FUNCTION
          ? resource.Properties?.Role
          : resource.Type === STATE_MACHINE
            ? resource.Properties?.RoleArn
            : undefined;
      if (roleReference(roleProperty) !== roleLogicalId) continue;
      const declaredName = resource.Properties?.FunctionName ?? resource.Properties?.StateMachineName;
      return (
        physicalIds?.get(logicalId)?.name ?? (typeof declaredName === 'string' ? declaredName : logicalId)
      );
    }
    return 'local-session';
  }
}

/** The ARN a local function has when `physicalIds` does not name it (as the engine routes it). */
export function localFunctionArn(account: LocalAccount, functionLogicalId: string): string {
  return lambdaArn(account, functionLogicalId);
}

/**
 * A secret the local environment did not create resolves to the ARN pattern of any secret of its
 * name (`<name>-??????`, the 6-character suffix AWS adds), never to the bare name: the evaluator
 * treats a policy resource that is not an ARN as matching everything.
 */
function withDefaultSecretArns(
  template: CfnTemplate,
  account: LocalAccount,
  physicalIds: PhysicalIds | undefined,
): PhysicalIds {
  const completed = new Map(physicalIds ?? []);
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    const name = resource.Properties?.Name;
    if (
      resource.Type !== 'AWS::SecretsManager::Secret' ||
      completed.has(logicalId) ||
      typeof name !== 'string'
    )
      continue;
    const arn = `arn:aws:secretsmanager:${account.region}:${account.accountId}:secret:${name}-??????`;
    completed.set(logicalId, { arn, name });
  }
  return completed;
}

/** Refuses a statement whose Resource would not be an ARN (an unmapped logical id resolves to a name). */
function assertResourcesAreArns(roleLogicalId: string, policy: IdentityPolicy): void {
  const document = policy.policy;
  const statements = isRecord(document) ? document.Statement : undefined;
  for (const statement of Array.isArray(statements) ? statements : [statements]) {
    if (!isRecord(statement)) continue;
    for (const member of ['Resource', 'NotResource']) {
      const value = statement[member];
      for (const resource of Array.isArray(value) ? value : value === undefined ? [] : [value]) {
        if (resource === '*' || (typeof resource === 'string' && resource.startsWith('arn:'))) continue;
        throw new IamConfigurationError(
          `Policy ${policy.name} of role ${roleLogicalId} names resource ${JSON.stringify(resource)}, which is not an ARN: map its logical id in physicalIds`,
        );
      }
    }
  }
}

/** `Credential=AKID/date/region/service/aws4_request` of a SigV4 `Authorization` header. */
export function accessKeyIdOf(authorization: string | undefined): string | undefined {
  if (authorization === undefined) return undefined;
  const match = /Credential=([^/,\s]+)\//.exec(authorization);
  return match?.[1];
}

/**
 * The evaluator rejects a key its service data does not list (its Secrets Manager data spells the
 * service's tag key literally as `secretsmanager:resourcetag/tag-key`), so such keys are left out:
 * a condition on one evaluates as on a missing key, as IAM does for keys a request lacks.
 */
async function isKnownContextKey(key: string): Promise<boolean> {
  try {
    await typeForContextKey(key);
    return true;
  } catch {
    return false;
  }
}

function issueCredentials(roleLogicalId: string): LocalCredentials {
  const digest = (purpose: string) => createHash('sha256').update(`${purpose}:${roleLogicalId}`).digest();
  return {
    // 20 characters, like an AWS access key id; LOCAL marks it as issued by this authority.
    accessKeyId: `LOCAL${digest('access-key').toString('hex').slice(0, 15).toUpperCase()}`,
    secretAccessKey: digest('secret-key').toString('base64').slice(0, 40),
  };
}

function sessionArn(accountId: string, role: LocalRole): string {
  return `arn:aws:sts::${accountId}:assumed-role/${role.name}/${role.sessionName}`;
}

/** The logical id in `Fn::GetAtt [role, Arn]` (or a `Ref`). */
function roleReference(value: Json | undefined): string | null {
  if (!isRecord(value)) return null;
  const getAtt = value['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  return typeof value.Ref === 'string' ? value.Ref : null;
}

const INTRINSICS = new Set(['Ref', 'Fn::GetAtt', 'Fn::Join', 'Fn::Sub']);

/** A policy document with every intrinsic resolved to a string. */
function resolveDocument(
  template: CfnTemplate,
  account: LocalAccount,
  node: Json,
  physicalIds: PhysicalIds | undefined,
): unknown {
  if (Array.isArray(node)) return node.map((item) => resolveDocument(template, account, item, physicalIds));
  if (!isRecord(node)) return node;
  const keys = Object.keys(node);
  const [onlyKey] = keys;
  if (keys.length === 1 && onlyKey !== undefined && INTRINSICS.has(onlyKey)) {
    return resolveToken(template, account, node, physicalIds);
  }
  return Object.fromEntries(
    Object.entries(node).map(([key, value]) => [key, resolveDocument(template, account, value, physicalIds)]),
  );
}

function isRecord(value: unknown): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
