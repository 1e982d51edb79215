export { startLocalGateway, GRAPHQL_PATH, MAX_BODY_BYTES } from './local-server.js';
export type { LocalGateway, LocalGatewayOptions } from './local-server.js';
export { createGatewaySchema, typeDefs, MAX_PAGE_SIZE } from './schema.js';
export type { GatewaySchemaOptions } from './schema.js';
export { createGatewayServer } from './server.js';
export type { GatewayServerOptions } from './server.js';
export { executeGraphQLHttp } from './http.js';
export type { GraphQLHttpRequest, GraphQLHttpResponse } from './http.js';
export { createAuthenticator, authOptionsFromEnv, callerOf, userPoolIdOf } from './auth.js';
export type { AuthOptions, Authentication, Authenticator, Jwks } from './auth.js';
export { authorize } from './context.js';
export type { GatewayContext } from './context.js';
export { formatGatewayError, consoleErrorLogger, INTERNAL_MESSAGE } from './errors.js';
export type { ErrorLogger } from './errors.js';
export { serviceClientsForStage } from './services.js';
export type { ServiceClient, ServiceClients } from './services.js';
export type { DirectoryCaller, NewUser, UserAccount, UserDirectory } from './users/directory.js';
export { unconfiguredUserDirectory } from './users/directory.js';
export { CognitoUserDirectory } from './users/cognito.js';
export {
  USERNAME_PATTERN,
  MIN_PASSWORD_LENGTH,
  MAX_PASSWORD_LENGTH,
  checkNewUser,
  decideCreateUser,
  decideDeletion,
  decidePasswordChange,
  decidePasswordReset,
  decideRoleChange,
  usernameTaken,
} from './users/domain/rules.js';
export type { UserFacts } from './users/domain/rules.js';
export { ExecutionEventBroker, executionEventBroker, executionIdOf } from './subscriptions/broker.js';
export type { BrokerOptions, BrokerSubscription } from './subscriptions/broker.js';
export { serveGraphQLOverWebSocket } from './subscriptions/ws.js';
export type { ConnectionParams } from './subscriptions/ws.js';
export { createSubscriptionFanout, handler as subscriptionFanoutHandler } from './handlers/subscription-fanout.js';
export type { FanoutResult, SubscriptionsMode } from './handlers/subscription-fanout.js';
