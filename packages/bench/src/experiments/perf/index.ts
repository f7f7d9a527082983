// `loop-bench perf`: ms per training step (ours and PyTorch's alternately), GFLOP/s against the
// matmul peak, HVP / gradient, the full toy Hessian, memory. Config in ./config, measurements in
// ./measure, the report in ./report.

import * as tf from '@tensorflow/tfjs';
import { defineExperiment } from '../../experiment';
import { peakRssMiB } from './timing';
import { PERF_PROFILES, schema, type PerfConfig } from './config';
import { measureAll } from './measure';
import { perfReport } from './report';

export const perfExperiment = defineExperiment({
  name: 'perf',
  summary:
    'ms per training step (fwd+bwd+AdamW), tokens/s, GFLOP/s vs matmul peak, HVP/gradient, full Hessian; optional PyTorch peer',
  flags: [
    {
      flags: '--peer <name>',
      description:
        'torch: also run peers/torch_step.py (PyTorch CPU) alternately and report the ratio per config (config field "peer")',
      field: 'peer',
    },
    {
      flags: '--json <file>',
      description: 'also write the results as JSON to this file (config field "json")',
      field: 'json',
    },
  ],
  help: [
    '--peer torch and --json FILE set the config fields "peer" and "json"; the other fields go in a --config JSON file:',
    '  {"python": "/usr/bin/python3", "peerThreads": 2, "rounds": 3, "configs": [...]}',
    'The wasm backend runs its matrix products on --threads threads (default: one per core); the peer uses peerThreads.',
    `Peer install (Debian): apt-get install -y python3-torch libopenblas0-pthread. Without it the peer is reported as unavailable and perf still runs.`,
    'Timings on a loaded machine are noisy: medians with the interquartile range are reported.',
  ].join('\n'),
  schema,
  profiles: PERF_PROFILES,
  async run(ctx) {
    const cfg: PerfConfig = ctx.config;
    const tensorsStart = tf.memory().numTensors;
    const measured = await measureAll(ctx, cfg, ctx.progress.start('perf', cfg.configs.length + 3));
    const tensorsEnd = tf.memory().numTensors;
    return perfReport(ctx, cfg, measured, { start: tensorsStart, end: tensorsEnd }, peakRssMiB());
  },
});
