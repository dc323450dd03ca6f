// Starts a real `easytune serve` (this checkout's backend and web/dist) for the browser tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const WEB_ROOT = resolve(import.meta.dirname, '..');
export const REPO_ROOT = resolve(WEB_ROOT, '..');
const PYTHON = process.env.EASYTUNE_PYTHON ?? join(REPO_ROOT, '.venv', 'bin', 'python');

export interface RunningServer {
  url: string;
  stop: () => Promise<void>;
  output: () => string;
}

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? done(address.port) : fail(new Error('no port'))));
    });
  });
}

async function waitUntilHealthy(url: string, child: ChildProcess, output: () => string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`easytune serve exited (${child.exitCode}):\n${output()}`);
    const ok = await fetch(`${url}/healthz`).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`easytune serve did not answer /healthz within ${timeoutMs} ms:\n${output()}`);
}

/** A server on a free port with a fresh data folder and a known admin password. */
export async function startServer(adminPassword: string): Promise<RunningServer> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'easytune-e2e-'));
  let log = '';
  const child = spawn(PYTHON, ['-m', 'easytune', 'serve', '--host', '127.0.0.1', '--port', String(port)], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      PYTHONPATH: join(REPO_ROOT, 'src'), // this checkout's backend, whatever the venv points at
      EASYTUNE_DATA_DIR: dataDir,
      EASYTUNE_ADMIN_PASSWORD: adminPassword,
      EASYTUNE_WEB_DIST: join(WEB_ROOT, 'dist'),
      EASYTUNE_LOG_JSON: 'false',
      HF_HUB_OFFLINE: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (chunk: Buffer) => void (log += chunk.toString());
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await waitUntilHealthy(url, child, () => log, 60_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, stop, output: () => log };
}
