/**
 * Preload for profiling a server the benches start (`--cpu-prof` is not allowed in NODE_OPTIONS, `--import` is):
 * `NODE_OPTIONS="--import ./scripts/bench/cpu-profile.mjs" CPU_PROFILE_DIR=dir` writes `dir/<pid>.cpuprofile` at exit.
 * With `CPU_PROFILE_ON_SIGNAL=1` profiling starts at the first SIGUSR2 instead (after a bench's warm-up, so start-up
 * does not swamp the profile).
 */
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
  process.on('exit', () => {
    // The in-thread session answers synchronously, so this completes inside the exit handler.
    session.post('Profiler.stop', (err, result) => {
      if (err) return;
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, `${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
