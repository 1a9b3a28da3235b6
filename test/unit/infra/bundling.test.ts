import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { ESM_REQUIRE_BANNER, RotatorFunction } from '../../../infra/constructs/rotator-function.js';

describe('RotatorFunction bundling', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'rotator-bundle-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('bundles the Fetch handler with the local esbuild into an ESM asset with a source map', () => {
    // Prepare
    const app = new App({ outdir });
    const stack = new Stack(app, 'Bundled');
    new RotatorFunction(stack, 'Fetch', { entry: 'functions/fetch/handler.ts' });

    // Act
    const assembly = app.synth();

    // Assess
    const manifest = JSON.parse(readFileSync(join(assembly.directory, 'Bundled.assets.json'), 'utf8')) as {
      files: Record<string, { source: { path: string; packaging: string } }>;
    };
    const assets = Object.values(manifest.files).filter((file) => file.source.packaging === 'zip');
    expect(assets).toHaveLength(1);
    const assetDir = join(assembly.directory, assets[0]?.source.path ?? '');
    expect(existsSync(join(assetDir, 'index.mjs'))).toBe(true);
    expect(existsSync(join(assetDir, 'index.mjs.map'))).toBe(true);
    const code = readFileSync(join(assetDir, 'index.mjs'), 'utf8');
    expect(code.startsWith(ESM_REQUIRE_BANNER)).toBe(true);
    expect(code).toMatch(/export\s*\{/);
  });
});
