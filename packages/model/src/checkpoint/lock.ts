// One writer per output folder: `lockFolder(target, command)` takes `.<name>.lock`
// beside the folder. The lock's format, stale-lock takeover and release are owned by
// @spinettai/tokenizer/node (outputFolder.ts), shared with data folders; this wraps it
// with the model's error type.

import { type FolderLock, lockFolder as lockWith } from '@spinettai/tokenizer/node';
import { OutputFolderError } from './atomic.js';

export { type FolderLock, lockFileOf } from '@spinettai/tokenizer/node';

/**
 * Takes the lock of output folder `target` for `command` (e.g. 'train'), taking over a
 * stale one. Throws OutputFolderError naming the other process when it is held.
 */
export function lockFolder(target: string, command: string): Promise<FolderLock> {
  return lockWith(target, command, (message) => new OutputFolderError(message, { file: target }));
}
