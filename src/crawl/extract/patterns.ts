// Class/id and text patterns that say "content" or "boilerplate". The class/id ones follow Mozilla
// Readability's, with consent, newsletter and sharing widgets added.

export const UNLIKELY =
  /-ad-|ai2html|banner|breadcrumbs?|combx|comment|community|cover-wrap|disqus|extra|footer|gdpr|header|legends|menu|related|remark|replies|rss|shoutbox|sidebar|skyscraper|social|sponsor|supplemental|ad-break|agegate|pagination|pager|popup|yom-remote|cookie|consent|newsletter|share-?bar|subscribe/i;
export const MAYBE_CANDIDATE = /and|article|body|column|content|main|mathjax|shadow/i;
export const POSITIVE =
  /article|body|content|entry|hentry|h-entry|main|page|pagination|post|text|blog|story/i;
export const NEGATIVE =
  /-ad-|hidden|^hid$| hid$| hid |^hid |banner|combx|comment|com-|contact|footer|gdpr|masthead|media|meta|outbrain|promo|related|scroll|share|shoutbox|sidebar|skyscraper|sponsor|shopping|tags|widget|cookie|consent|newsletter/i;
export const SHARE = /(\b|_)(share|sharedaddy|social|sharing)(\b|_)/i;
export const BYLINE = /byline|author|dateline|writtenby|p-author/i;
export const UNLIKELY_ROLES = new Set([
  'menu',
  'menubar',
  'complementary',
  'navigation',
  'alert',
  'alertdialog',
  'dialog',
]);

/** Short blocks whose text alone says they are chrome, not content (consent banners, share rows…). */
export const BOILERPLATE_TEXT =
  /^(share( (this|on|via))?|teilen|tweet|pin it|print|drucken|e-?mail|like this:?|gefällt mir|related( posts| articles)?|ähnliche beiträge|read more|weiterlesen|mehr lesen|continue reading|leave a (reply|comment)|kommentar schreiben|kommentare?|comments?|\d+ (comments?|kommentare?)|reply|antworten|advertisement|anzeige|werbung|skip to (main )?content|zum inhalt springen|back to top|nach oben|tags?:?|schlagwörter:?|kategorien:?|categories:?|posted in|veröffentlicht in|previous( post| article)?|next( post| article)?|vorheriger beitrag|nächster beitrag)\b/i;
export const CONSENT_TEXT =
  /\b(we use cookies|this (web)?site uses cookies|cookie (policy|settings|preferences)|accept (all )?cookies|verwendet cookies|nutzt cookies|cookies zu|cookie-einstellungen|datenschutzerklärung|einwilligung|consent)\b/i;

export const BLOCK_TAGS = new Set([
  'address',
  'article',
  'aside',
  'blockquote',
  'dd',
  'details',
  'dialog',
  'div',
  'dl',
  'dt',
  'fieldset',
  'figcaption',
  'figure',
  'footer',
  'form',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'header',
  'hgroup',
  'hr',
  'li',
  'main',
  'nav',
  'ol',
  'p',
  'pre',
  'section',
  'table',
  'ul',
]);

export const PHRASING = new Set([
  'a',
  'abbr',
  'audio',
  'b',
  'bdi',
  'bdo',
  'big',
  'br',
  'button',
  'canvas',
  'cite',
  'code',
  'data',
  'datalist',
  'del',
  'dfn',
  'em',
  'embed',
  'font',
  'i',
  'img',
  'input',
  'ins',
  'kbd',
  'label',
  'mark',
  'math',
  'meter',
  'noscript',
  'object',
  'output',
  'picture',
  'progress',
  'q',
  'ruby',
  's',
  'samp',
  'select',
  'small',
  'span',
  'strike',
  'strong',
  'sub',
  'sup',
  'textarea',
  'time',
  'tt',
  'u',
  'var',
  'video',
  'wbr',
]);
