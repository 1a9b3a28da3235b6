/**
 * The Lambda bundles CDK synthesizes: `cdk synth` with bundling (the same NodejsFunction settings a
 * deployment uploads), cached on disk under `node_modules/.cache` by a hash of everything that goes
 * into them (function and infra sources, the lock file), so one synth serves every local
 * environment, test file and run until a source changes.
 */
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import type { CfnTemplate } from './template.js';
import { ENTRY_METADATA_KEY } from './template.js';

/** Handler entry (relative to the repo root) -> absolute path of its bundle's `index.mjs`. */
export type BundleManifest = ReadonlyMap<string, string>;

const SOURCES = ['functions', 'infra', 'package-lock.json', 'tsconfig.json'];

function listFiles(root: string, path: string, into: string[]): void {
  const absolute = join(root, path);
  if (!existsSync(absolute)) return;
  if (statSync(absolute).isDirectory()) {
    for (const name of readdirSync(absolute).sort()) listFiles(root, join(path, name), into);
  } else {
    into.push(path);
  }
}

/** Hash of every file the bundles are built from. */
export function bundleSourceHash(repoRoot: string): string {
  const files: string[] = [];
  for (const source of SOURCES) listFiles(repoRoot, source, files);
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(file);
    hash.update(readFileSync(join(repoRoot, file)));
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * The bundle (`index.mjs`) of a function in a cloud assembly synthesized with bundling: under the
 * `aws:asset:path` metadata when the CLI recorded it, else the asset folder named by the S3 key's hash.
 */
export function bundleFileOf(
  outdir: string,
  logicalId: string,
  resource: {
    readonly Metadata?: Readonly<Record<string, unknown>>;
    readonly Properties?: Readonly<Record<string, unknown>>;
  },
): string {
  const recorded = resource.Metadata?.['aws:asset:path'];
  if (typeof recorded === 'string') return join(outdir, recorded, 'index.mjs');
  const code = resource.Properties?.Code as { S3Key?: unknown } | undefined;
  const key = code?.S3Key;
  if (typeof key !== 'string' || !key.endsWith('.zip')) {
    throw new Error(`Function ${logicalId} has no asset path metadata nor an asset S3 key`);
  }
  return join(outdir, `asset.${key.slice(0, -'.zip'.length)}`, 'index.mjs');
}

/** Reads, from a template synthesized with bundling, which bundle serves each handler entry. */
export function bundlesOfTemplate(template: CfnTemplate, outdir: string): Map<string, string> {
  const bundles = new Map<string, string>();
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    const entry = resource.Metadata?.[ENTRY_METADATA_KEY];
    if (resource.Type !== 'AWS::Lambda::Function' || typeof entry !== 'string') continue;
    const bundle = bundleFileOf(outdir, logicalId, resource);
    if (!existsSync(bundle)) throw new Error(`No bundle for ${logicalId} (${entry}) in ${outdir}`);
    bundles.set(entry, bundle);
  }
  return bundles;
}

type Synthesize = (outdir: string) => CfnTemplate;

/**
 * The bundles for the current sources: from the cache, or synthesized once (with bundling) into a
 * fresh folder that replaces the cache atomically, so parallel test processes never read a half
 * written one.
 */
export function ensureBundles(repoRoot: string, synthesize: Synthesize): BundleManifest {
  const cacheRoot = join(repoRoot, 'node_modules', '.cache', 'genesys-rotator');
  const folder = join(cacheRoot, `bundles-${bundleSourceHash(repoRoot)}`);
  const manifestPath = join(folder, 'manifest.json');
  if (!existsSync(manifestPath)) {
    mkdirSync(cacheRoot, { recursive: true });
    const building = `${folder}.building-${process.pid}-${Date.now()}`;
    const outdir = join(building, 'cdk.out');
    const template = synthesize(outdir);
    const manifest = Object.fromEntries(
      [...bundlesOfTemplate(template, outdir)].map(([entry, bundle]) => [entry, relative(building, bundle)]),
    );
    writeFileSync(join(building, 'manifest.json'), JSON.stringify(manifest, null, 2));
    try {
      renameSync(building, folder);
    } catch {
      // Another process finished the same bundles first: theirs are identical.
      rmSync(building, { recursive: true, force: true });
    }
  }
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, string>;
  return new Map(Object.entries(manifest).map(([entry, bundle]) => [entry, join(folder, bundle)]));
}
