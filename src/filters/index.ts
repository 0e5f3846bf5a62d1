// The filter registry: one line per filter, key = file name = filter name.
import { imageSize } from './image-size.js';

export const filters = {
  'image-size': imageSize,
} as const;

export type FilterName = keyof typeof filters;
export { type DropReason, defineFilter, type FilterDefinition, type FilterFactory } from './define-filter.js';
