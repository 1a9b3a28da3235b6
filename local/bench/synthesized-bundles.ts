/**
 * Synthesizes the app WITH bundling into a fresh folder and finds each function's deployed bundle
 * (`asset.<hash>/index.mjs`): what the benchmark measures and the bundled-error-names test runs.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { buildApp, EVERY_FUNCTION_OPTIONS } from '../../infra/app.js';
import { ENTRY_METADATA_KEY, repoRoot } from '../../infra/constructs/rotator-function.js';
import { bundleFileOf } from '../engine/assets.js';
import {
  type CfnTemplate,
  FLEET_MACHINE_METADATA_KEY,
  type LocalStateMachine,
  loadStateMachine,
} from '../engine/template.js';

export interface SynthesizedBundle {
  readonly logicalId: string;
  /** Handler module the bundle was built from, relative to the repository root. */
  readonly entry: string;
  /** Absolute path of the bundle's `index.mjs`. */
  readonly file: string;
  /** Bytes of `index.mjs` (the source map is a separate file). */
  readonly bytes: number;
  readonly environment: Readonly<Record<string, unknown>>;
}

export interface SynthesizedApp {
  readonly outdir: string;
  readonly template: CfnTemplate;
  readonly bundles: readonly SynthesizedBundle[];
  /** Removes the cloud assembly (or, for one read in place, only what reading it added). */
  dispose(): void;
}

interface LambdaResource {
  readonly Type: string;
  readonly Metadata?: Readonly<Record<string, unknown>>;
  readonly Properties?: {
    readonly Code?: { readonly S3Key?: unknown };
    readonly Environment?: { readonly Variables?: Readonly<Record<string, unknown>> };
  };
}

/** Request paths only the SDK's OAuthApi and TokensApi hold: a bundle with either carries the SDK. */
const GENESYS_SDK_MARKERS = ['/api/v2/oauth/clients', '/api/v2/tokens/me'];
const GENESYS_BUNDLE_BUDGET_BYTES = 500 * 1024;
const OTHER_BUNDLE_BUDGET_BYTES = 100 * 1024;

/** docs/ARCHITECTURE.md, "Bundles": 500 KB for a bundle that carries the Genesys SDK, 100 KB for the others. */
export function bundleBudget(bundle: SynthesizedBundle): { genesys: boolean; budgetBytes: number } {
  const text = readFileSync(bundle.file, 'utf8');
  const genesys = GENESYS_SDK_MARKERS.some((marker) => text.includes(marker));
  return { genesys, budgetBytes: genesys ? GENESYS_BUNDLE_BUDGET_BYTES : OTHER_BUNDLE_BUDGET_BYTES };
}

export function synthesizeBundles(): SynthesizedApp {
  const outdir = mkdtempSync(path.join(tmpdir(), 'rotator-bundles-'));
  const { app, stack } = buildApp({ outdir, bundling: true, nag: false, ...EVERY_FUNCTION_OPTIONS });
  app.synth();
  return readCloudAssembly(outdir, stack.templateFile, { owned: true });
}

/**
 * The bundles of a cloud assembly already synthesized with bundling (`cdk synth`, or an older
 * checkout's, to compare). `owned`: `dispose` deletes the folder.
 */
export function readCloudAssembly(
  outdir: string,
  templateFile = findTemplateFile(outdir),
  { owned = false }: { owned?: boolean } = {},
): SynthesizedApp {
  // The bundles leave the AWS SDK to the Lambda runtime; here the repository's copy stands in.
  const modules = path.join(outdir, 'node_modules');
  if (!existsSync(modules)) symlinkSync(path.join(repoRoot(), 'node_modules'), modules, 'dir');
  const template = JSON.parse(readFileSync(path.join(outdir, templateFile), 'utf8')) as CfnTemplate & {
    Resources: Record<string, LambdaResource>;
  };
  const bundles: SynthesizedBundle[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    const entry = resource.Metadata?.[ENTRY_METADATA_KEY];
    if (resource.Type !== 'AWS::Lambda::Function' || typeof entry !== 'string') continue;
    const file = bundleFileOf(outdir, logicalId, resource);
    bundles.push({
      logicalId,
      entry,
      file,
      bytes: statSync(file).size,
      environment: resource.Properties?.Environment?.Variables ?? {},
    });
  }
  const dispose = (): void => {
    if (owned) rmSync(outdir, { recursive: true, force: true });
    else rmSync(modules, { force: true });
  };
  return { outdir, template, bundles, dispose };
}

function findTemplateFile(outdir: string): string {
  const templates = readdirSync(outdir).filter((name) => name.endsWith('.template.json'));
  const [only] = templates;
  if (templates.length !== 1 || only === undefined) {
    throw new Error(`Expected one template in ${outdir}, found ${templates.length}`);
  }
  return only;
}

/** Every error name a function's tasks match in `ErrorEquals` (Retry and Catch), by function logical id. */
export function errorEqualsByFunction(template: CfnTemplate): ReadonlyMap<string, ReadonlySet<string>> {
  const account = { region: 'eu-west-1', accountId: '123456789012' };
  const hasFleet = Object.values(template.Resources).some(
    (resource) => resource.Metadata?.[FLEET_MACHINE_METADATA_KEY] === true,
  );
  const byFunction = new Map<string, Set<string>>();
  for (const fleet of hasFleet ? [false, true] : [false]) {
    collectErrorEquals(loadStateMachine(template, account, { fleet }), byFunction);
  }
  return byFunction;
}

function collectErrorEquals(machine: LocalStateMachine, byFunction: Map<string, Set<string>>): void {
  const visit = (states: unknown): void => {
    if (typeof states !== 'object' || states === null) return;
    for (const [name, state] of Object.entries(states as Record<string, Record<string, unknown>>)) {
      if (Array.isArray(state.Branches)) for (const branch of state.Branches) visit(branch.States);
      for (const processor of [state.ItemProcessor, state.Iterator]) {
        if (typeof processor === 'object' && processor !== null)
          visit((processor as { States?: unknown }).States);
      }
      const route = machine.routes.get(name);
      if (route?.kind !== 'lambda') continue;
      const names = byFunction.get(route.logicalId) ?? new Set<string>();
      for (const rule of [...asArray(state.Retry), ...asArray(state.Catch)]) {
        for (const error of asArray((rule as { ErrorEquals?: unknown }).ErrorEquals))
          names.add(String(error));
      }
      byFunction.set(route.logicalId, names);
    }
  };
  visit(machine.definition.States);
}

function asArray(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}
