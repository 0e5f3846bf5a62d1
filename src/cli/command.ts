// Declarative commands (citty-like): flags and positionals are declared once; parsing, --help text
// and usage errors (exit code 2, naming the bad option and what is allowed) come from the declaration.
import { parseArgs } from 'node:util';
import { WeftError } from '../errors.js';
import type { Logger } from '../pipeline/logger.js';

export interface FlagDef {
  type: 'string' | 'boolean' | 'number' | 'strings';
  description: string;
  short?: string;
  /** Placeholder shown in help, e.g. DIR. */
  value?: string;
  /** Allowed values for string flags. */
  choices?: readonly string[];
}

export interface CliIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Aborted on SIGINT / SIGTERM. */
  signal: AbortSignal;
  log: Logger;
}

export type ParsedFlags = Record<string, string | boolean | number | string[] | undefined>;

export interface CommandDef {
  name: string;
  summary: string;
  usage: string;
  flags: Record<string, FlagDef>;
  /** Positional argument names for help, e.g. ['INPUTS...']. */
  positionals: { name: string; description: string; min?: number; max?: number };
  examples?: string[];
  /**
   * The command winds down on SIGINT/SIGTERM by itself (a queue worker handing its jobs back): main
   * then only aborts `io.signal` on the first signal, with no forced exit.
   */
  selfManagedShutdown?: boolean;
  run(args: { flags: ParsedFlags; positionals: string[] }, io: CliIO): Promise<number>;
}

export function defineCommand(def: CommandDef): CommandDef {
  return def;
}

export function commandHelp(def: CommandDef): string {
  const lines = [`weft ${def.name}: ${def.summary}`, '', `Usage: ${def.usage}`, ''];
  if (def.positionals.name) lines.push(`  ${def.positionals.name.padEnd(28)}${def.positionals.description}`);
  for (const [name, flag] of Object.entries(def.flags)) {
    const short = flag.short ? `-${flag.short}, ` : '';
    const value = flag.type === 'boolean' ? '' : ` ${flag.value ?? 'VALUE'}`;
    const choices = flag.choices ? ` (${flag.choices.join(' | ')})` : '';
    lines.push(`  ${`${short}--${name}${value}`.padEnd(28)}${flag.description}${choices}`);
  }
  lines.push(`  ${'-h, --help'.padEnd(28)}Show this help`);
  if (def.examples?.length) lines.push('', 'Examples:', ...def.examples.map((e) => `  ${e}`));
  return `${lines.join('\n')}\n`;
}

export function parseCommandArgs(
  def: CommandDef,
  argv: string[],
): { flags: ParsedFlags; positionals: string[]; help: boolean } {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {
    help: { type: 'boolean', short: 'h' },
  };
  for (const [name, flag] of Object.entries(def.flags)) {
    options[name] = {
      type: flag.type === 'boolean' ? 'boolean' : 'string',
      ...(flag.short ? { short: flag.short } : {}),
      ...(flag.type === 'strings' ? { multiple: true } : {}),
    };
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    const known = Object.keys(def.flags)
      .map((n) => `--${n}`)
      .join(', ');
    // Node's message is "Unknown option '--x'. To specify a positional…": the first sentence is the point.
    const first = (error as Error).message.split(/\.\s/)[0];
    throw new WeftError('E_USAGE', `${first}. Known options: ${known || '(none)'}`, { cause: error });
  }
  const flags: ParsedFlags = {};
  for (const [name, flag] of Object.entries(def.flags)) {
    const raw = parsed.values[name];
    if (raw === undefined) continue;
    if (flag.type === 'number') {
      const n = Number(raw);
      if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(n)) {
        throw new WeftError('E_USAGE', `--${name} must be a number (received ${JSON.stringify(raw)})`);
      }
      flags[name] = n;
    } else if (flag.choices && typeof raw === 'string' && !flag.choices.includes(raw)) {
      throw new WeftError(
        'E_USAGE',
        `--${name} must be one of ${flag.choices.join(', ')} (received ${JSON.stringify(raw)})`,
      );
    } else {
      flags[name] = raw as string | boolean | string[];
    }
  }
  const positionals = parsed.positionals;
  const { min = 0, max = Number.POSITIVE_INFINITY } = def.positionals;
  if (!parsed.values.help && (positionals.length < min || positionals.length > max)) {
    const expected =
      min === max ? `${min}` : max === Number.POSITIVE_INFINITY ? `at least ${min}` : `${min} to ${max}`;
    throw new WeftError(
      'E_USAGE',
      `expected ${expected} ${def.positionals.name || 'arguments'}, got ${positionals.length}. Usage: ${def.usage}`,
    );
  }
  return { flags, positionals, help: parsed.values.help === true };
}

/** Parses sizes such as 500MB, 1.5GB, 64MiB or a plain byte count. */
export function parseByteSize(text: string, flag: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb|tb|kib|mib|gib|tib)?\s*$/i.exec(text);
  if (!match) {
    throw new WeftError(
      'E_USAGE',
      `--${flag} must be a size such as 500MB, 2GB or 64MiB (received ${JSON.stringify(text)})`,
    );
  }
  const units: Record<string, number> = {
    b: 1,
    kb: 1e3,
    mb: 1e6,
    gb: 1e9,
    tb: 1e12,
    kib: 1024,
    mib: 1024 ** 2,
    gib: 1024 ** 3,
    tib: 1024 ** 4,
  };
  return Math.round(Number(match[1]) * (units[(match[2] ?? 'b').toLowerCase()] ?? 1));
}
