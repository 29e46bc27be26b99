/**
 * provider-gemini: Google Gemini through the Gemini API — streaming text, thinking (with thought signatures carried
 * across turns) and function calling; speech to text for the audio transcriber (the `gemini-audio` service).
 */
import { geminiAudio } from './audio.ts';
import { geminiEmbedder } from './embedder.ts';
import { definePlugin } from '../../core/plugin-api/index.ts';
import { createGeminiClient, resolveGeminiAuth } from './auth.ts';
import { buildRequest } from './build-request.ts';
import { API_KEY, MODELS, readBaseUrl } from './config.ts';
import { notConfigured } from '../../core/plugin-api/index.ts';
import { streamGemini } from './stream.ts';

export default definePlugin({
  name: 'provider-gemini',
  version: '1.0.0',
  description: 'Google Gemini models through the Gemini API',
  setup(ctx) {
    ctx.providers.register({
      id: 'gemini',
      label: 'Google Gemini',
      prefixes: ['gemini'],
      models: MODELS,
      envKeys: [API_KEY],
      isConfigured: () => resolveGeminiAuth(ctx) !== undefined,
      stream(request, signal) {
        // A client per call: it is cheap, and it always carries the current credential and base URL.
        const client = () => {
          const auth = resolveGeminiAuth(ctx);
          if (!auth) throw notConfigured(API_KEY);
          return createGeminiClient(auth, readBaseUrl(ctx));
        };
        return streamGemini(client, buildRequest(request), signal, ctx.log);
      },
    });
    ctx.embedders.register(geminiEmbedder(ctx));
    ctx.services.provide('gemini-audio', geminiAudio(ctx));
  },
});
