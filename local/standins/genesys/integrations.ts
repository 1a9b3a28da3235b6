import { randomUUID } from 'node:crypto';
import {
  backendFailureMessage,
  callBackend,
  isLocalBackend,
  type RenderedRequest,
  renderRequest,
  renderVelocity,
  type VelocityContext,
} from './action-request.js';
import { checkClientCredentials, mintClientCredentialsToken } from './auth.js';
import { badRequest, type ErrorBody, errorBody, GenesysApiError, notFound } from './errors.js';
import type { OrgDirectory } from './model.js';
import { json, noContent, pagedListing, pathParam, type RouteDefinition, route } from './router.js';
import type { UsageLedger } from './usage.js';

/** genesys-cloud-api.md §4.2: credential type names. */
export const CREDENTIAL_TYPE_NAMES = [
  'basicAuth',
  'userDefined',
  'userDefinedOAuth',
  'pureCloudOAuthClient',
] as const;
export type CredentialTypeName = (typeof CREDENTIAL_TYPE_NAMES)[number];

interface CredentialTypeDefinition {
  name: CredentialTypeName;
  fields: string[];
  required: string[];
  secretFields: string[];
}

const CREDENTIAL_TYPES: readonly CredentialTypeDefinition[] = [
  {
    name: 'basicAuth',
    fields: ['userName', 'password'],
    required: ['userName', 'password'],
    secretFields: ['password'],
  },
  { name: 'userDefined', fields: [], required: [], secretFields: [] },
  {
    name: 'userDefinedOAuth',
    fields: ['clientId', 'clientSecret', 'loginUrl'],
    required: [],
    secretFields: ['clientSecret'],
  },
  {
    name: 'pureCloudOAuthClient',
    fields: ['clientId', 'clientSecret'],
    required: ['clientId', 'clientSecret'],
    secretFields: ['clientSecret'],
  },
];

/** Velocity passthrough of the backend's response, as a fresh Data Action has it. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: a Velocity template, not a JavaScript one.
const RAW_RESULT_TEMPLATE = '${rawResult}';

/** Genesys redacts credential values on read (§4.1 "with sensitive fields redacted"). */
export const REDACTED_VALUE = '********';

/** §4.2 Terraform examples: the integration type of each Data Actions flavour and its credential key. */
export const INTEGRATION_TYPES = {
  genesysDataActions: 'purecloud-data-actions',
  webServicesDataActions: 'custom-rest-actions',
} as const;

interface CredentialRecord {
  id: string;
  name: string;
  type: CredentialTypeName;
  fields: Record<string, string>;
  createdDate: Date;
  modifiedDate: Date;
  /** The client whose token created it through the API; null for seeded credentials. */
  createdByClientId: string | null;
}

/** A credential as the stand-in holds it, without its secret values (end-state checks). */
export interface IntegrationCredentialSnapshot {
  id: string;
  name: string;
  type: CredentialTypeName;
  createdByClientId: string | null;
  /** The `clientId` field: an id, not a secret; null when the credential has none. */
  clientId: string | null;
  /** `pureCloudOAuthClient`: whether its client-credentials grant succeeds now; null for other types. */
  authenticates: boolean | null;
}

/** An integration's current config references, key -> credential id. */
export interface IntegrationSnapshot {
  id: string;
  name: string;
  credentials: Record<string, string>;
}

interface IntegrationRecord {
  id: string;
  name: string;
  integrationType: string;
  notes: string;
  config: {
    name: string;
    version: number;
    properties: object;
    advanced: object;
    notes: string;
    /** key -> credential id */
    credentials: Record<string, string>;
  };
  /**
   * For a backend the stand-in cannot call (not on 127.0.0.1): a call succeeds when the credential
   * matches any entry's fields. A local backend (the partner stand-in) is really called instead.
   */
  acceptedCredentials: Record<string, string>[] | null;
}

export interface ActionRequestConfig {
  requestUrlTemplate?: string;
  requestTemplate?: string;
  requestType?: string;
  headers?: Record<string, string>;
}

