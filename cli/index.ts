/** The `genesys-rotator` process: runs `main` on this process's arguments and streams. */
import { main } from './main.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  isTTY: process.stdout.isTTY === true,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`genesys-rotator: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
