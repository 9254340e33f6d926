type Level = 'debug' | 'info' | 'warn' | 'error';
const order = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** One JSON line per event. Phone numbers never reach the log in full (SPEC section 7). */
export function createLogger(level: keyof typeof order, write: (line: string) => void = console.log): Logger {
  const emit =
    (at: Level) =>
    (msg: string, fields: Record<string, unknown> = {}) => {
      if (order[at] < order[level]) return;
      write(JSON.stringify({ time: new Date().toISOString(), level: at, msg, ...maskPhones(fields) }));
    };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}

export function maskPhone(phone: string): string {
  return phone.length > 7 ? `${phone.slice(0, 5)}****${phone.slice(-2)}` : '****';
}

function maskPhones(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    out[key] = typeof value === 'string' ? scrub(value) : value;
  }
  return out;
}

/**
 * A failed query's message lists its parameters (names, ship-to phones and addresses): only the SQL
 * text is kept. Phone numbers anywhere in a text are masked.
 */
export function scrub(text: string): string {
  return text
    .replace(/\nparams: [\s\S]*?(?=\n\s+at |$)/g, '\nparams: [not logged]')
    .replace(/\+\d{8,15}/g, (phone) => maskPhone(phone));
}
