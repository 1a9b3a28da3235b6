import { Logger } from '@aws-lambda-powertools/logger';

/**
 * One structured logger for every function. Log ids and facts only: the payloads it sees never
 * hold a secret value, and no code path passes one to it.
 */
export const logger = new Logger({ serviceName: 'genesys-credential-rotator' });
