// Public API: re-exports only.

export { main } from './cli/main.js';
export { layoutOf, openDataset, readDatasetRows } from './dataset/dataset-reader.js';
export { arrowSchema, type Feature, type Features, f as feature, toHfFeatures } from './dataset/features.js';
export * from './dataset/layouts/index.js';
export { ShardWriter } from './dataset/shard-writer.js';
export { ERROR_CODES, isWeftError, WeftError, type WeftErrorCode } from './errors.js';
export { defineFilter, type FilterDefinition, type FilterFactory, filters } from './filters/index.js';
export { scorePolicy } from './model-check/score-policy.js';
export { scoreSamples } from './model-check/score-stage.js';
export type { ItemOutcome, ScoreItem, Scorer } from './model-check/scorer.js';
export { ClipScorer } from './model-check/scorers/clip-onnx.js';
export { loadNsfwjsClassifier, type NsfwClassifier, NsfwScorer } from './model-check/scorers/nsfw.js';
export { VlmScorer } from './model-check/scorers/vlm.js';
export { batched } from './pipeline/batched.js';
export { createLogger, type Logger } from './pipeline/logger.js';
export { mapConcurrent } from './pipeline/map-concurrent.js';
export { parseOptions } from './pipeline/options.js';
export { type Pipeline, type PipelineResult, runPipeline } from './pipeline/run-pipeline.js';
export {
  defineStage,
  fromIterable,
  type Sink,
  type Source,
  type Stage,
  type StageContext,
  type TaskInfo,
} from './pipeline/stage.js';
export { mergeStageStats, StageStats, type StageStatsJson } from './pipeline/stats.js';
export * from './records/index.js';
export { cardDataset } from './release/card-dataset.js';
export { exportParquet } from './release/export-parquet.js';
export { exportWebdataset } from './release/export-webdataset.js';
export { defineJob, type JobDefinition, type TaskSpec } from './run/job.js';
export { commitRun, type RunJobOptions, type RunSummary, runJob } from './run/run-job.js';
export { runTask, type TaskAssignment } from './run/run-task.js';
