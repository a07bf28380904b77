/**
 * Stands in for `@aws-sdk/credential-provider-node` in the bot bundles (see `BOT_ALIASES` in
 * infra/bundling.ts): the default credential chain reduced to its first link, the environment.
 *
 * Only valid on Lambda, which always puts the function role's credentials in AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN. The full chain would also carry the SSO, INI-profile, process,
 * web-identity and container/IMDS providers with the STS and SSO clients they use (about 90 KB that every
 * cold start compiles, for code that never runs there). Outside Lambda a bundle fails on its first call with
 * the SDK's own "Unable to find environment variable credentials" error; local runs pass static credentials.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';

/** What the SDK clients call to build their credential provider (same signature as the real chain). */
export const defaultProvider = (init = {}) => fromEnv(init);

// The chain's two helpers, unchanged, for callers that import them alongside `defaultProvider`.
export const credentialsWillNeedRefresh = (credentials) => credentials?.expiration !== undefined;
export const credentialsTreatedAsExpired = (credentials) =>
  credentials?.expiration !== undefined && credentials.expiration.getTime() - Date.now() < 300_000;
