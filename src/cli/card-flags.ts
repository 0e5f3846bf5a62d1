// Flags shared by `weft card` and `weft export` for what the data cannot say (licence, languages…).
import type { CardOptions } from '../release/card.js';
import type { FlagDef, ParsedFlags } from './command.js';

export const cardFlags = {
  license: { type: 'string', value: 'ID', description: 'Hub licence id, e.g. cc-by-4.0 (default: unknown)' },
  'license-name': { type: 'string', value: 'NAME', description: 'Licence name when --license other' },
  'license-link': { type: 'string', value: 'URL', description: 'Licence link when --license other' },
  language: { type: 'strings', value: 'CODE', description: 'ISO 639 language code (repeatable)' },
  'pretty-name': { type: 'string', value: 'NAME', description: 'Human-readable dataset name' },
  'task-category': { type: 'strings', value: 'ID', description: 'Hub task category (repeatable)' },
  contact: { type: 'string', value: 'TEXT', description: 'Where removal requests go (e-mail or URL)' },
} as const satisfies Record<string, FlagDef>;

export function cardOptionsFrom(flags: ParsedFlags): CardOptions {
  const str = (k: string) => (typeof flags[k] === 'string' ? (flags[k] as string) : undefined);
  const list = (k: string) => (Array.isArray(flags[k]) ? (flags[k] as string[]) : undefined);
  return {
    license: str('license'),
    licenseName: str('license-name'),
    licenseLink: str('license-link'),
    languages: list('language'),
    prettyName: str('pretty-name'),
    taskCategories: list('task-category'),
    contact: str('contact'),
    overwrite: flags.overwrite === true,
  };
}
