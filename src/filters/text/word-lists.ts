// Word lists for the text filters. Stopwords come from the `stopword` package (English list) plus
// function words it lacks; flagged words from `naughty-words` (the LDNOOBW list); the spam/boilerplate
// words are our own list of words that dominate share bars, cookie banners and sign-up boxes.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** Function words missing from `stopword`'s English list (pronouns, auxiliaries, prepositions…). */
const EXTRA_STOPWORDS =
  'she does will shall may not no nor so onto off above below down its us whom whose when why few own just one ' +
  "a i it’s don’t can’t won’t isn’t i’m you’re we’re they’re it's don't can't won't isn't i'm you're " +
  "we're they're there's that's yours ours theirs hers herself itself myself yourself ourselves themselves " +
  'again against until upon within without across along among around behind beyond during toward towards ' +
  'via per either neither whether though although unless yet ever every else even rather quite almost ' +
  'enough perhaps maybe let lets also another anyone anything everyone everything someone something nothing ' +
  "nobody somebody everybody who’s who's what’s what's two three first last next new old";

let stopwords: ReadonlySet<string> | undefined;
/** English stopwords, lowercase. */
export function englishStopwords(): ReadonlySet<string> {
  if (!stopwords) {
    const { eng } = require('stopword') as { eng: string[] };
    stopwords = new Set([...eng.map((w) => w.toLowerCase()), ...EXTRA_STOPWORDS.split(' ')]);
  }
  return stopwords;
}

let flagged: ReadonlySet<string> | undefined;
/** English flagged (obscene / sexual) single words, lowercase; multi-word entries are left out. */
export function englishFlaggedWords(): ReadonlySet<string> {
  if (!flagged) {
    const { en } = require('naughty-words') as { en: string[] };
    flagged = new Set(en.map((w) => w.toLowerCase()).filter((w) => !/\s/.test(w)));
  }
  return flagged;
}

/** Words typical of page furniture rather than content (social buttons, consent banners, sign-up boxes). */
export const SPAM_WORDS: readonly string[] = [
  'share',
  'shares',
  'shared',
  'tweet',
  'retweet',
  'pin',
  'like',
  'likes',
  'follow',
  'followers',
  'subscribe',
  'subscribed',
  'unsubscribe',
  'newsletter',
  'signup',
  'sign-up',
  'sign',
  'login',
  'log',
  'logged',
  'register',
  'password',
  'account',
  'comment',
  'comments',
  'reply',
  'post',
  'posted',
  'cookie',
  'cookies',
  'consent',
  'privacy',
  'policy',
  'terms',
  'facebook',
  'twitter',
  'instagram',
  'pinterest',
  'linkedin',
  'youtube',
  'tiktok',
  'reddit',
  'whatsapp',
  'email',
  'click',
  'download',
  'loading',
  'advertisement',
  'sponsored',
  'copyright',
  'reserved',
  'website',
  'contact',
  'menu',
  'skip',
];
