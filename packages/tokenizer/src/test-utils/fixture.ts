// A small trained tokenizer shared by tests (trained in memory, ~50 ms).

import { type BpeModel, trainBpe } from '../bpeTrainer.js';
import { Tokenizer } from '../tokenizer.js';
import { tokenizerConfigText, tokenizerJsonText } from '../tokenizerJson.js';
import { syntheticSongs } from './corpus.js';

export interface Fixture {
  model: BpeModel;
  json: string;
  config: string;
  tokenizer: Tokenizer;
}

export async function smallTokenizer(vocabSize = 700, songs = syntheticSongs(80, 11)): Promise<Fixture> {
  const model = await trainBpe(songs, { vocabSize });
  const json = tokenizerJsonText(model);
  const config = tokenizerConfigText(model);
  return { model, json, config, tokenizer: Tokenizer.fromStrings(json, config) };
}