export interface ActionConfigInput {
  timeoutSeconds?: number;
  request?: ActionRequestConfig;
  response?: { translationMap?: Record<string, string>; successTemplate?: string };
}

interface ActionRecord {
  id: string;
  name: string;
  integrationId: string;
  category: string;
  secure: boolean;
  version: number;
  config: ActionConfigInput;
  /** The integration's custom auth action (`userDefinedOAuth`, §4.3); listed only with includeAuthActions. */
  authAction: boolean;
}

export interface SeedCredentialInput {
  name?: string;
  type: CredentialTypeName;
  fields: Record<string, string>;
}

export interface SeedIntegrationInput {
  name?: string;
  /** Default: 'purecloud-data-actions' for a pureCloudOAuthClient credential, else 'custom-rest-actions'. */
  integrationType?: string;
  /** Created and referenced from the integration's current config; null for none. */
  credential: SeedCredentialInput | null;
  /** Key under config.credentials; default the credential type name (as Genesys' UI does). */
  credentialKey?: string;
  actionName?: string;
  actionConfig?: ActionConfigInput;
  /** For external partners: field subsets the partner accepts (any one). Default: the seeded credential's fields. */
  acceptedCredentials?: Record<string, string>[];
  /** `userDefinedOAuth`: the custom auth action whose answer other actions read as `${authResponse.*}`. */
  authActionConfig?: ActionConfigInput;
}

export interface SeededIntegration {
  integrationId: string;
  actionId: string;
  credentialId: string | null;
  /** Set when `authActionConfig` was given. */
  authActionId?: string;
}

interface ActionOperation {
  step: number;
  name: string;
  success: boolean;
  result?: unknown;
  error?: ErrorBody;
}

type ActionRun =
  | { ok: true; output: Record<string, unknown>; operations?: ActionOperation[] }
  | { ok: false; error: ErrorBody; step: string; operations?: ActionOperation[] };

function isCredentialType(value: unknown): value is CredentialTypeName {
  return typeof value === 'string' && (CREDENTIAL_TYPE_NAMES as readonly string[]).includes(value);
}

function credentialTypeDefinition(name: CredentialTypeName): CredentialTypeDefinition {
  const definition = CREDENTIAL_TYPES.find((type) => type.name === name);
  if (!definition) throw new Error(`unknown credential type ${name}`);
  return definition;
}

function credentialTypeView(definition: CredentialTypeDefinition): Record<string, unknown> {
  return {
    id: definition.name,
    name: definition.name,
    properties: {
      type: 'object',
      properties: Object.fromEntries(definition.fields.map((field) => [field, { type: 'string' }])),
    },
    displayOrder: definition.fields,
    required: definition.required,
  };
}

/** Integrations, their credentials and Data Actions (genesys-cloud-api.md §4). */
export class IntegrationStore {
  private readonly credentials = new Map<string, CredentialRecord>();
  private readonly integrations = new Map<string, IntegrationRecord>();
  private readonly actions = new Map<string, ActionRecord>();

  constructor(
    private readonly directory: OrgDirectory,
    private readonly usage: UsageLedger,
    private readonly now: () => Date,
  ) {}

  createCredential(input: SeedCredentialInput): string {
    const validated = this.validateCredential({
      name: input.name ?? `credential-${input.type}`,
      type: { name: input.type },
      credentialFields: input.fields,
    });
    const now = this.now();
    const record: CredentialRecord = {
      id: randomUUID(),
      ...validated,
      createdDate: now,
      modifiedDate: now,
      createdByClientId: null,
    };
    this.credentials.set(record.id, record);
    return record.id;
  }

  credentialSnapshots(): IntegrationCredentialSnapshot[] {
    return [...this.credentials.values()].map((credential) => ({
      id: credential.id,
      name: credential.name,
      type: credential.type,
      createdByClientId: credential.createdByClientId,
      clientId: credential.fields.clientId ?? null,
      authenticates:
        credential.type === 'pureCloudOAuthClient'
          ? checkClientCredentials(
              this.directory,
              credential.fields.clientId ?? '',
              credential.fields.clientSecret ?? '',
              this.now(),
            ).ok
          : null,
    }));
  }

