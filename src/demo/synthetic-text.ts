// Deterministic English-like prose for demo documents: sentences assembled from slot-filled patterns
// over a few hundred words, varied enough that repetition filters see prose, not a template.
import { seededRandom } from './synthetic-images.js';

const NOUNS =
  'garden river village teacher engineer museum harbor forest bridge library market kitchen station ' +
  'painter student doctor farmer journalist orchard valley mountain island school theater bakery factory ' +
  'festival lighthouse bicycle notebook recipe window castle meadow canal tower workshop gallery laboratory ' +
  'orchestra village council neighbor traveler harvest storm journey letter photograph experiment';
const ADJECTIVES =
  'old quiet busy small famous ancient modern narrow bright careful patient curious local northern ' +
  'southern gentle crowded empty wooden colorful peaceful sudden early late familiar remarkable simple';
const VERBS =
  'visited described repaired painted explored measured studied photographed discovered crossed ' +
  'restored planted welcomed explained followed recorded opened improved watched remembered';
const PLACES =
  'near the coast|after the winter|during the spring festival|before the long summer|along the old road|' +
  'behind the town hall|across the valley|at the edge of the forest|in the early morning|by the end of the year';
const OPENERS = [
  'In the end,',
  'Later that week,',
  'For many years,',
  'According to the records,',
  'Surprisingly,',
  'Every autumn,',
];

const words = (list: string) => list.split(' ');
const nouns = words(NOUNS);
const adjectives = words(ADJECTIVES);
const verbs = words(VERBS);
const places = PLACES.split('|');

export function syntheticSentence(random: () => number): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const patterns = [
    () => `The ${pick(adjectives)} ${pick(nouns)} ${pick(verbs)} a ${pick(nouns)} ${pick(places)}.`,
    () =>
      `${pick(OPENERS)} the ${pick(nouns)} and the ${pick(nouns)} were ${pick(adjectives)} and ${pick(adjectives)}.`,
    () =>
      `We ${pick(verbs)} the ${pick(adjectives)} ${pick(nouns)}, and it was more ${pick(adjectives)} than we expected.`,
    () => `Nobody knew why the ${pick(nouns)} had ${pick(verbs)} the ${pick(nouns)} ${pick(places)}.`,
    () => `Is there a ${pick(adjectives)} ${pick(nouns)} that ${pick(verbs)} this ${pick(nouns)}?`,
    () =>
      `Her ${pick(nouns)} ${pick(verbs)} our ${pick(adjectives)} ${pick(nouns)} while the ${pick(nouns)} waited.`,
  ];
  return pick(patterns)();
}

/** A paragraph of `sentences` sentences. */
export function syntheticParagraph(random: () => number, sentences: number): string {
  return Array.from({ length: sentences }, () => syntheticSentence(random)).join(' ');
}

export { seededRandom };
