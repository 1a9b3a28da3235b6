/**
 * Data Action drafts (genesys-cloud-api.md §4.4 "Drafts"): `GET /api/v2/integrations/actions/drafts`
 * and `GET /api/v2/integrations/actions/{actionId}/draft`, both answering `Action` models whose
 * `config` is present only with `includeConfig=true` (it defaults to false, as for published actions).
 * A draft is either the unpublished edit of a published action (same id) or a new action not yet
 * published. Auth-action drafts are listed only with `includeAuthActions=true`.
 */
import { randomUUID } from 'node:crypto';
import { notFound } from './errors.js';
import type { ActionConfigInput } from './integrations.js';
import { json, pagedListing, pathParam, type RouteDefinition, route } from './router.js';

export interface SeedActionDraftInput {
  integrationId: string;
  name: string;
  config: ActionConfigInput;
  /** The published action this draft edits; default: a new, unpublished action id. */
  actionId?: string;
  category?: string;
  secure?: boolean;
  authAction?: boolean;
}

interface DraftRecord {
  id: string;
  name: string;
  integrationId: string;
  category: string;
  secure: boolean;
  authAction: boolean;
  version: number;
  config: ActionConfigInput;
}

export class ActionDraftStore {
  private readonly drafts = new Map<string, DraftRecord>();

  seedDraft(input: SeedActionDraftInput): string {
    const id = input.actionId ?? `custom_-_${randomUUID()}`;
    this.drafts.set(id, {
      id,
      name: input.name,
      integrationId: input.integrationId,
      category: input.category ?? 'Drafts',
      secure: input.secure ?? false,
      authAction: input.authAction ?? false,
      version: 1,
      config: input.config,
    });
    return id;
  }

  routes(): RouteDefinition[] {
    const actionView = ['integrations:action:view', 'bridge:actions:view'];
    const base = '/api/v2/integrations/actions';
    return [
      route('GET', `${base}/drafts`, actionView, (context) => {
        const includeConfig = context.query.get('includeConfig') === 'true';
        const includeAuthActions = context.query.get('includeAuthActions') === 'true';
        const ids = context.query.get('ids')?.split(',').filter(Boolean);
        const category = context.query.get('category');
        const secure = context.query.get('secure');
        const drafts = [...this.drafts.values()].filter(
          (draft) =>
            (includeAuthActions || !draft.authAction) &&
            (!ids || ids.includes(draft.id)) &&
            (!category || draft.category === category) &&
            (secure === null || String(draft.secure) === secure),
        );
        return json(
          200,
          pagedListing(
            drafts.map((draft) => this.view(draft, includeConfig)),
            context.query,
            `${base}/drafts`,
            25,
          ),
        );
      }),
      route('GET', `${base}/{actionId}/draft`, actionView, (context) => {
        const id = pathParam(context, 'actionId');
        const draft = this.drafts.get(id);
        if (!draft) throw notFound(`Draft of action ${id} was not found.`);
        return json(200, this.view(draft, context.query.get('includeConfig') === 'true'));
      }),
    ];
  }

  private view(draft: DraftRecord, includeConfig: boolean): Record<string, unknown> {
    return {
      id: draft.id,
      name: draft.name,
      integrationId: draft.integrationId,
      category: draft.category,
      version: draft.version,
      secure: draft.secure,
      contract: {
        input: { inputSchema: { type: 'object', properties: {} } },
        output: { successSchema: { type: 'object', properties: {} } },
      },
      config: includeConfig ? draft.config : undefined,
      selfUri: `/api/v2/integrations/actions/${draft.id}/draft`,
    };
  }
}
