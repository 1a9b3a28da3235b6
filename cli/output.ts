/**
 * Where the CLI writes. Human mode: progress and results on stdout. `--json`: exactly one JSON
 * document on stdout (the result, or `{"error": ...}`), progress on stderr. Progress is a listr2
 * task whose output lines are the execution's states (the default renderer on a terminal, the
 * simple one otherwise, so logs and pipes get one line per state).
 */
import { Listr, ListrLogger, ProcessOutput } from 'listr2';

export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Whether stdout is a terminal (the live renderer); @default false */
  readonly isTTY?: boolean;
}

export class Reporter {
  constructor(
    private readonly io: CliIo,
    readonly json: boolean,
  ) {}

  /** A line of human context (stderr under --json, so stdout stays one document). */
  note(line: string): void {
    (this.json ? this.io.stderr : this.io.stdout).write(`${line}\n`);
  }

  /**
   * Runs `work` as one listr2 task titled `title`; `line` adds an output line under it, `retitle`
   * names its end. Rejects with `work`'s error.
   */
  async progress<T>(
    title: string,
    work: (line: (text: string) => void, retitle: (title: string) => void) => Promise<T>,
  ): Promise<T> {
    const out = (this.json ? this.io.stderr : this.io.stdout) as NodeJS.WriteStream;
    const logger = new ListrLogger({
      processOutput: new ProcessOutput(out, this.io.stderr as NodeJS.WriteStream),
    });
    let result: T | undefined;
    const tasks = new Listr(
      [
        {
          title,
          task: async (_context, task) => {
            result = await work(
              (text) => {
                task.output = text;
              },
              (next) => {
                task.title = next;
              },
            );
          },
        },
      ],
      {
        renderer: this.io.isTTY === true && !this.json ? 'default' : 'simple',
        rendererOptions: {
          logger,
          outputBar: Number.POSITIVE_INFINITY,
          persistentOutput: true,
          collapseErrors: false,
        },
        exitOnError: true,
        registerSignalListeners: false,
      } as never,
    );
    await tasks.run();
    return result as T;
  }

  /** The command's result: `document` as JSON under --json, else `lines`. */
  result(document: unknown, lines: readonly string[]): void {
    if (this.json) this.io.stdout.write(`${JSON.stringify(document)}\n`);
    else for (const line of lines) this.io.stdout.write(`${line}\n`);
  }

  /** An error: `{"error": ...}` on stdout under --json, a line on stderr otherwise. */
  error(name: string, message: string, exitCode: number): void {
    if (this.json) this.io.stdout.write(`${JSON.stringify({ error: { name, message, exitCode } })}\n`);
    this.io.stderr.write(`genesys-rotator: ${message}\n`);
  }
}

/** A fixed-width table: each column as wide as its widest cell. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string[] {
  const widths = header.map((cell, column) =>
    Math.max(cell.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}
