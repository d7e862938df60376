// Runs commands for a bench process, so that forking them does not pause the bench's (and an in-process gateway's)
// event loop: forking a process of several hundred MB copies its page tables, a stall of tens of ms.
// Protocol: one JSON line per request on stdin, {"id", "file", "args"}; one JSON line per answer, {"id", "stdout", "error"}.
import { execFile } from 'node:child_process';
import { createInterface } from 'node:readline';

createInterface({ input: process.stdin }).on('line', (line) => {
  const { id, file, args } = JSON.parse(line);
  execFile(file, args, { maxBuffer: 1 << 24 }, (error, stdout) => {
    process.stdout.write(`${JSON.stringify({ id, stdout, error: error ? `${error.message} ${error.stderr ?? ''}`.trim() : null })}\n`);
  });
});