  integrationSnapshots(): IntegrationSnapshot[] {
    return [...this.integrations.values()].map((integration) => ({
      id: integration.id,
      name: integration.name,
      credentials: { ...integration.config.credentials },
    }));
  }

  seedIntegration(input: SeedIntegrationInput): SeededIntegration {
    const credentialId = input.credential ? this.createCredential(input.credential) : null;
    const integrationType =
      input.integrationType ??
      (input.credential?.type === 'pureCloudOAuthClient'
        ? INTEGRATION_TYPES.genesysDataActions
        : INTEGRATION_TYPES.webServicesDataActions);
    const name = input.name ?? `Integration ${this.integrations.size + 1}`;
    const credentialKey = input.credentialKey ?? input.credential?.type ?? 'basicAuth';
    const integration: IntegrationRecord = {
      id: randomUUID(),
      name,
      integrationType,
      notes: '',
      config: {
        name,
        version: 1,
        properties: {},
        advanced: {},
        notes: '',
        credentials: credentialId ? { [credentialKey]: credentialId } : {},
      },
      acceptedCredentials:
        input.acceptedCredentials ??
        (input.credential && input.credential.type !== 'pureCloudOAuthClient'
          ? [{ ...input.credential.fields }]
          : null),
    };
    this.integrations.set(integration.id, integration);
    const actionId = this.seedAction({
      integrationId: integration.id,
      name: input.actionName ?? `${name} health check`,
      config: input.actionConfig,
    });
    const authActionId = input.authActionConfig
      ? this.seedAction({
          integrationId: integration.id,
          name: `${name} custom auth`,
          config: input.authActionConfig,
          authAction: true,
        })
      : undefined;
    return {
      integrationId: integration.id,
      actionId,
      credentialId,
      ...(authActionId ? { authActionId } : {}),
    };
  }

  seedAction(input: {
    integrationId: string;
    name: string;
    config?: ActionConfigInput;
    secure?: boolean;
    category?: string;
    authAction?: boolean;
  }): string {
    const integration = this.integrations.get(input.integrationId);
    if (!integration) throw new Error(`unknown integration ${input.integrationId}`);
    const action: ActionRecord = {
      id: `custom_-_${randomUUID()}`,
      name: input.name,
      integrationId: integration.id,
      category: input.category ?? integration.name,
      secure: input.secure ?? false,
      authAction: input.authAction ?? false,
      version: 1,
      config: input.config ?? {
        timeoutSeconds: 30,
        request: {
          requestUrlTemplate:
            integration.integrationType === INTEGRATION_TYPES.genesysDataActions
              ? '/api/v2/organizations/me'
              : 'https://partner.example.com/health',
          requestType: 'GET',
          headers: {},
        },
        response: { translationMap: {}, successTemplate: RAW_RESULT_TEMPLATE },
      },
    };
    this.actions.set(action.id, action);
    return action.id;
  }

  setAcceptedCredentials(integrationId: string, accepted: Record<string, string>[] | null): void {
    const integration = this.integrations.get(integrationId);
    if (!integration) throw new Error(`unknown integration ${integrationId}`);
    integration.acceptedCredentials = accepted ? accepted.map((entry) => ({ ...entry })) : null;
  }

