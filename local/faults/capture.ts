/**
 * Captures everything written to stdout and stderr while a scenario runs (Powertools' logger, the
 * SDKs, stray console calls), so the leak canary can search it and the matrix's table stays clean.
 */
type Write = typeof process.stdout.write;

export interface OutputCapture {
  /** Every chunk written since the capture started. */
  text(): string;
  lines(): number;
  /** Puts the original writers back; idempotent. */
  restore(): void;
}

export function captureOutput(options: { passThrough?: boolean } = {}): OutputCapture {
  const chunks: string[] = [];
  const streams = [process.stdout, process.stderr] as const;
  const originals = streams.map((stream) => stream.write);
  streams.forEach((stream, index) => {
    const original = originals[index] as Write;
    const replacement = (chunk: unknown, ...rest: unknown[]): boolean => {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      const callback = rest.find((arg): arg is () => void => typeof arg === 'function');
      if (options.passThrough)
        return (original as (...args: unknown[]) => boolean).call(stream, chunk, ...rest);
      callback?.();
      return true;
    };
    stream.write = replacement as Write;
  });
  let restored = false;
  return {
    text: () => chunks.join(''),
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line.trim() !== '').length,
    restore: () => {
      if (restored) return;
      restored = true;
      streams.forEach((stream, index) => {
        stream.write = originals[index] as Write;
      });
    },
  };
}
