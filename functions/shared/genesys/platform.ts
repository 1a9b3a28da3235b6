/**
 * The part of `purecloud-platform-client-v2` the functions use, imported module by module.
 *
 * The package's `main` is one 3.8 MB CommonJS file holding every API; its `src/` ES modules hold
 * one class per file, so a bundle that imports only these carries only these (the package has no
 * `exports` map, so the deep paths are allowed). Every Genesys module of `functions/` imports the
 * SDK from here, never from the package root: classes from the two builds are distinct, and
 * `ApiClient.setHttpClient` checks `instanceof AbstractHttpClient`.
 */
import { createRequire } from 'node:module';
import AbstractHttpClient from 'purecloud-platform-client-v2/src/purecloud-platform-client-v2/AbstractHttpClient.js';
import ApiClientClass from 'purecloud-platform-client-v2/src/purecloud-platform-client-v2/ApiClient.js';
import OAuthApi from 'purecloud-platform-client-v2/src/purecloud-platform-client-v2/api/OAuthApi.js';
import OrganizationApi from 'purecloud-platform-client-v2/src/purecloud-platform-client-v2/api/OrganizationApi.js';
import TokensApi from 'purecloud-platform-client-v2/src/purecloud-platform-client-v2/api/TokensApi.js';
import DefaultHttpClient from 'purecloud-platform-client-v2/src/purecloud-platform-client-v2/DefaultHttpClient.js';
import HttpRequestOptions from 'purecloud-platform-client-v2/src/purecloud-platform-client-v2/HttpRequestOptions.js';

// These ES modules were written for bundlers: building a client calls a free `require` (os, path,
// fs, winston). Our bundles define one (ESM_REQUIRE_BANNER); Node gives ES modules none, so under
// tsx and vitest the SDK would throw "require is not defined" until one exists.
const globalScope = globalThis as { require?: NodeJS.Require };
globalScope.require ??= createRequire(import.meta.url);

/** Same member names as the package's default export, so callers read `platformClient.OAuthApi`. */
const platformClient = {
  ApiClientClass,
  AbstractHttpClient,
  DefaultHttpClient,
  HttpRequestOptions,
  OAuthApi,
  OrganizationApi,
  TokensApi,
} as const;

export default platformClient;
