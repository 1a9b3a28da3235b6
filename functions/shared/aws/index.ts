export { AwsServiceError, isAwsError, isTransientAwsError, mapAwsError } from './errors.js';
export {
  canonicalJson,
  createSfnClient,
  executionArnFor,
  StepFunctionsExecutions,
} from './executions.js';
export { createSecretsManagerClient, rotationIntervalDays, SecretsManagerStore } from './secrets-store.js';
