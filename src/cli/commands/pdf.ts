import { defineCommand, parseByteSize } from '../command.js';
import { mergeConfig, runFlags, runJobCommand } from '../job-command.js';

export default defineCommand({
  name: 'pdf',
  summary: 'Render PDF pages to images, with their text in reading order, one row per page',
  usage: 'weft pdf INPUTS... --out DIR [options]',
  flags: {
    ...runFlags,
    renderer: {
      type: 'string',
      value: 'ENGINE',
      description: 'pdfium (WebAssembly, default) or pdfjs',
      choices: ['pdfium', 'pdfjs'],
    },
    format: {
      type: 'string',
      value: 'FORMAT',
      description: 'Page image format',
      choices: ['jpeg', 'webp', 'png'],
    },
    quality: { type: 'number', value: 'Q', description: 'JPEG/WebP quality 1-100 (default 90)' },
    'max-side': { type: 'number', value: 'PX', description: 'Longest side of each page image (default 980)' },
    dpi: { type: 'number', value: 'DPI', description: 'Render at this resolution instead of --max-side' },
    'max-pages': {
      type: 'number',
      value: 'N',
      description: 'Documents with more pages are dropped (default 50, as MINT-1T)',
    },
    'over-max-pages': {
      type: 'string',
      value: 'MODE',
      description: 'drop documents over --max-pages (default) or truncate them',
      choices: ['drop', 'truncate'],
    },
    'max-file-size': {
      type: 'string',
      value: 'SIZE',
      description: 'Larger files are dropped (default 50MB)',
    },
    'page-timeout-ms': { type: 'number', value: 'MS', description: 'Time limit per page (default 30000)' },
    'needs-ocr': {
      type: 'string',
      value: 'MODE',
      description: 'Pages with a thin or unreadable text layer: flag (default) or drop',
      choices: ['flag', 'drop'],
    },
    'keep-blank': { type: 'boolean', description: 'Keep blank pages (dropped by default)' },
    'no-text': { type: 'boolean', description: 'Skip the text layer (images only)' },
    'no-text-fallback': {
      type: 'boolean',
      description: "pdfium: keep PDFium's text even where it cannot map glyphs (faster; no pdfjs re-read)",
    },
    'files-per-task': { type: 'number', value: 'N', description: 'PDF files per task (default 8)' },
  },
  positionals: {
    name: 'INPUTS...',
    description:
      'PDF files, directories (every *.pdf below), globs, WARC files, URL lists (.txt .csv .tsv .jsonl)',
    min: 1,
  },
  examples: [
    'weft pdf papers/ --out out/pdf',
    "weft pdf 'scans/**/*.pdf' --out out/scans --needs-ocr drop --workers 8",
    'weft pdf report.pdf --out out/report --dpi 150 --format png',
    'weft pdf crawl/*.warc.gz --out out/crawl-pdfs   # PDF responses inside WARC files',
    'weft pdf pdf-urls.csv --out out/fetched          # a URL list, fetched politely',
  ],
  async run({ flags, positionals }, io) {
    const maxFileSize = flags['max-file-size'];
    const fromFlags: Record<string, unknown> = {
      inputs: positionals,
      cwd: io.cwd,
      renderer: flags.renderer,
      format: flags.format,
      quality: flags.quality,
      maxSidePx: flags['max-side'],
      dpi: flags.dpi,
      maxPages: flags['max-pages'],
      overMaxPages: flags['over-max-pages'],
      maxFileBytes: typeof maxFileSize === 'string' ? parseByteSize(maxFileSize, 'max-file-size') : undefined,
      pageTimeoutMs: flags['page-timeout-ms'],
      needsOcr: flags['needs-ocr'],
      dropBlank: flags['keep-blank'] === true ? false : undefined,
      text: flags['no-text'] === true ? false : undefined,
      textFallback: flags['no-text-fallback'] === true ? false : undefined,
      filesPerTask: flags['files-per-task'],
    };
    const options = await mergeConfig(flags, fromFlags);
    return runJobCommand({ command: 'pdf', job: 'pdf', options, flags }, io);
  },
});
