/**
 * `ctx.cluster` of one plugin generation: leases, claims and topics are prefixed with the plugin's name (a plugin
 * cannot lead, claim or hear another plugin's), handlers run on the generation (counted, never after it retired),
 * and everything is released when the generation unloads.
 */
import type { ClusterApi, ClusterLease } from '../plugin-api/types.ts';
import type { Generation } from '../plugins/generation.ts';
import type { Cluster } from './types.ts';

const NAME = /^[A-Za-z0-9:._-]{1,100}$/;

function checked(kind: string, name: string): string {
  if (!NAME.test(name)) throw new Error(`invalid cluster ${kind} "${name}"`);
  return name;
}

export function pluginCluster(cluster: Cluster, gen: Generation): ClusterApi {
  const scope = `plugin:${gen.plugin}:`;
  const onGeneration = (fn: () => unknown) => () => (gen.retired ? undefined : gen.enter(() => fn()));
  return {
    shared: cluster.shared,
    lead(name, handlers): ClusterLease {
      const lease = cluster.leases.lead(scope + checked('lease', name), { onLead: onGeneration(handlers.onLead), onLose: () => handlers.onLose() });
      gen.ledger.unloads.push(() => lease.release());
      return lease;
    },
    once: (job, due) => cluster.runOnce(scope + checked('job', job), String(due)),
    publish: (topic, payload = {}) => cluster.bus.publish(scope + checked('topic', topic), payload),
    subscribe(topic, handler) {
      const off = cluster.bus.subscribe(scope + checked('topic', topic), (payload, meta) => (meta.fromSelf || gen.retired ? undefined : gen.enter(() => handler(payload))));
      gen.ledger.unloads.push(off);
    },
  };
}
