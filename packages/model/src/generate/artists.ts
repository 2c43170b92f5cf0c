// Artist conditioning at generation: the tokenizer of a model tokenized with
// `--condition artist` holds one special token `<|artist:NAME|>` per artist, and each
// training song starts `<|endoftext|> <|artist:NAME|>` (the tokenizer package's dataset
// writer). Generation starts the same way. Browser-safe.

const ARTIST_TOKEN = /^<\|artist:(.+)\|>$/su;

/** Artist → token id, sorted by name, from a tokenizer's special tokens (empty without any). */
export function artistsOf(
  tokenizer: { readonly specialTokens?: ReadonlyMap<string, number> } | undefined,
): Map<string, number> {
  const found: [string, number][] = [];
  for (const [token, id] of tokenizer?.specialTokens ?? []) {
    const m = ARTIST_TOKEN.exec(token);
    if (m) found.push([m[1]!, id]);
  }
  return new Map(found.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
