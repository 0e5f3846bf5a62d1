// Flags `weft images` and `weft crawl` share for fetching and politeness, and their mapping to FetchOptions.
import type { FlagDef, ParsedFlags } from '../command.js';

export const fetchFlags = {
  'user-agent': { type: 'string', value: 'UA', description: 'User-Agent header (default names weft)' },
  'robots-token': {
    type: 'string',
    value: 'NAME',
    description: 'Token matched in robots.txt (default weft)',
  },
  'ignore-robots-txt': {
    type: 'boolean',
    description: 'Do not fetch or obey robots.txt (only for your own sites)',
  },
  'allow-private-addresses': {
    type: 'boolean',
    description: 'Allow loopback/private/link-local addresses (local test servers only)',
  },
  'allow-private-range': {
    type: 'strings',
    value: 'CIDR',
    description: 'Allow one non-public range only, e.g. 127.0.0.1/32 (repeatable)',
  },
  concurrency: {
    type: 'number',
    value: 'N',
    description: 'Requests in flight per task, all hosts (default 64)',
  },
  'per-host-concurrency': {
    type: 'number',
    value: 'N',
    description: 'Requests in flight per host (default 4)',
  },
  'per-host-rps': {
    type: 'number',
    value: 'R',
    description: 'Request starts per second per host (default 10)',
  },
  'timeout-ms': { type: 'number', value: 'MS', description: 'Whole-request deadline (default 60000)' },
  'connect-timeout-ms': { type: 'number', value: 'MS', description: 'Connect timeout (default 10000)' },
  retries: { type: 'number', value: 'N', description: 'Retries after network errors, 429, 5xx (default 2)' },
  'max-redirects': { type: 'number', value: 'N', description: 'Redirects followed (default 5)' },
} as const satisfies Record<string, FlagDef>;

export function fetchOptionsFromFlags(flags: ParsedFlags): Record<string, unknown> {
  const map: Record<string, string> = {
    'user-agent': 'userAgent',
    'robots-token': 'robotsToken',
    concurrency: 'concurrency',
    'per-host-concurrency': 'perHostConcurrency',
    'per-host-rps': 'perHostRequestsPerSecond',
    'timeout-ms': 'totalTimeoutMs',
    'connect-timeout-ms': 'connectTimeoutMs',
    retries: 'retries',
    'max-redirects': 'maxRedirects',
  };
  const out: Record<string, unknown> = {};
  for (const [flag, key] of Object.entries(map)) if (flags[flag] !== undefined) out[key] = flags[flag];
  if (flags['ignore-robots-txt'] === true) out.respectRobotsTxt = false;
  if (flags['allow-private-addresses'] === true) out.allowPrivateAddresses = true;
  if (Array.isArray(flags['allow-private-range'])) out.allowedPrivateRanges = flags['allow-private-range'];
  return out;
}

/** Config-file options with flag options on top, one level deep for the nested groups. */
export function mergeNested(
  base: Record<string, unknown>,
  top: Record<string, unknown>,
  nested: readonly string[],
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(top)) {
    if (value === undefined) continue;
    if (nested.includes(key) && value && typeof value === 'object') {
      const inner = Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
      if (Object.keys(inner).length > 0) out[key] = { ...((base[key] as object) ?? {}), ...inner };
    } else out[key] = value;
  }
  return out;
}
