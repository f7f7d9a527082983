// The gpu bundle's entry (see tools/gpu-bundle.mjs): the loop-bench CLI, with the optional WebGPU
// packages loaded from inside the bundle instead of node_modules.
import { main } from '@loop/bench';
import { setWebGpuModules } from '@loop/models';

setWebGpuModules({
  dawn: () => import('webgpu'),
  backend: () => import('@tensorflow/tfjs-backend-webgpu'),
});

process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});
process.exitCode = await main(process.argv);
