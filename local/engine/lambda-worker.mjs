// One local Lambda execution environment: a worker thread that imports one synthesized bundle
// with that function's own environment variables (and so its own credentials), and runs one
// invocation at a time, as a Lambda sandbox does. Plain JavaScript: it runs the bundle as Lambda
// would, without a TypeScript loader. Output is buffered per invocation and sent back with the
// answer, so the parent prints (and the leak canary sees) every log line before the task ends.
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';

const { bundlePath, functionName, invokedFunctionArn, memoryLimitInMB } = workerData;

let output = [];
for (const stream of [process.stdout, process.stderr]) {
  stream.write = (chunk, encoding, callback) => {
    output.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    const done = typeof encoding === 'function' ? encoding : callback;
    if (typeof done === 'function') done();
    return true;
  };
}
// Stack traces of the minified bundle point at the TypeScript sources (NODE_OPTIONS in Lambda).
process.setSourceMapsEnabled?.(true);

const handlerLoading = import(pathToFileURL(bundlePath).href).then((module) => {
  if (typeof module.handler !== 'function') throw new Error(`${bundlePath} exports no handler function`);
  return module.handler;
});

function contextOf(request) {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn,
    memoryLimitInMB,
    awsRequestId: request.awsRequestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, request.deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function takeOutput() {
  const text = output.join('');
  output = [];
  return text;
}

parentPort.on('message', async (request) => {
  try {
    const handler = await handlerLoading;
    // Init is over: the function timeout counts from here, as Lambda times the Invoke phase only.
    const deadline = Date.now() + request.timeoutMs;
    parentPort.postMessage({ id: request.id, invokeStarted: true });
    const result = await handler(request.event, contextOf({ ...request, deadline }));
    parentPort.postMessage({
      id: request.id,
      ok: true,
      result: JSON.stringify(result ?? null),
      output: takeOutput(),
    });
  } catch (error) {
    // Lambda reports `errorType` from the error's name and `errorMessage` from its message.
    const errorType = error instanceof Error && error.name ? error.name : 'Error';
    const errorMessage = error instanceof Error ? error.message : String(error);
    parentPort.postMessage({ id: request.id, ok: false, errorType, errorMessage, output: takeOutput() });
  }
});
