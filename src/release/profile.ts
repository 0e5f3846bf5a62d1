// What a dataset card says about the data itself, computed in one pass over its records: counts, text
// lengths, image sizes and aspect ratios, per-source shares, score distributions and a few facts the
// card's limitations section needs. Works for every record kind through its layout.
import type { LayoutName } from '../dataset/layouts/layout.js';
import type { ImageValue } from '../records/image.js';
import type { AnyRecord } from '../records/index.js';
import { Categories, Distribution, PointSample } from './distribution.js';

/** Exact duplicate image bytes are tracked by sha256 prefix up to this many distinct images. */
const MAX_TRACKED_IMAGES = 5_000_000;

function hostOf(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return undefined;
    return parsed.hostname.replace(/^www\./, '');
  } catch {
    return undefined;
  }
}

export class DatasetProfiler {
  readonly layout: LayoutName;
  records = 0;
  /** Rows the layout could not turn into a record. */
  unreadableRows = 0;
  readonly textChars = new Distribution();
  readonly imagesPerRecord = new Distribution();
  readonly imageWidth = new Distribution();
  readonly imageHeight = new Distribution();
  readonly aspectRatio = new Distribution();
  readonly imageBytes = new Distribution();
  readonly imageSizes = new PointSample();
  /** Image positions whose bytes were never downloaded (URL-only web documents, pairs without image). */
  imagesWithoutBytes = 0;
  recordsWithoutImage = 0;
  duplicateImages = 0;
  duplicatesTracked = true;
  private readonly seenImages = new Set<string>();
  readonly turnsPerSample = new Distribution();
  readonly scores = new Map<string, { values: Distribution; nulls: number }>();
  /** Named categorical tallies (image format, language, domain, caption source, source…). */
  readonly categories = new Map<string, Categories>();

  constructor(layout: LayoutName) {
    this.layout = layout;
  }

  category(name: string): Categories {
    let c = this.categories.get(name);
    if (!c) {
      c = new Categories();
      this.categories.set(name, c);
    }
    return c;
  }

  private addImage(image: ImageValue): void {
    this.imageWidth.add(image.widthPx);
    this.imageHeight.add(image.heightPx);
    this.aspectRatio.add(image.widthPx / image.heightPx);
    this.imageSizes.add(image.widthPx, image.heightPx);
    this.imageBytes.add(image.bytes.byteLength);
    this.category('image format').add(image.format);
    const key = image.sha256.slice(0, 16);
    if (this.seenImages.has(key)) this.duplicateImages += 1;
    else if (this.seenImages.size < MAX_TRACKED_IMAGES) this.seenImages.add(key);
    else this.duplicatesTracked = false;
  }

  private addScores(scores: Record<string, number | null> | undefined): void {
    for (const [name, value] of Object.entries(scores ?? {})) {
      let entry = this.scores.get(name);
      if (!entry) {
        entry = { values: new Distribution(), nulls: 0 };
        this.scores.set(name, entry);
      }
      if (value === null || !Number.isFinite(value)) entry.nulls += 1;
      else entry.values.add(value);
    }
  }

  addUnreadable(): void {
    this.unreadableRows += 1;
  }

  add(record: AnyRecord): void {
    this.records += 1;
    this.addScores(record.scores);
    switch (record.kind) {
      case 'web-document': {
        let chars = 0;
        let images = 0;
        for (const block of record.blocks) {
          if (block.kind === 'text') chars += block.text.length;
          else {
            images += 1;
            if (block.image) this.addImage(block.image);
            else this.imagesWithoutBytes += 1;
          }
        }
        this.textChars.add(chars);
        this.imagesPerRecord.add(images);
        if (images === 0) this.recordsWithoutImage += 1;
        this.category('language').add(record.language ?? '(not identified)');
        const host = hostOf(record.url);
        if (host) this.category('domain').add(host);
        if (record.warc) this.category('WARC file').add(record.warc.filename);
        break;
      }
      case 'image-text-pair': {
        this.textChars.add(record.caption.length);
        if (record.image) this.addImage(record.image);
        else {
          this.recordsWithoutImage += 1;
          this.imagesWithoutBytes += 1;
        }
        this.category('caption source').add(record.captionSource);
        const host = hostOf(record.pageUrl ?? record.url);
        if (host) this.category('domain').add(host);
        break;
      }
      case 'pdf-page':
        this.textChars.add(record.text.length);
        this.addImage(record.image);
        this.category('PDF').add(record.source);
        this.category('needs OCR').add(record.needsOcr ? 'yes' : 'no');
        break;
      case 'sft-sample': {
        let chars = 0;
        const sources = new Set<string>();
        for (const turn of record.turns) {
          chars += turn.user.length + turn.assistant.length;
          this.category('source (turns)').add(turn.source || '(none)');
          sources.add(turn.source || '(none)');
        }
        this.category('source (samples)').add(sources.size === 1 ? [...sources][0]! : '(mixed)');
        this.textChars.add(chars);
        this.turnsPerSample.add(record.turns.length);
        this.imagesPerRecord.add(record.images.length);
        if (record.images.length === 0) this.recordsWithoutImage += 1;
        for (const image of record.images) this.addImage(image);
        break;
      }
    }
  }
}