  routes(): RouteDefinition[] {
    const view = ['integrations:integration:view'];
    const actionView = ['integrations:action:view', 'bridge:actions:view'];
    const actionExecute = ['integrations:action:execute', 'bridge:actions:execute'];
    const base = '/api/v2/integrations';
    return [
      route('GET', `${base}/credentials/types`, view, () =>
        // The v262 typings say CredentialType[]; the API (and other SDKs) answer CredentialTypeListing.
        json(200, { entities: CREDENTIAL_TYPES.map(credentialTypeView) }),
      ),
      route('GET', `${base}/credentials/listing`, view, (context) => {
        const pageSize = Math.min(200, Math.max(1, Number(context.query.get('pageSize')) || 25));
        const all = [...this.credentials.values()];
        const after = context.query.get('after');
        const start = after ? Number(Buffer.from(after, 'base64url').toString('utf8')) || 0 : 0;
        const page = all.slice(start, start + pageSize);
        const next =
          start + pageSize < all.length ? Buffer.from(String(start + pageSize)).toString('base64url') : null;
        return json(200, {
          entities: page.map((credential) => this.credentialInfo(credential)),
          selfUri: `${base}/credentials/listing`,
          nextUri: next ? `${base}/credentials/listing?pageSize=${pageSize}&after=${next}` : undefined,
        });
      }),
      route('GET', `${base}/credentials`, view, (context) =>
        json(
          200,
          pagedListing(
            [...this.credentials.values()].map((credential) => this.credentialInfo(credential)),
            context.query,
            `${base}/credentials`,
          ),
        ),
      ),
      route('POST', `${base}/credentials`, ['integrations:integration:add'], (context) => {
        const validated = this.validateCredential(context.body);
        const now = context.now;
        const record: CredentialRecord = {
          id: randomUUID(),
          ...validated,
          createdDate: now,
          modifiedDate: now,
          createdByClientId: context.caller?.client.id ?? null,
        };
        this.credentials.set(record.id, record);
        return json(200, this.credentialInfo(record));
      }),
      route('GET', `${base}/credentials/{credentialId}`, view, (context) => {
        const credential = this.credential(pathParam(context, 'credentialId'));
        return json(200, {
          id: credential.id,
          name: credential.name,
          type: credentialTypeView(credentialTypeDefinition(credential.type)),
          credentialFields: Object.fromEntries(
            Object.keys(credential.fields).map((key) => [key, REDACTED_VALUE]),
          ),
          selfUri: `${base}/credentials/${credential.id}`,
        });
      }),
      route('PUT', `${base}/credentials/{credentialId}`, ['integrations:integration:edit'], (context) => {
        const credential = this.credential(pathParam(context, 'credentialId'));
        const validated = this.validateCredential(context.body);
        credential.name = validated.name;
        credential.type = validated.type;
        credential.fields = validated.fields;
        credential.modifiedDate = context.now;
        return json(200, this.credentialInfo(credential));
      }),
      route(
        'DELETE',
        `${base}/credentials/{credentialId}`,
        ['integrations:integration:delete'],
        (context) => {
          const credential = this.credential(pathParam(context, 'credentialId'));
          const user = [...this.integrations.values()].find((integration) =>
            Object.values(integration.config.credentials).includes(credential.id),
          );
          if (user) {
            throw new GenesysApiError(
              409,
              'conflict',
              `Credential ${credential.id} is referenced by integration ${user.id} and cannot be deleted.`,
              { entityId: credential.id },
            );
          }
          this.credentials.delete(credential.id);
          return noContent();
        },
      ),
      route('GET', base, view, (context) =>
        json(
          200,
          pagedListing(
            [...this.integrations.values()].map((i) => this.integrationView(i)),
            context.query,
            base,
          ),
        ),
      ),
      route('GET', `${base}/{integrationId}`, view, (context) =>
        json(200, this.integrationView(this.integration(pathParam(context, 'integrationId')))),
      ),
      route('GET', `${base}/{integrationId}/config/current`, view, (context) =>
        json(200, this.configView(this.integration(pathParam(context, 'integrationId')))),
      ),
      route('PUT', `${base}/{integrationId}/config/current`, ['integrations:integration:edit'], (context) => {
        const integration = this.integration(pathParam(context, 'integrationId'));
        this.updateConfig(integration, context.body);
        return json(200, this.configView(integration));
      }),
      route('GET', `${base}/actions`, actionView, (context) => {
        const includeConfig = context.query.get('includeConfig') === 'true';
        const includeAuthActions = context.query.get('includeAuthActions') === 'true';
        const ids = context.query.get('ids')?.split(',').filter(Boolean);
        const category = context.query.get('category');
        const secure = context.query.get('secure');
        const actions = [...this.actions.values()].filter(
          (action) =>
            (includeAuthActions || !action.authAction) &&
            (!ids || ids.includes(action.id)) &&
            (!category || action.category === category) &&
            (secure === null || String(action.secure) === secure),
        );
        return json(
          200,
          pagedListing(
            actions.map((action) => this.actionView(action, includeConfig)),
            context.query,
            `${base}/actions`,
          ),
        );
      }),
      route('GET', `${base}/actions/{actionId}`, actionView, (context) =>
        json(
          200,
          this.actionView(
            this.action(pathParam(context, 'actionId')),
            context.query.get('includeConfig') === 'true',
          ),
        ),
      ),
      route('POST', `${base}/actions/{actionId}/test`, actionExecute, async (context) => {
        const run = await this.run(this.action(pathParam(context, 'actionId')), context.body);
        if (run.ok) {
          return json(200, {
            operations: run.operations ?? [
              { step: 1, name: 'Resolve credentials', success: true },
              { step: 2, name: 'Execute request', success: true, result: run.output },
            ],
            finalResult: run.output,
            success: true,
          });
        }
        return json(200, {
          operations: run.operations ?? [{ step: 1, name: run.step, success: false, error: run.error }],
          error: run.error,
          success: false,
        });
      }),
      route('POST', `${base}/actions/{actionId}/execute`, actionExecute, async (context) => {
        const run = await this.run(this.action(pathParam(context, 'actionId')), context.body);
        if (run.ok) return json(200, run.output);
        throw new GenesysApiError(run.error.status, run.error.code, run.error.message);
      }),
    ];
  }

