/**
 * Bundles only (esbuild `alias`, see `infra/constructs/rotator-function.ts`): `standardwebhooks`
 * signs with `fast-sha256`'s pure-JavaScript HMAC (~6 KB minified); Node's own HMAC-SHA256 gives the
 * same bytes. `hmac` is the only function `standardwebhooks` calls.
 */
import { createHmac } from 'node:crypto';

export function hmac(key: Uint8Array, data: Uint8Array): Uint8Array {
  return new Uint8Array(createHmac('sha256', key).update(data).digest());
}

export default { hmac };
