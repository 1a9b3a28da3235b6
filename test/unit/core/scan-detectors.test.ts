/* biome-ignore-all lint/suspicious/noTemplateCurlyInString: Velocity templates, not JavaScript ones. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  actionTexts,
  detectLiterals,
  documentTexts,
  literalPart,
} from '../../../functions/core/scan/detectors.js';
import { ManagedValueIndex, secretForms } from '../../../functions/core/scan/managed-values.js';

const identifier = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,30}$/);
/** `${credentials.x}`, `$!{credentials.x}`, `$credentials.x`, `${authResponse.x}`: references, not literals. */
const reference = fc.oneof(
  identifier.map((name) => `\${credentials.${name}}`),
  identifier.map((name) => `$!{credentials.${name}}`),
  identifier.map((name) => `$credentials.${name}`),
  identifier.map((name) => `\${authResponse.${name}}`),
);
const secretHeaderName = fc.constantFrom(
  'Authorization',
  'authorization',
  'Proxy-Authorization',
  'x-api-key',
  'X-Auth-Token',
  'apikey',
  'Ocp-Apim-Subscription-Key',
  'client-secret',
);
const scheme = fc.constantFrom('', 'Bearer ', 'Basic ', 'Token ', 'ApiKey ', 'SSWS ', 'Negotiate ');

