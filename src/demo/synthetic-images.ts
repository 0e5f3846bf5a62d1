// Deterministic synthetic pictures (shapes on backgrounds) with captions that describe them, so the
// demo and the tests have real encoded images without shipping or downloading any.
import sharp from 'sharp';

export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const COLORS = [
  ['red', '#d62728'],
  ['blue', '#1f77b4'],
  ['green', '#2ca02c'],
  ['orange', '#ff7f0e'],
  ['purple', '#9467bd'],
  ['yellow', '#f5d327'],
  ['black', '#111111'],
  ['white', '#f7f7f7'],
] as const;
const SHAPES = ['circle', 'square', 'triangle', 'ring'] as const;

export interface SyntheticImageSpec {
  index: number;
  widthPx: number;
  heightPx: number;
  shape: (typeof SHAPES)[number];
  color: string;
  colorName: string;
  background: string;
  backgroundName: string;
  format: 'jpeg' | 'png';
  caption: string;
}

/** The spec of picture `index`: sizes vary so that some are too small or too elongated for filters. */
export function syntheticImageSpec(seed: number, index: number): SyntheticImageSpec {
  const random = seededRandom(seed * 1_000_003 + index);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const kind = random();
  const base = 160 + Math.floor(random() * 480);
  const [widthPx, heightPx] =
    kind < 0.1
      ? [24 + Math.floor(random() * 40), 24 + Math.floor(random() * 40)]
      : kind < 0.2
        ? [base * 3, Math.floor(base / 2)]
        : [base, Math.floor(base * (0.6 + random() * 0.8))];
  const [colorName, color] = pick(COLORS);
  let [backgroundName, background] = pick(COLORS);
  if (backgroundName === colorName)
    [backgroundName, background] = COLORS[(COLORS.findIndex((c) => c[0] === colorName) + 3) % COLORS.length]!;
  const shape = pick(SHAPES);
  return {
    index,
    widthPx,
    heightPx,
    shape,
    color,
    colorName,
    background,
    backgroundName,
    format: random() < 0.75 ? 'jpeg' : 'png',
    caption: `A ${colorName} ${shape} on a ${backgroundName} background.`,
  };
}

function shapeSvg(spec: SyntheticImageSpec): string {
  const { widthPx: w, heightPx: h, color } = spec;
  const r = Math.min(w, h) * 0.35;
  const cx = w / 2;
  const cy = h / 2;
  switch (spec.shape) {
    case 'circle':
      return `<circle cx="${cx}" cy="${cy}" r="${r}" fill="${color}"/>`;
    case 'ring':
      return `<circle cx="${cx}" cy="${cy}" r="${r}" fill="none" stroke="${color}" stroke-width="${r / 3}"/>`;
    case 'square':
      return `<rect x="${cx - r}" y="${cy - r}" width="${2 * r}" height="${2 * r}" fill="${color}"/>`;
    case 'triangle':
      return `<polygon points="${cx},${cy - r} ${cx + r},${cy + r} ${cx - r},${cy + r}" fill="${color}"/>`;
  }
}

/** Renders the spec to encoded bytes (JPEG or PNG), with a little noise so JPEG sizes are realistic. */
export async function renderSyntheticImage(spec: SyntheticImageSpec): Promise<Uint8Array> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${spec.widthPx}" height="${spec.heightPx}">
<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="${spec.background}"/><stop offset="1" stop-color="${spec.background}" stop-opacity="0.7"/></linearGradient></defs>
<rect width="100%" height="100%" fill="url(#g)"/>${shapeSvg(spec)}</svg>`;
  const image = sharp(Buffer.from(svg));
  const out = spec.format === 'jpeg' ? image.jpeg({ quality: 88 }) : image.png({ compressionLevel: 6 });
  return new Uint8Array(await out.toBuffer());
}
