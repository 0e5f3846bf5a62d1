// The sections of a dataset card's body. Every number comes from the data (the profile) or from the
// run's stats.json; the prose around them only explains.
import { stringify } from 'yaml';
import type { StatsFile } from '../dataset/commit.js';
import type { StageStatsJson } from '../pipeline/stats.js';
import { bytesText, DISTRIBUTION_HEADER, distributionRow, fmt, percent, table } from './card-format.js';
import type { Distribution } from './distribution.js';
import type { DatasetProfiler } from './profile.js';

const KIND_TEXT: Record<string, string> = {
  'web-documents':
    'interleaved web documents in the OBELICS layout: `texts` and `images` are aligned lists with exactly one non-null entry per position, `metadata` holds per-image JSON and `general_metadata` per-document JSON (URL, WARC pointer, crawl date, language)',
  'image-text-pairs': 'image–text pairs: one image with its URL, caption and provenance per row',
  'pdf-pages': 'rendered PDF pages: the page image, its text in reading order and positioned words per row',
  'sft-samples':
    'SFT conversations in The Cauldron layout: `images` (list of images) and `texts` (list of user/assistant turns with their source)',
};

export function kindText(layout: string): string {
  return KIND_TEXT[layout] ?? layout;
}

function distRow(label: string, d: Distribution): string[] | undefined {
  const s = d.summary();
  return s && distributionRow(label, s);
}

export function distributionsSection(p: DatasetProfiler): string {
  const textLabel =
    p.layout === 'image-text-pairs'
      ? 'caption length (characters)'
      : p.layout === 'sft-samples'
        ? 'conversation length (user + assistant characters)'
        : p.layout === 'pdf-pages'
          ? 'page text length (characters)'
          : 'document text length (characters)';
  const rows = [
    distRow(textLabel, p.textChars),
    p.layout === 'web-documents' || p.layout === 'sft-samples'
      ? distRow(`images per ${p.layout === 'sft-samples' ? 'sample' : 'document'}`, p.imagesPerRecord)
      : undefined,
    p.layout === 'sft-samples' ? distRow('turns per sample', p.turnsPerSample) : undefined,
    distRow('image width (px)', p.imageWidth),
    distRow('image height (px)', p.imageHeight),
    distRow('aspect ratio (width / height)', p.aspectRatio),
    distRow('image file size (bytes)', p.imageBytes),
  ].filter((r): r is string[] => r !== undefined);
  if (rows.length === 0) return 'The dataset has no records.';
  const parts = [table(DISTRIBUTION_HEADER, rows)];
  const sampled = [p.textChars, p.imageWidth].some((d) => d.count > (d.summary()?.sampled ?? 0));
  if (sampled)
    parts.push(
      'Count, min, max and mean are exact; quantiles come from a uniform sample of each column (see Known limitations).',
    );
  for (const name of ['image format', 'language', 'caption source', 'needs OCR']) {
    const c = p.categories.get(name);
    if (!c || c.total === 0) continue;
    parts.push(
      `**${name}**\n\n${table(
        [name, 'count', 'share'],
        c.top(12).map(([label, n]) => [label, fmt(n), percent(n, c.total)]),
      )}`,
    );
  }
  return parts.join('\n\n');
}

export function sourcesSection(p: DatasetProfiler): string {
  const parts: string[] = [];
  const list = (name: string, title: string, limit = 15, unit = 'records') => {
    const c = p.categories.get(name);
    if (!c || c.total === 0) return;
    const top = c.top(limit);
    parts.push(
      `${title}: ${fmt(c.counts.size)} distinct.\n\n${table(
        [name, unit, 'share'],
        top.map(([label, n]) => [label, fmt(n), percent(n, c.total)]),
      )}`,
    );
  };
  if (p.layout === 'sft-samples') {
    list('source (turns)', 'Conversation turns by source dataset', 30, 'turns');
    list('source (samples)', 'Samples by source (`(mixed)`: turns from several sources)', 30, 'samples');
  }
  list('WARC file', 'WARC files the documents were extracted from');
  list('PDF', 'Source PDFs', 15, 'pages');
  list('domain', 'Domains (by page URL, or image URL where there is no page)');
  if (parts.length === 0)
    parts.push('The records carry no source information beyond what the configuration below says.');
  return parts.join('\n\n');
}

