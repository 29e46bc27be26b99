/**
 * The ALIN self-model (`alin-api.md` → Self-model), per user: execution outcomes, tool reliability and model success
 * rates (also recorded from every agent tool call), corrections, decisions, thinking traces, and layer memory in the
 * shared memory store.
 */
import { definePlugin } from '../../core/plugin-api/index.ts';
import { registerCorrectionRoutes } from './corrections.ts';
import { registerDecisionRoutes } from './decisions.ts';
import { registerModelRates } from './model-rates.ts';
import { registerThinkingTraces } from './thinking-traces.ts';
import { registerLayerMemory } from './layer-memory.ts';
import { registerOutcomeRoutes } from './outcomes.ts';
import { registerToolReliability } from './tool-reliability.ts';

export default definePlugin({
  name: 'alin-self-model',
  version: '1.0.0',
  description: 'ALIN self-model: outcomes, tool reliability, model success rates, corrections, decisions, thinking traces, layer memory, per user',
  setup(ctx) {
    registerOutcomeRoutes(ctx);
    registerToolReliability(ctx, registerModelRates(ctx));
    registerCorrectionRoutes(ctx);
    registerLayerMemory(ctx);
    registerDecisionRoutes(ctx);
    registerThinkingTraces(ctx);
  },
});
