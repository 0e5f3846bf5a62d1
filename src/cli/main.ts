#!/usr/bin/env node
// The `weft` command line: parses argv, runs a command, maps errors to exit codes
// (0 success, 1 run failure, 2 bad usage or config). Commands only parse and call the library.
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { isWeftError } from '../errors.js';
import { createLogger, stderrLogWriter } from '../pipeline/logger.js';
import { WEFT_VERSION } from '../version.js';
import { type CliIO, commandHelp, parseCommandArgs } from './command.js';
import { commands } from './commands/index.js';

function topHelp(): string {
  const width = Math.max(...Object.keys(commands).map((n) => n.length)) + 2;
  return [
    `weft ${WEFT_VERSION}: build vision-language training datasets (Hugging Face Arrow output)`,
    '',
    'Usage: weft <command> [inputs] --out DIR [options]',
    '',
    'Commands:',
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}${c.summary}`),
    '',
    'Run "weft <command> --help" for its options. Exit codes: 0 success, 1 run failure, 2 bad usage or config.',
    '',
  ].join('\n');
}

/** Set once the command is known: whether it handles SIGINT/SIGTERM itself. */
let selfManagedShutdown = false;

export async function main(argv: string[], partialIo: Partial<CliIO> = {}): Promise<number> {
  const io: CliIO = {
    stdout: partialIo.stdout ?? process.stdout,
    stderr: partialIo.stderr ?? process.stderr,
    env: partialIo.env ?? process.env,
    cwd: partialIo.cwd ?? process.cwd(),
    signal: partialIo.signal ?? new AbortController().signal,
    log: partialIo.log ?? createLogger({ write: stderrLogWriter('text') }),
  };
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(topHelp());
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-v') {
    io.stdout.write(`${WEFT_VERSION}\n`);
    return 0;
  }
  const entry = commands[name];
  const wantsJson = rest.includes('--json');
  try {
    if (!entry) {
      io.stderr.write(`weft: unknown command "${name}". Commands: ${Object.keys(commands).join(', ')}\n`);
      return 2;
    }
    const command = await entry.load();
    selfManagedShutdown = command.selfManagedShutdown === true;
    const parsed = parseCommandArgs(command, rest);
    if (parsed.help) {
      io.stdout.write(commandHelp(command));
      return 0;
    }
    return await command.run({ flags: parsed.flags, positionals: parsed.positionals }, io);
  } catch (error) {
    if (isWeftError(error)) {
      io.stderr.write(`weft ${name}: ${error.message}\n`);
      if (error.code === 'E_USAGE') io.stderr.write(`Run "weft ${name} --help" for usage.\n`);
      if (wantsJson)
        io.stdout.write(`${JSON.stringify({ ok: false, command: name, error: error.toJSON() })}\n`);
      return error.exitCode;
    }
    io.stderr.write(
      `weft ${name}: unexpected error (a bug; please report it):\n${(error as Error)?.stack ?? String(error)}\n`,
    );
    if (wantsJson)
      io.stdout.write(
        `${JSON.stringify({ ok: false, command: name, error: { code: 'E_BUG', message: String(error) } })}\n`,
      );
    return 1;
  }
}

function isEntryPoint(): boolean {
  if (!process.argv[1]) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (selfManagedShutdown) {
      controller.abort();
      return;
    }
    interrupts += 1;
    if (interrupts > 1) process.exit(130);
    process.stderr.write(
      `\n[weft] ${signal}: stopping; finished tasks are kept, re-run the same command to resume\n`,
    );
    controller.abort();
    // Everything finished is on disk and unfinished attempts are discarded on the next run,
    // so a run that does not wind down quickly can simply be left.
    setTimeout(() => process.exit(130), 3000).unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  main(process.argv.slice(2), { signal: controller.signal }).then(
    (code) => {
      // A command that winds down by itself reports how that went; others were cut short.
      process.exitCode = controller.signal.aborted && code === 0 && !selfManagedShutdown ? 130 : code;
    },
    (error: unknown) => {
      process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
