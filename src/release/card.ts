// `weft card`: writes README.md (Hub YAML front matter + body) and its plots for a dataset, from one
// read of the data and its stats.json. Also used by `weft export` for the exported copy.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../dataset/dataset-files.js';
import { WeftError } from '../errors.js';
import { loadJob } from '../jobs/index.js';
import {
  configSection,
  distributionsSection,
  filesSection,
  funnelSection,
  kindText,
  limitationsSection,
  optOutSection,
  scoresSection,
  sourcesSection,
} from './card-body.js';
import { fmt } from './card-format.js';
import { frontMatter, KIND_TAGS, TASK_CATEGORIES } from './card-yaml.js';
import { fontsAvailable } from './charts.js';
import { choosePlots, writePlots } from './plots.js';
import type { DatasetScan } from './scan-dataset.js';

export const CARD_FILE = 'README.md';
export const CARD_MARKER = '<!-- weft card:';

export interface CardOptions {
  /** Hub licence id (default `unknown`). */
  license?: string | undefined;
  licenseName?: string | undefined;
  licenseLink?: string | undefined;
  /** ISO 639 codes; web documents default to the languages identified in them. */
  languages?: string[] | undefined;
  prettyName?: string | undefined;
  taskCategories?: string[] | undefined;
  /** Who to contact for removal requests. */
  contact?: string | undefined;
  /** Replace a README.md that weft did not write. */
  overwrite?: boolean | undefined;
}

export interface CardTarget {
  /** Directory that gets README.md and plots/. */
  dir: string;
  format: 'arrow' | 'parquet' | 'webdataset';
  /** Per split, the glob (relative to `dir`) of its data files. */
  dataFiles: { split: string; path: string }[];
  /** The data files, relative to `dir`, with sizes. */
  files: { path: string; bytes: number }[];
  /** Whether `dataset_info.features` describes the files (not for webdataset, whose columns are inferred). */
  withFeatures: boolean;
  loadSnippet: string;
  /** Known limitations of this particular copy (e.g. of an export format). */
  notes?: string[];
}

export interface CardResult {
  path: string;
  plots: string[];
  warnings: string[];
}

/** Refuses to replace a README.md that weft did not generate, unless told to. */
export async function assertCardWritable(dir: string, overwrite: boolean | undefined): Promise<void> {
  const path = join(dir, CARD_FILE);
  if (!existsSync(path) || overwrite) return;
  const text = await readFile(path, 'utf8');
  if (!text.includes(CARD_MARKER)) {
    throw new WeftError(
      'E_OUTPUT',
      `${path} exists and was not written by weft; pass --overwrite to replace it (its text would be lost)`,
      { data: { path } },
    );
  }
}

function declaredLanguages(scan: DatasetScan, options: CardOptions): string[] {
  if (options.languages && options.languages.length > 0) return options.languages;
  const c = scan.profile.categories.get('language');
  if (!c) return [];
  return c
    .top(50)
    .filter(([code, n]) => /^[a-z]{2,3}$/.test(code) && n / c.total >= 0.01)
    .map(([code]) => code);
}

/** Writes the card of a scanned dataset (every split already read) into `target.dir`. */
export async function writeCard(
  scan: DatasetScan,
  target: CardTarget,
  options: CardOptions = {},
): Promise<CardResult> {
  await assertCardWritable(target.dir, options.overwrite);
  const { profile, stats } = scan;
  const warnings: string[] = [];
  const fontsOk = await fontsAvailable();
  if (!fontsOk)
    warnings.push(
      'no usable font found by fontconfig: plot labels render as boxes (install a font, e.g. the Debian package fonts-dejavu-core)',
    );
  const plots = choosePlots(profile, stats?.stages);
  const written = await writePlots(target.dir, plots);
  let description: string | undefined;
  if (stats)
    description = await loadJob(stats.job).then(
      (j) => j.description,
      () => undefined,
    );
  const rows = scan.summaries.reduce((n, s) => n + s.rows, 0);
  const yaml = frontMatter({
    prettyName: options.prettyName,
    license: options.license ?? 'unknown',
    licenseName: options.licenseName,
    licenseLink: options.licenseLink,
    languages: declaredLanguages(scan, options),
    taskCategories: options.taskCategories ?? TASK_CATEGORIES[scan.layout.name],
    tags: ['weft', ...KIND_TAGS[scan.layout.name]],
    rows,
    dataFiles: target.dataFiles,
    features: target.withFeatures ? scan.features : undefined,
    splits: scan.summaries.map((s) => ({ name: s.name, numBytes: s.arrowBytes, numExamples: s.rows })),
    downloadSize: target.files.reduce((n, f) => n + f.bytes, 0),
  });
  const plot = (file: string) => {
    const p = plots.find((x) => x.file === file);
    return p ? `![${p.title}](${p.file})` : '';
  };
  const splitText = scan.summaries.map((s) => `${fmt(s.rows)} in \`${s.name}\``).join(', ');
  const sections: [string, string][] = [
    [
      'Dataset structure',
      [
        `Each row is one record of ${kindText(scan.layout.name)}.`,
        `Columns: ${Object.keys(scan.features)
          .map((c) => `\`${c}\``)
          .join(', ')}. Model scores, where present, are \`<scorer>_score\` float32 columns.`,
        `\`\`\`python\n${target.loadSnippet}\n\`\`\``,
      ].join('\n\n'),
    ],
    ['Sources', [sourcesSection(profile), plot('plots/sources.png')].filter(Boolean).join('\n\n')],
  ];
  if (stats) {
    sections.push(['How it was made', configSection(stats, scan.name, description)]);
    sections.push([
      'Filter funnel',
      [funnelSection(stats), plot('plots/funnel.png')].filter(Boolean).join('\n\n'),
    ]);
  }
  sections.push([
    'Counts and distributions',
    [
      distributionsSection(profile),
      plot('plots/text-length.png'),
      plot('plots/image-size.png'),
      plot('plots/aspect-ratio.png'),
    ]
      .filter(Boolean)
      .join('\n\n'),
  ]);
  if (profile.scores.size > 0) {
    const scoreParts = [...profile.scores.keys()]
      .sort()
      .map((name) => plot(`plots/score-${name.replace(/[^a-zA-Z0-9_-]+/g, '_')}.png`));
    sections.push(['Model scores', [scoresSection(profile), ...scoreParts].join('\n\n')]);
  }
  sections.push(['Opt-out handling', optOutSection(stats, options.contact)]);
  const notes = (target.notes ?? []).map((n) => `- ${n}`);
  sections.push(['Known limitations', [limitationsSection(profile, stats, fontsOk), ...notes].join('\n')]);
  sections.push(['Files', filesSection(target.files, scan.summaries)]);
  const title = options.prettyName ?? scan.name;
  const body = [
    `${CARD_MARKER} generated from the data and its stats.json by weft; re-run \`weft card\` rather than editing the numbers. -->`,
    `# ${title}`,
    `${fmt(rows)} rows (${splitText}) of ${scan.layout.name}${stats ? `, built by weft ${stats.weftVersion} with the \`${stats.job}\` job` : ''}.`,
    ...sections.map(([heading, text]) => `## ${heading}\n\n${text}`),
  ].join('\n\n');
  const path = join(target.dir, 'README.md');
  await writeFileAtomic(path, `${yaml}\n${body}\n`);
  return { path, plots: written, warnings };
}
