/**
 * `KeyProviderPort` over a customer Lambda, invoked synchronously with `@aws-sdk/client-lambda`.
 * The endpoint follows `AWS_ENDPOINT_URL` / `AWS_ENDPOINT_URL_LAMBDA`, as every client here.
 *
 * Neither the request payload nor the answer is ever put in an error or log: `issue`'s answer and
 * `test`'s request hold a key. A provider error is reported by its `errorType` alone, since its
 * `errorMessage` is the customer's code and could quote anything.
 */
import { InvokeCommand, type InvokeCommandOutput, LambdaClient } from '@aws-sdk/client-lambda';
import { RotationError } from '../errors.js';
import {
  KeyProviderFailedError,
  type KeyProviderPort,
  KeyProviderUnavailableError,
} from '../key-provider.js';
import {
  IssueKeyResponseSchema,
  type KeyProviderRequest,
  KeyUsageResponseSchema,
  RevokeKeyResponseSchema,
  RevokeTokenKeysResponseSchema,
  TestKeyResponseSchema,
  UNSUPPORTED_OPERATION_ERROR,
} from '../key-provider-contract.js';
import type * as z from '../zod.js';
import { awsErrorFacts, isAwsError, mapAwsError } from './errors.js';

let sharedClient: LambdaClient | undefined;

/** One client per module (per warm container), default configuration. */
export function createLambdaClient(): LambdaClient {
  sharedClient ??= new LambdaClient({});
  return sharedClient;
}

export function resetLambdaClient(): void {
  sharedClient?.destroy();
  sharedClient = undefined;
}

/** Errors of the Invoke API that say the provider is misconfigured rather than busy. */
const CONFIGURATION_ERRORS = new Set([
  'ResourceNotFoundException',
  'InvalidRequestContentException',
  'RequestTooLargeException',
  'InvalidRuntimeException',
]);

export class LambdaKeyProvider implements KeyProviderPort {
  readonly #client: LambdaClient;
  readonly #functionName: string;

  constructor(client: LambdaClient, functionName: string) {
    this.#client = client;
    this.#functionName = functionName;
  }

  issue(request: Parameters<KeyProviderPort['issue']>[0]) {
    return this.#invoke({ operation: 'issue', ...request }, IssueKeyResponseSchema);
  }

  test(request: Parameters<KeyProviderPort['test']>[0]) {
    return this.#invoke({ operation: 'test', ...request }, TestKeyResponseSchema);
  }

  revoke(request: Parameters<KeyProviderPort['revoke']>[0]) {
    return this.#invoke({ operation: 'revoke', ...request }, RevokeKeyResponseSchema);
  }

  revokeTokenKeys(request: Parameters<KeyProviderPort['revokeTokenKeys']>[0]) {
    return this.#optional(() =>
      this.#invoke({ operation: 'revokeTokenKeys', ...request }, RevokeTokenKeysResponseSchema),
    );
  }

  usage(request: Parameters<KeyProviderPort['usage']>[0]) {
    return this.#optional(() => this.#invoke({ operation: 'usage', ...request }, KeyUsageResponseSchema));
  }

  /** An optional operation of the contract: a provider without it says so by its error type. */
  async #optional<T>(call: () => Promise<T>): Promise<T | null> {
    try {
      return await call();
    } catch (error) {
      if (
        error instanceof KeyProviderFailedError &&
        (error.details as { errorType?: unknown } | undefined)?.errorType === UNSUPPORTED_OPERATION_ERROR
      ) {
        return null;
      }
      throw error;
    }
  }

  async #invoke<S extends z.ZodMiniType>(request: KeyProviderRequest, schema: S): Promise<z.infer<S>> {
    const where = `key provider ${this.#functionName} (${request.operation})`;
    let output: InvokeCommandOutput;
    try {
      output = await this.#client.send(
        new InvokeCommand({
          FunctionName: this.#functionName,
          InvocationType: 'RequestResponse',
          Payload: new TextEncoder().encode(JSON.stringify(request)),
        }),
      );
    } catch (error) {
      if ([...CONFIGURATION_ERRORS].some((name) => isAwsError(error, name))) {
        throw new KeyProviderFailedError(`${where}: ${awsErrorFacts(error).name}`, {
          details: { provider: this.#functionName, operation: request.operation },
        });
      }
      const mapped = mapAwsError(error, 'Lambda', `Invoke(${this.#functionName})`);
      if (mapped instanceof RotationError && mapped.retryable) {
        throw new KeyProviderUnavailableError(`${where}: ${mapped.message}`, {
          details: { provider: this.#functionName, operation: request.operation },
        });
      }
      throw mapped;
    }
    const text = output.Payload ? new TextDecoder().decode(output.Payload) : '';
    if (output.FunctionError) {
      let errorType = 'Error';
      try {
        const body = JSON.parse(text) as { errorType?: unknown };
        if (typeof body.errorType === 'string') errorType = body.errorType.slice(0, 100);
      } catch {
        // No JSON error body: the type stays generic.
      }
      throw new KeyProviderFailedError(`${where} failed with ${errorType}`, {
        details: { provider: this.#functionName, operation: request.operation, errorType },
      });
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new KeyProviderFailedError(`${where} answered something that is not JSON`);
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      // Field paths only: a value could be a key.
      const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.') || '(root)'))];
      throw new KeyProviderFailedError(`${where} answered outside the contract at ${fields.join(', ')}`, {
        details: { provider: this.#functionName, operation: request.operation },
      });
    }
    return parsed.data;
  }
}
