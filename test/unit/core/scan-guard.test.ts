import { describe, expect, it } from 'vitest';
import { HardCodedSecretRefusedError, refuseHardCodedSecret } from '../../../functions/core/scan/guard.js';
import type { ActionDocument, ScanSourcePort } from '../../../functions/core/scan/ports.js';
import { TransientUpstreamError } from '../../../functions/shared/errors.js';
import { FakeSecretStore } from '../../helpers/fakes.js';

const VALUE = 'managed-Secret-9Zq4!value';

function sourceWith(actions: ActionDocument[], failFlow = false): ScanSourcePort {
  return {
    listActions: async () => ({ entities: actions, pageCount: 1 }),
    listActionDrafts: async () => ({ entities: [], pageCount: 1 }),
    getActionDraft: async () => null,
    listFlows: async () => ({ entities: [{ id: 'f1', name: 'Main', type: 'inboundcall' }], pageCount: 1 }),
    flowConfiguration: async () => {
      if (failFlow)
        throw new TransientUpstreamError('Genesys read the latest configuration of flow f1 failed');
      return { actions: [] };
    },
    listIntegrations: async () => ({ entities: [], pageCount: 1 }),
    integrationCredentialIds: async () => null,
    flowsConsumingAction: async () => ({ entities: [], pageCount: 1 }),
  };
}

function actionHolding(index: number, text: string): ActionDocument {
  return {
    id: `a${index}`,
    name: `Action ${index}`,
    integrationId: 'i1',
    category: null,
    config: { request: { requestTemplate: text } },
  };
}

function storeWithSecret(): { store: FakeSecretStore; secret: { arn: string; name: string } } {
  const store = new FakeSecretStore();
  const name = 'contact-centre/genesys-client';
  const added = store.addSecret({
    name,
    value: JSON.stringify({ clientId: 'c-1', clientSecret: VALUE, environment: 'mypurecloud.ie' }),
  });
  return { store, secret: { arn: added.arn, name } };
}

describe('refuseHardCodedSecret (issue #10 part 5)', () => {
  it('refuses naming at most five places and the ARN, never the value', async () => {
    // Prepare
    const { store, secret } = storeWithSecret();
    const actions = Array.from({ length: 7 }, (_, index) => actionHolding(index, `{"s": "${VALUE}"}`));

    // Act
    const error = await refuseHardCodedSecret(
      { source: sourceWith(actions), secrets: store },
      secret,
      false,
    ).catch((thrown: unknown) => thrown);

    // Assess
    expect(error).toBeInstanceOf(HardCodedSecretRefusedError);
    const message = (error as Error).message;
    expect(message).toContain(secret.arn);
    expect(message).toContain('7 place(s)');
    expect(message).toContain('and 2 more');
    expect(message.includes(VALUE)).toBe(false);
  });

  it('returns the places without refusing when allowed, and nothing when no guard is configured', async () => {
    const { store, secret } = storeWithSecret();
    const check = await refuseHardCodedSecret(
      { source: sourceWith([actionHolding(1, VALUE)]), secrets: store },
      secret,
      true,
    );
    expect(check?.places).toHaveLength(1);
    expect(await refuseHardCodedSecret(undefined, secret, false)).toBeNull();
  });

  it('does not rotate on a partial answer: an unreadable flow is a TransientUpstreamError', async () => {
    const { store, secret } = storeWithSecret();
    await expect(
      refuseHardCodedSecret({ source: sourceWith([], true), secrets: store }, secret, false),
    ).rejects.toBeInstanceOf(TransientUpstreamError);
  });
});
