/** Where this provider's settings come from. Read at every call so a host saved at run time works without a restart. */
import type { PluginContext } from '../../core/plugin-api/index.ts';

/** The Ollama server (`http://127.0.0.1:11434`, `gpu-box:11434`). */
export const HOST = 'OLLAMA_HOST';
export const DEFAULT_HOST = 'http://127.0.0.1:11434';
/** Names may carry this prefix (`ollama/llama3.2`) to pick the provider; Ollama itself knows them without it. */
export const MODEL_PREFIX = 'ollama/';

/** Suggested models; any local model name is accepted. */
export const MODELS = ['ollama/llama3.2', 'ollama/qwen3', 'ollama/gpt-oss', 'ollama/deepseek-r1'];

/** The configured host, or `undefined` when `OLLAMA_HOST` is not set. */
export function configuredHost(ctx: Pick<PluginContext, 'secrets'>): string | undefined {
  return ctx.secrets.get(HOST);
}

/** `ollama/llama3.2` → `llama3.2`. */
export function localModelName(model: string): string {
  return model.startsWith(MODEL_PREFIX) ? model.slice(MODEL_PREFIX.length) : model;
}
