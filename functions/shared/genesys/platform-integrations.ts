/**
 * `IntegrationsApi` of `purecloud-platform-client-v2`, imported module by module like `platform.ts`
 * (which it imports first: that module defines the free `require` the SDK's ES modules call). Only
 * the functions that follow integration credentials import this, so only their bundles carry it.
 */
import './platform.js';
import IntegrationsApi from 'purecloud-platform-client-v2/src/purecloud-platform-client-v2/api/IntegrationsApi.js';

export { IntegrationsApi };
