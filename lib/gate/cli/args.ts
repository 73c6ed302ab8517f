import * as fs from 'fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Where a command writes: the process's streams, or a test's buffers. */
export interface Io {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
}

/** The process's stdout and stderr. */
export const processIo: Io = {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
};

/** Unusable arguments: the command prints the message and its usage, and exits 2. */
export class UsageError extends Error {}

/** One option of a command, as node:util parseArgs describes it. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly multiple?: boolean;
  readonly short?: string;
}

/** An argument of a command, in the order given: an input, a flag, or an option with its value. */
export type ArgToken =
  | { readonly kind: 'positional'; readonly value: string }
  | { readonly kind: 'flag'; readonly name: string }
  | { readonly kind: 'option'; readonly name: string; readonly value: string };

/**
 * Reads a command's arguments in order with node:util parseArgs, checked the way every command of
 * this CLI checks them: only `--name`, `--name=value` and `-h` alone are options (`-`, `--` and short
 * groups such as `-hx` are unknown), flags take no value, string options need a non-empty one. Each
 * argument goes to `visit` as soon as it is read, so the command checks its values in place and the
 * first problem in the argument list is the one reported (parseArgs runs with `strict: false` so
 * that problems come back as tokens, in the CLI's own words). Returns 'help' at `--help`/`-h`
 * unless a problem comes first.
 */
export function readArgs(argv: readonly string[], options: Readonly<Record<string, OptionSpec>>, visit: (token: ArgToken) => void): 'help' | undefined {
  const { tokens } = parseArgs({ args: [...argv], options: options as ParseArgsConfig['options'], strict: false, allowPositionals: true, tokens: true });
  for (const token of tokens ?? []) {
    const raw = argv[token.index];
    if (token.kind === 'option-terminator' || (token.kind === 'positional' && raw === '-')) throw new UsageError(`unknown option '${raw}'`);
    if (token.kind === 'positional') {
      visit({ kind: 'positional', value: token.value });
      continue;
    }
    const known =
      Object.prototype.hasOwnProperty.call(options, token.name) && (token.rawName === `--${token.name}` || (token.rawName === '-h' && raw === '-h'));
    if (!known) throw new UsageError(`unknown option '${raw}'`);
    if (options[token.name].type === 'boolean') {
      if (token.inlineValue) throw new UsageError(`unknown option '${raw}'`);
      if (token.name === 'help') return 'help';
      visit({ kind: 'flag', name: token.name });
      continue;
    }
    const value = token.value;
    if (value === undefined || value === '') throw new UsageError(`--${token.name} needs a value`);
    visit({ kind: 'option', name: token.name, value });
  }
  return undefined;
}

/** Writes a report to `--out FILE` or stdout; false (with one line on stderr) when the file cannot be written. */
export function writeReport(out: string | undefined, report: string, io: Io): boolean {
  if (!out) {
    io.stdout(report);
    return true;
  }
  try {
    fs.writeFileSync(out, report);
    return true;
  } catch (e) {
    io.stderr(`black-hole: ${out}: cannot write the report (${(e as NodeJS.ErrnoException).code ?? 'error'})\n`);
    return false;
  }
}

/** The first line of an error message, at most 300 characters: the CLI never prints a stack trace. */
export function oneLine(message: unknown): string {
  return String(message).split('\n')[0].slice(0, 300);
}
