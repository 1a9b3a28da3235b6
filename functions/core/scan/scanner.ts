/**
 * The hard-coded secret scan (issue #10 part 5): every published Data Action and auth action with
 * its config, every action draft, and every Architect flow's latest configuration, judged by the
 * detectors, plus exact matches of the managed secrets' current and previous values.
 *
 * `runScan(deps, options)` is the entry point for the CLI (`scan`), `npm run scan` and the rotation's
 * refusal check. Its report names places (action id/name/field, flow id/name/JSON path) and, for a
 * managed value, the secret's ARN and stage, never a value: the values stay inside the
 * `ManagedValueIndex` built here.
 *
 * Rate limits (genesys-cloud-api.md §3): listings are paged (`pageSize` up to 100), per-item reads run
 * at most `concurrency` at a time, and the SDK adapter paces itself under the per-token limit and
 * retries 429s after `Retry-After`.
 */
import { type BlastRadius, computeBlastRadius } from './blast-radius.js';
import {
  type ActionConfigDocument,
  actionTexts,
  detectLiterals,
  documentTexts,
  type FindingKind,
  type ScannedText,
} from './detectors.js';
import { ManagedValueIndex } from './managed-values.js';
import { allPages, MAX_PAGE_SIZE, mapWithConcurrency } from './paging.js';
import type { ActionDocument, ManagedSecretRef, ManagedSecretsPort, ScanSourcePort } from './ports.js';

export type ActionSource = 'action' | 'action-draft';

export type FindingLocation =
  | {
      readonly source: ActionSource;
      readonly actionId: string;
      readonly actionName: string;
      readonly integrationId: string | null;
      /** e.g. `config.request.headers.Authorization` */
      readonly field: string;
    }
  | {
      readonly source: 'flow';
      readonly flowId: string;
      readonly flowName: string;
      readonly flowType: string | null;
      /** JSON path in the flow's latest configuration, e.g. `$.actions[0].inputs.apiKey` */
      readonly path: string;
    };

export interface Finding {
  readonly kind: FindingKind;
  readonly location: FindingLocation;
  /** The managed secret whose value occurs here (`managed-secret-value` only); else null. */
  readonly secretArn: string | null;
  /** Which of its versions: AWSCURRENT, AWSPREVIOUS or both. */
  readonly stages: readonly string[];
  /** What was found, without the value. */
  readonly detail: string;
}

export interface ScanProblem {
  /** What could not be read, e.g. `flow 1234 latestconfiguration`. */
  readonly where: string;
  readonly message: string;
}

export interface ScanReport {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly scanned: {
    readonly actions: number;
    readonly drafts: number;
    readonly flows: number;
    /** Managed secrets whose values were compared (none when no ManagedSecretsPort was given). */
    readonly managedSecrets: number;
  };
  readonly findings: readonly Finding[];
  /** ARNs of managed secrets whose value is hard-coded somewhere. */
  readonly hardCodedSecretArns: readonly string[];
  /** False when a listing was cut short or an item could not be read (see `problems`). */
  readonly complete: boolean;
  readonly problems: readonly ScanProblem[];
  readonly blastRadius?: BlastRadius;
}

export interface ScanDependencies {
  readonly source: ScanSourcePort;
  /** Absent: no managed-value comparison, only the literal detectors. */
  readonly secrets?: ManagedSecretsPort;
  readonly now?: () => Date;
}

export interface ScanOptions {
  /** Reads of single items (flow configurations, drafts) in flight at once. Default 4. */
  readonly concurrency?: number;
  /** Default 100, the largest Genesys accepts. */
  readonly pageSize?: number;
  /** Safety stop per listing. Default 1000. */
  readonly maxPages?: number;
  /** Compare only these managed secrets (ARNs or names); default every secret the port lists. */
  readonly secretIds?: readonly string[];
  /** Include flows (default true). */
  readonly flows?: boolean;
  /** Include action drafts (default true). */
  readonly drafts?: boolean;
  /** Also compute the blast radius of these integration credential ids. */
  readonly blastRadiusCredentialIds?: readonly string[];
  /** Ids listed per blast-radius level (default 20). */
  readonly blastRadiusIdCap?: number;
}

function describeError(error: unknown): string {
  // Adapter errors are sanitised (GenesysHttpError: method, path, status, code); keep only the message.
  return error instanceof Error ? error.message : 'unknown error';
}

