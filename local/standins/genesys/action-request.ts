/**
 * How a Web Services Data Action reaches its backend (genesys-cloud-api.md §4.3, §4.4): the request's
 * URL, headers and body are Velocity templates in which `${credentials.X}` reads the integration's
 * current credential, `${input.X}` the action's input and `${authResponse.X}` the answer of the
 * integration's custom auth action (`userDefinedOAuth`); a `basicAuth` credential sends the Basic
 * header with every request. The stand-in renders the templates and makes the call over HTTP, so a
 * backend that refuses the key fails the action.
 *
 * Only the Velocity references actions use for credentials are rendered: `${a.b}`, `$!{a.b}` (quiet:
 * an unknown reference renders empty) and `$a.b`. Velocity leaves an unknown non-quiet reference as
 * written. Directives (`#if`, `#foreach`) and tools (`$esc.url`) are not modelled.
 */

export interface VelocityContext {
  credentials: Readonly<Record<string, string>>;
  input: Readonly<Record<string, unknown>>;
  authResponse?: Readonly<Record<string, unknown>>;
}

const REFERENCE =
  /\$(!?)\{(credentials|input|authResponse)\.([A-Za-z0-9_.-]+)\}|\$(credentials|input|authResponse)\.([A-Za-z0-9_]+)/g;

function lookup(root: unknown, path: string): unknown {
  let value: unknown = root;
  for (const part of path.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

export function renderVelocity(template: string, context: VelocityContext): string {
  return template.replace(
    REFERENCE,
    (
      whole,
      quiet: string | undefined,
      root: string | undefined,
      path: string | undefined,
      shortRoot,
      shortPath,
    ) => {
      const base = (root ?? shortRoot) as keyof VelocityContext;
      const value = lookup(context[base], (path ?? shortPath) as string);
      if (value === undefined || value === null) return quiet ? '' : whole;
      return typeof value === 'string' ? value : JSON.stringify(value);
    },
  );
}

export interface ActionHttpRequest {
  requestUrlTemplate?: string;
  requestTemplate?: string;
  requestType?: string;
  headers?: Record<string, string>;
}

export interface RenderedRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
}

export function renderRequest(
  request: ActionHttpRequest,
  context: VelocityContext,
  basicAuth: { userName: string; password: string } | null,
): RenderedRequest {
  const method = (request.requestType ?? 'GET').toUpperCase();
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    headers[name] = renderVelocity(value, context);
  }
  if (basicAuth) {
    headers.Authorization = `Basic ${Buffer.from(`${basicAuth.userName}:${basicAuth.password}`).toString('base64')}`;
  }
  const body =
    method === 'GET' || method === 'DELETE' || request.requestTemplate === undefined
      ? undefined
      : renderVelocity(request.requestTemplate, context);
  if (body !== undefined && !Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) {
    headers['Content-Type'] = 'application/json';
  }
  return { url: renderVelocity(request.requestUrlTemplate ?? '', context), method, headers, body };
}

/** Backends the stand-in really calls: servers on this machine (the partner stand-in). */
export function isLocalBackend(url: string): boolean {
  try {
    const parsed = new URL(url);
    return (
      (parsed.protocol === 'http:' || parsed.protocol === 'https:') &&
      ['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname)
    );
  } catch {
    return false;
  }
}

export type BackendAnswer =
  | { ok: true; status: number; body: unknown }
  | { ok: false; status: number | null; text: string };

const MAX_ECHOED_RESPONSE = 256;

/** One backend call, bounded by the action's timeout. */
export async function callBackend(request: RenderedRequest, timeoutSeconds: number): Promise<BackendAnswer> {
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      ...(request.body !== undefined ? { body: request.body } : {}),
      signal: AbortSignal.timeout(timeoutSeconds * 1000),
    });
  } catch (error) {
    const timedOut = error instanceof Error && error.name === 'TimeoutError';
    return { ok: false, status: null, text: timedOut ? 'The request timed out.' : 'Could not connect.' };
  }
  const text = await response.text();
  if (!response.ok) return { ok: false, status: response.status, text: text.slice(0, MAX_ECHOED_RESPONSE) };
  let body: unknown = text;
  try {
    body = text === '' ? {} : JSON.parse(text);
  } catch {
    // Not JSON: Genesys passes the raw text on as `rawResult`.
  }
  return { ok: true, status: response.status, body };
}

/** Genesys' wording for a failed backend call, as actions report it (§4.4). */
export function backendFailureMessage(answer: Extract<BackendAnswer, { ok: false }>, during: string): string {
  const detail =
    answer.status === null ? answer.text : `Response from web service: ${answer.text} [${answer.status}]`;
  return `REST call for action ${during} failed. Message: Request to backend service failed. ${detail}`;
}
