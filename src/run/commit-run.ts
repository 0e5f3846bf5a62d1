// `weft commit DIR`: assembles the dataset of a run whose tasks ran as separate processes, once, under
// a lock that other committers wait on.
import { join } from 'node:path';
import { commitDataset, isCommitted, readMarkers, readStatsFile, type StatsFile } from '../dataset/commit.js';
import { weftSchemaMetadata } from '../dataset/dataset-sink.js';
import { WeftError } from '../errors.js';
import { loadJob } from '../jobs/index.js';
import { type Logger, silentLogger } from '../pipeline/logger.js';
import { parseOptions } from '../pipeline/options.js';
import { LeaseHolder } from './lease.js';
import { holdersDir, interrupted, sleep } from './task-set.js';
import { type RunInfo, Workspace } from './workspace.js';

export interface CommitRunOptions {
  maxShardBytes?: number;
  log?: Logger;
  signal?: AbortSignal;
  leaseMs?: number;
}

/**
 * `weft commit DIR`: assembles a dataset whose tasks were run separately (array jobs, queue workers).
 * If another process is committing it right now, waits for that one instead of racing it.
 */
export async function commitRun(outDir: string, options: CommitRunOptions = {}): Promise<StatsFile> {
  const log = options.log ?? silentLogger;
  const workspace = new Workspace(outDir);
  const committedStats = async () => {
    const stats = isCommitted(outDir) ? await readStatsFile(outDir) : undefined;
    if (stats) return stats;
    throw new WeftError('E_INPUT', `${outDir} holds no weft run to commit`, { data: { path: outDir } });
  };
  if (!workspace.exists()) return committedStats();
  let run: RunInfo;
  try {
    run = await workspace.readRunInfo();
    // Fails early, naming the unfinished tasks, before taking any lock.
    await readMarkers(workspace, run);
  } catch (error) {
    // Another process finished the commit (and removed .weft) while we looked.
    if (!workspace.exists() && isCommitted(outDir)) return committedStats();
    throw error;
  }
  const job = await loadJob(run.job);
  const layout = job.layout(parseOptions(`${job.name} options`, job.options, run.options));
  const holder = await new LeaseHolder(holdersDir(outDir), options.leaseMs).start();
  const lock = join(workspace.root, 'commit.lock');
  let waiting = false;
  try {
    for (;;) {
      if (!workspace.exists()) return committedStats();
      if (options.signal?.aborted) throw interrupted('while waiting for another commit', outDir);
      if (await holder.tryAcquire(lock)) break;
      if (!waiting) {
        const owner = await holder.liveOwner(lock);
        log.info(
          `${outDir} is being committed by ${owner ? `${owner.host} pid ${owner.pid}` : 'another process'}; waiting`,
        );
      }
      waiting = true;
      await sleep(500, options.signal);
    }
    try {
      if (!workspace.exists()) return committedStats();
      return await commitDataset(workspace, {
        features: layout.features,
        maxShardBytes: options.maxShardBytes ?? 500_000_000,
        metadata: weftSchemaMetadata(layout.name),
        description: job.description,
      });
    } finally {
      if (workspace.exists()) await holder.release(lock);
    }
  } finally {
    await holder.stop();
  }
}
