import { tz } from '@date-fns/tz';
import { format } from 'date-fns';
import pino, { type Logger } from 'pino';
import { prettyFactory } from 'pino-pretty';
import { TIME_ZONE } from './config';

export type { Logger };

/**
 * Structured JSON logs (one line per event) for production log collectors, written to stdout
 * asynchronously (a line never waits for the pipe; what is buffered is flushed when the
 * process exits); on a terminal (stdout a TTY, e.g. `npm start` by hand) the same events as
 * readable lines instead, written synchronously so they never cut into what the process
 * prints itself. Secrets must never be passed in: the redact list is a second line of
 * defence, not the first.
 */
export function createLogger(level: string = 'info', destination?: pino.DestinationStream): Logger {
  const out = destination ?? (process.stdout.isTTY ? terminal() : asyncStdout());
  return pino(
    {
      level,
      base: { app: 'louyuantong' },
      redact: { paths: ['*.access_token', '*.corpSecret', '*.key', '*.token', '*.encodingAesKey'], censor: '[redacted]' },
    },
    out,
  );
}

/** stdout without blocking on each line; flushed on exit (process.exit included). */
function asyncStdout(): pino.DestinationStream {
  const dest = pino.destination({ dest: 1, sync: false });
  process.once('exit', () => {
    try {
      dest.flushSync();
    } catch {
      // stdout closed or not writable: nothing more can be said
    }
  });
  return dest;
}

/**
 * Readable lines with Beijing times (the product's one time zone, whatever the machine's),
 * formatted in the writing call itself so they keep their place among the process's own output.
 */
function terminal(): pino.DestinationStream {
  const beijing = { in: tz(TIME_ZONE) };
  const prettify = prettyFactory({
    colorize: true,
    translateTime: false,
    singleLine: true,
    ignore: 'pid,hostname,app',
    customPrettifiers: { time: (t) => format(new Date(Number(t)), 'HH:mm:ss', beijing) },
  });
  return { write: (line: string) => void process.stdout.write(prettify(line)) };
}

/** A logger that drops everything; for tests and tools that print on their own. */
export const silentLogger: Logger = pino({ level: 'silent' });
