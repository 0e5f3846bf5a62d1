// NSFW images (OBELICS: porn > 0.85 or hentai > 0.9, scored by nsfwjs's MobileNetV2). One NSFW image
// drops the whole web document (or the pair / page). The score kept on the record, `nsfw`, is the
// highest max(porn, hentai) over its images; null when no image could be scored.
import { z } from 'zod';
import { loadNsfwClassifier, type NsfwScores, nsfwScore } from '../models/nsfw.js';
import type { ImageValue } from '../records/image.js';
import type { Scores, WebDocument } from '../records/web-document.js';
import { type DropReason, defineFilter } from './define-filter.js';

const NsfwOptions = z.strictObject({
  model: z.enum(['MobileNetV2', 'MobileNetV2Mid', 'InceptionV3']).default('MobileNetV2'),
  pornThreshold: z.number().min(0).max(1).default(0.85),
  hentaiThreshold: z.number().min(0).max(1).default(0.9),
  /** OBELICS effectively disabled it (threshold 1.0). */
  sexyThreshold: z.number().min(0).max(1).default(1),
});
type NsfwOptions = z.output<typeof NsfwOptions>;

export function isNsfw(s: NsfwScores, o: NsfwOptions): boolean {
  return s.porn > o.pornThreshold || s.hentai > o.hentaiThreshold || s.sexy > o.sexyThreshold;
}

/** Scores the images; returns the record's score and whether any image is NSFW. */
async function judge(images: ImageValue[], o: NsfwOptions): Promise<{ score: number | null; nsfw: boolean }> {
  if (images.length === 0) return { score: null, nsfw: false };
  const classifier = await loadNsfwClassifier(o.model);
  let score: number | null = null;
  let nsfw = false;
  for (const image of images) {
    const s = await classifier.classify(image.bytes);
    if (!s) continue;
    score = Math.max(score ?? 0, nsfwScore(s));
    if (isNsfw(s, o)) nsfw = true;
  }
  return { score, nsfw };
}

function withScore(record: { scores?: Scores | undefined }, score: number | null): void {
  record.scores = { ...record.scores, nsfw: score };
}

export const nsfw = defineFilter({
  name: 'nsfw',
  description:
    'Drops documents with an NSFW image (nsfwjs MobileNetV2; OBELICS: porn > 0.85 or hentai > 0.9).',
  options: NsfwOptions,
  async reasonToDrop(doc: WebDocument, o): Promise<DropReason> {
    const images: ImageValue[] = [];
    for (const block of doc.blocks) if (block.kind === 'image' && block.image) images.push(block.image);
    const { score, nsfw } = await judge(images, o);
    withScore(doc, score);
    return nsfw ? 'nsfw_image' : undefined;
  },
});

/** The same rule for records with one image (image-text pairs, PDF pages). */
export const nsfwRecords = defineFilter({
  name: 'nsfw',
  description: nsfw.definition.description,
  options: NsfwOptions,
  async reasonToDrop(record: { image?: ImageValue | undefined; scores?: Scores | undefined }, o) {
    const { score, nsfw } = await judge(record.image ? [record.image] : [], o);
    withScore(record, score);
    return nsfw ? 'nsfw_image' : undefined;
  },
});
