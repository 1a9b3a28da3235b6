/**
 * `npm run sandbox`: the stand-ins on their own, to try with curl or the SDKs. Prints their URLs and
 * a ready-made admin credential for the Genesys stand-in (a throwaway credential of this process,
 * not a real secret), then runs until interrupted. `--rotator` also "deploys" the rotator into
 * them (the local environment of `npm start`: the synthesized state machine, the demo secret and
 * its consumer), for the operator CLI to drive from another shell.
 */
import './polyfills.js';
import { parseArgs } from 'node:util';
import { DEMO_SECRET_NAME, startLocalEnvironment } from './harness.js';
import { startAwsStandIn } from './standins/aws/index.js';
import { startGenesysStandIn } from './standins/genesys/index.js';
import { PARTNER_KEY_HEADER, startPartnerStandIn } from './standins/partner/index.js';

const { values } = parseArgs({
  options: {
    'genesys-port': { type: 'string', default: '8123' },
    'aws-port': { type: 'string', default: '4566' },
    'partner-port': { type: 'string', default: '8124' },
    rotator: { type: 'boolean', default: false },
  },
});

if (values.rotator) {
  const env = await startLocalEnvironment({
    genesys: { port: Number(values['genesys-port']) },
    aws: { port: Number(values['aws-port']) },
  });
  env.consumer?.start();
  process.stdout.write(`The rotator, on the stand-ins:
  Genesys Cloud stand-in: ${env.genesysGatewayUrl}  (org ${env.orgId})
  AWS stand-in:           ${env.awsEndpointUrl}  (region ${env.aws.region})
  State machine:          ${env.stateMachineArn}
  Managed secret:         ${DEMO_SECRET_NAME} (a consumer keeps calling Genesys with its AWSCURRENT)

Drive it with the operator CLI from another shell:
  export AWS_ENDPOINT_URL=${env.awsEndpointUrl} AWS_REGION=${env.aws.region} AWS_ACCESS_KEY_ID=sandbox AWS_SECRET_ACCESS_KEY=sandbox
  npm run rotator -- status
  npm run rotator -- plan ${DEMO_SECRET_NAME}
  npm run rotator -- rotate ${DEMO_SECRET_NAME} --follow
Press Ctrl-C to stop.
`);
  const stopRotator = async () => {
    await env.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stopRotator());
  process.on('SIGTERM', () => void stopRotator());
  // The servers keep the process alive until Ctrl-C.
  await new Promise<never>(() => {});
}

const genesys = await startGenesysStandIn({ port: Number(values['genesys-port']) });
const aws = await startAwsStandIn({ port: Number(values['aws-port']) });
const partner = await startPartnerStandIn({ port: Number(values['partner-port']) });
// A Web Services Data Action whose key travels in a header: its test really calls the partner.
const partnerKey = partner.issueKey('sandbox');
const partnerIntegration = genesys.seed.integration({
  name: 'Partner orders',
  credential: { type: 'userDefined', fields: { apiKey: partnerKey.secret } },
  actionConfig: {
    request: {
      requestUrlTemplate: `${partner.url}/v1/orders`,
      requestType: 'GET',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a Velocity template, not a JavaScript one.
      headers: { [PARTNER_KEY_HEADER]: '${credentials.apiKey}' },
    },
  },
});
const role = genesys.seed.role('Contact Centre Reporting', ['analytics:conversationDetail:view']);
const division = genesys.seed.division('Contact Centre');
const admin = genesys.seed.adminClient({ extraRoleDivisions: [{ roleId: role, divisionId: division }] });
const service = genesys.seed.client({
  name: 'reporting-service',
  roleDivisions: [{ roleId: role, divisionId: division }],
});

process.stdout.write(`Genesys Cloud stand-in: ${genesys.url}  (org ${genesys.orgId})
AWS stand-in:           ${aws.url}  (Secrets Manager, EventBridge, Step Functions, Lambda Invoke; region ${aws.region})
Partner API stand-in:   ${partner.url}  (docs/KEY-PROVIDERS.md)

Sandbox admin credential (valid only in this process):
  GENESYS_ADMIN_CLIENT_ID=${admin.clientId}
  GENESYS_ADMIN_CLIENT_SECRET=${admin.clientSecret}
A service client to rotate:
  GENESYS_TARGET_CLIENT_ID=${service.clientId}
  GENESYS_TARGET_CLIENT_SECRET=${service.clientSecret}

Partner API (throwaway values of this process):
  PARTNER_ADMIN_TOKEN=${partner.adminToken}
  PARTNER_KEY=${partnerKey.secret}   (key ${partnerKey.keyId}, held by integration ${partnerIntegration.integrationId})
  Data Action calling it: ${partnerIntegration.actionId}

Try:
  curl -s -u "$GENESYS_ADMIN_CLIENT_ID:$GENESYS_ADMIN_CLIENT_SECRET" -d grant_type=client_credentials ${genesys.url}/oauth/token
  curl -s -H "Authorization: Bearer <access_token>" ${genesys.url}/api/v2/oauth/clients
  curl -s -H "x-api-key: $PARTNER_KEY" ${partner.url}/v1/orders
  curl -s -X POST -H "Authorization: Bearer $PARTNER_ADMIN_TOKEN" ${partner.url}/admin/keys
  AWS_ENDPOINT_URL=${aws.url} AWS_REGION=${aws.region} AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x aws secretsmanager list-secrets
Or rotate against this sandbox from another shell:
  GENESYS_GATEWAY_URL=${genesys.url} GENESYS_ADMIN_CLIENT_ID=... GENESYS_ADMIN_CLIENT_SECRET=... \\
  GENESYS_TARGET_CLIENT_ID=... GENESYS_TARGET_CLIENT_SECRET=... npm start
Press Ctrl-C to stop.
`);

const stop = async () => {
  await Promise.all([genesys.close(), aws.close(), partner.close()]);
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
