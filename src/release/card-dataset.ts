// `weft card DIR`: reads a dataset once, writes README.md and plots/ into it, then manifest.json.
import { stat } from 'node:fs/promises';
import { relative, sep } from 'node:path';
import { type CardOptions, type CardResult, writeCard } from './card.js';
import { type Manifest, writeManifest } from './manifest.js';
import { openScan, scanAll } from './scan-dataset.js';

export interface CardRun extends CardResult {
  rows: number;
  manifest: Manifest;
}

export async function cardDataset(dir: string, options: CardOptions = {}): Promise<CardRun> {
  const scan = await openScan(dir);
  await scanAll(scan);
  const rel = (p: string) => relative(dir, p).split(sep).join('/');
  const plain = scan.splits.length === 1 && scan.splits[0]!.handle.dir === dir;
  const files: { path: string; bytes: number }[] = [];
  for (const s of scan.summaries)
    for (const f of s.dataFiles) files.push({ path: rel(f), bytes: (await stat(f)).size });
  const result = await writeCard(
    scan,
    {
      dir,
      format: 'arrow',
      dataFiles: scan.summaries.map((s) => ({
        split: s.name,
        path: plain ? 'data-*.arrow' : `${s.name}/data-*.arrow`,
      })),
      files,
      withFeatures: true,
      loadSnippet: [
        'from datasets import load_from_disk',
        `ds = load_from_disk("${scan.name}")   # this folder, as written by weft`,
        '# once uploaded to the Hub as it is: load_dataset("<user>/<repo>") reads the Arrow files',
      ].join('\n'),
    },
    options,
  );
  const manifest = await writeManifest(dir, {
    dataWeftVersion: scan.stats?.weftVersion ?? null,
    job: scan.stats?.job ?? null,
    configHash: scan.stats?.fingerprint ?? null,
    format: 'arrow',
    splits: Object.fromEntries(
      scan.summaries.map((s) => [s.name, { rows: s.rows, files: s.dataFiles.map(rel) }]),
    ),
  });
  return { ...result, rows: scan.summaries.reduce((n, s) => n + s.rows, 0), manifest };
}
