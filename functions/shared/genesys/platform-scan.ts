/**
 * The SDK classes only the hard-coded secret scan and the blast radius use, imported module by
 * module as in `platform.ts` (whose `require` shim this module loads first). Kept apart so that the
 * rotation steps that never read actions or flows do not bundle these two large API classes.
 */
import './platform.js';
import ArchitectApi from 'purecloud-platform-client-v2/src/purecloud-platform-client-v2/api/ArchitectApi.js';
import IntegrationsApi from 'purecloud-platform-client-v2/src/purecloud-platform-client-v2/api/IntegrationsApi.js';

const scanPlatformClient = { ArchitectApi, IntegrationsApi } as const;

export default scanPlatformClient;
