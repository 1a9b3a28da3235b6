/**
 * Pure detectors of hard-coded secrets in Data Action configurations and Architect flow documents
 * (genesys-cloud-api.md §4.3, §4.4, §6.8). A value is fine when it comes from a Velocity reference
 * (`${credentials.*}`, `${authResponse.*}`, `${input.*}`, ...): the detectors first remove every
 * reference and judge only the literal text left. They never return the text they matched: a hit
 * says what kind of literal was found and how long it is, nothing more.
 */

export const FINDING_KINDS = [
  /** `Authorization: Bearer abc...` (or Basic, Token, ...) written out instead of a reference. */
  'literal-authorization-header',
  /** Another secret-named header (`x-api-key`, `*-token`, ...) with a literal value. */
  'literal-secret-header',
  /** A key-like query parameter (`key`, `api_key`, `access_token`, ...) with a literal value. */
  'key-in-url',
  /** `https://user:password@host`: credentials in the URL's user info. */
  'credentials-in-url',
  /** A token of a recognisable format (JWT, AWS key, `"password": "..."`, ...) in a template or flow. */
  'literal-token',
  /** The exact current or previous value of a secret this rotator manages. */
  'managed-secret-value',
] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

/** A literal-secret detector's verdict on one text: the kind and a description without the value. */
export interface LiteralHit {
  readonly kind: Exclude<FindingKind, 'managed-secret-value'>;
  readonly detail: string;
}

/** One text to judge and what it is. */
export interface ScannedText {
  /** Where it is, e.g. `config.request.headers.Authorization` or `$.actions[2].inputs.apiKey`. */
  readonly field: string;
  readonly text: string;
  readonly role: 'header' | 'url' | 'template' | 'document-value';
  /** For `header`: the header name. For `document-value`: the key holding the value (or a `name` sibling). */
  readonly keyName?: string;
}

// ${...} and $!{...} (no nesting in Velocity references), then $name.path / $!name.path.
const BRACED_REFERENCE = /\$!?\{[^}]*\}/g;
const BARE_REFERENCE = /\$!?[A-Za-z][\w-]*(?:\.[A-Za-z_][\w-]*)*(?:\([^)]*\))?/g;

/** The literal text left once every Velocity reference is removed. */
export function literalPart(text: string): string {
  return text.replace(BRACED_REFERENCE, '').replace(BARE_REFERENCE, '');
}

/** Header names whose value is a credential. */
const SECRET_HEADER =
  /^(authorization|proxy-authorization|cookie|x-api-key|api-key|apikey)$|(^|[-_])(api[-_]?key|key|token|secret|password|passwd|pwd|auth|signature|session|subscription[-_]key|access[-_]?key)($|[-_])/i;
const AUTHORIZATION_HEADER = /^(proxy-)?authorization$/i;
/** An authentication scheme word before the credential (`Token ${credentials.key}` leaves `Token`). */
const AUTH_SCHEME = /^(Bearer|Basic|Token|ApiKey|SSWS|Negotiate|Digest|Key|OAuth|Hawk)\b\s*/i;
/** Query parameter and document keys whose value is a credential. */
const SECRET_KEY =
  /^(api[-_]?key|apikey|key|app[-_]?key|appid|access[-_]?token|auth[-_]?token|token|auth|secret|client[-_]?secret|password|passwd|pwd|sig|signature|subscription[-_]?key|x-api-key|authorization|bearer|private[-_]?key|access[-_]?key|secret[-_]?key)$/i;

