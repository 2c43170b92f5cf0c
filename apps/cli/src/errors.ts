// How the CLI ends: 0 on success, 1 on a user error (one line saying what to do,
// no stack trace), 2 on a usage error (bad flag or flag value, from commander).

/** A mistake the user can fix (missing file, bad combination of flags). */
export class UserError extends Error {
  override readonly name = 'UserError';
}

/** Exit codes of the `spinettai` command. */
export const EXIT = { ok: 0, userError: 1, usage: 2 } as const;

// Errors that Node or JavaScript itself raise for programming mistakes; anything
// else with a name of its own (ConfigError, DatasetError, SafetensorsError, …) is
// one of the packages' typed errors, whose messages are written for users.
const BUG_ERRORS = new Set([
  'Error',
  'TypeError',
  'RangeError',
  'ReferenceError',
  'SyntaxError',
  'EvalError',
]);

/** Library options that are the same flag in every command (`train` maps its own on top). */
const COMMON_FLAGS: Record<string, string> = {
  outDir: '--out',
  overwrite: '--overwrite',
  resume: '--resume',
};

/** Library functions that library messages name, and the command that does the same. */
const LIBRARY_TO_COMMAND: Record<string, string> = {
  exportOnnx: 'spinettai export',
  tokenizeCorpus: 'spinettai tokenize',
  generateIds: 'spinettai generate',
};

/** One line for the user; stack traces only with SPINETTAI_DEBUG=1. */
export function describeError(err: unknown): { message: string; bug: boolean } {
  if (!(err instanceof Error)) return { message: String(err), bug: true };
  const code = (err as NodeJS.ErrnoException).code;
  const path = (err as NodeJS.ErrnoException).path;
  if (code === 'ENOENT' && path) return { message: `no such file or folder: ${path}`, bug: false };
  if (code === 'EACCES' && path) return { message: `permission denied: ${path}`, bug: false };
  if (code === 'ENOSPC')
    return { message: 'the disk is full; free some space and run the command again', bug: false };
  const firstLine = (err.message.split('\n')[0] ?? err.message)
    .replace(/`(outDir|overwrite|resume)`/g, (_, name: string) => COMMON_FLAGS[name] as string)
    .replace(
      /`?\b(exportOnnx|tokenizeCorpus|generateIds)\b`?/g,
      (_, fn: string) => `\`${LIBRARY_TO_COMMAND[fn]}\``,
    );
  return { message: firstLine, bug: BUG_ERRORS.has(err.name) && !(err instanceof UserError) };
}
