// Messages between the page (main.ts) and the generation worker (worker.ts).

/** Sampling settings the page sends; the names follow the URL parameters. */
export interface Settings {
  prompt: string;
  temperature: number;
  topK: number;
  topP: number;
  maxTokens: number;
  seed: number;
  /** `<|artist:NAME|>` to start from, when the model is conditioned on artists. */
  artist: string;
  /** Which export file: fp32 (onnx/model.onnx), q8, q4 or fp16. */
  dtype: string;
  /** Copied-lyrics guard: undefined = the site's default, 0 = off. */
  maxCopyWords?: number | undefined;
}

/** What the model's folder says about it, for the "About" section. */
export interface ModelInfo {
  nLayer: number;
  nHead: number;
  nEmbd: number;
  vocabSize: number;
  blockSize: number;
  params: number;
  artists: string[];
  dtype: string;
  backend: string;
  threads: number;
  /** Words of the copied-lyrics guard's windows; 0 when the site has no guard. */
  copyGuard: number;
  /** Extra facts from config.json's `spinettai` section (training songs, best validation loss). */
  trainSongs?: number | undefined;
  bestValLoss?: number | undefined;
}

export type ToWorker =
  | { type: 'load'; base: string; dtype: string }
  | { type: 'generate'; settings: Settings }
  | { type: 'stop' };

export type FromWorker =
  | { type: 'loaded'; info: ModelInfo }
  | { type: 'piece'; text: string; tokens: number }
  | { type: 'done'; finishReason: string; tokens: number; seconds: number }
  | { type: 'error'; message: string };
