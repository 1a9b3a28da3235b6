/**
 * The consumer kit's EventBridge handler and secret matching, and what its errors say about a
 * malformed AWSCURRENT (field names, never the text).
 */
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  CredentialMalformedError,
  handleRotationEvent,
  type Invalidatable,
  parseCredential,
  sameSecret,
} from '../../../kit/consumer/index.js';

const ARN = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:genesys/app-AbCdEf';
const CANARY = 'CANARY-7f3e9b1c-secret-value';

function promoted(secretId: string, detailType = 'Secret Promoted', source = 'genesys.credential-rotator') {
  return {
    version: '0',
    id: 'e1',
    'detail-type': detailType,
    source,
    account: '111122223333',
    time: '2026-12-01T10:00:00Z',
    region: 'eu-west-1',
    resources: [],
    detail: {
      schemaVersion: '1',
      secretId,
      executionId: 'arn:aws:states:eu-west-1:111122223333:execution:rotation:x',
      trigger: 'manual',
      legacyClientId: 'legacy',
      newClientId: 'new',
    },
  };
}

function recorder(secretId: string): Invalidatable & { reasons: string[] } {
  const reasons: string[] = [];
  return { secretId, reasons, invalidate: (reason) => reasons.push(reason) };
}

describe('sameSecret', () => {
  it('matches an ARN with its name, with or without the six-character suffix, and a partial ARN', () => {
    // Prepare // Act // Assess
    expect(sameSecret(ARN, ARN)).toBe(true);
    expect(sameSecret(ARN, 'genesys/app')).toBe(true);
    expect(sameSecret('genesys/app-AbCdEf', ARN)).toBe(true);
    expect(sameSecret(ARN, 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:genesys/app')).toBe(true);
  });

  it('does not match another name, account or region', () => {
    // Prepare // Act // Assess
    expect(sameSecret(ARN, 'genesys/app2')).toBe(false);
    expect(sameSecret(ARN, 'genesys')).toBe(false);
    expect(sameSecret(ARN, ARN.replace('111122223333', '444455556666'))).toBe(false);
    expect(sameSecret(ARN, ARN.replace('eu-west-1', 'us-east-1'))).toBe(false);
    expect(sameSecret('genesys/app', 'genesys/app-AbCdEf')).toBe(false);
  });
});

describe('handleRotationEvent (schemas/rotation-event.v1.json and v2)', () => {
  it('reads a version 2 event (kind-neutral facts, a partner key) like a version 1 one', () => {
    // Prepare
    const mine = recorder(ARN);
    const v1 = promoted(ARN);
    const v2 = {
      ...v1,
      detail: {
        schemaVersion: '2',
        secretId: ARN,
        executionId: v1.detail.executionId,
        trigger: 'manual',
        credential: { kind: 'integration-credential', legacyId: 'key_old', newId: 'key_new' },
      },
    };

    // Act
    const outcome = handleRotationEvent([mine], v2);

    // Assess
    expect(outcome).toEqual({ invalidated: true, secretId: ARN, detailType: 'Secret Promoted' });
    expect(mine.reasons).toEqual(['Secret Promoted']);
  });

  it('Secret Promoted and Emergency Rotation Completed for the secret invalidate its cache only', () => {
    // Prepare
    const mine = recorder(ARN);
    const other = recorder('arn:aws:secretsmanager:eu-west-1:111122223333:secret:genesys/other-XyZ123');

    // Act
    const first = handleRotationEvent([mine, other], promoted(ARN));
    const second = handleRotationEvent(
      [mine, other],
      promoted('genesys/app', 'Emergency Rotation Completed'),
    );

    // Assess
    expect(first).toEqual({ invalidated: true, secretId: ARN, detailType: 'Secret Promoted' });
    expect(second.invalidated).toBe(true);
    expect(mine.reasons).toEqual(['Secret Promoted', 'Emergency Rotation Completed']);
    expect(other.reasons).toEqual([]);
  });

  it('ignores other detail types, other sources, other secrets and what is not an event, without throwing', () => {
    // Prepare
    const mine = recorder(ARN);

    // Act
    const outcomes = [
      handleRotationEvent([mine], promoted(ARN, 'Adoption Progressed')),
      handleRotationEvent([mine], promoted(ARN, 'Secret Promoted', 'someone.else')),
      handleRotationEvent([mine], promoted('genesys/other')),
      handleRotationEvent([mine], { hello: 'world' }),
      handleRotationEvent([mine], null),
    ];

    // Assess
    expect(outcomes.map((outcome) => outcome.invalidated)).toEqual([false, false, false, false, false]);
    expect(mine.reasons).toEqual([]);
  });
});

describe('parseCredential', () => {
  it('reads clientId, clientSecret and environment, ignoring extra fields', () => {
    // Prepare // Act
    const credential = parseCredential(
      ARN,
      JSON.stringify({ clientId: 'c', clientSecret: CANARY, environment: 'mypurecloud.ie', extra: 1 }),
    );

    // Assess
    expect(credential).toEqual({ clientId: 'c', clientSecret: CANARY, environment: 'mypurecloud.ie' });
  });

  it('a value that is not JSON, or misses a field, names the secret and the fields, never the text', () => {
    // Prepare
    const values = [
      `{"clientId":"c","clientSecret":"${CANARY}"`,
      `${CANARY}`,
      JSON.stringify({ clientId: 'c', clientSecret: CANARY }),
      JSON.stringify({ clientId: 'c', clientSecret: [CANARY], environment: 'mypurecloud.ie' }),
    ];

    for (const value of values) {
      // Act
      let thrown: unknown;
      try {
        parseCredential(ARN, value);
      } catch (error) {
        thrown = error;
      }

      // Assess
      expect(thrown).toBeInstanceOf(CredentialMalformedError);
      expect(inspect(thrown, { depth: Number.POSITIVE_INFINITY })).not.toContain(CANARY);
      expect(JSON.stringify(thrown)).not.toContain(CANARY);
      expect(String(thrown)).toContain(ARN);
    }
  });
});