/** Formats that are secrets wherever they appear (prefixes documented by each vendor). */
const TOKEN_FORMATS: ReadonlyArray<{ readonly name: string; readonly pattern: RegExp }> = [
  { name: 'Bearer token', pattern: /\bBearer\s+[A-Za-z0-9\-._~+/]{12,}=*/ },
  { name: 'Basic credential', pattern: /\bBasic\s+[A-Za-z0-9+/]{12,}={0,2}/ },
  { name: 'JSON Web Token', pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/ },
  { name: 'AWS access key id', pattern: /\b(AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { name: 'GitHub token', pattern: /\bgh[pousr]_[A-Za-z0-9]{30,}\b/ },
  { name: 'Slack token', pattern: /\bxox[abprs]-[A-Za-z0-9-]{10,}/ },
  { name: 'Stripe live key', pattern: /\b[sr]k_live_[A-Za-z0-9]{16,}/ },
  { name: 'Google API key', pattern: /\bAIza[0-9A-Za-z_-]{35}\b/ },
  { name: 'private key', pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----/ },
  {
    name: 'secret-named JSON field',
    pattern:
      /"(password|passwd|secret|client_secret|clientSecret|api_key|apiKey|apikey|access_token|accessToken|token|private_key)"\s*:\s*"[^"\s]{6,}"/,
  },
  {
    name: 'secret-named form field',
    pattern: /(^|[&?\s])(password|client_secret|api_key|apikey|access_token|token)=[^&\s"']{6,}/,
  },
];

const CHARACTER_CLASSES = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/];

/** Looks like a credential: no spaces, long enough, and either long or of mixed character classes. */
export function isTokenLike(value: string, minLength = 12): boolean {
  const trimmed = value.trim();
  if (trimmed.length < minLength || /\s/.test(trimmed)) return false;
  if (/^(true|false|null|undefined|none|n\/a)$/i.test(trimmed)) return false;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) return false;
  const classes = CHARACTER_CLASSES.filter((pattern) => pattern.test(trimmed)).length;
  return classes >= 2 || trimmed.length >= 24;
}

function tokenFormatHits(literal: string): LiteralHit[] {
  return TOKEN_FORMATS.filter(({ pattern }) => pattern.test(literal)).map(({ name }) => ({
    kind: 'literal-token' as const,
    detail: `a literal ${name}`,
  }));
}

function headerHits(name: string, text: string): LiteralHit[] {
  const literal = literalPart(text).trim();
  if (AUTHORIZATION_HEADER.test(name)) {
    // A scheme alone (`Bearer ${authResponse.access_token}` leaves `Bearer`) is not a credential.
    if (/^[A-Za-z-]{0,15}$/.test(literal)) return [];
    const match = /^([A-Za-z-]+)\s+(\S.*)$/.exec(literal);
    const scheme = match?.[1];
    const credential = (match ? match[2] : literal)?.trim() ?? '';
    if (credential.length >= 8) {
      return [
        {
          kind: 'literal-authorization-header',
          detail: `header ${name} carries a literal ${scheme ? `${scheme} ` : ''}credential (${credential.length} characters) instead of \${credentials.*} or \${authResponse.*}`,
        },
      ];
    }
    return [];
  }
  const credential = literal.replace(AUTH_SCHEME, '');
  if (SECRET_HEADER.test(name) && isTokenLike(credential, 8)) {
    return [
      {
        kind: 'literal-secret-header',
        detail: `header ${name} carries a literal value (${credential.length} characters) instead of \${credentials.*}`,
      },
    ];
  }
  return tokenFormatHits(literal);
}

