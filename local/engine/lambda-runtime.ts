/**
 * Local Lambda service: runs each function's synthesized bundle (the `cdk.out` asset) in worker
 * threads, one invocation per worker at a time, as Lambda runs one per execution environment.
 * Each worker gets its own `process.env` (the function's synthesized environment, its own
 * credentials, local endpoints) and its own module state, so a warm container's caches, a cold
 * start and concurrent invocations behave as in AWS; nothing leaks between functions through the
 * parent's `process.env`.
 */
import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';

/** How Step Functions sees a failed Lambda invocation: `Error` is the errorType, `Cause` is JSON. */
export class LambdaTaskError extends Error {
  constructor(errorType: string, errorMessage: string) {
    super(JSON.stringify({ errorType, errorMessage }));
    this.name = errorType;
  }
}

/** A function's error as a synchronous Invoke reports it: `errorType` (the name) and `errorMessage`. */
export class LambdaFunctionError extends Error {
  constructor(errorType: string, errorMessage: string) {
    super(errorMessage);
    this.name = errorType;
  }
}

export interface LocalFunction {
  readonly logicalId: string;
  /** Absolute path of the bundle's entry (`asset.<hash>/index.mjs`). */
  readonly bundlePath: string;
  readonly functionArn: string;
  /** The function's whole environment, as Lambda would set it. */
  readonly environment: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly memoryMb: number;
}

/**
 * Lambda limits the Init phase (loading the bundle, its static code) to 10 s, apart from the
 * function timeout, which times the Invoke phase ("Understanding the Lambda execution environment
 * lifecycle", AWS Lambda Developer Guide). Past it, Lambda retries Init within the invocation under
 * the function timeout.
 */
export const INIT_PHASE_LIMIT_MS = 10_000;

/** The worker's notice that Init is done and the handler has the event. */
interface InvokeStarted {
  readonly id: string;
  readonly invokeStarted: true;
}

interface Reply {
  readonly id: string;
  readonly invokeStarted?: undefined;
  readonly ok: boolean;
  readonly result?: string;
  readonly errorType?: string;
  readonly errorMessage?: string;
  readonly output: string;
}

interface Sandbox {
  readonly worker: Worker;
  busy: boolean;
  /** Set once the bundle was imported: a warm sandbox's invocations start their timeout at once. */
  initialised: boolean;
  started: (() => void) | null;
  pending: ((reply: Reply) => void) | null;
  crashed: ((error: Error) => void) | null;
}

const WORKER_URL = new URL('./lambda-worker.mjs', import.meta.url);

