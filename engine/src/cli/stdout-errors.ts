// What the CLI does when standard output cannot be written: a reader that went away (EPIPE, e.g.
// `optlab ls | head -0`) ends it quietly with exit 0, as `yes | head` does; any other write error
// (`> /dev/full`: ENOSPC, EIO, ...) is one line on stderr and exit 1. Without a listener Node
// reports either as an "Unhandled 'error' event" with a stack trace. Runs are in the store by the
// time anything is printed, so exiting here loses nothing recorded.

/** Installs the handler once per stream; `exit` is injectable for tests. */
export function handleStdoutErrors(stream: NodeJS.WriteStream = process.stdout, exit: (code: number) => void = (code) => process.exit(code)): void {
  if ((stream as { optlabGuarded?: boolean }).optlabGuarded) return;
  (stream as { optlabGuarded?: boolean }).optlabGuarded = true;
  let reported = false;
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (reported) return;
    reported = true;
    if (err.code === 'EPIPE') return exit(0);
    process.stderr.write(`optlab: cannot write to standard output: ${err.code ? `${err.code} (${err.message.replace(/^\w+: /, '').replace(/, write$/, '')})` : err.message}\n`);
    exit(1);
  });
}
