// WARC-Date (and ARC 14-digit dates) to ISO 8601, tolerant of the odd forms old crawlers wrote.

const ISO =
  /^(\d{4})-(\d{2})-(\d{2,3})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;
const COMPACT = /^(\d{4})(\d{2})(\d{2})(\d{2})?(\d{2})?(\d{2})?\d*$/;

function iso(y: number, mo: number, d: number, h: number, mi: number, s: number, offsetMin: number) {
  const ms = Date.UTC(y, mo - 1, d, h, mi, s) - offsetMin * 60_000;
  const date = new Date(ms);
  // Date.UTC rolls over silently (month 13, day 40); such dates are not dates.
  if (!Number.isFinite(ms) || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 24 || mi > 59 || s > 60)
    return undefined;
  return date.toISOString().replace('.000Z', 'Z');
}

/** Normalizes a WARC/ARC date to `YYYY-MM-DDThh:mm:ssZ`; undefined when it cannot be read. */
export function normalizeWarcDate(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  const text = raw.trim();
  const m = ISO.exec(text);
  if (m) {
    const [, y, mo, dRaw, h, mi, s, , zone] = m;
    let day = Number(dRaw);
    if (dRaw!.length === 3) {
      // ClueWeb09 wrote the day of the year where the day of the month goes ("2008-10-294").
      const fromYearDay = new Date(Date.UTC(Number(y), 0, day));
      day =
        fromYearDay.getUTCMonth() + 1 === Number(mo) ? fromYearDay.getUTCDate() : Number(dRaw!.slice(0, 2));
    }
    let offsetMin = 0;
    if (zone && zone.toUpperCase() !== 'Z') {
      const digits = zone.replace(':', '');
      offsetMin =
        (digits[0] === '-' ? -1 : 1) * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5)));
    }
    return iso(Number(y), Number(mo), day, Number(h), Number(mi), Number(s ?? 0), offsetMin);
  }
  const c = COMPACT.exec(text);
  if (c) {
    const [, y, mo, d, h, mi, s] = c;
    return iso(Number(y), Number(mo), Number(d), Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0), 0);
  }
  const parsed = Date.parse(text);
  return Number.isFinite(parsed) ? new Date(parsed).toISOString().replace('.000Z', 'Z') : undefined;
}
