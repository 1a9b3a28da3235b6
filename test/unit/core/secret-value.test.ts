import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseOAuthSecretValue, serialiseOAuthSecretValue } from '../../../functions/core/secret-value.js';
import { GENESYS_ENVIRONMENTS } from '../../../functions/shared/contract.js';
import { FormatVerificationFailedError } from '../../../functions/shared/errors.js';

const WHERE = 'The AWSCURRENT value of secret s1';
const SECRET = 'Zq8#leaked-if-you-see-this';

function errorOf(raw: string | null): FormatVerificationFailedError {
  try {
    parseOAuthSecretValue(raw, WHERE);
  } catch (error) {
    if (error instanceof FormatVerificationFailedError) return error;
    throw error;
  }
  throw new Error('expected parseOAuthSecretValue to throw');
}

const valid = { clientId: 'client-1', clientSecret: SECRET, environment: 'mypurecloud.ie' };

describe('parseOAuthSecretValue', () => {
  it('parses a well-formed value', () => {
    // Prepare
    const raw = JSON.stringify(valid);

    // Act
    const value = parseOAuthSecretValue(raw, WHERE);

    // Assess
    expect(value).toEqual(valid);
  });

  it.each([
    ['no value (placeholder version)', null, 'has no value'],
    ['not JSON', `{"clientId": "client-1", "clientSecret": "${SECRET}"`, 'is not JSON'],
    ['a JSON array', JSON.stringify([SECRET]), 'is not a JSON object'],
    ['a JSON string', JSON.stringify(SECRET), 'is not a JSON object'],
    ['JSON null', 'null', 'is not a JSON object'],
    [
      'missing clientSecret',
      JSON.stringify({ clientId: SECRET, environment: 'mypurecloud.ie' }),
      'clientSecret is missing',
    ],
    [
      'missing clientId',
      JSON.stringify({ clientSecret: SECRET, environment: 'mypurecloud.ie' }),
      'clientId is missing',
    ],
    ['an extra field', JSON.stringify({ ...valid, password: SECRET }), 'unexpected field(s) password'],
    [
      'an unknown environment',
      JSON.stringify({ ...valid, environment: `${SECRET}.example` }),
      'environment is not a known Genesys environment',
    ],
    [
      'an empty clientSecret',
      JSON.stringify({ ...valid, clientSecret: '' }),
      'clientSecret is missing or not a valid value',
    ],
    [
      'an empty clientId',
      JSON.stringify({ ...valid, clientId: '' }),
      'clientId is missing or not a valid value',
    ],
    [
      'a numeric clientSecret',
      JSON.stringify({ ...valid, clientSecret: 12345 }),
      'clientSecret is missing or not a valid string',
    ],
    [
      'an over-long clientId',
      JSON.stringify({ ...valid, clientId: SECRET.repeat(10) }),
      'clientId is missing or not a valid value',
    ],
  ])('refuses %s with a message naming the problem and not the value', (_case, raw, fragment) => {
    // Prepare: raw holds the secret wherever it can

    // Act
    const error = errorOf(raw);

    // Assess
    expect(error.code).toBe('FORMAT_VERIFICATION_FAILED');
    expect(error.message).toContain(WHERE);
    expect(error.message).toContain(fragment);
    expect(error.message).not.toContain(SECRET);
    expect(error.message).not.toContain('Zq8');
  });

  it('names every bad field at once', () => {
    // Prepare
    const raw = JSON.stringify({ clientId: '', environment: 'nowhere', extra: 1 });

    // Act
    const error = errorOf(raw);

    // Assess
    expect(error.message).toContain('clientId');
    expect(error.message).toContain('clientSecret');
    expect(error.message).toContain('environment');
    expect(error.message).toContain('extra');
  });

  it('never puts a secret embedded in a malformed value into the error message', () => {
    // Prepare
    const secrets = fc
      .string({ minLength: 1, maxLength: 60, unit: 'grapheme' })
      .filter((s) => !(GENESYS_ENVIRONMENTS as readonly string[]).includes(s));
    const shapes: Array<(s: string) => string> = [
      (s) => `{"clientId":"c","clientSecret":${JSON.stringify(s)}`,
      (s) => JSON.stringify([s]),
      (s) => JSON.stringify(s),
      (s) => JSON.stringify({ clientId: 'c', clientSecret: s }),
      (s) => JSON.stringify({ clientId: 'c', clientSecret: s, environment: 'mypurecloud.ie', extra: s }),
      (s) => JSON.stringify({ clientId: 'c', clientSecret: s, environment: s }),
      (s) => JSON.stringify({ clientId: s, clientSecret: { nested: s }, environment: 'mypurecloud.ie' }),
      (s) => JSON.stringify({ clientId: s.repeat(130), clientSecret: s, environment: 'mypurecloud.ie' }),
      (s) => JSON.stringify({ clientId: [s], clientSecret: s, environment: 'mypurecloud.ie' }),
    ];
    const placeholder = 'placeholder';

    // Act + Assess
    fc.assert(
      fc.property(secrets, fc.constantFrom(...shapes.keys()), (secret, index) => {
        const shape = shapes[index];
        if (shape === undefined) throw new Error('no shape');
        const message = errorOf(shape(secret)).message;
        // The message does not depend on the secret at all ...
        expect(message).toBe(errorOf(shape(placeholder)).message);
        // ... so a secret that is not a fragment of the fixed wording never shows.
        if (secret.length >= 8 && !message.includes(secret.slice(1))) expect(message).not.toContain(secret);
      }),
      { numRuns: 200 },
    );
  });
});

describe('serialiseOAuthSecretValue', () => {
  it('round-trips through parseOAuthSecretValue and writes exactly the three fields', () => {
    // Prepare
    const values = fc.record({
      clientId: fc.string({ minLength: 1, maxLength: 128 }),
      clientSecret: fc.string({ minLength: 1, maxLength: 1024 }),
      environment: fc.constantFrom(...GENESYS_ENVIRONMENTS),
    });

    // Act + Assess
    fc.assert(
      fc.property(values, (value) => {
        const raw = serialiseOAuthSecretValue({ ...value });
        expect(Object.keys(JSON.parse(raw))).toEqual(['clientId', 'clientSecret', 'environment']);
        expect(parseOAuthSecretValue(raw, WHERE)).toEqual(value);
      }),
      { numRuns: 100 },
    );
  });
});
