/**
 * Preload for profiling a server the benches start (`--cpu-prof` is not allowed in NODE_OPTIONS, `--import` is):
 * `NODE_OPTIONS="--import ./scripts/bench/cpu-profile.mjs" CPU_PROFILE_DIR=dir` writes `dir/<pid>.cpuprofile` at exit.
 * With `CPU_PROFILE_ON_SIGNAL=1` profiling starts at the first SIGUSR2 instead (after a bench's warm-up, so start-up
 * does not swamp the profile). With `CPU_PROFILE_UNTIL_FIRST_RESPONSE=1` the profile ends when the server has finished
 * its first HTTP response (a cold start to its first 200, start-ab.mjs `--profile`), and is written then.
 */
import dc from 'node:diagnostics_channel';
import { Session } from 'node:inspector';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const dir = process.env.CPU_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: Number(process.env.CPU_PROFILE_INTERVAL ?? 200) });
  if (process.env.CPU_PROFILE_ON_SIGNAL) process.once('SIGUSR2', () => session.post('Profiler.start'));
  else session.post('Profiler.start');
  let written = false;
  // The in-thread session answers synchronously, so this completes inside an exit handler too.
  const stopAndWrite = () => {
    if (written) return;
    written = true;
    session.post('Profiler.stop', (err, result) => {
      if (err) return;
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, `${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  };
  if (process.env.CPU_PROFILE_UNTIL_FIRST_RESPONSE) {
    const onFinish = () => {
      dc.unsubscribe('http.server.response.finish', onFinish);
      stopAndWrite();
    };
    dc.subscribe('http.server.response.finish', onFinish);
  }
  process.on('exit', stopAndWrite);
}
