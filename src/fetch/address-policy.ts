// Which URLs and addresses a fetcher may reach. Only http(s), and after DNS resolution only public
// unicast addresses: loopback, private, link-local (cloud metadata at 169.254.169.254), CGNAT,
// multicast, reserved and IPv6 transition ranges that can embed such addresses are refused.
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/** The special-purpose range an address is in ('unicast' for an ordinary public one). */
export function addressRange(address: string): string {
  if (!ipaddr.isValid(address)) return 'invalid';
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  }
  return parsed.range();
}

/** A predicate for addresses inside any of `cidrs` (e.g. "127.0.0.1/32", "::1/128"). */
export function cidrMatcher(cidrs: readonly string[]): (address: string) => boolean {
  const ranges = cidrs.map((cidr) => {
    try {
      return ipaddr.parseCIDR(cidr.includes('/') ? cidr : `${cidr}/${cidr.includes(':') ? 128 : 32}`);
    } catch {
      throw new Error(`"${cidr}" is not an IP range (CIDR such as 127.0.0.1/32)`);
    }
  });
  return (address) => {
    if (!ipaddr.isValid(address)) return false;
    let parsed = ipaddr.parse(address);
    if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress())
      parsed = (parsed as ipaddr.IPv6).toIPv4Address();
    return ranges.some(([net, bits]) => net.kind() === parsed.kind() && parsed.match(net, bits));
  };
}

/** True for addresses a crawler on the open web should reach. */
export function isPublicAddress(address: string): boolean {
  return addressRange(address) === 'unicast';
}

export type UrlProblem = 'bad_url' | 'unsupported_scheme';

/** Parses an absolute http(s) URL, or says why it cannot be fetched. */
export function parseFetchableUrl(text: string): URL | UrlProblem {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'bad_url';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'unsupported_scheme';
  if (!url.hostname) return 'bad_url';
  return url;
}

/** The hostname as a bare IP literal (URL keeps IPv6 literals in brackets), or undefined for a name. */
export function ipLiteral(hostname: string): string | undefined {
  const bare = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return isIP(bare) ? bare : undefined;
}
