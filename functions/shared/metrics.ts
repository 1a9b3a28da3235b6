/**
 * One Powertools Metrics instance for every function, flushed after each invocation (success or
 * error) as one EMF line on stdout, which CloudWatch turns into metrics.
 */
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { MiddlewareObj } from '@middy/core';
import { logger } from './logger.js';
import { METRICS_NAMESPACE, METRICS_SERVICE } from './metric-names.js';

export const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: METRICS_SERVICE, logger });

/**
 * Publishes what the invocation recorded, if anything. Powertools' `logMetrics` middleware would
 * warn "No application metrics to publish" on every invocation of the steps that record none
 * (Fetch, Validate, most of DeleteOrRollback's modes).
 */
export function publishRecordedMetrics(target: Metrics = metrics): MiddlewareObj {
  const publish = async () => {
    if (target.hasStoredMetrics()) target.publishStoredMetrics();
    // Nothing to publish: still drop this invocation's metadata, or the next one would carry it.
    else target.clearMetadata();
  };
  return { after: publish, onError: publish };
}
