// Pretty JSON in the exact layout of serde_json's `to_string_pretty` (what the
// Rust `tokenizers` writes for tokenizer.json) and of Python's
// `json.dumps(indent=2, ensure_ascii=False)` (transformers' tokenizer_config.json):
// two-space indent, `"key": value`, `[]`/`{}` when empty, non-ASCII kept as is.
// Objects are given as Maps so key order is exactly the order we choose;
// `JSON.stringify` would move integer-like keys such as "12" to the front.

/** A JSON value whose objects are ordered Maps. */
export type OrderedJson =
  | null
  | boolean
  | number
  | string
  | readonly OrderedJson[]
  | ReadonlyMap<string, OrderedJson>;

function write(value: OrderedJson, indent: string, out: string[]): void {
  if (value === null || typeof value !== 'object') {
    out.push(JSON.stringify(value));
    return;
  }
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) {
      out.push('[]');
      return;
    }
    out.push('[\n');
    value.forEach((v: OrderedJson, i: number) => {
      out.push(inner);
      write(v, inner, out);
      out.push(i + 1 < value.length ? ',\n' : '\n');
    });
    out.push(`${indent}]`);
    return;
  }
  const map = value as ReadonlyMap<string, OrderedJson>;
  if (map.size === 0) {
    out.push('{}');
    return;
  }
  out.push('{\n');
  let i = 0;
  for (const [k, v] of map) {
    out.push(`${inner}${JSON.stringify(k)}: `);
    write(v, inner, out);
    out.push(++i < map.size ? ',\n' : '\n');
  }
  out.push(`${indent}}`);
}

/** Serialises an ordered JSON value with two-space indentation (no trailing newline). */
export function prettyJson(value: OrderedJson): string {
  const out: string[] = [];
  write(value, '', out);
  return out.join('');
}

/** Builds an ordered object from entries. */
export const obj = (entries: readonly (readonly [string, OrderedJson])[]): ReadonlyMap<string, OrderedJson> =>
  new Map(entries);
