// GPT-2 pre-tokenization: split text into "words" with GPT-2's regex before BPE,
// so merges never cross a word boundary (letters, digits, punctuation and
// whitespace runs, with one leading space kept on the following word).
//
// The pattern is GPT-2's
//   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
// as compiled by Hugging Face's Rust `tokenizers` (Oniguruma). Oniguruma's `\s`
// is Unicode White_Space (it includes U+0085 NEL and excludes U+FEFF), while
// JavaScript's `\s` includes U+FEFF and excludes U+0085. We spell the class out
// so that training and encoding split exactly like Python/Rust `tokenizers`.
// Reference: HF tokenizers src/pre_tokenizers/byte_level.rs.

/** Oniguruma's Unicode `\s` (White_Space), as a character-class body. */
const WS = '\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

/** GPT-2's split pattern with Oniguruma `\s` semantics (global, Unicode). */
export const GPT2_SPLIT_PATTERN = new RegExp(
  `'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^${WS}\\p{L}\\p{N}]+|[${WS}]+(?![^${WS}])|[${WS}]+`,
  'gu',
);

/**
 * Splits text into GPT-2 pre-tokens (plain strings, not yet byte-level).
 * Concatenating the pieces gives the text back.
 */
export function preTokenize(text: string): string[] {
  return text.match(GPT2_SPLIT_PATTERN) ?? [];
}
