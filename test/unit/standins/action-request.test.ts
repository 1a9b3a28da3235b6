/* biome-ignore-all lint/suspicious/noTemplateCurlyInString: Velocity templates under test. */
import { describe, expect, it } from 'vitest';
import {
  isLocalBackend,
  renderRequest,
  renderVelocity,
} from '../../../local/standins/genesys/action-request.js';

const context = {
  credentials: { apiKey: 'k-1', clientId: 'c-1' },
  input: { orderId: 'A-1', nested: { id: 7 } },
  authResponse: { access_token: 't-1' },
};

describe('Data Action request rendering (genesys-cloud-api.md §4.3)', () => {
  it.each([
    ['${credentials.apiKey}', 'k-1'],
    ['$credentials.apiKey', 'k-1'],
    ['$!{credentials.missing}', ''],
    ['${credentials.missing}', '${credentials.missing}'],
    ['${input.nested.id}', '7'],
    ['Bearer ${authResponse.access_token}', 'Bearer t-1'],
    ['${other.value}', '${other.value}'],
  ])('renders %s as %s', (template, expected) => {
    expect(renderVelocity(template, context)).toBe(expected);
  });

  it('adds the Basic header for a basicAuth credential and a JSON content type for a body', () => {
    // Act
    const request = renderRequest(
      {
        requestUrlTemplate: 'http://127.0.0.1:1/v1/${input.orderId}',
        requestType: 'post',
        requestTemplate: '{}',
      },
      context,
      { userName: 'u', password: 'p' },
    );

    // Assess
    expect(request).toEqual({
      url: 'http://127.0.0.1:1/v1/A-1',
      method: 'POST',
      headers: {
        Authorization: `Basic ${Buffer.from('u:p').toString('base64')}`,
        'Content-Type': 'application/json',
      },
      body: '{}',
    });
  });

  it.each([
    ['http://127.0.0.1:8080/x', true],
    ['http://localhost/x', true],
    ['https://partner.example.com/x', false],
    ['not a url', false],
  ])('calls %s for real: %s', (url, local) => {
    expect(isLocalBackend(url)).toBe(local);
  });
});