  /** Executes an action for real against its integration's current credential. */
  private async run(action: ActionRecord, inputs: unknown): Promise<ActionRun> {
    const integration = this.integration(action.integrationId);
    const credentialId = Object.values(integration.config.credentials)[0];
    const credential = credentialId ? this.credentials.get(credentialId) : undefined;
    if (!credential) {
      return {
        ok: false,
        step: 'Resolve credentials',
        error: errorBody(400, 'bad.request', `Integration ${integration.id} has no credentials configured.`),
      };
    }
    if (credential.type === 'pureCloudOAuthClient') {
      const minted = mintClientCredentialsToken(
        this.directory,
        credential.fields.clientId ?? '',
        credential.fields.clientSecret ?? '',
        this.now(),
      );
      if (!minted.ok) {
        return {
          ok: false,
          step: 'Authenticate',
          error: errorBody(
            400,
            'bad.request',
            `REST call for action execute failed. Message: Unable to authenticate with the configured OAuth client: ${minted.body.error} (${minted.body.description}).`,
          ),
        };
      }
      // The action's own API call is traffic of the credential's client, so it shows in that client's usage.
      this.usage.record(minted.client.id, this.now(), 'api/v2/organizations/me', 'GET', 200);
      return {
        ok: true,
        output: {
          organizationId: this.directory.organization.id,
          clientId: minted.client.id,
          inputs: inputs ?? {},
        },
      };
    }
    const url = renderVelocity(action.config.request?.requestUrlTemplate ?? '', {
      credentials: credential.fields,
      input: typeof inputs === 'object' && inputs !== null ? (inputs as Record<string, unknown>) : {},
    });
    if (isLocalBackend(url)) {
      return this.callPartner(integration, action, credential, inputs);
    }
    const accepted = integration.acceptedCredentials;
    const matches =
      accepted === null ||
      accepted.some((entry) =>
        Object.entries(entry).every(([key, value]) => credential.fields[key] === value),
      );
    if (!matches) {
      return {
        ok: false,
        step: 'Execute request',
        error: errorBody(
          400,
          'bad.request',
          'REST call for action execute failed. Message: Request to backend service failed. Response from web service: {"message":"Unauthorized"} [401]',
        ),
      };
    }
    return { ok: true, output: { status: 'ok', inputs: inputs ?? {} } };
  }

