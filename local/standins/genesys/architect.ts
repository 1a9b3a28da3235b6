/**
 * Architect flows and dependency tracking (genesys-cloud-api.md §4.4 "Flows"), as far as a secret
 * scanner and a blast-radius query need them:
 *
 * - `GET /api/v2/flows`: a `FlowEntityListing`, 25 per page unless `pageSize` says otherwise (the SDK
 *   documents "default to 25"), filtered by `type`, `name`, `secure` and `id` (repeated parameters).
 * - `GET /api/v2/flows/{flowId}/latestconfiguration`: the flow's configuration document. Its format is
 *   not documented (§4.4: UNCONFIRMED schema); the stand-in answers whatever JSON was seeded.
 * - `GET /api/v2/architect/dependencytracking/consumingresources?id&objectType`: the flows that consume
 *   an object, as a `ConsumingResourcesEntityListing` of `Dependency`. A flow consumes a Data Action
 *   when it was seeded with that action id, or its configuration names the id (an Architect "Call Data
 *   Action" step stores the action's id).
 *
 * Permissions: `architect:flow:view` and `architect:dependencyTracking:view` (the SDK's ArchitectApi
 * docs name these); the dependency-type names of flows (`INBOUNDCALLFLOW`, `WORKFLOW`, ...) follow the
 * dependency-tracking object types, mapped from the flow's `type`.
 */
import { randomUUID } from 'node:crypto';
import { badRequest, notFound } from './errors.js';
import { json, pagedListing, pathParam, type RouteDefinition, route } from './router.js';

/** The page size Genesys applies when the caller sends none ("default to 25" in the SDK). */
export const ARCHITECT_DEFAULT_PAGE_SIZE = 25;

/** Flow `type` values (`/api/v2/flows?type=`) and their dependency-tracking object type. */
const FLOW_DEPENDENCY_TYPES: Readonly<Record<string, string>> = {
  inboundcall: 'INBOUNDCALLFLOW',
  inqueuecall: 'INQUEUECALLFLOW',
  outboundcall: 'OUTBOUNDCALLFLOW',
  securecall: 'SECURECALLFLOW',
  inboundchat: 'INBOUNDCHATFLOW',
  inboundemail: 'INBOUNDEMAILFLOW',
  inboundshortmessage: 'INBOUNDSHORTMESSAGEFLOW',
  bot: 'BOTFLOW',
  digitalbot: 'DIGITALBOTFLOW',
  commonmodule: 'COMMONMODULEFLOW',
  workflow: 'WORKFLOW',
};

export interface SeedFlowInput {
  name: string;
  /** Default `inboundcall`. */
  type?: string;
  description?: string;
  secure?: boolean;
  /** What `latestconfiguration` answers. Default: a minimal flow document naming `dataActionIds`. */
  configuration?: unknown;
  /** Data Actions the flow calls (dependency tracking); ids found in `configuration` count too. */
  dataActionIds?: string[];
}

interface FlowRecord {
  id: string;
  name: string;
  type: string;
  description: string;
  secure: boolean;
  version: string;
  configuration: unknown;
  dataActionIds: string[];
}

function dependencyTypeOf(flowType: string): string {
  return FLOW_DEPENDENCY_TYPES[flowType] ?? `${flowType.toUpperCase()}FLOW`;
}

/** Repeated (`type=a&type=b`) and comma-separated values alike. */
function multi(query: URLSearchParams, name: string): string[] {
  return query
    .getAll(name)
    .flatMap((value) => value.split(','))
    .map((value) => value.trim())
    .filter(Boolean);
}

export class ArchitectStore {
  private readonly flows = new Map<string, FlowRecord>();

  seedFlow(input: SeedFlowInput): string {
    const id = randomUUID();
    const dataActionIds = [...(input.dataActionIds ?? [])];
    this.flows.set(id, {
      id,
      name: input.name,
      type: input.type ?? 'inboundcall',
      description: input.description ?? '',
      secure: input.secure ?? false,
      version: '1.0',
      configuration: input.configuration ?? {
        name: input.name,
        type: input.type ?? 'inboundcall',
        actions: dataActionIds.map((actionId) => ({ type: 'callData', dataActionId: actionId })),
      },
      dataActionIds,
    });
    return id;
  }