describe('hard-coded secret detectors (genesys-cloud-api.md §4.3, §4.4, §6.8)', () => {
  it('never flags a header, URL or template whose secrets all come from ${credentials.*} / ${authResponse.*} (property)', () => {
    fc.assert(
      fc.property(
        secretHeaderName,
        scheme,
        fc.array(reference, { minLength: 1, maxLength: 3 }),
        fc.constantFrom('key', 'api_key', 'apikey', 'access_token', 'APPID', 'token', 'sig'),
        (headerName, prefix, references, parameter) => {
          const headerValue = `${prefix}${references.join('')}`;
          const url = `https://partner.example.com/v1/weather?q=London&${parameter}=${references[0]}`;
          const template = `{"user": "${references[0]}", "password": "${references.at(-1)}", "client_secret": "${references[0]}"}`;
          const form = `grant_type=client_credentials&client_secret=${references[0]}&password=${references.at(-1)}`;
          const hits = [
            ...detectLiterals({ field: 'h', text: headerValue, role: 'header', keyName: headerName }),
            ...detectLiterals({ field: 'u', text: url, role: 'url' }),
            ...detectLiterals({ field: 't', text: template, role: 'template' }),
            ...detectLiterals({ field: 'f', text: form, role: 'template' }),
            ...detectLiterals({ field: 'd', text: headerValue, role: 'document-value', keyName: 'apiKey' }),
          ];
          expect(hits).toEqual([]);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('flags a literal Bearer token in an Authorization header, naming the scheme and length only', () => {
    // Act
    const hits = detectLiterals({
      field: 'config.request.headers.Authorization',
      text: 'Bearer 7f3kQ9zL2xW8pR4tY6uI0oP',
      role: 'header',
      keyName: 'Authorization',
    });

    // Assess
    expect(hits).toEqual([
      { kind: 'literal-authorization-header', detail: expect.stringContaining('Bearer') },
    ]);
    expect(JSON.stringify(hits)).not.toContain('7f3kQ9zL2xW8pR4tY6uI0oP');
  });

  it('flags a literal x-api-key header but not Content-Type', () => {
    expect(
      detectLiterals({ field: 'h', text: 'a8F3kd92LmQp', role: 'header', keyName: 'x-api-key' }).map(
        (h) => h.kind,
      ),
    ).toEqual(['literal-secret-header']);
    expect(
      detectLiterals({
        field: 'h',
        text: 'application/json; charset=UTF-8',
        role: 'header',
        keyName: 'Content-Type',
      }),
    ).toEqual([]);
  });

  it('flags a key-like query parameter with a literal value and user info with a password', () => {
    const url = 'https://api.example.com/weather?q=London&APPID=9b1c2d3e4f5a6b7c8d9e';
    expect(detectLiterals({ field: 'u', text: url, role: 'url' }).map((h) => h.kind)).toEqual(['key-in-url']);
    expect(
      detectLiterals({ field: 'u', text: 'https://svc:hunter2secret@api.example.com/x', role: 'url' }).map(
        (h) => h.kind,
      ),
    ).toEqual(['credentials-in-url']);
    expect(
      detectLiterals({ field: 'u', text: 'https://api.example.com/x?q=London&page=2', role: 'url' }),
    ).toEqual([]);
  });

  it('flags recognisable token formats in templates (JWT, AWS key id, secret-named JSON fields)', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLXBhcnQ';
    expect(
      detectLiterals({ field: 't', text: `{"auth": "${jwt}"}`, role: 'template' }).length,
    ).toBeGreaterThan(0);
    expect(detectLiterals({ field: 't', text: 'AKIAIOSFODNN7EXAMPLE', role: 'template' }).length).toBe(1);
    expect(
      detectLiterals({ field: 't', text: '{"password": "Winter2026!x"}', role: 'template' }).map(
        (h) => h.kind,
      ),
    ).toEqual(['literal-token']);
    expect(
      detectLiterals({ field: 't', text: '{"name": "${input.name}", "count": 3}', role: 'template' }),
    ).toEqual([]);
  });

  it('reads every header, URL and template of an action config, and every string of a flow document with its path', () => {
    // Act
    const texts = actionTexts({
      request: {
        requestUrlTemplate: 'https://x/y',
        requestTemplate: '${input.rawRequest}',
        headers: { Authorization: 'Basic ${credentials.basic}', 'Content-Type': 'application/json' },
      },
      response: { translationMap: { id: '$.id' }, successTemplate: '${rawResult}' },
    });
    const flow = documentTexts({ actions: [{ inputs: [{ name: 'apiKey', value: 'Zq8w7e6r5t4y3u2i1o' }] }] });

    // Assess
    expect(texts.map((text) => text.field)).toEqual([
      'config.request.requestUrlTemplate',
      'config.request.requestTemplate',
      'config.request.headers.Authorization',
      'config.request.headers.Content-Type',
      'config.response.translationMap.id',
      'config.response.successTemplate',
    ]);
    const value = flow.find((text) => text.field === '$.actions[0].inputs[0].value');
    expect(value?.keyName).toBe('apiKey');
    expect(
      detectLiterals(value ?? { field: '', text: '', role: 'document-value' }).map((h) => h.kind),
    ).toEqual(['literal-token']);
  });

  it('does not flag ids and plain words in a flow document', () => {
    const texts = documentTexts({
      id: '0f8fad5b-d9cb-469f-a165-70867728950e',
      name: 'Main IVR',
      dataActionId: 'custom_-_0f8fad5b-d9cb-469f-a165-70867728950e',
      prompt: 'Welcome to the Demo Contact Centre',
    });
    expect(texts.flatMap((text) => detectLiterals(text))).toEqual([]);
  });

  it('literalPart removes braced, quiet and bare Velocity references', () => {
    expect(literalPart('Bearer ${authResponse.access_token}')).toBe('Bearer ');
    expect(literalPart('a$!{credentials.k}b$credentials.user.c')).toBe('ab');
  });
});

describe('managed value matching (exact, in memory)', () => {
  const arn = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:partner-key-AbCdEf';

  it('matches the secret fields of a JSON value, its URL encoding and its Basic form, by ARN and stage', () => {
    // Prepare
    const current = JSON.stringify({
      clientId: 'client-1',
      clientSecret: 's3cr3t/value+1',
      environment: 'mypurecloud.ie',
    });
    const index = new ManagedValueIndex([
      {
        arn,
        values: [
          { stage: 'AWSCURRENT', value: current },
          { stage: 'AWSPREVIOUS', value: '{"apiKey":"old-key-0123456"}' },
        ],
      },
    ]);
    const basic = Buffer.from('client-1:s3cr3t/value+1').toString('base64');

    // Act / Assess
    expect(index.matches('x s3cr3t/value+1 y')).toEqual([{ secretArn: arn, stages: ['AWSCURRENT'] }]);
    expect(index.matches(`?k=${encodeURIComponent('s3cr3t/value+1')}`)).toEqual([
      { secretArn: arn, stages: ['AWSCURRENT'] },
    ]);
    expect(index.matches(`Basic ${basic}`)).toEqual([{ secretArn: arn, stages: ['AWSCURRENT'] }]);
    expect(index.matches('"old-key-0123456"')).toEqual([{ secretArn: arn, stages: ['AWSPREVIOUS'] }]);
    // The client id and the environment are identifiers, not secrets.
    expect(index.matches('client-1 mypurecloud.ie')).toEqual([]);
  });

  it("matches a partner key's secret fields and their Basic form, never its credentialType or keyId (docs/KEY-PROVIDERS.md value shape)", () => {
    // Prepare
    const value = JSON.stringify({
      credentialType: 'basicAuth',
      keyId: 'key_0123456789',
      fields: { userName: 'key_0123456789', password: 'p4ssw0rd-partner' },
    });

    // Act
    const forms = secretForms(value);

    // Assess
    expect(forms).toContain('p4ssw0rd-partner');
    expect(forms).toContain(Buffer.from('key_0123456789:p4ssw0rd-partner').toString('base64'));
    expect(forms).not.toContain('basicAuth');
    expect(forms).not.toContain('key_0123456789');
  });

  it('ignores values too short to mean anything', () => {
    expect(secretForms('{"apiKey":"abc"}')).toEqual([]);
  });
});