function userInfoHit(url: string): LiteralHit[] {
  const match = /^[a-z][a-z0-9+.-]*:\/\/([^/?#@\s]+)@/i.exec(url);
  const userInfo = match?.[1];
  if (!userInfo) return [];
  const password = literalPart(userInfo.split(':').slice(1).join(':'));
  return password.length > 0
    ? [{ kind: 'credentials-in-url', detail: 'the URL carries a literal password in its user info' }]
    : [];
}

function queryHits(url: string): LiteralHit[] {
  const queryStart = url.indexOf('?');
  if (queryStart < 0) return [];
  const hits: LiteralHit[] = [];
  for (const pair of url
    .slice(queryStart + 1)
    .split('#')[0]
    ?.split('&') ?? []) {
    const separator = pair.indexOf('=');
    if (separator <= 0) continue;
    const name = safeDecode(pair.slice(0, separator));
    const literal = literalPart(safeDecode(pair.slice(separator + 1))).trim();
    if (SECRET_KEY.test(name) && literal.length >= 6) {
      hits.push({
        kind: 'key-in-url',
        detail: `query parameter ${name} carries a literal value (${literal.length} characters) instead of \${credentials.*}`,
      });
    }
  }
  return hits;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/** Every literal secret in one text; empty when its secrets all come through references. */
export function detectLiterals(scanned: ScannedText): LiteralHit[] {
  const { text } = scanned;
  if (text === '') return [];
  switch (scanned.role) {
    case 'header':
      return headerHits(scanned.keyName ?? '', text);
    case 'url': {
      const literalUrl = literalPart(text);
      return [...userInfoHit(text), ...queryHits(text), ...tokenFormatHits(literalUrl)];
    }
    case 'template':
      return [...queryHitsInText(text), ...tokenFormatHits(literalPart(text))];
    case 'document-value': {
      const literal = literalPart(text).trim();
      const formats = tokenFormatHits(literal);
      if (formats.length > 0) return formats;
      if (scanned.keyName !== undefined && SECRET_KEY.test(scanned.keyName) && isTokenLike(literal)) {
        return [
          {
            kind: 'literal-token',
            detail: `${scanned.keyName} holds a literal value (${literal.length} characters)`,
          },
        ];
      }
      return urlsIn(text).flatMap((url) => [...userInfoHit(url), ...queryHits(url)]);
    }
  }
}

const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi;

function urlsIn(text: string): string[] {
  return text.match(URL_IN_TEXT) ?? [];
}

function queryHitsInText(text: string): LiteralHit[] {
  return urlsIn(text).flatMap((url) => [...userInfoHit(url), ...queryHits(url)]);
}

/** The `config` of an `Action` as the API returns it with `includeConfig=true` (§4.4). */
export interface ActionConfigDocument {
  readonly request?: {
    readonly requestUrlTemplate?: unknown;
    readonly requestTemplate?: unknown;
    readonly headers?: unknown;
  };
  readonly response?: {
    readonly translationMap?: unknown;
    readonly translationMapDefaults?: unknown;
    readonly successTemplate?: unknown;
  };
}

function stringEntries(value: unknown): Array<[string, string]> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  return Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string');
}

/** The texts of an action's config a scanner must read (§4.4, §6.8). */
export function actionTexts(config: ActionConfigDocument | null | undefined): ScannedText[] {
  if (!config) return [];
  const texts: ScannedText[] = [];
  const request = config.request ?? {};
  if (typeof request.requestUrlTemplate === 'string') {
    texts.push({ field: 'config.request.requestUrlTemplate', text: request.requestUrlTemplate, role: 'url' });
  }
  if (typeof request.requestTemplate === 'string') {
    texts.push({ field: 'config.request.requestTemplate', text: request.requestTemplate, role: 'template' });
  }
  for (const [name, value] of stringEntries(request.headers)) {
    texts.push({ field: `config.request.headers.${name}`, text: value, role: 'header', keyName: name });
  }
  const response = config.response ?? {};
  for (const [name, value] of stringEntries(response.translationMap)) {
    texts.push({ field: `config.response.translationMap.${name}`, text: value, role: 'template' });
  }
  for (const [name, value] of stringEntries(response.translationMapDefaults)) {
    texts.push({ field: `config.response.translationMapDefaults.${name}`, text: value, role: 'template' });
  }
  if (typeof response.successTemplate === 'string') {
    texts.push({
      field: 'config.response.successTemplate',
      text: response.successTemplate,
      role: 'template',
    });
  }
  return texts;
}

const MAX_DOCUMENT_DEPTH = 64;

function pathOf(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}

/**
 * Every string of a flow configuration, with its JSON path. The format is undocumented (§4.4:
 * UNCONFIRMED schema), so the walk is generic: a value's key names it, or its `name` sibling when
 * the document stores `{name, value}` pairs.
 */
export function documentTexts(document: unknown): ScannedText[] {
  const texts: ScannedText[] = [];
  const walk = (value: unknown, path: string, keyName: string | undefined, depth: number): void => {
    if (depth > MAX_DOCUMENT_DEPTH) return;
    if (typeof value === 'string') {
      texts.push({ field: path, text: value, role: 'document-value', ...(keyName ? { keyName } : {}) });
      return;
    }
    if (Array.isArray(value)) {
      value.forEach((item, index) => {
        walk(item, pathOf(path, index), keyName, depth + 1);
      });
      return;
    }
    if (typeof value === 'object' && value !== null) {
      const record = value as Record<string, unknown>;
      const pairName = typeof record.name === 'string' ? record.name : undefined;
      for (const [key, child] of Object.entries(record)) {
        const childKey = key === 'value' && pairName !== undefined ? pairName : key;
        walk(child, pathOf(path, key), childKey, depth + 1);
      }
    }
  };
  walk(document, '$', undefined, 0);
  return texts;
}
