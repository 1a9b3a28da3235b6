import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  clientBelongsToToken,
  deriveToken,
  newClientDescription,
  newClientName,
} from '../../../functions/core/naming.js';
import { ExecutionInputSchema } from '../../../functions/shared/contract.js';
import type { GenesysClientRecord } from '../../../functions/shared/ports.js';
import { OTHER_TOKEN, TOKEN } from '../../helpers/builders.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function client(name: string, description = ''): GenesysClientRecord {
  return {
    id: 'c-1',
    name,
    description,
    state: 'active',
    authorizedGrantType: 'CLIENT-CREDENTIALS',
    roleDivisions: [],
    accessTokenValiditySeconds: 86_400,
    dateCreated: null,
  };
}

describe('deriveToken', () => {
  it('derives the same uuid-shaped token from the same execution id, and different ones from others', () => {
    // Prepare
    const executionIds = fc.uniqueArray(fc.string({ minLength: 1, maxLength: 200 }), {
      minLength: 2,
      maxLength: 2,
    });

    // Act + Assess
    fc.assert(
      fc.property(executionIds, ([first, second]) => {
        const token = deriveToken(first ?? '');
        expect(token).toMatch(UUID);
        expect(deriveToken(first ?? '')).toBe(token);
        expect(deriveToken(second ?? '')).not.toBe(token);
        expect(ExecutionInputSchema.shape.token.safeParse(token).success).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('does not depend on anything but the execution id', () => {
    // Prepare
    const executionId = 'arn:aws:states:eu-west-1:123456789012:execution:rotation:manual-1';

    // Act
    const token = deriveToken(executionId);

    // Assess
    expect(token).toBe(deriveToken(`${executionId}`));
    expect(token).not.toBe(deriveToken(`${executionId}-retry`));
  });
});

describe('newClientName', () => {
  it('appends the prefix and the token to the legacy name', () => {
    // Prepare
    const legacy = 'Billing service';

    // Act
    const name = newClientName(legacy, 'rotated', TOKEN);

    // Assess
    expect(name).toBe(`Billing service [rotated ${TOKEN}]`);
  });

  it('replaces the suffix of an earlier rotation instead of stacking another one', () => {
    // Prepare
    const first = newClientName('Billing service', 'rotated', TOKEN);

    // Act
    const second = newClientName(first, 'rotated', OTHER_TOKEN);

    // Assess
    expect(second).toBe(`Billing service [rotated ${OTHER_TOKEN}]`);
    expect(second).not.toContain(TOKEN);
  });

  it('names a client whose legacy name is empty or blank', () => {
    // Prepare
    const blank = '   ';

    // Act
    const name = newClientName(blank, 'rotated', TOKEN);

    // Assess
    expect(name).toBe(`client [rotated ${TOKEN}]`);
  });

  it('stays bounded however many times a client is rotated, and always contains the current token', () => {
    // Prepare
    const tokens = fc.array(fc.string({ minLength: 32, maxLength: 64 }), { minLength: 1, maxLength: 12 });
    const prefix = fc.string({ minLength: 1, maxLength: 64 });

    // Act + Assess
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), prefix, tokens, (legacy, chosenPrefix, rotationTokens) => {
        let name = legacy;
        for (const token of rotationTokens) {
          name = newClientName(name, chosenPrefix, token);
          expect(name).toContain(token);
          expect(name.length).toBeLessThanOrEqual(60 + chosenPrefix.length + token.length + 4);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('keeps a legacy name that itself ends in a bracket through later rotations (fast-check counterexample "! [")', () => {
    // Act
    const first = newClientName('! [', '.', '00000000-0000-1000-8000-000000000000');

    // Assess
    expect(newClientName(first, '.', '00000000-0000-1000-8000-000000000001')).toBe(
      newClientName('! [', '.', '00000000-0000-1000-8000-000000000001'),
    );
  });

  it('gives the same name to the Nth rotation as to the first, for uuid tokens', () => {
    // Prepare
    const prefix = fc.stringMatching(/^[A-Za-z0-9 _.-]{1,20}$/);

    // Act + Assess
    fc.assert(
      fc.property(
        fc.string({ maxLength: 120 }),
        prefix,
        fc.array(fc.uuid(), { minLength: 2, maxLength: 6 }),
        (legacy, p, tokens) => {
          let name = legacy;
          for (const token of tokens) name = newClientName(name, p, token);
          const last = tokens[tokens.length - 1] ?? '';
          expect(name).toBe(newClientName(legacy, p, last));
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('clientBelongsToToken', () => {
  it('recognises the client made for a token by its name or by its description', () => {
    // Prepare
    const byName = client(newClientName('Billing', 'rotated', TOKEN));
    const byDescription = client('renamed by an admin', newClientDescription('s', 'legacy-1', TOKEN));

    // Act
    const results = [clientBelongsToToken(byName, TOKEN), clientBelongsToToken(byDescription, TOKEN)];

    // Assess
    expect(results).toEqual([true, true]);
  });

  it('does not claim a client made for another token or a client the rotator never made', () => {
    // Prepare
    const other = client(
      newClientName('Billing', 'rotated', OTHER_TOKEN),
      newClientDescription('s', 'l', OTHER_TOKEN),
    );
    const unrelated = client('Billing', 'hand-made');

    // Act
    const results = [clientBelongsToToken(other, TOKEN), clientBelongsToToken(unrelated, TOKEN)];

    // Assess
    expect(results).toEqual([false, false]);
  });
});
