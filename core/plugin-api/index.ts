/**
 * The plugin API: the only module a plugin imports from core.
 *
 * At run time a plugin's bundle does not load this file itself: the host hands every bundle the one instance the host
 * runs with (see `core/plugins/bundle.ts`), so `AppError` from a plugin is the host's `AppError`.
 *
 * @example
 * ```ts
 * import { definePlugin } from '../../core/plugin-api/index.ts';
 * export default definePlugin({
 *   name: 'hello', version: '1.0.0',
 *   setup(ctx) { ctx.routes.get('/hello', { access: 'public' }, () => ({ hello: 'world' })); },
 * });
 * ```
 */
import type { PluginDefinition } from './types.ts';

export type * from './types.ts';
export {
  AppError, badRequest, conflict, forbidden, isAppError, notConfigured, notFound, providerError, providerErrorCode, tooMany, unauthorized,
} from '../errors.ts';

/** Types a plugin definition. An identity function: a plain object default export works the same. */
export function definePlugin<S = Record<string, unknown>>(def: PluginDefinition<S>): PluginDefinition<S> {
  return def;
}

export { PLUGIN_API_VERSION } from './version.ts';
export { KeyedSerialQueue, SerialQueue } from './serial.ts';
export { acceptedModel, acceptsModel, providerForModel, unknownModel } from './models.ts';
export { ThinkingBlocks, type ThinkingBlocksOptions } from './thinking.ts';
export { loadOnFirstUse } from './first-use.ts';
export { httpFetch, httpFetchNodeBody, takeNodeBody } from './http-fetch.ts';
export { storedJsonArray } from './stored-json.ts';
