// The YAML front matter of a dataset card, as the Hub and `datasets` read it: licence, languages, task
// categories, size category, `configs` (which files make which split) and `dataset_info` (features in
// the card's YAML form, split sizes, download and dataset size).
import { stringify } from 'yaml';
import type { Feature, Features } from '../dataset/features.js';
import type { LayoutName } from '../dataset/layouts/layout.js';

/** The card form `datasets` writes (`Features._to_yaml_list`): `dtype`, `list`, `struct`. */
export function cardFeature(feature: Feature): Record<string, unknown> {
  switch (feature.type) {
    case 'value':
      return { dtype: feature.dtype };
    case 'image':
      return { dtype: 'image' };
    case 'struct':
      return { struct: Object.entries(feature.fields).map(([name, f]) => ({ name, ...cardFeature(f) })) };
    case 'list': {
      const inner = cardFeature(feature.item);
      const keys = Object.keys(inner);
      if (keys.length === 1 && keys[0] === 'dtype') return { list: inner.dtype };
      if (keys.length === 1 && keys[0] === 'struct') return { list: inner.struct };
      return { list: inner };
    }
  }
}

export function cardFeatures(features: Features): Record<string, unknown>[] {
  return Object.entries(features).map(([name, f]) => ({ name, ...cardFeature(f) }));
}

/** The Hub's size category for a row count. */
export function sizeCategory(rows: number): string {
  const bounds: [number, string][] = [
    [1e3, 'n<1K'],
    [1e4, '1K<n<10K'],
    [1e5, '10K<n<100K'],
    [1e6, '100K<n<1M'],
    [1e7, '1M<n<10M'],
    [1e8, '10M<n<100M'],
    [1e9, '100M<n<1B'],
    [1e10, '1B<n<10B'],
    [1e11, '10B<n<100B'],
    [1e12, '100B<n<1T'],
  ];
  for (const [limit, name] of bounds) if (rows < limit) return name;
  return 'n>1T';
}

export const TASK_CATEGORIES: Record<LayoutName, string[]> = {
  'web-documents': ['image-text-to-text', 'text-generation'],
  'image-text-pairs': ['image-to-text', 'text-to-image'],
  'pdf-pages': ['image-to-text', 'image-text-to-text'],
  'sft-samples': ['image-text-to-text', 'visual-question-answering'],
  'crawl-log': [],
};

export const KIND_TAGS: Record<LayoutName, string[]> = {
  'web-documents': ['interleaved', 'web-documents'],
  'image-text-pairs': ['image-text-pairs'],
  'pdf-pages': ['pdf', 'document'],
  'sft-samples': ['sft', 'instruction-tuning'],
  'crawl-log': ['crawl-log', 'warc'],
};

export interface FrontMatter {
  prettyName?: string | undefined;
  license: string;
  licenseName?: string | undefined;
  licenseLink?: string | undefined;
  languages: string[];
  taskCategories: string[];
  tags: string[];
  rows: number;
  /** Split name → file glob (relative to the card). */
  dataFiles: { split: string; path: string }[];
  /** Features for `dataset_info`; omitted for formats whose columns the loader infers (webdataset). */
  features?: Features | undefined;
  splits: { name: string; numBytes: number; numExamples: number }[];
  downloadSize: number;
}

export function frontMatter(m: FrontMatter): string {
  const data: Record<string, unknown> = {};
  if (m.prettyName) data.pretty_name = m.prettyName;
  data.license = m.license;
  if (m.licenseName) data.license_name = m.licenseName;
  if (m.licenseLink) data.license_link = m.licenseLink;
  if (m.languages.length > 0) data.language = m.languages;
  data.task_categories = m.taskCategories;
  data.size_categories = [sizeCategory(m.rows)];
  data.tags = m.tags;
  data.configs = [{ config_name: 'default', data_files: m.dataFiles }];
  const datasetSize = m.splits.reduce((n, s) => n + s.numBytes, 0);
  const info: Record<string, unknown> = {};
  if (m.features) info.features = cardFeatures(m.features);
  info.splits = m.splits.map((s) => ({ name: s.name, num_bytes: s.numBytes, num_examples: s.numExamples }));
  info.download_size = m.downloadSize;
  info.dataset_size = datasetSize;
  data.dataset_info = info;
  return `---\n${stringify(data, { lineWidth: 0 })}---\n`;
}
