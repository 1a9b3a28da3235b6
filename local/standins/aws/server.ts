import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultErrorTypeFor, type FaultInjector } from './faults.js';
import { accessKeyIdOf, type IamAuthority } from './iam.js';
import { isLambdaInvokePath, type LambdaStandIn } from './lambda.js';
import { AwsServiceError, type AwsServiceHandler, isJsonObject, type JsonObject } from './protocol.js';
import type { AwsRequestRecord, Clock } from './types.js';

export interface AwsHttpServer {
  readonly url: string;
  close(): Promise<void>;
}

interface ServerDependencies {
  readonly handlers: readonly AwsServiceHandler[];
  readonly faults: FaultInjector;
  readonly clock: Clock;
  readonly requestLog: AwsRequestRecord[];
  /** The authority requests are checked against; null checks nothing. */
  readonly iamAuthority: () => IamAuthority | null;
  /** Lambda speaks REST-JSON (by path), not X-Amz-Target; absent: no Lambda API. */
  readonly lambda?: LambdaStandIn;
}

const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** One loopback HTTP server; X-Amz-Target picks the service and operation. */
export async function startAwsHttpServer(
  port: number,
  dependencies: ServerDependencies,
): Promise<AwsHttpServer> {
  const server = createServer((request, response) => {
    handleRequest(request, response, dependencies).catch((error: unknown) => {
      // Only a bug in the stand-in itself lands here; answer like AWS would for a server fault.
      if (!response.headersSent) {
        writeJson(response, 500, 'application/x-amz-json-1.1', {
          __type: 'InternalFailure',
          message: error instanceof Error ? error.message : String(error),
        });
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port: boundPort } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${boundPort}`, close: () => closeServer(server) };
}

async function handleRequest(
  request: IncomingMessage,
  response: ServerResponse,
  { handlers, faults, clock, requestLog, iamAuthority, lambda }: ServerDependencies,
): Promise<void> {
  const receivedAt = clock.now();
  const body = await readBody(request);
  if (
    lambda &&
    request.method === 'POST' &&
    isLambdaInvokePath(new URL(request.url ?? '/', 'http://127.0.0.1').pathname)
  ) {
    await lambda.serve(request, response, body, { faults, clock, requestLog, iamAuthority });
    return;
  }
  const target = headerValue(request, 'x-amz-target');
  const dot = target?.indexOf('.') ?? -1;
  const prefix = target !== undefined && dot > 0 ? target.slice(0, dot) : undefined;
  const operation = target !== undefined && dot > 0 ? target.slice(dot + 1) : '';
  const handler = handlers.find((candidate) => candidate.targetPrefix === prefix);
  if (request.method !== 'POST' || handler === undefined) {
    writeJson(response, 400, 'application/x-amz-json-1.1', {
      __type: 'UnknownOperationException',
      message: `No AWS operation for ${request.method} ${request.url} with X-Amz-Target ${target ?? '(none)'}`,
    });
    return;
  }

  const record = (status: number, errorType: string | null): void => {
    requestLog.push({ service: handler.service, operation, status, errorType, at: receivedAt });
  };
  const answerError = (error: AwsServiceError): void => {
    writeJson(
      response,
      error.status,
      handler.contentType,
      { __type: error.code, message: error.message },
      { 'x-amzn-errortype': error.code },
    );
    record(error.status, error.code);
  };

  const authority = iamAuthority();
  if (authority !== null) {
    const denial = await authorize(
      authority,
      handler,
      operation,
      body,
      headerValue(request, 'authorization'),
    );
    if (denial !== null) {
      answerError(denial);
      return;
    }
  }

  const fault = faults.decide(handler.service, operation);
  if (fault !== null && fault.latencyMs > 0) await sleep(fault.latencyMs);

  const applies = fault === null || fault.afterApply || (!fault.drop && fault.error === null);
  let result: JsonObject | AwsServiceError | null = null;
  if (applies) result = await invoke(handler, operation, body);

  if (fault?.drop === true) {
    request.socket.destroy();
    record(0, 'ConnectionDropped');
    return;
  }
  if (fault?.error) {
    const { status, errorType, message } = fault.error;
    const code = errorType ?? defaultErrorTypeFor(status, handler.internalErrorType);
    answerError(new AwsServiceError(code, message ?? `Injected fault: ${code}`, status));
    return;
  }
  if (result instanceof AwsServiceError) {
    answerError(result);
    return;
  }
  writeJson(response, 200, handler.contentType, result ?? {});
  record(200, null);
}

/**
 * IAM comes before the operation: a denied caller gets AccessDeniedException even for a resource
 * that does not exist. A body the operation cannot read is left to the operation's own error.
 */
async function authorize(
  authority: IamAuthority,
  handler: AwsServiceHandler,
  operation: string,
  body: string,
  authorization: string | undefined,
): Promise<AwsServiceError | null> {
  if (!handler.has(operation)) return null;
  let input: unknown;
  try {
    input = body.trim() === '' ? {} : JSON.parse(body);
  } catch {
    return null;
  }
  if (!isJsonObject(input)) return null;
  const accessKeyId = accessKeyIdOf(authorization);
  for (const target of handler.authorizationTargets(operation, input)) {
    const { asService, ...request } = target;
    const decision =
      asService === undefined
        ? await authority.authorize({ accessKeyId, ...request })
        : await authority.authorizeService({
            servicePrincipal: asService.principal,
            action: request.action,
            resource: request.resource,
            sourceAccount: authority.accountId,
            deniedMessage: asService.deniedMessage,
          });
    if (!decision.allowed) {
      // AWS answers a key it never issued with 403, a denied action with 400 (awsJson).
      const status = decision.errorType === 'UnrecognizedClientException' ? 403 : 400;
      return new AwsServiceError(decision.errorType, decision.message, status);
    }
  }
  return null;
}

async function invoke(
  handler: AwsServiceHandler,
  operation: string,
  body: string,
): Promise<JsonObject | AwsServiceError> {
  if (!handler.has(operation)) {
    return new AwsServiceError(
      'UnknownOperationException',
      `Unknown operation ${handler.targetPrefix}.${operation}`,
    );
  }
  let input: unknown;
  try {
    input = body.trim() === '' ? {} : JSON.parse(body);
  } catch {
    return new AwsServiceError('SerializationException', 'The request body is not valid JSON');
  }
  if (!isJsonObject(input))
    return new AwsServiceError('SerializationException', 'The request body must be a JSON object');
  try {
    return await handler.handle(operation, input);
  } catch (error) {
    if (error instanceof AwsServiceError) return error;
    throw error;
  }
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('Request body too large'));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function writeJson(
  response: ServerResponse,
  status: number,
  contentType: string,
  body: object,
  headers: Record<string, string> = {},
): void {
  const payload = JSON.stringify(body);
  response.writeHead(status, {
    ...headers,
    'content-type': contentType,
    'content-length': Buffer.byteLength(payload),
    'x-amzn-requestid': randomUUID(),
  });
  response.end(payload);
}

function headerValue(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    // SDK clients keep connections alive; without this close() waits for their idle timeout.
    server.closeAllConnections();
  });
}
