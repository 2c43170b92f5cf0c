// A suffix automaton over word ids: the index behind the copied-lyrics guard and the
// copy metrics. It accepts exactly the substrings (runs of consecutive words) of the
// indexed texts, so walking a text through it gives, at every word, the length of the
// longest run ending there that also occurs in the corpus — in time linear in the text.
// Songs are separated by a sentinel id so no run spans two songs.
// Reference: Blumer et al., "The smallest automaton recognizing the subwords of a text"
// (TCS 1985); the online construction as in e.g. cp-algorithms' "Suffix Automaton".

interface State {
  len: number;
  link: number;
  next: Map<number, number>;
}

/** Word-level suffix automaton with a vocabulary of its own (word → id). */
export class SuffixAutomaton {
  private readonly states: State[] = [{ len: 0, link: -1, next: new Map() }];
  private last = 0;
  private readonly ids = new Map<string, number>();
  private separators = 0;
  /** Words indexed, over all texts. */
  wordCount = 0;

  /** Appends one text (a song) as its own run of words. */
  addText(textWords: readonly string[]): void {
    for (const w of textWords) {
      let id = this.ids.get(w);
      if (id === undefined) {
        id = this.ids.size;
        this.ids.set(w, id);
      }
      this.extend(id);
      this.wordCount++;
    }
    this.extend(-1 - this.separators++); // a fresh sentinel: matches nothing
  }

  /** The id of a known word, or undefined (an unknown word never matches). */
  wordId(word: string): number | undefined {
    return this.ids.get(word);
  }

  /**
   * For each word of `textWords`, the length of the longest run of words ending there that
   * occurs in the corpus (0 when the word itself never occurs).
   */
  matchLengths(textWords: readonly string[]): Uint32Array {
    const out = new Uint32Array(textWords.length);
    let state = 0;
    let len = 0;
    textWords.forEach((w, i) => {
      const id = this.ids.get(w);
      if (id === undefined) {
        state = 0;
        len = 0;
        return;
      }
      while (state !== 0 && !this.states[state]!.next.has(id)) {
        state = this.states[state]!.link;
        len = this.states[state]!.len;
      }
      const to = this.states[state]!.next.get(id);
      if (to === undefined) {
        state = 0;
        len = 0;
      } else {
        state = to;
        len++;
      }
      out[i] = len;
    });
    return out;
  }

  private extend(c: number): void {
    const st = this.states;
    const cur = st.length;
    st.push({ len: st[this.last]!.len + 1, link: 0, next: new Map() });
    let p = this.last;
    while (p !== -1 && !st[p]!.next.has(c)) {
      st[p]!.next.set(c, cur);
      p = st[p]!.link;
    }
    if (p !== -1) {
      const q = st[p]!.next.get(c)!;
      if (st[p]!.len + 1 === st[q]!.len) {
        st[cur]!.link = q;
      } else {
        const clone = st.length;
        st.push({ len: st[p]!.len + 1, link: st[q]!.link, next: new Map(st[q]!.next) });
        while (p !== -1 && st[p]!.next.get(c) === q) {
          st[p]!.next.set(c, clone);
          p = st[p]!.link;
        }
        st[q]!.link = clone;
        st[cur]!.link = clone;
      }
    }
    this.last = cur;
  }
}