/** The Lambda environment variables every function sees, besides its own. */
function runtimeVariables(fn: LocalFunction): Record<string, string> {
  return {
    AWS_LAMBDA_FUNCTION_NAME: fn.logicalId,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    LAMBDA_TASK_ROOT: fn.bundlePath.replace(/\/[^/]+$/, ''),
    TZ: ':UTC',
    // Lambda runs these bundles on Node.js 22; the SDK's warning about this machine's Node.js 20 is noise here.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

export class LocalLambdaService {
  private readonly functions = new Map<string, LocalFunction>();
  private readonly sandboxes = new Map<string, Sandbox[]>();
  private closed = false;

  constructor(
    functions: Iterable<LocalFunction>,
    /** Where each invocation's log output goes (the parent's stdout by default). */
    private readonly writeOutput: (text: string) => void = (text) => void process.stdout.write(text),
  ) {
    for (const fn of functions) this.functions.set(fn.logicalId, fn);
  }

  /**
   * Starts one execution environment per function now, so their cold starts (loading the bundle)
   * overlap with the rest of local setup instead of adding up inside the first execution; like
   * provisioned concurrency of one.
   */
  prewarm(): void {
    for (const fn of this.functions.values()) this.idleSandbox(fn);
  }

  has(logicalId: string): boolean {
    return this.functions.has(logicalId);
  }

  /** Invokes a function as the Lambda Invoke API would (RequestResponse); throws its error. */
  async invoke(logicalId: string, event: unknown): Promise<unknown> {
    if (this.closed)
      throw new LambdaFunctionError('Lambda.ServiceException', 'The local Lambda service is closed');
    const fn = this.functions.get(logicalId);
    if (fn === undefined)
      throw new LambdaFunctionError('Lambda.ResourceNotFoundException', `Function not found: ${logicalId}`);
    const sandbox = this.idleSandbox(fn);
    sandbox.busy = true;
    const id = randomUUID();
    let timer: NodeJS.Timeout | undefined;
    try {
      const reply = await new Promise<Reply>((resolve, reject) => {
        const timeOut = (limitMs: number, what: string) =>
          setTimeout(() => {
            // Lambda stops the sandbox at the timeout; the next invocation gets a cold one.
            this.discard(fn.logicalId, sandbox);
            reject(
              new LambdaFunctionError(
                'Sandbox.Timedout',
                `${what} timed out after ${limitMs / 1000} seconds`,
              ),
            );
          }, limitMs);
        sandbox.pending = resolve;
        sandbox.crashed = reject;
        sandbox.started = () => {
          sandbox.initialised = true;
          clearTimeout(timer);
          timer = timeOut(fn.timeoutMs, 'Task');
        };
        timer = sandbox.initialised
          ? timeOut(fn.timeoutMs, 'Task')
          : timeOut(INIT_PHASE_LIMIT_MS + fn.timeoutMs, 'Init and task');
        sandbox.worker.postMessage({
          id,
          event: JSON.parse(JSON.stringify(event ?? null)),
          awsRequestId: id,
          timeoutMs: fn.timeoutMs,
        });
      });
      if (reply.output) this.writeOutput(reply.output);
      if (!reply.ok) throw new LambdaFunctionError(reply.errorType ?? 'Error', reply.errorMessage ?? '');
      return JSON.parse(reply.result ?? 'null') as unknown;
    } finally {
      clearTimeout(timer);
      sandbox.busy = false;
      sandbox.started = null;
      sandbox.pending = null;
      sandbox.crashed = null;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.sandboxes.values()].flat();
    this.sandboxes.clear();
    await Promise.all(all.map((sandbox) => sandbox.worker.terminate()));
  }

  private idleSandbox(fn: LocalFunction): Sandbox {
    const pool = this.sandboxes.get(fn.logicalId) ?? [];
    this.sandboxes.set(fn.logicalId, pool);
    const idle = pool.find((sandbox) => !sandbox.busy);
    if (idle) return idle;
    const worker = new Worker(WORKER_URL, {
      env: { ...fn.environment, ...runtimeVariables(fn) },
      workerData: {
        bundlePath: fn.bundlePath,
        functionName: fn.logicalId,
        invokedFunctionArn: fn.functionArn,
        memoryLimitInMB: String(fn.memoryMb),
      },
      stdout: true,
      stderr: true,
    });
    // A sandbox is not kept alive for its own sake: tests and the CLI exit when their work is done.
    worker.unref();
    const sandbox: Sandbox = {
      worker,
      busy: false,
      initialised: false,
      started: null,
      pending: null,
      crashed: null,
    };
    worker.on('message', (message: Reply | InvokeStarted) => {
      if (message.invokeStarted) sandbox.started?.();
      else sandbox.pending?.(message);
    });
    const crash = (error: Error) => {
      this.discard(fn.logicalId, sandbox);
      sandbox.crashed?.(
        new LambdaFunctionError('Runtime.ExitError', `The function's runtime exited: ${error.message}`),
      );
    };
    worker.on('error', crash);
    worker.on('exit', (code) => crash(new Error(`exit code ${code}`)));
    pool.push(sandbox);
    return sandbox;
  }

  private discard(logicalId: string, sandbox: Sandbox): void {
    const pool = this.sandboxes.get(logicalId);
    const index = pool?.indexOf(sandbox) ?? -1;
    if (pool && index >= 0) {
      pool.splice(index, 1);
      void sandbox.worker.terminate();
    }
  }
}
