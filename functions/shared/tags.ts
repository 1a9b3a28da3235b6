/**
 * The managed secret's tags and the Genesys region hosts: constants only, so that a function which
 * needs no contract schema (e.g. to pick its admin credential) does not bundle contract.ts.
 */

/** Tags read from the managed secret (DESIGN.md §5). */
export const TAG_KIND = 'genesys:kind';
export const TAG_ENVIRONMENT = 'genesys:environment';
export const TAG_ORG_ID = 'genesys:org-id';
export const TAG_STAGE = 'genesys:stage';

/** Genesys Cloud region hosts (reference/genesys-cloud-api.md §2.3). */
export const GENESYS_ENVIRONMENTS = [
  'mypurecloud.com',
  'use2.us-gov-pure.cloud',
  'usw2.pure.cloud',
  'cac1.pure.cloud',
  'sae1.pure.cloud',
  'mxc1.pure.cloud',
  'mypurecloud.ie',
  'euw2.pure.cloud',
  'mypurecloud.de',
  'euc2.pure.cloud',
  'edee1.eusc-pure.cloud',
  'mec1.pure.cloud',
  'aps1.pure.cloud',
  'apse1.pure.cloud',
  'mypurecloud.com.au',
  'mypurecloud.jp',
  'apne2.pure.cloud',
  'apne3.pure.cloud',
] as const;
