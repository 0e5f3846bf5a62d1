// undici's connector with a DNS cache and the address check in front: the hostname is resolved here
// (cached, de-duplicated while in flight), the address is checked, and the socket connects to that
// very address, so a DNS answer cannot change between the check and the connect (no rebinding).
// Every connection, including each redirect hop and robots.txt, goes through it.
import { lookup } from 'node:dns/promises';
import { buildConnector } from 'undici';
import { addressRange, cidrMatcher, ipLiteral } from './address-policy.js';
import { FetchFailure } from './fetch-error.js';

export interface DnsCacheOptions {
  /** How long a resolved address is reused. */
  ttlMs: number;
  /** Failed lookups are remembered for this long (a dead host is not asked again per URL). */
  negativeTtlMs: number;
  timeoutMs: number;
  maxEntries: number;
}

type Entry = { expires: number; address?: string; error?: FetchFailure };

export class DnsCache {
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<string>>();
  lookups = 0;
  hits = 0;

  constructor(private readonly options: DnsCacheOptions) {}

  async resolve(hostname: string): Promise<string> {
    const literal = ipLiteral(hostname);
    if (literal) return literal;
    const now = Date.now();
    const cached = this.entries.get(hostname);
    if (cached && cached.expires > now) {
      this.hits += 1;
      if (cached.error) throw cached.error;
      return cached.address!;
    }
    const pending = this.inFlight.get(hostname);
    if (pending) {
      this.hits += 1;
      return pending;
    }
    const promise = this.lookupOnce(hostname).finally(() => this.inFlight.delete(hostname));
    this.inFlight.set(hostname, promise);
    return promise;
  }

  private async lookupOnce(hostname: string): Promise<string> {
    this.lookups += 1;
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new FetchFailure('dns', `DNS lookup of ${hostname} timed out`)),
          this.options.timeoutMs,
        );
      });
      const result = await Promise.race([lookup(hostname, { all: false, verbatim: true }), timeout]);
      this.remember(hostname, { expires: Date.now() + this.options.ttlMs, address: result.address });
      return result.address;
    } catch (error) {
      const failure =
        error instanceof FetchFailure
          ? error
          : new FetchFailure('dns', `DNS lookup of ${hostname} failed: ${(error as Error).message}`, {
              cause: error,
            });
      this.remember(hostname, { expires: Date.now() + this.options.negativeTtlMs, error: failure });
      throw failure;
    } finally {
      clearTimeout(timer);
    }
  }

  private remember(hostname: string, entry: Entry): void {
    if (this.entries.size >= this.options.maxEntries) {
      // Map keeps insertion order: drop the oldest tenth.
      let n = Math.ceil(this.options.maxEntries / 10);
      for (const key of this.entries.keys()) {
        this.entries.delete(key);
        if (--n <= 0) break;
      }
    }
    this.entries.set(hostname, entry);
  }
}

export interface GuardedConnectorOptions {
  dns: DnsCache;
  allowPrivateAddresses: boolean;
  /** CIDR ranges allowed even though they are not public. */
  allowedPrivateRanges: readonly string[];
  connectTimeoutMs: number;
}

/** A connector for undici's Agent (`connect` option). */
export function guardedConnector(options: GuardedConnectorOptions): buildConnector.connector {
  const base = buildConnector({ timeout: options.connectTimeoutMs });
  const allowed = cidrMatcher(options.allowedPrivateRanges);
  return (connectOptions, callback) => {
    options.dns.resolve(connectOptions.hostname).then(
      (address) => {
        const range = addressRange(address);
        if (range !== 'unicast' && !options.allowPrivateAddresses && !allowed(address)) {
          callback(
            new FetchFailure(
              'private_address',
              `${connectOptions.hostname} resolves to ${address} (${range}); refused (allow with --allow-private-addresses)`,
            ),
            null,
          );
          return;
        }
        // `host` keeps the name, so TLS still sends SNI and checks the certificate for the hostname.
        base({ ...connectOptions, hostname: address }, callback);
      },
      (error) => callback(error as Error, null),
    );
  };
}
