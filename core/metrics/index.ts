/** Prometheus metrics of the server: the registry and recorders, the HTTP middleware, the agent wrapper. */
export { registry, recordPluginLoad, recordToolCall, pluginErrors } from './registry.ts';
export { recordHttpRequest, metricsEndpoint } from './http.ts';
export { instrumentAgent } from './agent.ts';