export function configSection(
  stats: StatsFile,
  datasetName: string,
  description: string | undefined,
): string {
  const config = stringify(stats.options, { lineWidth: 0 }).trimEnd();
  const oneLine = JSON.stringify(stats.options).replace(/'/g, "'\\''");
  return [
    `Built by weft ${stats.weftVersion} with the \`${stats.job}\` job${description ? ` (${description})` : ''}, in ${fmt(stats.tasks)} tasks between ${stats.createdAt} and ${stats.committedAt} (${fmt(Math.round(stats.taskTimeMs / 1000))} s of task time).`,
    `Config hash (sha256 of the job name and its resolved options): \`${stats.fingerprint}\`.`,
    `The resolved options, every default filled in (\`weft-config.yaml\`):\n\n\`\`\`yaml\n${config}\n\`\`\``,
    `To rebuild it:\n\n\`\`\`bash\nweft run ${stats.job} --config weft-config.yaml --out ${datasetName}\n# or, in one line:\nweft run ${stats.job} --options '${oneLine}' --out ${datasetName}\n\`\`\``,
    'A run with the same options and inputs has the same config hash; weft skips finished tasks when the hash matches and refuses to mix runs when it does not.',
  ].join('\n\n');
}

function funnelRows(stages: readonly StageStatsJson[], prefix = ''): string[][] {
  return stages.map((s, i) => {
    const reasons = Object.entries(s.dropped)
      .sort((a, b) => b[1] - a[1])
      .map(([r, n]) => `${r} ${fmt(n)}`)
      .join(', ');
    const dropped = Object.values(s.dropped).reduce((n, c) => n + c, 0);
    return [
      `${prefix}${i + 1}. ${s.name}`,
      i === 0 && !s.in ? '—' : fmt(s.in ?? 0),
      fmt(s.out),
      fmt(dropped),
      reasons || '—',
    ];
  });
}

export function funnelSection(stats: StatsFile): string {
  const header = ['stage', 'in', 'out', 'dropped', 'drop reasons'];
  const parts = [table(header, funnelRows(stats.stages))];
  for (const [phase, stages] of Object.entries(stats.phases ?? {})) {
    if (stages.length === 0) continue;
    parts.push(
      `Corpus-wide phase \`${phase}\` (ran over all inputs before the main tasks):\n\n${table(header, funnelRows(stages))}`,
    );
  }
  const first = stats.stages[0];
  const last = stats.stages[stats.stages.length - 1];
  if (first && last)
    parts.push(
      `The source stage produced ${fmt(first.out)} records; ${fmt(stats.rows)} rows were written (${percent(stats.rows, first.out)}).`,
    );
  return parts.join('\n\n');
}

const OPT_OUT = /opt(ed)?_?out|robots|noai|noimageai|tdm|do_not_train/i;
const FETCHING = /fetch|download|crawl/i;

export function optOutSection(stats: StatsFile | undefined, contact: string | undefined): string {
  const removal = contact
    ? `To ask for content to be removed from this dataset, contact ${contact}.`
    : 'To ask for content to be removed, contact the publisher through the page where this dataset is published (`weft card --contact` names a contact here).';
  if (!stats)
    return `This dataset has no stats.json, so weft cannot tell which opt-out signals were checked.\n\n${removal}`;
  const stages = [...stats.stages, ...Object.values(stats.phases ?? {}).flat()];
  const hits: [string, string, number][] = [];
  for (const s of stages) {
    for (const [reason, n] of Object.entries(s.dropped))
      if (OPT_OUT.test(reason)) hits.push([s.name, reason, n]);
    for (const [key, n] of Object.entries(s.counters)) if (OPT_OUT.test(key)) hits.push([s.name, key, n]);
  }
  const fetchers = stages.filter((s) => FETCHING.test(s.name)).map((s) => `\`${s.name}\``);
  const parts: string[] = [];
  if (hits.length > 0)
    parts.push(
      `Records and images removed or counted because of opt-out signals (robots.txt, \`X-Robots-Tag: noai\` and similar):\n\n${table(
        ['stage', 'reason', 'count'],
        hits.map(([stage, reason, n]) => [stage, reason, fmt(n)]),
      )}`,
    );
  else if (fetchers.length > 0)
    parts.push(`The fetching stages (${fetchers.join(', ')}) recorded no opt-out drops in this run.`);
  else
    parts.push(
      'No stage of this pipeline fetched anything from the web, so robots.txt and opt-out headers did not apply when it was built. Opt-out signals of the original sources (if any) were not re-checked.',
    );
  parts.push(removal);
  return parts.join('\n\n');
}

export function limitationsSection(
  p: DatasetProfiler,
  stats: StatsFile | undefined,
  fontsOk: boolean,
): string {
  const items: string[] = [];
  if (!stats)
    items.push('There is no stats.json: the filter funnel and the exact configuration are unknown.');
  if (p.unreadableRows > 0)
    items.push(
      `${fmt(p.unreadableRows)} rows could not be read as ${p.layout} records and are not in the distributions.`,
    );
  if (p.layout === 'web-documents' && p.imagesWithoutBytes > 0)
    items.push(
      `${fmt(p.imagesWithoutBytes)} image positions hold a URL but no image bytes; those images may no longer be available.`,
    );
  if (p.layout === 'image-text-pairs' && p.recordsWithoutImage > 0)
    items.push(`${fmt(p.recordsWithoutImage)} pairs have no image (the image column is null).`);
  if (p.recordsWithoutImage > 0 && p.layout === 'web-documents')
    items.push(
      `${fmt(p.recordsWithoutImage)} documents (${percent(p.recordsWithoutImage, p.records)}) have no image at all.`,
    );
  if (p.duplicatesTracked && p.duplicateImages > 0)
    items.push(
      `${fmt(p.duplicateImages)} images are byte-identical copies of another image in the dataset (same sha256).`,
    );
  else if (p.duplicatesTracked && p.imageWidth.count > 0)
    items.push('No two images are byte-identical (sha256).');
  const generated = p.categories.get('caption source')?.counts.get('generated');
  if (generated)
    items.push(
      `${fmt(generated)} captions (${percent(generated, p.records)}) were generated, not written by people.`,
    );
  const ocr = p.categories.get('needs OCR')?.counts.get('yes');
  if (ocr)
    items.push(`${fmt(ocr)} pages (${percent(ocr, p.records)}) have no usable text layer (needs_ocr).`);
  const language = p.categories.get('language');
  const unknownLanguage = language?.counts.get('(not identified)') ?? 0;
  if (p.layout !== 'web-documents')
    items.push(
      'Languages were not identified per record; the `language` field of this card is what the publisher declared.',
    );
  else if (unknownLanguage > 0)
    items.push(
      `${fmt(unknownLanguage)} documents (${percent(unknownLanguage, p.records)}) have no identified language.`,
    );
  for (const [name, s] of p.scores)
    if (s.nulls > 0)
      items.push(`${fmt(s.nulls)} rows have no \`${name}_score\` (the scorer could not score them).`);
  const sampled = [p.textChars, p.imageWidth].find((d) => d.count > (d.summary()?.sampled ?? 0));
  if (sampled)
    items.push(
      `Quantiles and plots use a uniform sample of ${fmt(sampled.summary()!.sampled)} values per column.`,
    );
  if (!fontsOk) items.push('The plots were drawn without a usable font, so their labels may show as boxes.');
  items.push(
    'Filters are heuristics: some kept records are still low quality and some dropped ones were fine. The funnel above says how many each filter removed and why.',
  );
  return items.map((i) => `- ${i}`).join('\n');
}

export function filesSection(
  files: { path: string; bytes: number }[],
  splits: { name: string; rows: number }[],
): string {
  const total = files.reduce((n, f) => n + f.bytes, 0);
  return [
    table(
      ['split', 'rows'],
      splits.map((s) => [s.name, fmt(s.rows)]),
    ),
    table(['file', 'size'], [...files.map((f) => [f.path, bytesText(f.bytes)]), ['total', bytesText(total)]]),
    'Sizes and sha256 checksums of every file are in `manifest.json`.',
  ].join('\n\n');
}

export function scoresSection(p: DatasetProfiler): string {
  const rows = [...p.scores]
    .sort((a, b) => (a[0] < b[0] ? -1 : 1))
    .map(([name, s]) => {
      const summary = s.values.summary();
      const base = summary
        ? distributionRow(`${name}_score`, summary)
        : [`${name}_score`, '0', ...Array(8).fill('—')];
      return [...base, fmt(s.nulls)];
    });
  return table([...DISTRIBUTION_HEADER, 'unscored'], rows);
}
