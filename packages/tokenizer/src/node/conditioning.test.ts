// Artist conditioning (issue 16, tokenize side): one special token per artist,
// first token of each of that artist's songs, listed in meta.json; also on a
// reused tokenizer. Oracle for the tokenizer.json: the Rust `tokenizers` loading it.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tokenizer as RustTokenizer } from 'tokenizers';
import { afterAll, describe, expect, it } from 'vitest';
import { artistToken, artistTokenId, corpusArtists } from '../artists.js';
import { readDatasetMeta, readDatasetTokens } from '../dataset.js';
import { CorpusError } from '../errors.js';
import { syntheticSongs } from '../test-utils/corpus.js';
import { tokenizeCorpus } from '../tokenizeCorpus.js';
import { loadTokenizer } from './tokenizerFiles.js';

const work = mkdtempSync(join(tmpdir(), 'spinettai-cond-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const ARTISTS = ['Soda Stereo', 'Charly García', 'Sui Generis'];
const songs = syntheticSongs(30, 21).map((lyrics, i) => ({
  title: `t${i}`,
  lyrics,
  artist: ` ${ARTISTS[i % 3]} `,
}));

/** Splits a token stream at the eos id into songs. */
function split(ids: ArrayLike<number>, eos: number): number[][] {
  const out: number[][] = [];
  for (const id of Array.from(ids)) {
    if (id === eos) out.push([]);
    else out[out.length - 1]?.push(id);
  }
  return out;
}

describe("condition: 'artist'", () => {
  it('adds one special token per artist and starts every song with it', async () => {
    const out = join(work, 'trained');
    const { meta } = await tokenizeCorpus({ songs, outDir: out, vocabSize: 400, condition: 'artist' });
    const names = [...ARTISTS].sort();
    expect(Object.keys(meta.artists ?? {})).toEqual(names);
    expect(Object.values(meta.artists ?? {})).toEqual([400, 401, 402]);
    expect(meta.vocab_size).toBe(403);
    const read = await readDatasetMeta(out);
    expect(read.artists).toEqual(meta.artists);
    expect(artistTokenId(read.artists, 'Sui Generis')).toBe(402);
    expect(() => artistTokenId(read.artists, 'Seru Giran')).toThrow(
      /"Seru Giran" is not in this data; known artists: "Charly García", "Soda Stereo", "Sui Generis"/,
    );
    expect(() => artistTokenId(undefined, 'Sui Generis')).toThrow(/without artist conditioning/);

    const json = readFileSync(join(out, 'tokenizer.json'), 'utf8');
    const rust = RustTokenizer.fromString(json);
    for (const name of names) expect(rust.tokenToId(artistToken(name))).toBe(meta.artists?.[name]);
    const added = (JSON.parse(json) as { added_tokens: { content: string; special: boolean }[] })
      .added_tokens;
    expect(added.filter((t) => t.content.startsWith('<|artist:')).every((t) => t.special)).toBe(true);
    const config = JSON.parse(readFileSync(join(out, 'tokenizer_config.json'), 'utf8'));
    expect(config.additional_special_tokens).toEqual(names.map(artistToken));

    const tok = await loadTokenizer(out);
    const train = split(await readDatasetTokens(out, 'train'), meta.eot_token_id);
    const val = split(await readDatasetTokens(out, 'val'), meta.eot_token_id);
    expect(train.length + val.length).toBe(songs.length);
    for (const s of [...train, ...val]) {
      const [first, ...rest] = s;
      const artist = tok.decode([first as number]);
      expect(names.map(artistToken)).toContain(artist);
      // The rest is that artist's song, encoded as usual.
      const match = songs.find((x) => tok.decode(rest) === x.lyrics);
      expect(match && artistToken(match.artist.trim())).toBe(artist);
    }
  });

  it('adds the artist tokens to a reused tokenizer after its own ids', async () => {
    const base = join(work, 'base');
    await tokenizeCorpus({ songs, outDir: base, vocabSize: 350 });
    const out = join(work, 'reused');
    const { meta } = await tokenizeCorpus({ songs, outDir: out, tokenizer: base, condition: 'artist' });
    expect(meta.vocab_size).toBe(353);
    expect(meta.artists).toEqual({ 'Charly García': 350, 'Soda Stereo': 351, 'Sui Generis': 352 });
    expect(meta.tokenizer_source).toEqual({ kind: 'tokenizer.json', path: join(base, 'tokenizer.json') });
    const baseTok = await loadTokenizer(base);
    const tok = await loadTokenizer(out);
    expect(tok.encode(songs[0]?.lyrics ?? '')).toEqual(baseTok.encode(songs[0]?.lyrics ?? ''));
    expect(tok.decode([350, 351], { skipSpecialTokens: true })).toBe('');
  });

  it('refuses a corpus where a song has no artist, naming the song', async () => {
    expect(() => corpusArtists([{ title: 'Uno', lyrics: 'la' }])).toThrow(CorpusError);
    await expect(
      tokenizeCorpus({
        songs: [...songs, { title: 'Sin autor', lyrics: 'la la la' }],
        outDir: join(work, 'bad'),
        vocabSize: 300,
        condition: 'artist',
      }),
    ).rejects.toThrow(/"Sin autor".*has no artist/);
  });
});
