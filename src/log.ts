import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs (one line per event) for production log collectors. Secrets must
 * never be passed in: the redact list is a second line of defence, not the first.
 */
export function createLogger(level: string = 'info', destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { app: 'louyuantong' },
      redact: { paths: ['*.access_token', '*.corpSecret', '*.key', '*.token', '*.encodingAesKey'], censor: '[redacted]' },
    },
    destination,
  );
}

/** A logger that drops everything; for tests and tools that print on their own. */
export const silentLogger: Logger = pino({ level: 'silent' });
