// The gateway's pure threshold -> alert-rule mapping (gateway/src/alerting), bundled into the plugin from its source so
// the rules Grafana gets and the rules file the gateway exports come from one piece of code.
export * from '../../../gateway/src/alerting/index.js';
