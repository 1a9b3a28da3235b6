/**
 * `genesys-rotator`: the operator CLI. `main` parses the command line with commander, runs one
 * command and returns its exit code (EXIT in errors.ts); the bin and the tests call it.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { type AwsOptions, createOperatorAws, DEFAULT_STACK_NAME, STATE_MACHINE_ARN_VARIABLE } from './aws.js';
import {
  type CommandContext,
  emergencyCommand,
  historyCommand,
  planCommand,
  rotateCommand,
  statusCommand,
} from './commands.js';
import { EXIT, OperatorError } from './errors.js';
import { type CliIo, Reporter } from './output.js';
import { ADMIN_SECRET_VARIABLE, DEFAULT_ADMIN_SECRET, type ScanCommandOptions, scanCommand } from './scan.js';

interface GlobalOptions extends AwsOptions {
  readonly json?: boolean;
  readonly pollMs: number;
}

function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1)
    throw new InvalidArgumentError('must be a positive whole number');
  return parsed;
}

const EXIT_CODES_HELP = `
Exit codes:
  0  done (rotation succeeded, plan passed every check, listing read)
  1  the rotation failed (rolled back, needs attention) or an AWS call failed
  2  bad usage (unknown option, missing argument, emergency without --confirm)
  3  held: no evidence consumers left the legacy client (it stays active)
  4  the secret or the state machine does not exist, or the secret is not managed
  5  refused by policy (a plan check failed, or the rotation was refused)
  6  scan found a hard-coded secret

AWS: the default credential chain (AWS_PROFILE, AWS_REGION, ...; AWS_ENDPOINT_URL for the local sandbox).
The state machine: --state-machine, else ${STATE_MACHINE_ARN_VARIABLE}, else the one named
<stack>-rotation (--stack, GENESYS_ROTATOR_STACK, default ${DEFAULT_STACK_NAME}).`;

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const report = new Reporter(io, argv.includes('--json'));
  let exitCode: number = EXIT.ok;
  let aws: ReturnType<typeof createOperatorAws> | undefined;

  const program = new Command('genesys-rotator')
    .description('Operate the Genesys credential rotator: plan, rotate, follow, inspect, and handle a leak.')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => void (report.json ? io.stderr : io.stdout).write(text),
      writeErr: (text) => void io.stderr.write(text),
    })
    .option('--json', 'print one JSON document on stdout (progress goes to stderr)')
    .option('--region <region>', 'AWS region (default: the SDK chain, e.g. AWS_REGION)')
    .option('--profile <profile>', 'AWS shared-config profile (default: AWS_PROFILE)')
    .option(
      '--state-machine <arn>',
      `the rotation state machine (default: ${STATE_MACHINE_ARN_VARIABLE} or found by stack)`,
    )
    .option(
      '--stack <name>',
      `the rotator stack's name (default: GENESYS_ROTATOR_STACK or ${DEFAULT_STACK_NAME})`,
    )
    .addOption(
      new Option('--poll-ms <ms>', 'how often --follow reads the execution history')
        .argParser(positiveInteger)
        .default(2000),
    )
    .addHelpText('after', EXIT_CODES_HELP)
    .showSuggestionAfterError();

  const context = (command: Command): CommandContext => {
    const globals = command.optsWithGlobals<GlobalOptions>();
    aws = createOperatorAws(globals, io.env);
    return { aws, report, pollMs: globals.pollMs, now: () => new Date() };
  };
  const run =
    (work: (command: Command) => Promise<number>) =>
    async (...args: unknown[]) => {
      exitCode = await work(args[args.length - 1] as Command);
    };

  program
    .command('plan')
    .description(
      'dry run: every check, the blast radius and the calls a rotation would make; changes nothing',
    )
    .argument('<secret>', 'managed secret name or ARN')
    .option('--reason <text>', 'recorded in the execution input and the events')
    .option('--name <execution>', 'execution name (default cli-plan-<secret>-<time>-<random>)')
    .action(
      run((command) =>
        planCommand(
          context(command),
          command.args[0] as string,
          command.opts<{ reason?: string; name?: string }>(),
        ),
      ),
    );

  program
    .command('rotate')
    .description('start a rotation (a named execution); --follow shows each state live and waits for the end')
    .argument('<secret>', 'managed secret name or ARN')
    .option('--follow', 'follow the execution to its end and exit with its outcome')
    .option('--reason <text>', 'recorded in the execution input and the events')
    .option(
      '--name <execution>',
      'execution name (default cli-rotate-<secret>-<time>-<random>); same name and input: same execution',
    )
    .action(
      run((command) =>
        rotateCommand(
          context(command),
          command.args[0] as string,
          command.opts<{ follow?: boolean; reason?: string; name?: string }>(),
        ),
      ),
    );

  program
    .command('status')
    .description(
      'every managed secret: kind, age, last outcome, next rotation, pending version, legacy client in grace',
    )
    .addOption(
      new Option('--executions <n>', 'how many recent executions to search for last outcomes')
        .argParser(positiveInteger)
        .default(100),
    )
    .action(run((command) => statusCommand(context(command), command.opts<{ executions: number }>())));

  program
    .command('history')
    .description("a secret's past executions and their outcomes, newest first")
    .argument('<secret>', 'managed secret name or ARN')
    .addOption(new Option('--limit <n>', 'executions to show').argParser(positiveInteger).default(20))
    .addOption(
      new Option('--executions <n>', 'how many recent executions of the state machine to search')
        .argParser(positiveInteger)
        .default(200),
    )
    .action(
      run((command) =>
        historyCommand(
          context(command),
          command.args[0] as string,
          command.opts<{ limit: number; executions: number }>(),
        ),
      ),
    );

  program
    .command('emergency')
    .description(
      'emergency rotation of a leaked secret: promote a new credential at once and disable the leaked client',
    )
    .argument('<secret>', 'managed secret name or ARN')
    .option(
      '--confirm <secret-name>',
      "required: the secret's name again (this breaks consumers holding the old credential)",
    )
    .addOption(
      new Option(
        '--strategy <strategy>',
        'replace (new client) or regenerate (same client, new secret)',
      ).default('replace'),
    )
    .option('--reason <text>', 'recorded in the execution input and the events')
    .option('--name <execution>', 'execution name (default cli-emergency-<secret>-<time>-<random>)')
    .option('--no-follow', 'start it and return without waiting')
    .action(
      run((command) =>
        emergencyCommand(
          context(command),
          command.args[0] as string,
          command.opts<{
            confirm?: string;
            strategy?: string;
            reason?: string;
            name?: string;
            follow?: boolean;
          }>(),
        ),
      ),
    );

  program
    .command('scan')
    .description(
      'find hard-coded secrets in Data Actions, auth actions, drafts and Architect flows (docs/SCAN.md), with a blast radius',
    )
    .option('--secret <secret...>', 'compare only these managed secrets (default: every managed secret)')
    .option('--credential-ids <ids>', 'comma-separated Genesys credential ids: report their blast radius')
    .option(
      '--admin-secret <id>',
      `the rotator's admin credential secret (default: ${ADMIN_SECRET_VARIABLE} or ${DEFAULT_ADMIN_SECRET})`,
    )
    .option('--no-flows', 'skip Architect flows')
    .option('--no-drafts', 'skip action drafts')
    .addOption(new Option('--concurrency <n>', 'single reads at a time').argParser(positiveInteger))
    .action(run((command) => scanCommand(context(command), io.env, command.opts<ScanCommandOptions>())));

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT.ok;
      // Commander has already written its message to stderr.
      if (report.json) report.error('UsageError', error.message.replace(/^error: /, ''), EXIT.usage);
      return EXIT.usage;
    }
    if (error instanceof OperatorError) {
      report.error(error.name, error.message, error.exitCode);
      return error.exitCode;
    }
    const name = error instanceof Error ? error.name : 'Error';
    const message = error instanceof Error ? error.message : String(error);
    report.error(name, `${name}: ${message}`, EXIT.failed);
    return EXIT.failed;
  } finally {
    aws?.close();
  }
}