  /** Replaces a flow's configuration (a new saved version). */
  setFlowConfiguration(flowId: string, configuration: unknown): void {
    const flow = this.flows.get(flowId);
    if (!flow) throw new Error(`unknown flow ${flowId}`);
    flow.configuration = configuration;
    flow.version = `${Number.parseFloat(flow.version) + 1}.0`;
  }

  routes(): RouteDefinition[] {
    const flowView = ['architect:flow:view'];
    const dependencyView = ['architect:dependencyTracking:view'];
    return [
      route('GET', '/api/v2/flows', flowView, (context) => {
        const types = multi(context.query, 'type');
        const ids = multi(context.query, 'id');
        const name = context.query.get('name');
        const secure = context.query.get('secure');
        const flows = [...this.flows.values()]
          .filter(
            (flow) =>
              // "If one or more IDs are specified, the search ... [does] not use any additional supplied query parameters."
              (ids.length > 0 && ids.includes(flow.id)) ||
              (ids.length === 0 &&
                (types.length === 0 || types.includes(flow.type)) &&
                (!name || flow.name.toLowerCase().includes(name.toLowerCase())) &&
                (secure === null || secure === 'any' || String(flow.secure) === secure)),
          )
          .sort((a, b) => a.id.localeCompare(b.id));
        return json(
          200,
          pagedListing(
            flows.map((flow) => this.flowView(flow)),
            context.query,
            '/api/v2/flows',
            ARCHITECT_DEFAULT_PAGE_SIZE,
          ),
        );
      }),
      route('GET', '/api/v2/flows/{flowId}/latestconfiguration', flowView, (context) => {
        const flow = this.flow(pathParam(context, 'flowId'));
        return json(200, flow.configuration);
      }),
      route('GET', '/api/v2/architect/dependencytracking/consumingresources', dependencyView, (context) => {
        const id = context.query.get('id');
        const objectType = context.query.get('objectType');
        if (!id) throw badRequest('The id query parameter is required.');
        if (!objectType) throw badRequest('The objectType query parameter is required.');
        const resourceTypes = multi(context.query, 'resourceType');
        const consumers = [...this.flows.values()]
          .filter((flow) => this.consumes(flow, id, objectType))
          .filter((flow) => resourceTypes.length === 0 || resourceTypes.includes(dependencyTypeOf(flow.type)))
          .sort((a, b) => a.id.localeCompare(b.id))
          .map((flow) => ({
            id: flow.id,
            name: flow.name,
            version: flow.version,
            type: dependencyTypeOf(flow.type),
            deleted: false,
            updated: false,
            stateUnknown: false,
            selfUri: `/api/v2/flows/${flow.id}`,
          }));
        return json(
          200,
          pagedListing(
            consumers,
            context.query,
            '/api/v2/architect/dependencytracking/consumingresources',
            ARCHITECT_DEFAULT_PAGE_SIZE,
          ),
        );
      }),
    ];
  }

  private consumes(flow: FlowRecord, id: string, objectType: string): boolean {
    if (objectType !== 'DATAACTION') return false;
    return flow.dataActionIds.includes(id) || JSON.stringify(flow.configuration ?? null).includes(id);
  }

  private flow(id: string): FlowRecord {
    const flow = this.flows.get(id);
    if (!flow) throw notFound(`Flow ${id} was not found.`);
    return flow;
  }

  private flowView(flow: FlowRecord): Record<string, unknown> {
    const version = { id: flow.version, name: flow.version, secure: flow.secure };
    return {
      id: flow.id,
      name: flow.name,
      description: flow.description,
      type: flow.type,
      active: true,
      system: false,
      deleted: false,
      publishedVersion: version,
      savedVersion: version,
      checkedInVersion: version,
      selfUri: `/api/v2/flows/${flow.id}`,
    };
  }
}
