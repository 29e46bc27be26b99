/**
 * Capability-scoped views of core services: a plugin's `ctx` exposes only what its `plugin.json` declared under
 * `capabilities`; anything else throws `PLUGIN_CAPABILITY_MISSING` naming the capability to declare.
 *
 * This is a contract enforced at the door of `ctx`, not a sandbox: plugin code runs in the host's process and could
 * reach `process.env` or the network by itself (see `plugins/README.md`, "What the host defends against").
 */
import type { AuthApi, HostApi, SecretsApi, WorkspaceApi } from '../plugin-api/types.ts';
import { AppError } from '../errors.ts';
import type { HostPower, PluginCapabilities } from './manifest.ts';

/**
 * The error for an undeclared capability; `capability` is written as it would appear in plugin.json, `needer` names
 * what needed it when that is not the call itself (a tool being registered).
 */
export function capabilityMissing(plugin: string, capability: string, needer?: string): AppError {
  return new AppError(
    403,
    'PLUGIN_CAPABILITY_MISSING',
    `Plugin ${plugin} has not declared the capability ${capability} in its plugin.json${needer ? ` (needed by ${needer})` : ''}`,
    { plugin, capability, ...(needer ? { needer } : {}) },
  );
}

/** May the plugin read and save this key? */
export function secretAllowed(caps: PluginCapabilities, name: string): boolean {
  return caps.secrets.includes('*') || caps.secrets.includes(name);
}

export function scopedSecrets(plugin: string, caps: PluginCapabilities, secrets: SecretsApi): SecretsApi {
  const check = (name: string) => {
    if (!secretAllowed(caps, name)) throw capabilityMissing(plugin, `"secrets": ["${name}"]`);
  };
  return {
    get: (name) => (check(name), secrets.get(name)),
    has: (name) => (check(name), secrets.has(name)),
    set: async (values) => {
      for (const name of Object.keys(values)) check(name);
      await secrets.set(values);
    },
    mask: (value) => secrets.mask(value),
  };
}

/** `ctx.host`: the read-only views for everyone, each privileged power only when declared. */
export function scopedHost(plugin: string, caps: PluginCapabilities, host: HostApi, addStat: HostApi['addStat']): HostApi {
  const power = <F extends (...args: any[]) => any>(name: HostPower, fn: F): F =>
    ((...args: any[]) => {
      if (!caps.host.includes(name)) throw capabilityMissing(plugin, `"host": ["${name}"]`);
      return fn(...args);
    }) as F;
  return {
    ...host,
    reload: power('plugins', host.reload),
    enable: power('plugins', host.enable),
    disable: power('plugins', host.disable),
    notify: power('notify', host.notify),
    settings: { get: host.settings.get, set: power('settings', host.settings.set) },
    prompts: { ...host.prompts, write: power('prompts', host.prompts.write), revert: power('prompts', host.prompts.revert) },
    addStat,
  };
}

/** `ctx.auth`: verifying callers and plan quotas for all; account management only with `"host": ["accounts"]`. */
export function scopedAuth(plugin: string, caps: PluginCapabilities, auth: AuthApi): AuthApi {
  const admin = <F extends (...args: any[]) => any>(fn: F): F =>
    ((...args: any[]) => {
      if (!caps.host.includes('accounts')) throw capabilityMissing(plugin, '"host": ["accounts"]');
      return fn(...args);
    }) as F;
  const a = auth.accounts;
  return {
    ...auth,
    accounts: {
      signup: admin(a.signup),
      login: admin(a.login),
      updateProfile: admin(a.updateProfile),
      changePassword: admin(a.changePassword),
      rotateTokens: admin(a.rotateTokens),
      list: admin(a.list),
      adminUpdate: admin(a.adminUpdate),
      usage: a.usage,
      limits: a.limits,
      // A plugin's own users' keys; creating one for any user id is account management.
      apiKeys: { create: admin(a.apiKeys.create), list: admin(a.apiKeys.list), revoke: admin(a.apiKeys.revoke) },
    },
  };
}

/** `ctx.workspace`: files for all; running code only with `"exec": true`. */
export function scopedWorkspace(plugin: string, caps: PluginCapabilities, workspace: WorkspaceApi): WorkspaceApi {
  if (caps.exec) return workspace;
  return new Proxy(workspace, {
    get(target, prop, receiver) {
      if (prop === 'execute' || prop === 'hostProgram') {
        return () => {
          throw capabilityMissing(plugin, '"exec": true');
        };
      }
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** Tools of risk `exec` or `network` need the matching capability: the one missing, as plugin.json writes it. */
export function toolRiskAllowed(caps: PluginCapabilities, risk: string): string | undefined {
  if (risk === 'exec' && !caps.exec) return '"exec": true';
  if (risk === 'network' && !caps.network) return '"network": true';
  return undefined;
}
