// Progress for long commands: a live bar (cli-progress) on a terminal, plain
// timestamped lines otherwise (CI logs, pipes), so logs stay readable.
import cliProgress from 'cli-progress';

/** Payload fields shown after the bar, e.g. `{ loss: '2.31' }`. */
export type Fields = Record<string, string | number>;

/** What a command reports progress through. */
export interface Progress {
  update(value: number, fields?: Fields): void;
  /** Prints a line above the bar (or as a plain line). */
  log(line: string): void;
  stop(): void;
}

/** Options of `createProgress`. */
export interface ProgressOptions {
  label: string;
  total: number;
  /** Unit of the counted items, e.g. 'steps'. */
  unit: string;
  /** Renders the fields after the counter, e.g. `f => \`loss ${f.loss}\``. */
  describe: (fields: Fields) => string;
  /** Minimum seconds between plain lines (default 10). */
  plainEverySec?: number;
  stream?: NodeJS.WriteStream;
}

function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** A progress display for `total` items; `eta` fields given by the caller win over the bar's own estimate. */
export function createProgress(opts: ProgressOptions): Progress {
  const stream = opts.stream ?? process.stderr;
  const started = Date.now();
  let fields: Fields = {};
  const eta = (value: number): string => {
    if (typeof fields['etaSec'] === 'number') return formatEta(fields['etaSec']);
    const elapsed = (Date.now() - started) / 1000;
    return value > 0 ? formatEta((elapsed / value) * (opts.total - value)) : '--:--';
  };

  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream,
        hideCursor: true,
        clearOnComplete: false,
        barsize: 24,
        format: (_o, params) => {
          const filled = Math.round(params.progress * 24);
          const barText = '█'.repeat(filled) + '░'.repeat(24 - filled);
          return `${opts.label} ${barText} ${params.value}/${params.total} ${opts.unit} | ${opts.describe(fields)} | ETA ${eta(params.value)}`;
        },
      },
      cliProgress.Presets.shades_classic,
    );
    // The bar appears with the first update, so a command that fails early leaves no empty bar.
    let shown = false;
    return {
      update(value, f) {
        if (f) fields = { ...fields, ...f };
        if (!shown) bar.start(opts.total, value);
        shown = true;
        bar.update(value);
      },
      log(line) {
        if (!shown) {
          stream.write(`${line}\n`);
          return;
        }
        stream.write('\r\x1b[2K');
        stream.write(`${line}\n`);
        bar.render();
      },
      stop() {
        if (shown) bar.stop();
        shown = false;
      },
    };
  }

  const every = (opts.plainEverySec ?? 10) * 1000;
  let lastPrint = 0;
  let lastValue = 0;
  const print = (value: number) => {
    stream.write(
      `${opts.label} ${value}/${opts.total} ${opts.unit} | ${opts.describe(fields)} | ETA ${eta(value)}\n`,
    );
    lastPrint = Date.now();
  };
  return {
    update(value, f) {
      if (f) fields = { ...fields, ...f };
      lastValue = value;
      if (Date.now() - lastPrint >= every || value === opts.total) print(value);
    },
    log(line) {
      stream.write(`${line}\n`);
    },
    stop() {
      // A last line only when there was progress that the plain lines have not shown yet.
      if (lastValue > 0 && lastValue !== opts.total) print(lastValue);
      lastValue = 0;
    },
  };
}
