// Loaded with `node --import` into the gateway only when BENCH_PROFILE=1.
//
// `--cpu-prof` writes its profile when the process exits normally (including process.exit()),
// not when a signal kills it. If the gateway installs its own SIGTERM handler (Nest shutdown
// hooks), that handler runs and this one stays out of the way; if nothing else handles SIGTERM,
// exit cleanly so the profile is written. Either way, force an exit after a few seconds.
process.on('SIGTERM', () => {
  const othersHandle = process.listenerCount('SIGTERM') > 1;
  setTimeout(() => process.exit(0), othersHandle ? 5_000 : 0).unref();
});

export {};
