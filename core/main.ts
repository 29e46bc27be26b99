/**
 * Entry point: start the server, print where it listens, keep serving whatever a plugin throws, shut down cleanly on
 * SIGINT/SIGTERM.
 */
import { startServer } from './app.ts';
import { createLogger } from './log.ts';

const log = createLogger(process.env.LOG_LEVEL ?? 'info');

// A plugin's timer or event handler must never take the host down: log it and charge it to the plugin.
let running: Awaited<ReturnType<typeof startServer>> | undefined;
const onUncaught = (kind: string) => (error: unknown) => {
  const stack = String((error as Error)?.stack ?? error);
  const plugin = running?.core.host.chargeError(stack);
  log.error({ kind, plugin, err: { message: String((error as Error)?.message ?? error), stack } }, plugin ? `uncaught error in plugin ${plugin}` : 'uncaught error');
};
process.on('uncaughtException', onUncaught('uncaughtException'));
process.on('unhandledRejection', onUncaught('unhandledRejection'));

try {
  running = await startServer({}, log);
} catch (error: any) {
  if (error?.name === 'StartupRefusedError') {
    // Damaged data the server must not guess about: a plain message for the operator, no stack (it is not a bug).
    log.fatal({ reason: String(error.message) }, 'refusing to start');
    process.stderr.write(`${error.message}\n`);
    process.exit(typeof error.exitCode === 'number' ? error.exitCode : 1);
  }
  log.fatal({ err: { message: String(error?.message ?? error), stack: error?.stack } }, 'failed to start');
  process.exit(1);
}
const { url, port } = running;
log.info({ url, port }, 'AION listening');
// Plain line for people and for tools that wait for the port (PORT=0 picks one).
process.stdout.write(`AION listening on ${url} (port ${port})\n`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, async () => {
    if (stopping) process.exit(1);
    stopping = true;
    log.info({ signal }, 'shutting down');
    await running?.close();
    process.exit(0);
  });
}
