// The JSONL corpus on disk: one song per line, appended with a single write followed by
// fsync, so a killed process leaves either the whole line or none of it. Opening an
// existing file for resume reads the saved songs and cuts off a trailing partial line
// that an older, less careful crash may have left.
// Only a file this scraper wrote is resumed: it writes a marker file beside the corpus
// (`<out>.scraper.json`) before the first line, and refuses a non-empty file without one,
// so hand-written or other tools' files are never appended to.
import { type FileHandle, mkdir, open, readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { writeFileAtomic } from './atomicWrite.js';
import { CorpusFileError } from './errors.js';

/** What the marker file holds; `writer` and `format` identify it. */
const MARKER = { writer: '@spinettai/scraper', format: 1 } as const;

/** Path of the marker that says the scraper wrote `path`. */
export function corpusMarkerPath(path: string): string {
  return `${path}.scraper.json`;
}

/** Write the marker of `path` (atomically): from now on `path` counts as the scraper's. */
export async function markCorpusFile(path: string): Promise<void> {
  const note = `${basename(path)} was written by spinettai scrape, which resumes it; delete both files to start over.`;
  await writeFileAtomic(corpusMarkerPath(path), `${JSON.stringify({ ...MARKER, note }, null, 2)}\n`);
}

async function hasMarker(path: string): Promise<boolean> {
  try {
    const value = JSON.parse(await readFile(corpusMarkerPath(path), 'utf8')) as Record<string, unknown>;
    return value['writer'] === MARKER.writer && value['format'] === MARKER.format;
  } catch {
    return false;
  }
}

/** One corpus line (the shared corpus JSONL contract). */
export interface CorpusRecord {
  id: number | string;
  title: string;
  artist: string;
  album: string | null;
  releaseDate: string | null;
  url: string | null;
  lyrics: string;
}

/** An open corpus file: what it held when opened, and an appender. */
export interface CorpusFile {
  path: string;
  /** Songs already in the file when it was opened, in file order. */
  existing: CorpusRecord[];
  /** Bytes of a trailing partial line that were cut off on open (0 when the file was clean). */
  truncatedBytes: number;
  /** Append one record as one line; resolves after fsync. */
  append(record: CorpusRecord): Promise<void>;
  close(): Promise<void>;
}

/** Parse JSONL text into records; throws CorpusFileError naming the bad line. */
export function parseCorpus(text: string, path: string): CorpusRecord[] {
  const out: CorpusRecord[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new CorpusFileError(
        path,
        `line ${i + 1} is not valid JSON. Fix or delete that line, or choose another --out.`,
      );
    }
    const r = value as Partial<CorpusRecord> | null;
    if (!r || (typeof r.id !== 'number' && typeof r.id !== 'string') || typeof r.lyrics !== 'string') {
      throw new CorpusFileError(path, `line ${i + 1} is not a corpus record (needs "id" and "lyrics").`);
    }
    out.push(r as CorpusRecord);
  }
  return out;
}

/**
 * Open (creating if needed) a corpus file for appending, repairing a partial last line.
 * A non-empty file without the scraper's marker is refused (CorpusFileError naming it).
 */
export async function openCorpusFile(path: string): Promise<CorpusFile> {
  let handle: FileHandle;
  let existing: CorpusRecord[] = [];
  let truncatedBytes = 0;
  try {
    await mkdir(dirname(path), { recursive: true });
    let bytes: Buffer = Buffer.alloc(0);
    try {
      bytes = await readFile(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    if (bytes.length > 0 && !(await hasMarker(path))) {
      throw new CorpusFileError(
        path,
        `exists and was not written by the scraper (no ${basename(corpusMarkerPath(path))} beside it), so it is not resumed or appended to. ` +
          'Choose another --out, or move the file away.',
      );
    }
    if (bytes.length === 0) await markCorpusFile(path);
    const keep = bytes.lastIndexOf(0x0a) + 1; // everything after the last newline is a partial line
    truncatedBytes = bytes.length - keep;
    existing = parseCorpus(bytes.subarray(0, keep).toString('utf8'), path);
    handle = await open(path, 'a+');
    if (truncatedBytes > 0) {
      await handle.truncate(keep);
      await handle.sync();
    }
  } catch (e) {
    if (e instanceof CorpusFileError) throw e;
    throw new CorpusFileError(path, `cannot open for appending (${(e as Error).message}).`);
  }
  return {
    path,
    existing,
    truncatedBytes,
    async append(record) {
      const line = Buffer.from(`${JSON.stringify(record)}\n`, 'utf8');
      let offset = 0;
      while (offset < line.length) {
        const { bytesWritten } = await handle.write(line, offset, line.length - offset);
        offset += bytesWritten;
      }
      await handle.sync();
    },
    close: () => handle.close(),
  };
}
