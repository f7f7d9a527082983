export { createRng, cyrb128, shuffleInPlace, type Rng, type RngState } from './rng';
export {
  TASK_NAMES,
  type AlgorithmicTask,
  type Batch,
  type BatchOptions,
  type Example,
  type ReferenceSettings,
  type SampleMode,
  type SampleOptions,
  type TaskName,
} from './types';
export { getTask, isTaskName } from './tasks/registry';
export { MAX_BATCH_SIZE } from './tasks/define';
export { MAX_BIT_LENGTH } from './tasks/binary-vocab';
export { MAX_BINARY_SUM_LENGTH } from './tasks/binary-sum';
export { UNIQUE_SET_VALUES } from './tasks/unique-set';
export { MULTIPLICATION_TEST_M } from './tasks/multiplication';
export { batchRow, sliceBatch, splitBatch } from './batch';
export { curriculum, curriculumRampSteps, type CurriculumSpec } from './curriculum';
export {
  DEFAULT_MARKOV_ALPHA,
  DEFAULT_MARKOV_CONCENTRATION,
  DEFAULT_MARKOV_SIZE,
  MAX_MARKOV_DATASET,
  MAX_MARKOV_ENUMERATION,
  markovLanguage,
  PAPER_MARKOV_LANGUAGE_SEEDS,
  type BayesPrediction,
  type LengthGeneralizationSet,
  type MarkovDataset,
  type MarkovLanguage,
  type MarkovOptions,
  type MarkovSequence,
  type MarkovSplit,
} from './markov';
export {
  GPT2_END_OF_TEXT,
  GPT2_END_OF_TEXT_ID,
  GPT2_VOCAB_SIZE,
  gpt2Tokenizer,
  taskTokenizer,
  type Tokenizer,
} from './tokenizers';
export { textDataset, type TextDataset, type TextDatasetOptions } from './text-dataset';
export { batchToTensors, type BatchTensors } from './tensors';
export { TaskArgumentError } from './validation';