  /**
   * The real call (§4.3): a `userDefinedOAuth` integration first runs its custom auth action, whose
   * JSON answer is `authResponse`; `basicAuth` adds the Basic header. The operations say which
   * request ran, with credential values redacted as Genesys redacts them in test results.
   */
  private async callPartner(
    integration: IntegrationRecord,
    action: ActionRecord,
    credential: CredentialRecord,
    inputs: unknown,
  ): Promise<ActionRun> {
    const input = typeof inputs === 'object' && inputs !== null ? (inputs as Record<string, unknown>) : {};
    const context: VelocityContext = { credentials: credential.fields, input };
    const redacted: VelocityContext = {
      credentials: Object.fromEntries(Object.keys(credential.fields).map((key) => [key, REDACTED_VALUE])),
      input,
    };
    const basic =
      credential.type === 'basicAuth'
        ? { userName: credential.fields.userName ?? '', password: credential.fields.password ?? '' }
        : null;
    const operations: ActionOperation[] = [];
    const describe = (request: RenderedRequest) => ({ method: request.method, url: request.url });
    if (credential.type === 'userDefinedOAuth' && !action.authAction) {
      const authAction = [...this.actions.values()].find(
        (candidate) => candidate.integrationId === integration.id && candidate.authAction,
      );
      if (authAction) {
        const request = authAction.config.request ?? {};
        const answer = await callBackend(
          renderRequest(request, context, null),
          authAction.config.timeoutSeconds ?? 30,
        );
        if (!answer.ok) {
          const error = errorBody(400, 'bad.request', backendFailureMessage(answer, 'authentication'));
          operations.push({ step: 1, name: 'Authenticate', success: false, error });
          return { ok: false, step: 'Authenticate', error, operations };
        }
        operations.push({
          step: 1,
          name: 'Authenticate',
          success: true,
          result: describe(renderRequest(request, redacted, null)),
        });
        const authResponse =
          typeof answer.body === 'object' && answer.body !== null
            ? (answer.body as Record<string, unknown>)
            : {};
        context.authResponse = authResponse;
        redacted.authResponse = Object.fromEntries(
          Object.keys(authResponse).map((key) => [key, REDACTED_VALUE]),
        );
      }
    }
    const request = action.config.request ?? {};
    const answer = await callBackend(
      renderRequest(request, context, basic),
      action.config.timeoutSeconds ?? 30,
    );
    const shown = describe(renderRequest(request, redacted, null));
    if (!answer.ok) {
      const error = errorBody(400, 'bad.request', backendFailureMessage(answer, 'execute'));
      operations.push({
        step: operations.length + 1,
        name: 'Execute request',
        success: false,
        error,
        result: shown,
      });
      return { ok: false, step: 'Execute request', error, operations };
    }
    const output =
      typeof answer.body === 'object' && answer.body !== null && !Array.isArray(answer.body)
        ? (answer.body as Record<string, unknown>)
        : { rawResult: answer.body };
    operations.push({ step: operations.length + 1, name: 'Execute request', success: true, result: shown });
    operations.push({ step: operations.length + 1, name: 'Resolve response', success: true, result: output });
    return { ok: true, output, operations };
  }

  private validateCredential(body: unknown): Pick<CredentialRecord, 'name' | 'type' | 'fields'> {
    if (typeof body !== 'object' || body === null)
      throw badRequest('The request body must be a JSON object.');
    const record = body as Record<string, unknown>;
    if (typeof record.name !== 'string' || record.name.trim() === '') throw badRequest('name is required.');
    const typeName = (record.type as { name?: unknown } | undefined)?.name;
    if (!isCredentialType(typeName)) {
      throw badRequest(`type.name must be one of ${CREDENTIAL_TYPE_NAMES.join(', ')}.`);
    }
    const rawFields = record.credentialFields ?? {};
    if (typeof rawFields !== 'object' || rawFields === null || Array.isArray(rawFields)) {
      throw badRequest('credentialFields must be an object.');
    }
    const fields: Record<string, string> = {};
    for (const [key, value] of Object.entries(rawFields)) {
      if (typeof value !== 'string') throw badRequest(`credentialFields.${key} must be a string.`);
      fields[key] = value;
    }
    for (const required of credentialTypeDefinition(typeName).required) {
      if (!fields[required])
        throw badRequest(`credentialFields.${required} is required for type ${typeName}.`);
    }
    return { name: record.name, type: typeName, fields };
  }

