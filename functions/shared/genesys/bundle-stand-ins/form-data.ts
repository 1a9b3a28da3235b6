/**
 * Bundles only (esbuild `alias`, see `infra/constructs/rotator-function.ts`): axios reaches the
 * `form-data` package (~165 KB with mime-db) only to send multipart bodies, and no Genesys call of
 * the rotator sends one (JSON, and a form-urlencoded token request). Fails loudly if one ever does.
 */
export default class MultipartBodiesNotBundled {
  constructor() {
    throw new Error(
      'multipart/form-data bodies are not supported by the rotator bundles (form-data is aliased out)',
    );
  }
}
