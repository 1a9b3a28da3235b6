import { mintClientCredentialsToken } from './auth.js';
import { GenesysApiError, notFound } from './errors.js';
import { OAUTH_CLIENT_LIMIT_KEY, OAUTH_LIMIT_NAMESPACE } from './oauth-clients.js';
import { json, noContent, pathParam, type RouteContext, type RouteDefinition, route } from './router.js';
import type { StandInWorld } from './world.js';

export const TOKEN_ENDPOINT = '/oauth/token';

/** Client id and secret from `Authorization: Basic`, or (undocumented, §2.1) from the form body. */
export function clientCredentialsFrom(
  authorization: string | undefined,
  form: URLSearchParams,
): { clientId: string; clientSecret: string } | undefined {
  const basic = /^basic\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  if (basic) {
    const decoded = Buffer.from(basic, 'base64').toString('utf8');
    const separator = decoded.indexOf(':');
    if (separator < 0) return undefined;
    return { clientId: decoded.slice(0, separator), clientSecret: decoded.slice(separator + 1) };
  }
  const clientId = form.get('client_id');
  const clientSecret = form.get('client_secret');
  return clientId !== null && clientSecret !== null ? { clientId, clientSecret } : undefined;
}

function oauthError(error: string, description: string) {
  return json(400, { error, description, error_description: description });
}

function requireCaller(context: RouteContext) {
  if (!context.caller) throw new GenesysApiError(401, 'bad.credentials', 'Invalid login credentials.');
  return context.caller;
}

/** Token endpoint (§2), tokens/me (§2.4), organization and its limits (§1.3, §3). */
export function identityRoutes(world: StandInWorld): RouteDefinition[] {
  const { directory, settings } = world;
  const organizationRef = () => ({
    id: directory.organization.id,
    name: directory.organization.name,
    selfUri: `/api/v2/organizations/${directory.organization.id}`,
  });

  const token = route(
    'POST',
    TOKEN_ENDPOINT,
    [],
    (context) => {
      const form = new URLSearchParams(context.rawBody);
      const grantType = form.get('grant_type');
      if (!grantType) return oauthError('invalid_request', 'grant_type is required');
      const credentials = clientCredentialsFrom(
        typeof context.headers.authorization === 'string' ? context.headers.authorization : undefined,
        form,
      );
      if (!credentials) return oauthError('invalid_client', 'client authentication is required');
      if (grantType !== 'client_credentials') {
        return directory.client(credentials.clientId)
          ? oauthError('unauthorized_client', `client is not authorized to use the ${grantType} grant type`)
          : oauthError('invalid_client', 'client not found');
      }
      const minted = mintClientCredentialsToken(
        directory,
        credentials.clientId,
        credentials.clientSecret,
        context.now,
      );
      if (!minted.ok) return json(minted.status, minted.body);
      return json(200, {
        access_token: minted.token.accessToken,
        token_type: 'bearer',
        expires_in: minted.client.accessTokenValiditySeconds,
      });
    },
    'token-endpoint',
  );

  const tokenInfo = (context: RouteContext) => {
    const { client, token: record } = requireCaller(context);
    return {
      organization: organizationRef(),
      homeOrganization: organizationRef(),
      authorizedScope: [],
      dateTokenIdles: record.expiresAt.toISOString(),
      OAuthClient: {
        id: client.id,
        name: client.name,
        dateCreated: client.dateCreated.toISOString(),
        dateModified: client.dateModified.toISOString(),
        authorizedGrantType: client.authorizedGrantType,
        scope: client.scope,
        roleDivisions: client.roleDivisions.map((pair) => ({ ...pair })),
        state: client.state,
        dateToDelete: client.dateToDelete?.toISOString(),
        organization: { id: directory.organization.id, name: directory.organization.name },
      },
    };
  };

  const getTokensMe = route('GET', '/api/v2/tokens/me', [], (context) => json(200, tokenInfo(context)));
  const headTokensMe = route('HEAD', '/api/v2/tokens/me', [], (context) => {
    requireCaller(context);
    return { status: 200 };
  });
  const deleteTokensMe = route('DELETE', '/api/v2/tokens/me', [], (context) => {
    requireCaller(context).token.revoked = true;
    return noContent();
  });

  const organizationMe = route('GET', '/api/v2/organizations/me', [], () =>
    json(200, {
      id: directory.organization.id,
      name: directory.organization.name,
      defaultLanguage: 'en',
      defaultCountryCode: 'IE',
      domain: directory.organization.domain,
      version: 1,
      state: 'active',
      voicemailEnabled: true,
      productPlatform: 'PureCloud',
      selfUri: `/api/v2/organizations/${directory.organization.id}`,
    }),
  );

  const limitsByNamespace = (): Record<string, { key: string; value: number }[]> => ({
    [OAUTH_LIMIT_NAMESPACE]:
      settings.oauthClientLimit === null
        ? []
        : [{ key: OAUTH_CLIENT_LIMIT_KEY, value: settings.oauthClientLimit }],
    'platform.api': [
      { key: 'client.credentials.token.rate.per.minute', value: settings.rateLimitPerMinute },
      { key: 'token.rate.per.minute', value: settings.rateLimitPerMinute },
      { key: 'request.bytes.max', value: 512_000 },
    ],
  });

  const limitNamespaces = route('GET', '/api/v2/organizations/limits/namespaces', [], () => {
    const names = Object.keys(limitsByNamespace());
    return json(200, {
      entities: names.map((name) => ({ name })),
      pageSize: names.length,
      pageNumber: 1,
      total: names.length,
      pageCount: 1,
    });
  });

  const limitNamespace = route(
    'GET',
    '/api/v2/organizations/limits/namespaces/{namespaceName}',
    [],
    (context) => {
      const namespace = pathParam(context, 'namespaceName');
      const limits = limitsByNamespace()[namespace];
      if (!limits) throw notFound(`Limit namespace ${namespace} was not found.`);
      return json(200, { entities: limits.map((limit) => ({ ...limit, namespace })) });
    },
  );

  return [token, getTokensMe, headTokensMe, deleteTokensMe, organizationMe, limitNamespaces, limitNamespace];
}