function judge(
  texts: readonly ScannedText[],
  index: ManagedValueIndex,
  locate: (field: string) => FindingLocation,
): Finding[] {
  const findings: Finding[] = [];
  for (const scanned of texts) {
    for (const hit of detectLiterals(scanned)) {
      findings.push({
        kind: hit.kind,
        location: locate(scanned.field),
        secretArn: null,
        stages: [],
        detail: hit.detail,
      });
    }
    for (const match of index.matches(scanned.text)) {
      findings.push({
        kind: 'managed-secret-value',
        location: locate(scanned.field),
        secretArn: match.secretArn,
        stages: match.stages,
        detail: `the ${match.stages.join(' and ')} value of managed secret ${match.secretArn} is written here`,
      });
    }
  }
  return findings;
}

function actionFindings(action: ActionDocument, source: ActionSource, index: ManagedValueIndex): Finding[] {
  return judge(actionTexts(action.config as ActionConfigDocument | null), index, (field) => ({
    source,
    actionId: action.id,
    actionName: action.name,
    integrationId: action.integrationId,
    field,
  }));
}

async function managedValueIndex(
  secrets: ManagedSecretsPort | undefined,
  secretIds: readonly string[] | undefined,
  concurrency: number,
): Promise<{ index: ManagedValueIndex; refs: ManagedSecretRef[] }> {
  if (!secrets) return { index: new ManagedValueIndex([]), refs: [] };
  const listed = await secrets.list();
  const refs = secretIds
    ? listed.filter((ref) => secretIds.includes(ref.arn) || secretIds.includes(ref.name))
    : listed;
  const withValues = await mapWithConcurrency(refs, concurrency, async (ref) => ({
    arn: ref.arn,
    values: await secrets.values(ref.arn),
  }));
  return { index: new ManagedValueIndex(withValues), refs };
}

/** Scans Genesys for hard-coded secrets. Never throws for one unreadable item: it is listed in `problems`. */
export async function runScan(deps: ScanDependencies, options: ScanOptions = {}): Promise<ScanReport> {
  const now = deps.now ?? (() => new Date());
  const startedAt = now().toISOString();
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const pageSize = Math.min(Math.max(1, options.pageSize ?? MAX_PAGE_SIZE), MAX_PAGE_SIZE);
  const maxPages = options.maxPages ?? 1000;
  const problems: ScanProblem[] = [];
  const findings: Finding[] = [];
  let complete = true;

  const { index, refs } = await managedValueIndex(deps.secrets, options.secretIds, concurrency);

  const actions = await allPages((page) => deps.source.listActions(page), pageSize, maxPages);
  complete &&= actions.complete;
  for (const action of actions.entities) findings.push(...actionFindings(action, 'action', index));

  let draftCount = 0;
  if (options.drafts !== false) {
    const drafts = await allPages((page) => deps.source.listActionDrafts(page), pageSize, maxPages);
    complete &&= drafts.complete;
    draftCount = drafts.entities.length;
    const documents = await mapWithConcurrency(drafts.entities, concurrency, async (draft) => {
      if (draft.config) return draft;
      try {
        return (await deps.source.getActionDraft(draft.id)) ?? draft;
      } catch (error) {
        problems.push({ where: `draft of action ${draft.id}`, message: describeError(error) });
        return draft;
      }
    });
    for (const draft of documents) findings.push(...actionFindings(draft, 'action-draft', index));
  }

  let flowCount = 0;
  if (options.flows !== false) {
    const flows = await allPages((page) => deps.source.listFlows(page), pageSize, maxPages);
    complete &&= flows.complete;
    flowCount = flows.entities.length;
    const perFlow = await mapWithConcurrency(flows.entities, concurrency, async (flow) => {
      let configuration: unknown;
      try {
        configuration = await deps.source.flowConfiguration(flow.id);
      } catch (error) {
        problems.push({ where: `flow ${flow.id} latest configuration`, message: describeError(error) });
        return [];
      }
      return judge(documentTexts(configuration), index, (path) => ({
        source: 'flow',
        flowId: flow.id,
        flowName: flow.name,
        flowType: flow.type,
        path,
      }));
    });
    findings.push(...perFlow.flat());
  }

  const blastRadius = options.blastRadiusCredentialIds
    ? await computeBlastRadius(deps.source, options.blastRadiusCredentialIds, {
        concurrency,
        pageSize,
        maxPages,
        actions: actions.entities,
        ...(options.blastRadiusIdCap !== undefined ? { idCap: options.blastRadiusIdCap } : {}),
      })
    : undefined;

  const hardCodedSecretArns = [
    ...new Set(findings.flatMap((finding) => (finding.secretArn ? [finding.secretArn] : []))),
  ].sort();
  return {
    startedAt,
    finishedAt: now().toISOString(),
    scanned: {
      actions: actions.entities.length,
      drafts: draftCount,
      flows: flowCount,
      managedSecrets: refs.length,
    },
    findings,
    hardCodedSecretArns,
    complete: complete && problems.length === 0,
    problems,
    ...(blastRadius ? { blastRadius } : {}),
  };
}
