/**
 * @koa/router through its CommonJS build. Its ES build imports `node:http` as an ES module, and the ES facade of a
 * built-in reads every export — `node:http`'s `WebSocket`, `CloseEvent` and `MessageEvent` getters load undici with
 * tls and http2, ~10 MB of resident memory a server that never fetches does not need (issue #16).
 */
import { createRequire } from 'node:module';
import type KoaRouter from '@koa/router';

export const Router = (createRequire(import.meta.url)('@koa/router') as { default: typeof KoaRouter }).default;
export type Router = KoaRouter;
