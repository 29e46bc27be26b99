/**
 * The plugin contract: everything a plugin may touch, one file per contract. A plugin imports only `core/plugin-api`;
 * these types are the whole door into core (`spec/plugins.md`).
 */
export type * from './common.ts';
export type * from './routes.ts';
export type * from './tools.ts';
export type * from './providers.ts';
export type * from './channels.ts';
export type * from './store.ts';
export type * from './memory.ts';
export type * from './agent.ts';
export type * from './workspace.ts';
export type * from './conversations.ts';
export type * from './auth.ts';
export type * from './settings.ts';
export type * from './host.ts';
export type * from './events.ts';
export type * from './services.ts';
export type * from './context.ts';
export type * from './cluster.ts';
