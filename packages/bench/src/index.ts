export { VERSION } from './version';
export { defineExperiment } from './experiment';
export type {
  Experiment,
  ExperimentContext,
  ExperimentOutput,
  MetricRecord,
  HistogramRecord,
} from './experiment';
export { EXPERIMENTS, findExperiment } from './experiments/registry';
export { main, buildProgram, COMMANDS } from './program';
export type { CommandInstaller, MainOptions } from './program';
export { runExperiment, writeReport } from './runner';
export type { RunOptions, RunResult } from './runner';
export { PROFILE_NAMES, BACKEND_NAMES, PROFILE_PURPOSE } from './config/profiles';
export type { ProfileName, BackendName, ProfileSettings } from './config/profiles';
export {
  ConfigError,
  resolveConfig,
  validateCliOptions,
  readConfigFile,
  cliOptionsSchema,
} from './config/resolve';
export type { CliOptions, ResolvedConfig } from './config/resolve';
export { deepMerge } from './config/merge';
export { RunDir, RunDirError, checkRunDir, RUN_DIR_ENTRIES } from './io/run-dir';
export type { OpenMode } from './io/run-dir';
export { writeFileAtomic, writeJsonAtomic } from './io/atomic';
export { createProgress, silentProgress } from './progress';
export type { Progress, ProgressTask } from './progress';
export { createLogger } from './log';
export type { Logger } from './log';
export { renderTextTable, formatCell } from './summary-table';
export type { Table, Cell } from './summary-table';
export { vegaLiteToSvg, svgToPng } from './charts/render';
export type { VegaLiteSpec } from './charts/render';
export { lineChart, histogramChart, barChart } from './charts/specs';
export type { Datum, LineChartOptions, HistogramOptions, BarChartOptions } from './charts/specs';
export { importEsm } from './charts/esm-import';
export { renderMarkdown, markdownTable } from './report/markdown';
export { renderHtml, htmlTable } from './report/html';
export type { ReportBlock, ReportSection, ReportDocument } from './report/types';
export { crc32c, maskedCrc32c } from './tensorboard/crc32c';
export { frameRecord } from './tensorboard/record';
export { encodeSummaryEvent, encodeFileVersionEvent, histogramOf } from './tensorboard/proto';
export type { Histogram, SummaryValue } from './tensorboard/proto';
export { EventFileWriter } from './tensorboard/writer';
export {
  markovExperiment,
  hessianExperiment,
  lengthGenExperiment,
  shiftExperiment,
  theoryExperiment,
} from './experiments/markov';
export { spread, pct, num, meanSeries } from './stats';
export type { Spread } from './stats';
// The perf harness: the timed training step and its inputs, for timing scripts of one's own.
export {
  createTrainStep,
  randomBatch,
  gptConfigOf,
  wasmHeapBytes,
  PERF_ADAMW,
  PERF_CLIP_NORM,
} from './experiments/perf/train-step';
export type { StepConfig, TrainStepBench } from './experiments/perf/train-step';
export { summarize } from './experiments/perf/timing';
export type { TimingSummary } from './experiments/perf/timing';
