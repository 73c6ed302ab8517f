import { failsGate, runGate } from '../engine';
import { GateInputError, TemplateModel } from '../model';
import { applyDesignations } from '../model/environments';
import { renderReport, REPORT_FORMATS, type ReportFormat } from '../report/reporters';
import { oneLine, processIo, readArgs, UsageError, writeReport, type Io } from './args';
import { DESIGNATION_OPTIONS, readDesignations, type DesignationArgs } from './config';
import { runCostCommand } from './cost-command';
import { runDiffCommand } from './diff-command';

const USAGE = `usage: black-hole audit <cdk.out dir | template.json|yaml ...> [--format text|json|sarif|markdown] [--out FILE] [--allow-acknowledged]
       [--environment-vpc <LogicalId|glob>[=name] ...] [--agent-role <LogicalId|glob> ...] [--config FILE] [--require-environment]
       black-hole diff <base> <head> | --base ... --head ...   (black-hole diff --help)
       black-hole cost <cdk.out dir | template ...>           (black-hole cost --help)

--environment-vpc and --agent-role designate, in templates without the black-hole:environment and
black-hole:agent-role tags, the VPCs of an environment and the roles of agents (logical IDs or globs,
optionally <stack>/ first); black-hole.config.json in the current directory (or --config FILE) says
the same. --require-environment fails when no environment is tagged or designated.
Exit codes: 0 no failing finding, 1 at least one failing finding (or no environment with
--require-environment), 2 unusable input.`;

interface AuditArgs {
  readonly paths: string[];
  readonly format: ReportFormat;
  readonly out?: string;
  readonly allowAcknowledged: boolean;
  readonly designations: DesignationArgs;
  readonly requireEnvironment: boolean;
}

/** The audit command's options, tokenized by node:util parseArgs; validation and messages are ours. */
const AUDIT_OPTIONS = {
  format: { type: 'string' },
  out: { type: 'string' },
  'allow-acknowledged': { type: 'boolean' },
  'require-environment': { type: 'boolean' },
  ...DESIGNATION_OPTIONS,
  help: { type: 'boolean', short: 'h' },
} as const;

function parseAuditArgs(argv: readonly string[]): AuditArgs | 'help' {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') return 'help';
  if (argv[0] !== 'audit') throw new UsageError(`unknown command '${argv[0]}' (the commands are audit, diff and cost)`);
  const paths: string[] = [];
  let format: ReportFormat = 'text';
  let out: string | undefined;
  let config: string | undefined;
  const environmentVpcs: string[] = [];
  const agentRoles: string[] = [];
  const flags = new Set<string>();
  const help = readArgs(argv.slice(1), AUDIT_OPTIONS, (token) => {
    if (token.kind === 'positional') paths.push(token.value);
    else if (token.kind === 'flag') flags.add(token.name);
    else if (token.name === 'format') {
      if (!REPORT_FORMATS.includes(token.value as ReportFormat)) throw new UsageError(`--format '${token.value}' is not one of ${REPORT_FORMATS.join(', ')}`);
      format = token.value as ReportFormat;
    } else if (token.name === 'environment-vpc') environmentVpcs.push(token.value);
    else if (token.name === 'agent-role') agentRoles.push(token.value);
    else if (token.name === 'config') config = token.value;
    else out = token.value;
  });
  if (help) return 'help';
  if (paths.length === 0) throw new UsageError('no input: give a cdk.out directory or template files');
  return {
    paths,
    format,
    out,
    allowAcknowledged: flags.has('allow-acknowledged'),
    requireEnvironment: flags.has('require-environment'),
    designations: { environmentVpcs, agentRoles, ...(config !== undefined ? { config } : {}) },
  };
}

/**
 * `black-hole audit`: the gate for any synthesized template, in CI. Returns the exit code; never
 * throws, never prints a stack trace.
 */
export function main(argv: readonly string[], io: Io = processIo): number {
  if (argv[0] === 'cost') return runCostCommand(argv.slice(1), io);
  if (argv[0] === 'diff') return runDiffCommand(argv.slice(1), io);
  let args: AuditArgs | 'help';
  try {
    args = parseAuditArgs(argv);
  } catch (e) {
    io.stderr(`black-hole: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (args === 'help') {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  try {
    const designations = readDesignations(args.designations);
    const { model, designated } = applyDesignations(TemplateModel.load(args.paths), designations);
    const result = runGate(model);
    const report = renderReport(args.format, model, result, {
      allowAcknowledged: args.allowAcknowledged,
      requireEnvironment: args.requireEnvironment,
      designated,
    });
    if (!writeReport(args.out, report, io)) return 2;
    if (args.requireEnvironment && result.summary.environments === 0) {
      io.stderr(
        'black-hole: no black hole environment found (none tagged black-hole:environment, none designated with --environment-vpc or black-hole.config.json) and --require-environment is set\n',
      );
      return 1;
    }
    return result.findings.some((f) => failsGate(f, args.allowAcknowledged)) ? 1 : 0;
  } catch (e) {
    if (e instanceof GateInputError) {
      io.stderr(`black-hole: ${e.file}: ${e.reason}\n`);
    } else {
      io.stderr(`black-hole: cannot audit the input: ${oneLine((e as Error)?.message ?? e)}\n`);
    }
    return 2;
  }
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
