import * as fs from 'fs';
import { failsGate, runGate } from '../engine';
import { GateInputError, TemplateModel } from '../model';
import { renderReport, REPORT_FORMATS, type ReportFormat } from '../report/reporters';

const USAGE = `usage: black-hole audit <cdk.out dir | template.json|yaml ...> [--format text|json|sarif|markdown] [--out FILE] [--allow-acknowledged]

Exit codes: 0 no failing finding, 1 at least one failing finding, 2 unusable input.`;

interface Io {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
}

const processIo: Io = {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
};

class UsageError extends Error {}

interface AuditArgs {
  readonly paths: string[];
  readonly format: ReportFormat;
  readonly out?: string;
  readonly allowAcknowledged: boolean;
}

function parseArgs(argv: readonly string[]): AuditArgs | 'help' {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') return 'help';
  if (argv[0] !== 'audit') throw new UsageError(`unknown command '${argv[0]}' (the command is 'audit')`);
  const paths: string[] = [];
  let format: ReportFormat = 'text';
  let out: string | undefined;
  let allowAcknowledged = false;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    const value = (name: string) => {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (v === undefined || v === '') throw new UsageError(`${name} needs a value`);
      return v;
    };
    if (a === '--help' || a === '-h') return 'help';
    if (a === '--format' || a.startsWith('--format=')) {
      const f = value('--format');
      if (!REPORT_FORMATS.includes(f as ReportFormat)) throw new UsageError(`--format '${f}' is not one of ${REPORT_FORMATS.join(', ')}`);
      format = f as ReportFormat;
    } else if (a === '--out' || a.startsWith('--out=')) {
      out = value('--out');
    } else if (a === '--allow-acknowledged') {
      allowAcknowledged = true;
    } else if (a.startsWith('-')) {
      throw new UsageError(`unknown option '${a}'`);
    } else {
      paths.push(a);
    }
  }
  if (paths.length === 0) throw new UsageError('no input: give a cdk.out directory or template files');
  return { paths, format, out, allowAcknowledged };
}

/**
 * `black-hole audit`: the gate for any synthesized template, in CI. Returns the exit code; never
 * throws, never prints a stack trace.
 */
export function main(argv: readonly string[], io: Io = processIo): number {
  let args: AuditArgs | 'help';
  try {
    args = parseArgs(argv);
  } catch (e) {
    io.stderr(`black-hole: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (args === 'help') {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  try {
    const model = TemplateModel.load(args.paths);
    const result = runGate(model);
    const report = renderReport(args.format, model, result, { allowAcknowledged: args.allowAcknowledged });
    if (args.out) {
      try {
        fs.writeFileSync(args.out, report);
      } catch (e) {
        io.stderr(`black-hole: ${args.out}: cannot write the report (${(e as NodeJS.ErrnoException).code ?? 'error'})\n`);
        return 2;
      }
    } else {
      io.stdout(report);
    }
    return result.findings.some((f) => failsGate(f, args.allowAcknowledged)) ? 1 : 0;
  } catch (e) {
    if (e instanceof GateInputError) {
      io.stderr(`black-hole: ${e.file}: ${e.reason}\n`);
    } else {
      io.stderr(`black-hole: cannot audit the input: ${oneLine((e as Error)?.message ?? String(e))}\n`);
    }
    return 2;
  }
}

function oneLine(s: string): string {
  return s.split('\n')[0].slice(0, 300);
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
