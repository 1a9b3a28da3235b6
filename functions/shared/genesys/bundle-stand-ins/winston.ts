/**
 * Bundles only (esbuild `alias`, see `infra/constructs/rotator-function.ts`): what the Genesys SDK
 * uses of winston, silent. The rotator turns SDK logging off on every client (its lines carry
 * request headers, see `sdk.ts`), yet each SDK client still builds a winston logger, and winston
 * with its dependencies is ~150 KB of every Genesys bundle. Nothing logs through this.
 */
type Info = Record<string, unknown>;
type FormatFactory = (transform?: (info: Info) => Info) => () => object;

export interface SilentLogger {
  readonly transports: readonly object[];
  add(transport: object): SilentLogger;
  log(...entry: unknown[]): SilentLogger;
}

export function createLogger(): SilentLogger {
  const logger: SilentLogger = {
    // Empty whatever is added: the SDK's Logger.log writes only when a transport exists.
    transports: [],
    add: () => logger,
    log: () => logger,
  };
  return logger;
}

const noFormat = (): object => ({});
export const format: FormatFactory & Record<'combine' | 'simple' | 'json', () => object> = Object.assign(
  () => noFormat,
  { combine: noFormat, simple: noFormat, json: noFormat },
);

class SilentTransport {}
export const transports = { Console: SilentTransport, File: SilentTransport };
