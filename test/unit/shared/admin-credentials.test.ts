/**
 * Which admin credential a rotation uses (functions/shared/admin-credentials.ts): one for every
 * secret (the default), or the one listed for the managed secret's org and environment, never
 * another org's; a secret of an org without one is a typed refusal.
 */
import { describe, expect, it } from 'vitest';
import {
  adminCredentialsFromEnvironment,
  adminSecretIdFor,
  adminSecretIds,
  adminTargetOf,
  adminTargetOfSecret,
} from '../../../functions/shared/admin-credentials.js';
import { TAG_ENVIRONMENT, TAG_ORG_ID } from '../../../functions/shared/contract.js';
import { EnvironmentMismatchError, InvalidConfigurationError } from '../../../functions/shared/errors.js';
import { buildInventory } from '../../helpers/builders.js';

const ORG_A = '5f1c9a3e-7b2d-4e8f-9a61-0c3d2b4e6f70';
const ORG_B = '3b9d2c1e-4f5a-4b6c-8d7e-9f0a1b2c3d4e';
const ARN_A = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:genesys/rotator/admin/a-AbCdEf';
const ARN_B = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:genesys/rotator/admin/b-GhIjKl';
const PER_ORG = JSON.stringify([
  { orgId: ORG_A, environment: 'mypurecloud.ie', secretId: ARN_A },
  { orgId: ORG_B, environment: 'mypurecloud.de', secretId: ARN_B },
]);

function configurationError(act: () => unknown): InvalidConfigurationError {
  try {
    act();
  } catch (error) {
    if (error instanceof InvalidConfigurationError) return error;
    throw error;
  }
  throw new Error('Expected an InvalidConfigurationError');
}

describe('adminCredentialsFromEnvironment', () => {
  it('reads one admin credential from ADMIN_SECRET_ID (the default deployment)', () => {
    // Act
    const credentials = adminCredentialsFromEnvironment({ ADMIN_SECRET_ID: ARN_A });

    // Assess
    expect(credentials).toEqual({ mode: 'single', secretId: ARN_A });
    expect(adminSecretIds(credentials)).toEqual([ARN_A]);
  });

  it('reads one admin credential per org from ADMIN_SECRETS', () => {
    // Act
    const credentials = adminCredentialsFromEnvironment({ ADMIN_SECRETS: PER_ORG });

    // Assess
    expect(credentials.mode).toBe('per-org');
    expect(adminSecretIds(credentials)).toEqual([ARN_A, ARN_B]);
  });

  it.each([
    ['neither variable', {}, 'ADMIN_SECRET_ID'],
    ['both variables', { ADMIN_SECRET_ID: ARN_A, ADMIN_SECRETS: PER_ORG }, 'both set'],
    ['ADMIN_SECRETS that is not JSON', { ADMIN_SECRETS: '[{' }, 'not JSON'],
    ['an empty list', { ADMIN_SECRETS: '[]' }, 'non-empty list'],
    [
      'an unknown region host',
      { ADMIN_SECRETS: JSON.stringify([{ orgId: ORG_A, environment: 'example.com', secretId: ARN_A }]) },
      '0.environment',
    ],
    [
      'an org listed twice',
      {
        ADMIN_SECRETS: JSON.stringify([
          { orgId: ORG_A, environment: 'mypurecloud.ie', secretId: ARN_A },
          { orgId: ORG_A, environment: 'mypurecloud.ie', secretId: ARN_B },
        ]),
      },
      `org ${ORG_A} is listed more than once`,
    ],
    [
      'one secret for two orgs',
      {
        ADMIN_SECRETS: JSON.stringify([
          { orgId: ORG_A, environment: 'mypurecloud.ie', secretId: ARN_A },
          { orgId: ORG_B, environment: 'mypurecloud.ie', secretId: ARN_A },
        ]),
      },
      'more than one org',
    ],
  ])('refuses %s, naming the problem', (_case, env, expected) => {
    // Act
    const error = configurationError(() => adminCredentialsFromEnvironment(env));

    // Assess
    expect(error.message).toContain(expected);
  });
});

describe('adminSecretIdFor', () => {
  const perOrg = adminCredentialsFromEnvironment({ ADMIN_SECRETS: PER_ORG });
  const target = (orgId: string | null, environment: string | null) => ({
    secretName: 'genesys/prod/svc',
    orgId,
    environment,
  });

  it("picks the credential of the secret's org and environment, never another org's", () => {
    // Act + Assess
    expect(adminSecretIdFor(perOrg, target(ORG_A, 'mypurecloud.ie'))).toBe(ARN_A);
    expect(adminSecretIdFor(perOrg, target(ORG_B, 'mypurecloud.de'))).toBe(ARN_B);
  });

  it.each([
    [
      'an org the rotator holds no credential for',
      target('00000000-0000-4000-8000-0000000000cc', 'mypurecloud.ie'),
      'holds admin credentials only for',
    ],
    ['no org tag', target(null, 'mypurecloud.ie'), '(missing)'],
    [
      "the org's credential for another region host",
      target(ORG_B, 'mypurecloud.ie'),
      'is for mypurecloud.de',
    ],
  ])('refuses %s with EnvironmentMismatchError', (_case, to, expected) => {
    // Act
    const act = () => adminSecretIdFor(perOrg, to);

    // Assess
    expect(act).toThrow(EnvironmentMismatchError);
    expect(act).toThrow(expected);
  });

  it('uses the one admin credential for every secret when there is one (Validate compares the org)', () => {
    // Prepare
    const single = adminCredentialsFromEnvironment({ ADMIN_SECRET_ID: ARN_A });

    // Act + Assess
    expect(adminSecretIdFor(single, target(ORG_B, 'mypurecloud.de'))).toBe(ARN_A);
    expect(adminSecretIdFor(single, null)).toBe(ARN_A);
  });

  it('needs a target per org: a step without the managed secret is a configuration error', () => {
    // Act + Assess
    expect(configurationError(() => adminSecretIdFor(perOrg, null)).message).toContain('genesys:org-id');
  });

  it('reads the target from the inventory Fetch wrote, or from a described secret', () => {
    // Prepare
    const inventory = buildInventory();

    // Act + Assess
    expect(adminTargetOf({ inventory })).toEqual({
      secretName: inventory.secretName,
      orgId: inventory.tags.orgId,
      environment: inventory.tags.environment,
    });
    expect(adminTargetOf({})).toBeNull();
    expect(
      adminTargetOfSecret({ name: 's', tags: { [TAG_ORG_ID]: ORG_B, [TAG_ENVIRONMENT]: 'mypurecloud.de' } }),
    ).toEqual({ secretName: 's', orgId: ORG_B, environment: 'mypurecloud.de' });
  });
});
