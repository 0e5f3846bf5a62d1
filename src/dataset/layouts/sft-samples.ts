// SFT conversations exactly in The Cauldron's layout: `images` (list of Image) and `texts`
// (list of {user, assistant, source}), plus an optional rendered `text`.
import type { ImageValue } from '../../records/image.js';
import type { SftSample, SftTurn } from '../../records/sft-sample.js';
import { type Features, f } from '../features.js';
import type { Row } from '../shard-writer.js';
import { fromImageCell, toImageCell } from './image-cell.js';
import { type DatasetLayout, scoreColumnName, scoresFromRow, scoresToRow } from './layout.js';

export function sftSamplesLayout(
  options: { withText?: boolean; scoreNames?: readonly string[] } = {},
): DatasetLayout<SftSample> {
  const scoreNames = options.scoreNames ?? [];
  const features: Features = {
    images: f.list(f.image),
    texts: f.list(f.struct({ user: f.string, assistant: f.string, source: f.string })),
    ...(options.withText ? { text: f.string } : {}),
    ...Object.fromEntries(scoreNames.map((name) => [scoreColumnName(name), f.float32])),
  };
  return {
    name: 'sft-samples',
    features,
    toRow(sample): Row {
      return {
        images: sample.images.map(toImageCell),
        texts: sample.turns.map((t) => ({ user: t.user, assistant: t.assistant, source: t.source })),
        ...(options.withText ? { text: sample.text ?? null } : {}),
        ...scoresToRow(sample.scores, scoreNames),
      };
    },
    async fromRow(row) {
      const images: ImageValue[] = [];
      for (const cell of Array.isArray(row.images) ? row.images : []) {
        const image = await fromImageCell(cell);
        if (!image) return undefined;
        images.push(image);
      }
      const turns: SftTurn[] = [];
      for (const t of Array.isArray(row.texts) ? row.texts : []) {
        const turn = (t ?? {}) as Record<string, unknown>;
        turns.push({
          user: typeof turn.user === 'string' ? turn.user : '',
          assistant: typeof turn.assistant === 'string' ? turn.assistant : '',
          source: typeof turn.source === 'string' ? turn.source : '',
        });
      }
      if (turns.length === 0) return undefined;
      const sample: SftSample = { kind: 'sft-sample', images, turns };
      if (typeof row.text === 'string') sample.text = row.text;
      const scores = scoresFromRow(row);
      if (scores) sample.scores = scores;
      return sample;
    },
  };
}
