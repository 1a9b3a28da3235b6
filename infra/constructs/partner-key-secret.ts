/**
 * One partner API key (a `basicAuth`, `userDefined` or `userDefinedOAuth` integration credential)
 * as a managed secret: a `GenesysRotatedSecret` of kind `integration-credential`, one secret per
 * credential, tagged `env`, `service`, `cadence` and `genesys:key-provider` (docs/KEY-PROVIDERS.md).
 * The tags are checked at synth with the same schema the functions read them with.
 */
import { Tags, Token } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { InvalidConfigurationError } from '../../functions/shared/errors.js';
import {
  OPERATOR_STAGED_PROVIDER,
  PartnerKeyTagsSchema,
  TAG_CADENCE,
  TAG_ENV,
  TAG_KEY_PROVIDER,
  TAG_SERVICE,
} from '../../functions/shared/key-provider-contract.js';
import { GenesysRotatedSecret, type GenesysRotatedSecretProps } from './genesys-rotated-secret.js';

export interface PartnerKeySecretProps extends Omit<GenesysRotatedSecretProps, 'kind' | 'description'> {
  /** The environment the key belongs to (`env` tag), e.g. `prod`. */
  readonly env: string;
  /** The partner service (`service` tag), e.g. `orders`. */
  readonly service: string;
  /** Days between rotations (`cadence` tag, e.g. `30d`). */
  readonly cadenceDays: number;
  /** Where new keys come from: a key provider function, or `'operator'` (values staged as GENESYS_STAGED). */
  readonly keyProvider: IFunction | 'operator';
}

export class PartnerKeySecret extends Construct {
  readonly managed: GenesysRotatedSecret;

  constructor(scope: Construct, id: string, props: PartnerKeySecretProps) {
    super(scope, id);
    const provider =
      props.keyProvider === 'operator' ? OPERATOR_STAGED_PROVIDER : props.keyProvider.functionName;
    const tags = {
      [TAG_ENV]: props.env,
      [TAG_SERVICE]: props.service,
      [TAG_CADENCE]: `${props.cadenceDays}d`,
      [TAG_KEY_PROVIDER]: provider,
    };
    const checked = PartnerKeyTagsSchema.safeParse(
      Token.isUnresolved(provider) ? { ...tags, [TAG_KEY_PROVIDER]: 'function' } : tags,
    );
    if (!checked.success) {
      throw new InvalidConfigurationError(
        `Partner key secret ${props.secretName}: ${checked.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`,
      );
    }
    this.managed = new GenesysRotatedSecret(this, 'Managed', {
      ...props,
      kind: 'integration-credential',
      description:
        `Partner API key for ${props.service} (${props.env}), one integration credential; ` +
        'value {"credentialType","keyId","fields"}, rotated by the Genesys credential rotator',
    });
    if (!props.existingSecretArn) {
      for (const [key, value] of Object.entries(tags)) Tags.of(this.managed.secret).add(key, value);
    }
  }
}
