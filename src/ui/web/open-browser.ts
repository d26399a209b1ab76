// `listen --open`: the page in the user's own browser, through the desktop's opener (xdg-open, open, start). Enters:
// a URL; leaves: a detached process, or a one-line reason it could not start. Never waited for, never in tests.
import { spawn } from 'node:child_process';

export function openInBrowser(url: string, onProblem: (text: string) => void): void {
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url]]
        : ['xdg-open', [url]];
  try {
    const child = spawn(command, args, { detached: true, stdio: 'ignore', windowsHide: true });
    child.on('error', (error: NodeJS.ErrnoException) =>
      onProblem(`cannot open a browser (${command}: ${error.code ?? error.message}): open ${url} yourself`),
    );
    child.unref();
  } catch (error) {
    onProblem(
      `cannot open a browser (${error instanceof Error ? error.message : String(error)}): open ${url} yourself`,
    );
  }
}
