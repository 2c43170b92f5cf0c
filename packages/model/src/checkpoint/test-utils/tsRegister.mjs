// `node --import ./tsRegister.mjs child.mjs`: installs tsHooks.mjs (TypeScript sources in a child process).
import { register } from 'node:module';

register('./tsHooks.mjs', import.meta.url);
