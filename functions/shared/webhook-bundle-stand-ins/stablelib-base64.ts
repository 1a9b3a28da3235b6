/**
 * Bundles only (esbuild `alias`, see `infra/constructs/rotator-function.ts`): `standardwebhooks`
 * uses `@stablelib/base64` (~3.5 KB minified) for standard, padded base64; Node's Buffer does the same.
 * `encode` and `decode` are the only functions `standardwebhooks` calls.
 */
export function encode(data: Uint8Array): string {
  return Buffer.from(data).toString('base64');
}

export function decode(text: string): Uint8Array {
  // @stablelib/base64 refuses what is not base64; Buffer skips it, so check first.
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) {
    throw new Error('Base64Coder: incorrect characters for decoding');
  }
  return new Uint8Array(Buffer.from(text, 'base64'));
}

export default { encode, decode };
