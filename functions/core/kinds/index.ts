export { oauthClientStrategy } from './oauth-client.js';
export { partnerKeyStrategy } from './partner-key.js';
export type * from './strategy.js';
export { kindOfState, strategyFor, strategyForState } from './strategy.js';
