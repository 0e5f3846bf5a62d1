// Log lines go to stderr (stdout is reserved for --json summaries); JSON lines when asked, for log collectors.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger that adds these fields to every line (task id, stage name). */
  child(fields: LogFields): Logger;
}

export interface LogLine {
  level: LogLevel;
  message: string;
  fields: LogFields;
  time: string;
}

const LEVEL_ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogWriter = (line: LogLine) => void;

export function formatLogLine(line: LogLine, format: 'text' | 'json'): string {
  if (format === 'json')
    return JSON.stringify({ time: line.time, level: line.level, msg: line.message, ...line.fields });
  const extras = Object.entries(line.fields)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  const tag = line.level === 'info' ? '' : `${line.level.toUpperCase()} `;
  return `[weft] ${tag}${line.message}${extras ? ` (${extras})` : ''}`;
}

export function createLogger(options: { level?: LogLevel; write: LogWriter; fields?: LogFields }): Logger {
  const minLevel = LEVEL_ORDER[options.level ?? 'info'];
  const base = options.fields ?? {};
  const emit = (level: LogLevel, message: string, fields?: LogFields) => {
    if (LEVEL_ORDER[level] < minLevel) return;
    options.write({ level, message, fields: { ...base, ...fields }, time: new Date().toISOString() });
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger({ ...options, fields: { ...base, ...fields } }),
  };
}

export function stderrLogWriter(format: 'text' | 'json'): LogWriter {
  return (line) => process.stderr.write(`${formatLogLine(line, format)}\n`);
}

/** A logger that drops everything (library use without a CLI). */
export const silentLogger: Logger = createLogger({ level: 'error', write: () => {} });
