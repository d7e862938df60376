// The gateway client: typed functions per endpoint, all through Grafana's plugin route proxy.
export * from './servers';
export * from './probes';
export * from './schedules';
export * from './probing';
export * from './gateways';
export * from './sharedAccounts';
export { GatewayError, isGatewayError, toGatewayError, type GatewayErrorKind } from './errors';
export { gatewayRequest, toQueryString, type GatewayRequest, type HttpMethod } from './client';
export type * from './types';
