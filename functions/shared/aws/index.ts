export { AwsServiceError, isAwsError, isTransientAwsError, mapAwsError } from './errors.js';
export {
  canonicalJson,
  createSfnClient,
  executionArnFor,
  resetSfnClient,
  StepFunctionsExecutions,
} from './executions.js';
export {
  createSecretsManagerClient,
  resetSecretsManagerClient,
  rotationIntervalDays,
  SecretsManagerStore,
} from './secrets-store.js';
