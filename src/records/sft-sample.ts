// A supervised fine-tuning conversation in The Cauldron's layout: images plus user/assistant turns.
import { z } from 'zod';
import { ImageValue } from './image.js';
import { Scores } from './web-document.js';

export const SftTurn = z.object({
  user: z.string(),
  assistant: z.string(),
  /** The source dataset this turn came from (kept per turn after merging). */
  source: z.string(),
});
export type SftTurn = z.infer<typeof SftTurn>;

export const SftSample = z.object({
  kind: z.literal('sft-sample'),
  images: z.array(ImageValue),
  turns: z.array(SftTurn).min(1),
  /** The conversation rendered with a chat template, when requested. */
  text: z.string().optional(),
  scores: Scores.optional(),
});
export type SftSample = z.infer<typeof SftSample>;
