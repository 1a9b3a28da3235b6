/**
 * Captures everything written to stdout and stderr while a scenario runs (Powertools' logger, the
 * functions' output the local Lambda service forwards, the SDKs, stray console calls), so the leak
 * canary can search it and the matrix's table stays clean.
 *
 * Scenarios may run side by side: one interception serves every open capture, and each capture
 * sees everything written since it opened, its neighbours' output included. That is enough for
 * the leak search, whose canaries are unique to each scenario: a neighbour's lines can hold only
 * the neighbour's canaries.
 */
type Write = typeof process.stdout.write;

export interface OutputCapture {
  /** Every chunk written since the capture started. */
  text(): string;
  lines(): number;
  /** Ends this capture; the writers are put back when the last open capture ends. Idempotent. */
  restore(): void;
}

const streams = [process.stdout, process.stderr] as const;
let chunks: string[] = [];
let open = 0;
let originals: Write[] = [];
let passThrough = false;

function install(): void {
  originals = streams.map((stream) => stream.write);
  streams.forEach((stream, index) => {
    const original = originals[index] as Write;
    const replacement = (chunk: unknown, ...rest: unknown[]): boolean => {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      const callback = rest.find((arg): arg is () => void => typeof arg === 'function');
      if (passThrough) return (original as (...args: unknown[]) => boolean).call(stream, chunk, ...rest);
      callback?.();
      return true;
    };
    stream.write = replacement as Write;
  });
}

function uninstall(): void {
  streams.forEach((stream, index) => {
    stream.write = originals[index] as Write;
  });
  chunks = [];
  passThrough = false;
}

export function captureOutput(options: { passThrough?: boolean } = {}): OutputCapture {
  if (open === 0) install();
  open += 1;
  if (options.passThrough) passThrough = true;
  const since = chunks.length;
  let text: string | null = null;
  const read = () => text ?? chunks.slice(since).join('');
  return {
    text: read,
    lines: () =>
      read()
        .split('\n')
        .filter((line) => line.trim() !== '').length,
    restore: () => {
      if (text !== null) return;
      // What this capture saw stays readable after it ends.
      text = chunks.slice(since).join('');
      open -= 1;
      if (open === 0) uninstall();
    },
  };
}

/** Writes past any open capture (the matrix's table while scenarios run side by side). */
export function writeUncaptured(stream: 'stdout' | 'stderr', text: string): void {
  const index = stream === 'stdout' ? 0 : 1;
  const target = streams[index] as NodeJS.WriteStream;
  const write = open > 0 ? (originals[index] as Write) : target.write;
  write.call(target, text);
}
