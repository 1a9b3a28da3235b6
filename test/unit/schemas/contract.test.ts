import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ExecutionInputSchema,
  GENESYS_ENVIRONMENTS,
  OAuthClientSecretValueSchema,
  SecretsManagerRotationEventSchema,
} from '../../../functions/shared/contract.js';

const STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;

describe('ExecutionInputSchema', () => {
  it('accepts a token of 32 to 64 characters and refuses one outside that range', () => {
    // Prepare
    const lengths = fc.integer({ min: 0, max: 100 });

    // Act + Assess
    fc.assert(
      fc.property(lengths, (length) => {
        const parsed = ExecutionInputSchema.safeParse({ secretId: 's', token: 't'.repeat(length) });
        expect(parsed.success).toBe(length >= 32 && length <= 64);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses any value of the wrong type for each field', () => {
    // Prepare
    const fields = {
      secretId: fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.constant('')),
      dryRun: fc.oneof(fc.integer(), fc.string(), fc.constant(null)),
      reason: fc.oneof(fc.integer(), fc.boolean(), fc.string({ minLength: 513, maxLength: 600 })),
      mode: fc.string().filter((s) => s !== 'standard' && s !== 'emergency'),
      trigger: fc.string().filter((s) => !['manual', 'secretsmanager', 'cli'].includes(s)),
    };
    const bad = fc.oneof(
      ...Object.entries(fields).map(([field, values]) =>
        values.map((value) => ({ field, value: value as unknown })),
      ),
    );

    // Act + Assess
    fc.assert(
      fc.property(bad, ({ field, value }) => {
        const parsed = ExecutionInputSchema.safeParse({ secretId: 's', [field]: value });
        expect(parsed.success).toBe(false);
        expect(parsed.error?.issues.map((issue) => issue.path[0])).toContain(field);
      }),
      { numRuns: 200 },
    );
  });
});

describe('OAuthClientSecretValueSchema', () => {
  const good = fc.record({
    clientId: fc.string({ minLength: 1, maxLength: 128 }),
    clientSecret: fc.string({ minLength: 1, maxLength: 1024 }),
    environment: fc.constantFrom(...GENESYS_ENVIRONMENTS),
  });

  it('accepts every value with the three fields in range', () => {
    // Prepare: good

    // Act + Assess
    fc.assert(
      fc.property(good, (value) => {
        expect(OAuthClientSecretValueSchema.parse(value)).toEqual(value);
      }),
      { numRuns: 100 },
    );
  });

  it('refuses a value with an extra field, a missing field or an unknown environment', () => {
    // Prepare
    const broken = fc.oneof(
      fc
        .tuple(good, fc.string({ minLength: 1, maxLength: 10 }))
        .map(([value, key]) => (key in value ? { ...value, clientId: '' } : { ...value, [key]: 'x' })),
      fc.tuple(good, fc.constantFrom('clientId', 'clientSecret', 'environment')).map(([value, key]) => {
        const copy: Record<string, unknown> = { ...value };
        delete copy[key];
        return copy;
      }),
      fc
        .tuple(good, fc.string())
        .map(([value, environment]) =>
          (GENESYS_ENVIRONMENTS as readonly string[]).includes(environment)
            ? { ...value, clientSecret: '' }
            : { ...value, environment },
        ),
      good.map((value) => ({ ...value, clientId: 'c'.repeat(129) })),
      good.map((value) => ({ ...value, clientSecret: 's'.repeat(1025) })),
    );

    // Act + Assess
    fc.assert(
      fc.property(broken, (value) => {
        expect(OAuthClientSecretValueSchema.safeParse(value).success).toBe(false);
      }),
      { numRuns: 200 },
    );
  });
});

describe('SecretsManagerRotationEventSchema', () => {
  it('accepts the four rotation steps with a secret id and a token, with or without a RotationToken', () => {
    // Prepare
    const events = fc.record(
      {
        Step: fc.constantFrom(...STEPS),
        SecretId: fc.string({ minLength: 1 }),
        ClientRequestToken: fc.uuid(),
        RotationToken: fc.uuid(),
      },
      { requiredKeys: ['Step', 'SecretId', 'ClientRequestToken'] },
    );

    // Act + Assess
    fc.assert(
      fc.property(events, (event) => {
        expect(SecretsManagerRotationEventSchema.parse(event)).toEqual(event);
      }),
      { numRuns: 100 },
    );
  });

  it('refuses an unknown step, an empty secret id or a missing token', () => {
    // Prepare
    const base = { Step: 'createSecret', SecretId: 'arn:secret', ClientRequestToken: 'tok-1' };
    const broken = fc.oneof(
      fc
        .string()
        .filter((s) => !(STEPS as readonly string[]).includes(s))
        .map((Step) => ({ ...base, Step })),
      fc.constant({ ...base, SecretId: '' }),
      fc.constant({ Step: 'createSecret', SecretId: 'arn:secret' }),
      fc.constant({ ...base, ClientRequestToken: '' }),
      fc.integer().map((RotationToken) => ({ ...base, RotationToken })),
    );

    // Act + Assess
    fc.assert(
      fc.property(broken, (event) => {
        expect(SecretsManagerRotationEventSchema.safeParse(event).success).toBe(false);
      }),
      { numRuns: 100 },
    );
  });
});
