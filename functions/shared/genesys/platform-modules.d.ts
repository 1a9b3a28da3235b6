// Types of the SDK's per-class ES modules (imported by platform.ts): the package types only its
// root. Each module's default export is the class the root exports under the same name.

declare module 'purecloud-platform-client-v2/src/purecloud-platform-client-v2/ApiClient.js' {
  import platformClient from 'purecloud-platform-client-v2';

  const ApiClientClass: typeof platformClient.ApiClientClass;
  export default ApiClientClass;
}

declare module 'purecloud-platform-client-v2/src/purecloud-platform-client-v2/AbstractHttpClient.js' {
  import platformClient from 'purecloud-platform-client-v2';

  const AbstractHttpClient: typeof platformClient.AbstractHttpClient;
  export default AbstractHttpClient;
}

declare module 'purecloud-platform-client-v2/src/purecloud-platform-client-v2/DefaultHttpClient.js' {
  import platformClient from 'purecloud-platform-client-v2';

  const DefaultHttpClient: typeof platformClient.DefaultHttpClient;
  export default DefaultHttpClient;
}

declare module 'purecloud-platform-client-v2/src/purecloud-platform-client-v2/HttpRequestOptions.js' {
  import platformClient from 'purecloud-platform-client-v2';

  const HttpRequestOptions: typeof platformClient.HttpRequestOptions;
  export default HttpRequestOptions;
}

declare module 'purecloud-platform-client-v2/src/purecloud-platform-client-v2/api/OAuthApi.js' {
  import platformClient from 'purecloud-platform-client-v2';

  const OAuthApi: typeof platformClient.OAuthApi;
  export default OAuthApi;
}

declare module 'purecloud-platform-client-v2/src/purecloud-platform-client-v2/api/OrganizationApi.js' {
  import platformClient from 'purecloud-platform-client-v2';

  const OrganizationApi: typeof platformClient.OrganizationApi;
  export default OrganizationApi;
}

declare module 'purecloud-platform-client-v2/src/purecloud-platform-client-v2/api/TokensApi.js' {
  import platformClient from 'purecloud-platform-client-v2';

  const TokensApi: typeof platformClient.TokensApi;
  export default TokensApi;
}

declare module 'purecloud-platform-client-v2/src/purecloud-platform-client-v2/api/ArchitectApi.js' {
  import platformClient from 'purecloud-platform-client-v2';

  const ArchitectApi: typeof platformClient.ArchitectApi;
  export default ArchitectApi;
}

declare module 'purecloud-platform-client-v2/src/purecloud-platform-client-v2/api/IntegrationsApi.js' {
  import platformClient from 'purecloud-platform-client-v2';

  const IntegrationsApi: typeof platformClient.IntegrationsApi;
  export default IntegrationsApi;
}
