import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Validations } from 'aws-cdk-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../infra/app.js';

const ACKNOWLEDGED = Validations.ACKNOWLEDGED_RULES_METADATA_KEY;

describe('cdk-nag AwsSolutions checks', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'rotator-nag-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('synthesizes with no unacknowledged finding', () => {
    // Prepare: buildApp adds `Validations.of(app).addPlugins(new AwsSolutionsChecks(app))`.
    const { app } = buildApp({ bundling: false, outdir });

    // Act
    const act = () => app.synth();

    // Assess
    expect(act).not.toThrow();
  });

  it('acknowledges each remaining finding individually, with a reason', () => {
    // Prepare
    const { app } = buildApp({ bundling: false, nag: false });

    // Act
    const acknowledgements = app.node
      .findAll()
      .flatMap((construct) => construct.node.metadata.filter((entry) => entry.type === ACKNOWLEDGED))
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>));

    // Assess
    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const [id, reason] of acknowledgements) {
      expect(id).toMatch(/AwsSolutions-(IAM5\[Resource::.+\]|L1|SMG4)$/);
      expect(reason.length, id).toBeGreaterThan(30);
    }
    const ids = new Set(acknowledgements.map(([id]) => id.replace(/^.*::/, '')));
    expect(ids).not.toContain('AwsSolutions-IAM4');
    expect([...ids].some((id) => id.includes('Action::'))).toBe(false);
  });
});
