// The plots of a dataset card, chosen by what the data has: the filter funnel (from stats.json), text
// length, image size and aspect ratio, per-source shares (SFT) and one histogram per score column.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StageStatsJson } from '../pipeline/stats.js';
import { barsSvg, histogramSvg, scatterSvg, svgToPng } from './charts.js';
import { histogram } from './distribution.js';
import type { DatasetProfiler } from './profile.js';

export const PLOTS_DIR = 'plots';

export interface Plot {
  /** Path relative to the card, e.g. plots/funnel.png. */
  file: string;
  title: string;
  svg: string;
}

/** About two bins per square root of the sample, 8 to 40. */
function binsFor(n: number): number {
  return Math.max(8, Math.min(40, Math.ceil(2 * Math.sqrt(n))));
}

function spansDecades(values: readonly number[]): boolean {
  const positive = values.filter((v) => v > 0);
  if (positive.length === 0) return false;
  return positive[positive.length - 1]! / positive[0]! >= 100;
}

function funnelPlot(stages: readonly StageStatsJson[]): Plot {
  const items = stages.map((s) => {
    const dropped = Object.entries(s.dropped).sort((a, b) => b[1] - a[1]);
    const total = dropped.reduce((n, [, c]) => n + c, 0);
    const note = total > 0 ? `(−${total}: ${dropped.map(([r, c]) => `${r} ${c}`).join(', ')})` : '';
    return { label: s.name, value: s.out, note };
  });
  return {
    file: `${PLOTS_DIR}/funnel.png`,
    title: 'Filter funnel',
    svg: barsSvg({ title: 'Filter funnel: records out of each stage', xLabel: 'records', items }),
  };
}

export function choosePlots(profile: DatasetProfiler, stages: readonly StageStatsJson[] | undefined): Plot[] {
  const plots: Plot[] = [];
  if (stages && stages.length > 0) plots.push(funnelPlot(stages));
  const text = profile.textChars.values();
  if (text.length > 0) {
    const log = spansDecades(text);
    plots.push({
      file: `${PLOTS_DIR}/text-length.png`,
      title: 'Text length',
      svg: histogramSvg({
        title: `Text length per record (${profile.textChars.count} records)`,
        xLabel: log ? 'characters (log scale; empty texts counted as 1)' : 'characters',
        bins: histogram(log ? text.map((v) => Math.max(1, v)) : text, binsFor(text.length), log),
        log,
      }),
    });
  }
  if (profile.imageWidth.count > 0) {
    plots.push({
      file: `${PLOTS_DIR}/image-size.png`,
      title: 'Image size',
      svg: scatterSvg({
        title: `Image size (${profile.imageWidth.count} images${profile.imageSizes.seen > profile.imageSizes.points.length ? `, ${profile.imageSizes.points.length} sampled` : ''})`,
        xLabel: 'width (px, log scale)',
        yLabel: 'height (px, log scale)',
        points: profile.imageSizes.points,
      }),
    });
    plots.push({
      file: `${PLOTS_DIR}/aspect-ratio.png`,
      title: 'Aspect ratio',
      svg: histogramSvg({
        title: `Aspect ratio, width / height (${profile.aspectRatio.count} images)`,
        xLabel: 'width / height (log scale)',
        bins: histogram(profile.aspectRatio.values(), binsFor(profile.aspectRatio.count), true),
        log: true,
      }),
    });
  }
  const sources = profile.categories.get('source (turns)');
  if (sources && sources.total > 0) {
    plots.push({
      file: `${PLOTS_DIR}/sources.png`,
      title: 'Per-source shares',
      svg: barsSvg({
        title: `Share of conversation turns by source (${sources.total} turns)`,
        xLabel: 'share of turns',
        items: sources.top(16).map(([label, value]) => ({ label, value })),
        percent: true,
      }),
    });
  }
  for (const [name, score] of [...profile.scores].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    plots.push({
      file: `${PLOTS_DIR}/score-${name.replace(/[^a-zA-Z0-9_-]+/g, '_')}.png`,
      title: `${name} score`,
      svg: histogramSvg({
        title: `${name}_score (${score.values.count} scored, ${score.nulls} unscored)`,
        xLabel: `${name} score`,
        // Probabilities and similarities in [0, 1] are drawn on the whole interval, 20 bins of 0.05.
        bins:
          score.values.min >= 0 && score.values.max <= 1
            ? histogram(score.values.values(), 20, false, { min: 0, max: 1 })
            : histogram(score.values.values(), binsFor(score.values.count)),
      }),
    });
  }
  return plots;
}

/** Renders the plots to PNG files under `dir`; returns their paths relative to `dir`. */
export async function writePlots(dir: string, plots: readonly Plot[]): Promise<string[]> {
  if (plots.length > 0) await mkdir(join(dir, PLOTS_DIR), { recursive: true });
  const written: string[] = [];
  for (const plot of plots) {
    await writeFile(join(dir, plot.file), await svgToPng(plot.svg));
    written.push(plot.file);
  }
  return written;
}
