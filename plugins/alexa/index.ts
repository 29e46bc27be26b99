/**
 * Alexa (`alexa`): `POST /api/alexa` answers a custom skill whose `AionCommandIntent` passes what the user said to the
 * agent. Requests are verified (signature, timestamp, `ALEXA_SKILL_ID`) unless `ALEXA_VERIFY_SIGNATURE=false`. The
 * interaction model to paste into the Alexa developer console is `interaction-model.json` beside this file.
 */
import { definePlugin } from '../../core/plugin-api/index.ts';
import { registerAlexaRoute } from './route.ts';

export default definePlugin({
  name: 'alexa',
  version: '1.0.0',
  description: 'Alexa skill endpoint: signature-verified requests answered by the agent',
  setup(ctx) {
    const answers = registerAlexaRoute(ctx);
    ctx.onUnload(() => answers.settle());
  },
});
