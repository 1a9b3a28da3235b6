import * as realBase64 from '@stablelib/base64';
import fc from 'fast-check';
import realSha256 from 'fast-sha256';
import { describe, expect, it } from 'vitest';
import * as sha256 from '../../../functions/shared/webhook-bundle-stand-ins/fast-sha256.js';
import * as base64 from '../../../functions/shared/webhook-bundle-stand-ins/stablelib-base64.js';

describe('webhook bundle stand-ins (what the bundles alias fast-sha256 and @stablelib/base64 to)', () => {
  it('computes the same HMAC-SHA256 as fast-sha256 for any key and message', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 96 }), fc.uint8Array({ maxLength: 512 }), (key, data) => {
        // Assess
        expect(sha256.hmac(key, data)).toEqual(realSha256.hmac(key, data));
      }),
    );
  });

  it('encodes and decodes base64 as @stablelib/base64 does, and refuses what it refuses', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 128 }), (bytes) => {
        // Act
        const text = base64.encode(bytes);

        // Assess
        expect(text).toBe(realBase64.encode(bytes));
        expect(base64.decode(text)).toEqual(realBase64.decode(text));
      }),
    );
    expect(() => realBase64.decode('not base64!')).toThrow();
    expect(() => base64.decode('not base64!')).toThrow();
  });
});
