import { maskPhonesIn } from './phone';

type Level = 'debug' | 'info' | 'warn' | 'error';
const order = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/**
 * One JSON line per event. Phone numbers never reach the log in full (SPEC section 7), and a failed
 * query's parameter list (names, ship-to phones and addresses) is dropped: only its SQL text is kept.
 */
export function createLogger(level: keyof typeof order, write: (line: string) => void = console.log): Logger {
  const emit =
    (at: Level) =>
    (msg: string, fields: Record<string, unknown> = {}) => {
      if (order[at] < order[level]) return;
      const masked = maskPhonesIn(dropQueryParams(fields)) as Record<string, unknown>;
      write(JSON.stringify({ time: new Date().toISOString(), level: at, msg: maskPhonesIn(msg), ...masked }));
    };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}

function dropQueryParams(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(fields).map(([key, value]) => [
      key,
      typeof value === 'string'
        ? value.replace(/\nparams: [\s\S]*?(?=\n\s+at |$)/g, '\nparams: [not logged]')
        : value,
    ]),
  );
}
