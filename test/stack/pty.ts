/**
 * @module test/stack/pty
 * Runs a command in a real pseudo-terminal through util-linux `script`, so
 * the program sees a TTY on stdin, stdout and stderr (progress bars draw as
 * they would for a person), and lets a test type into it (e.g. Ctrl-C).
 */
import { spawn } from 'node:child_process';

/** A command running in a PTY. */
export interface PtyRun {
  /** Everything the terminal showed so far (escape sequences included). */
  output(): string;
  /** Types into the terminal: `'\x03'` is Ctrl-C. */
  type(text: string): void;
  /** Resolves with the command's exit status once it has ended. */
  readonly exited: Promise<number>;
}

/** Single-quotes a word for `sh -c`. */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Starts `argv` in a PTY with `env` added to this process's environment. */
export function runInPty(argv: string[], env: Record<string, string>, cwd: string): PtyRun {
  const child = spawn('script', ['-q', '-e', '-c', argv.map(shellQuote).join(' '), '/dev/null'], {
    cwd,
    env: { ...process.env, TERM: 'xterm-256color', COLUMNS: '120', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
  return {
    output: () => out,
    type: (text) => child.stdin.write(text),
    exited,
  };
}