  private updateConfig(integration: IntegrationRecord, body: unknown): void {
    if (typeof body !== 'object' || body === null)
      throw badRequest('The request body must be a JSON object.');
    const record = body as Record<string, unknown>;
    if (typeof record.version !== 'number') throw badRequest('version is required.');
    if (record.version !== integration.config.version) {
      throw new GenesysApiError(
        409,
        'conflict',
        `Version ${record.version} does not match the current configuration version ${integration.config.version}.`,
      );
    }
    const rawCredentials = record.credentials ?? {};
    if (typeof rawCredentials !== 'object' || rawCredentials === null) {
      throw badRequest('credentials must be an object.');
    }
    const credentials: Record<string, string> = {};
    for (const [key, reference] of Object.entries(rawCredentials)) {
      const id = (reference as { id?: unknown } | null)?.id;
      if (typeof id !== 'string' || !this.credentials.has(id)) {
        throw badRequest(`credentials.${key} must reference an existing credential by id.`);
      }
      credentials[key] = id;
    }
    integration.config = {
      name: typeof record.name === 'string' ? record.name : integration.config.name,
      version: integration.config.version + 1,
      properties:
        typeof record.properties === 'object' && record.properties !== null ? record.properties : {},
      advanced: typeof record.advanced === 'object' && record.advanced !== null ? record.advanced : {},
      notes: typeof record.notes === 'string' ? record.notes : '',
      credentials,
    };
  }

  private credential(id: string): CredentialRecord {
    const credential = this.credentials.get(id);
    if (!credential) throw notFound(`Credential ${id} was not found.`);
    return credential;
  }

  private integration(id: string): IntegrationRecord {
    const integration = this.integrations.get(id);
    if (!integration) throw notFound(`Integration ${id} was not found.`);
    return integration;
  }

  private action(id: string): ActionRecord {
    const action = this.actions.get(id);
    if (!action) throw notFound(`Action ${id} was not found.`);
    return action;
  }

  private credentialInfo(credential: CredentialRecord): Record<string, unknown> {
    return {
      id: credential.id,
      name: credential.name,
      createdDate: credential.createdDate.toISOString(),
      modifiedDate: credential.modifiedDate.toISOString(),
      type: { id: credential.type, name: credential.type },
      selfUri: `/api/v2/integrations/credentials/${credential.id}`,
    };
  }

  private configView(integration: IntegrationRecord): Record<string, unknown> {
    const credentials: Record<string, unknown> = {};
    for (const [key, id] of Object.entries(integration.config.credentials)) {
      const credential = this.credentials.get(id);
      credentials[key] = { id, name: credential?.name, selfUri: `/api/v2/integrations/credentials/${id}` };
    }
    return {
      id: integration.id,
      name: integration.config.name,
      version: integration.config.version,
      properties: integration.config.properties,
      advanced: integration.config.advanced,
      notes: integration.config.notes,
      credentials,
      selfUri: `/api/v2/integrations/${integration.id}/config/current`,
    };
  }

  private integrationView(integration: IntegrationRecord): Record<string, unknown> {
    return {
      id: integration.id,
      name: integration.name,
      integrationType: { id: integration.integrationType },
      notes: integration.notes,
      intendedState: 'ENABLED',
      config: { current: this.configView(integration) },
      reportedState: { code: 'ACTIVE' },
      selfUri: `/api/v2/integrations/${integration.id}`,
    };
  }

  private actionView(action: ActionRecord, includeConfig: boolean): Record<string, unknown> {
    return {
      id: action.id,
      name: action.name,
      integrationId: action.integrationId,
      category: action.category,
      version: action.version,
      secure: action.secure,
      contract: {
        input: { inputSchema: { type: 'object', properties: {} } },
        output: { successSchema: { type: 'object', properties: {} } },
      },
      config: includeConfig ? action.config : undefined,
      selfUri: `/api/v2/integrations/actions/${action.id}`,
    };
  }
}
