/**
 * The ALIN self-model (`alin-api.md` → Self-model), per user: execution outcomes, tool reliability (also recorded
 * from every agent tool call), corrections, and layer memory in the shared memory store.
 */
import { definePlugin } from '../../core/plugin-api/index.ts';
import { registerCorrectionRoutes } from './corrections.ts';
import { registerLayerMemory } from './layer-memory.ts';
import { registerOutcomeRoutes } from './outcomes.ts';
import { registerToolReliability } from './tool-reliability.ts';

export default definePlugin({
  name: 'alin-self-model',
  version: '1.0.0',
  description: 'ALIN self-model: outcomes, tool reliability, corrections, layer memory, per user',
  setup(ctx) {
    registerOutcomeRoutes(ctx);
    registerToolReliability(ctx);
    registerCorrectionRoutes(ctx);
    registerLayerMemory(ctx);
  },
});
