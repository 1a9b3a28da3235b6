/**
 * `npm run sandbox`: the stand-ins on their own, to try with curl or the SDKs. Prints their URLs and
 * a ready-made admin credential for the Genesys stand-in (a throwaway credential of this process,
 * not a real secret), then runs until interrupted.
 */
import './polyfills.js';
import { parseArgs } from 'node:util';
import { startAwsStandIn } from './standins/aws/index.js';
import { startGenesysStandIn } from './standins/genesys/index.js';
import { PARTNER_KEY_HEADER, startPartnerStandIn } from './standins/partner/index.js';

const { values } = parseArgs({
  options: {
    'genesys-port': { type: 'string', default: '8123' },
    'aws-port': { type: 'string', default: '4566' },
    'partner-port': { type: 'string', default: '8124' },
  },
});

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
