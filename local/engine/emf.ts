/**
 * Embedded Metric Format lines in a function's output. In Lambda, CloudWatch Logs extracts the
 * metrics from them; locally they are taken out of the printed output (they would interleave with
 * `npm start --json`) and handed to whoever asked for them.
 */

/** One EMF document as Powertools Metrics prints it. */
export interface EmfDocument {
  readonly _aws: {
    readonly Timestamp: number;
    readonly CloudWatchMetrics: ReadonlyArray<{
      readonly Namespace: string;
      readonly Dimensions: ReadonlyArray<readonly string[]>;
      readonly Metrics: ReadonlyArray<{ readonly Name: string; readonly Unit: string }>;
    }>;
  };
  readonly [key: string]: unknown;
}

function asEmf(line: string): EmfDocument | null {
  if (!line.startsWith('{') || !line.includes('"_aws"')) return null;
  try {
    const parsed = JSON.parse(line) as { _aws?: { CloudWatchMetrics?: unknown } };
    return Array.isArray(parsed._aws?.CloudWatchMetrics) ? (parsed as EmfDocument) : null;
  } catch {
    return null;
  }
}

/** Splits an invocation's output into its EMF documents and everything else (kept verbatim). */
export function splitEmf(output: string): { metrics: EmfDocument[]; rest: string } {
  const metrics: EmfDocument[] = [];
  const rest: string[] = [];
  for (const line of output.split(/(?<=\n)/)) {
    const emf = asEmf(line.trim());
    if (emf) metrics.push(emf);
    else rest.push(line);
  }
  return { metrics, rest: rest.join('') };
}
