/**
 * Lambda's Invoke API (REST-JSON, `POST /2015-03-31/functions/{FunctionName}/invocations`), for the
 * functions the harness registers: what the real `@aws-sdk/client-lambda` `InvokeCommand` reaches
 * through `AWS_ENDPOINT_URL_LAMBDA` / `AWS_ENDPOINT_URL`. As Lambda answers
 * (docs.aws.amazon.com/lambda/latest/api/API_Invoke.html):
 *
 * - `RequestResponse` (default): 200 with the function's result as the body; a function error is
 *   still 200, with `X-Amz-Function-Error: Unhandled` and `{errorType, errorMessage, trace}`.
 * - `Event`: 202 with no body, the invocation runs on; `DryRun`: 204 (permission check only).
 * - `FunctionName` may be a name, a full or partial ARN; an unknown one is 404
 *   `ResourceNotFoundException`. IAM: `lambda:InvokeFunction` on the function's ARN.
 *
 * Not modelled: qualifiers other than `$LATEST`, `LogType: Tail`, client context, payload limits.
 */

import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { defaultErrorTypeFor, type FaultInjector } from './faults.js';
import { accessKeyIdOf, type IamAuthority } from './iam.js';
import type { AwsRequestRecord, Clock } from './types.js';

/** One registered function: resolves with its result, rejects with an error whose `name` is its errorType. */
export type LambdaInvokeFunction = (event: unknown) => Promise<unknown>;

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

export function isLambdaInvokePath(pathname: string): boolean {
  return INVOKE_PATH.test(pathname);
}

export class LambdaStandIn {
  private readonly functions = new Map<string, LambdaInvokeFunction>();

  constructor(private readonly options: { region: string; accountId: string }) {}

  /** `functionArn` is `arn:aws:lambda:<region>:<account>:function:<name>`. */
  registerFunction(functionArn: string, invoke: LambdaInvokeFunction): void {
    this.functions.set(functionArn, invoke);
  }

  /** The full ARN a FunctionName names (name, partial or full ARN, `:$LATEST` allowed). */
  resolveArn(functionName: string): string {
    const unqualified = functionName.replace(/:\$LATEST$/, '');
    if (unqualified.startsWith('arn:')) return unqualified;
    const name = unqualified.includes(':function:') ? unqualified.split(':function:')[1] : unqualified;
    return `arn:aws:lambda:${this.options.region}:${this.options.accountId}:function:${name}`;
  }

  async serve(
    request: IncomingMessage,
    response: ServerResponse,
    body: string,
    dependencies: {
      faults: FaultInjector;
      clock: Clock;
      requestLog: AwsRequestRecord[];
      iamAuthority: () => IamAuthority | null;
    },
  ): Promise<void> {
    const receivedAt = dependencies.clock.now();
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const encodedName = INVOKE_PATH.exec(url.pathname)?.[1] ?? '';
    const functionArn = this.resolveArn(decodeURIComponent(encodedName));
    const record = (status: number, errorType: string | null) =>
      dependencies.requestLog.push({
        service: 'lambda',
        operation: 'Invoke',
        status,
        errorType,
        at: receivedAt,
      });
    const answerError = (status: number, errorType: string, message: string) => {
      writeBody(response, status, JSON.stringify({ Type: 'User', message }), {
        'x-amzn-errortype': errorType,
        'content-type': 'application/json',
      });
      record(status, errorType);
    };

    const authority = dependencies.iamAuthority();
    if (authority !== null) {
      const decision = await authority.authorize({
        accessKeyId: accessKeyIdOf(headerValue(request, 'authorization')),
        action: 'lambda:InvokeFunction',
        resource: functionArn,
      });
      if (!decision.allowed) {
        answerError(403, decision.errorType, decision.message);
        return;
      }
    }
    const fault = dependencies.faults.decide('lambda', 'Invoke');
    if (fault !== null && fault.latencyMs > 0)
      await new Promise((resolve) => setTimeout(resolve, fault.latencyMs));
    if (fault?.drop === true && !fault.afterApply) {
      request.socket.destroy();
      record(0, 'ConnectionDropped');
      return;
    }
    if (fault?.error && !fault.afterApply) {
      const { status, errorType, message } = fault.error;
      const code = errorType ?? defaultErrorTypeFor(status, 'ServiceException');
      answerError(status, code, message ?? `Injected fault: ${code}`);
      return;
    }

    const invoke = this.functions.get(functionArn);
    if (invoke === undefined) {
      answerError(404, 'ResourceNotFoundException', `Function not found: ${functionArn}`);
      return;
    }
    let event: unknown;
    try {
      event = body.trim() === '' ? {} : JSON.parse(body);
    } catch {
      answerError(400, 'InvalidRequestContentException', 'Could not parse request body into json');
      return;
    }
    const invocationType = headerValue(request, 'x-amz-invocation-type') ?? 'RequestResponse';
    if (invocationType === 'DryRun') {
      writeBody(response, 204, '', {});
      record(204, null);
      return;
    }
    if (invocationType === 'Event') {
      void invoke(event).catch(() => undefined);
      writeBody(response, 202, '', {});
      record(202, null);
      return;
    }
    let payload: string;
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'x-amz-executed-version': '$LATEST',
    };
    try {
      payload = JSON.stringify((await invoke(event)) ?? null);
    } catch (error) {
      const errorType = error instanceof Error ? error.name : 'Error';
      const errorMessage = error instanceof Error ? error.message : String(error);
      payload = JSON.stringify({ errorType, errorMessage, trace: [] });
      headers['x-amz-function-error'] = 'Unhandled';
    }
    if (fault?.drop === true) {
      request.socket.destroy();
      record(0, 'ConnectionDropped');
      return;
    }
    if (fault?.error) {
      // afterApply: the function ran, the caller sees the injected error.
      const { status, errorType, message } = fault.error;
      const code = errorType ?? defaultErrorTypeFor(status, 'ServiceException');
      answerError(status, code, message ?? `Injected fault: ${code}`);
      return;
    }
    writeBody(response, 200, payload, headers);
    record(200, null);
  }
}

function headerValue(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function writeBody(
  response: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string>,
): void {
  response.writeHead(status, {
    ...headers,
    'content-length': String(Buffer.byteLength(text)),
    'x-amzn-requestid': randomUUID(),
  });
  response.end(text);
}
