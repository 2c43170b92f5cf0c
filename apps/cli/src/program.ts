// The command tree. Each command lives in commands/<name>.ts and only turns flags
// into calls of the @spinettai packages.
import { Command, CommanderError } from 'commander';
import { registerBench } from './commands/bench.js';
import { registerDemo } from './commands/demo.js';
import { registerEval } from './commands/eval.js';
import { registerExport } from './commands/export.js';
import { registerGenerate } from './commands/generate.js';
import { registerInfo } from './commands/info.js';
import { registerScrape } from './commands/scrape.js';
import { registerServe } from './commands/serve.js';
import { registerTokenize } from './commands/tokenize.js';
import { registerTrain } from './commands/train.js';
import { describeError, EXIT } from './errors.js';
import { VERSION } from './version.js';

/** Builds the `spinettai` program. */
export function buildProgram(): Command {
  const program = new Command('spinettai')
    .description(
      "Train a small GPT-2 from scratch on one artist's lyrics and write new ones.\n" +
        'Pipeline: scrape → tokenize → train → generate / export. Try `spinettai demo`.',
    )
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .showSuggestionAfterError(true)
    .configureHelp({ sortSubcommands: false, showGlobalOptions: false });
  registerDemo(program);
  registerScrape(program);
  registerTokenize(program);
  registerTrain(program);
  registerGenerate(program);
  registerEval(program);
  registerExport(program);
  registerServe(program);
  registerInfo(program);
  registerBench(program);
  program.exitOverride();
  for (const c of program.commands) c.exitOverride();
  return program;
}

/** Runs the CLI on `argv` and returns the exit code. */
export async function run(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end through here too, with exit code 0.
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    const { message, bug } = describeError(err);
    process.stderr.write(`spinettai: ${message}\n`);
    if (process.env['SPINETTAI_DEBUG'] && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    else if (bug)
      process.stderr.write(
        'This looks like a bug in spinettai; rerun with SPINETTAI_DEBUG=1 for a stack trace and report it.\n',
      );
    return EXIT.userError;
  }
}
