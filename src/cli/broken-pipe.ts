/**
 * Makes a closed reader of the output (`syncline status | head -1`) end the process quietly, as
 * the standard tools do, instead of crashing with an `EPIPE` stack trace. Other stream errors
 * are rethrown.
 */
export function exitQuietlyOnBrokenPipe(stream: NodeJS.WriteStream = process.stdout): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
    throw error;
  });
}
